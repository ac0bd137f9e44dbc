// Service worker of the built site (dist/; `scripts/build` fills in the three constants below).
// After one visit the page works offline:
//   - the first view and every script (SHELL) are cached when the worker installs, fetched from
//     the server itself (`cache: 'reload'`): the browser's HTTP cache may still hold the previous
//     build's files under the same names (the wasm-bindgen glue in pkg/ is not hashed);
//   - the large, content-hashed files (HASHED: the trainer's module, the sample, the pretrained
//     model and its reviews) are cached the first time the page fetches them, while the page
//     reads them (its download shows progress), or all at once when the page asks
//     ("Make the whole lab available offline", lib/offline.js);
//   - a new build is a new worker with its own shell cache. It waits until every tab of the old
//     build is closed (a lesson is never switched to new code halfway through), unless the page
//     asks it to take over ("A new version is ready — reload", lib/update.js) and no other tab
//     of the site is open: a tab never runs one build's page with another build's files.
//   - cache names carry the site's path: two deployments on one origin never share a cache.
// In www/ (development) the page does not register this file.

const BUILD_ID = null;
const SHELL = [];
const HASHED = [];

const SCOPE = self.registration.scope;
const PREFIX = `lstm-lab ${new URL(SCOPE).pathname} `;
const SHELL_CACHE = `${PREFIX}shell ${BUILD_ID}`;
const ASSET_CACHE = `${PREFIX}assets`;
const here = (path) => new URL(path, SCOPE).href;
const shellUrls = new Set(SHELL.map(here));
const hashedUrls = new Set(HASHED.map(here));
/** The site's page has two URLs: its folder and index.html. Clean-URL hosts redirect one to the other. */
const PAGE_URLS = [here('./'), here('index.html')];

/** A response fit to keep: whole, from this origin, and not redirected (a redirected response breaks a navigation). */
const keepable = (response) => response.status === 200 && response.type === 'basic' && !response.redirected;

self.addEventListener('install', (event) => event.waitUntil(precache()));

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const kept = await Promise.all(
      [...shellUrls].map(async (url) => {
        const response = await fetch(url, { cache: 'reload' });
        if (keepable(response)) {
          await cache.put(url, response);
          return true;
        }
        // A host that redirects index.html to the folder (or back): the other URL is kept.
        if (response.redirected && PAGE_URLS.includes(url)) return false;
        throw new Error(`${url}: ${response.redirected ? 'redirected' : `HTTP ${response.status}`}`);
      }),
    );
    if (PAGE_URLS.every((url) => !kept[[...shellUrls].indexOf(url)]))
      throw new Error('the page itself could not be cached');
  } catch (e) {
    // A failed install leaves the previous build in charge; drop the half-filled cache.
    await caches.delete(SHELL_CACHE);
    throw e;
  }
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(`${PREFIX}shell `) && name !== SHELL_CACHE) await caches.delete(name);
        else if (name.startsWith('lstm-lab-')) await dropLegacy(name);
      }
      // Hashed files this build no longer names.
      const assets = await caches.open(ASSET_CACHE);
      for (const request of await assets.keys()) {
        if (!hashedUrls.has(request.url)) await assets.delete(request);
      }
      // The tabs this worker may now serve: the one that asked for the new version (it reloads),
      // or, on a first visit, the page that registered it (it loaded this very build).
      await self.clients.claim();
    })(),
  );
});

/**
 * Earlier builds named their caches `lstm-lab-shell-<build>` and `lstm-lab-assets` for every
 * deployment on the origin: drop this site's entries from them, and a cache left empty.
 */
async function dropLegacy(name) {
  const cache = await caches.open(name);
  const keys = await cache.keys();
  const ours = keys.filter((request) => request.url.startsWith(SCOPE));
  for (const request of ours) await cache.delete(request);
  if (ours.length === keys.length) await caches.delete(name);
}

self.addEventListener('message', (event) => {
  const { data, source } = event;
  const reply = (message) => (event.ports[0] ?? source)?.postMessage(message);
  if (data?.type === 'take-over') event.waitUntil(takeOver(source, reply));
  else if (data?.type === 'offline-status') event.waitUntil(offlineStatus().then(reply));
  else if (data?.type === 'save-offline') event.waitUntil(saveOffline(reply));
});

/** The page asked for the new build: only when no other tab of this site still runs the old one. */
async function takeOver(source, reply) {
  const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const others = tabs.filter((tab) => tab.id !== source?.id && tab.url.startsWith(SCOPE));
  if (others.length) reply({ type: 'other-tabs', count: others.length });
  else await self.skipWaiting();
}

/** Which hashed files are kept: {type, saved: [paths], missing: [paths]}. */
async function offlineStatus() {
  const assets = await caches.open(ASSET_CACHE);
  const saved = [];
  const missing = [];
  for (const path of HASHED) ((await assets.match(here(path))) ? saved : missing).push(path);
  return { type: 'offline-status', saved, missing };
}

/** Fetch and keep every hashed file not kept yet, reporting the bytes as they arrive. */
async function saveOffline(reply) {
  const assets = await caches.open(ASSET_CACHE);
  let loaded = 0;
  try {
    for (const path of (await offlineStatus()).missing) {
      const response = await fetch(here(path), { cache: 'reload' });
      if (!keepable(response))
        throw new Error(`${path}: ${response.redirected ? 'redirected' : `HTTP ${response.status}`}`);
      const counted = response.body.pipeThrough(
        new TransformStream({
          transform(chunk, controller) {
            loaded += chunk.byteLength;
            reply({ type: 'offline-progress', loaded });
            controller.enqueue(chunk);
          },
        }),
      );
      await assets.put(here(path), new Response(counted, { headers: response.headers }));
    }
    reply(await offlineStatus());
  } catch (e) {
    reply({ type: 'offline-error', message: e.message ?? String(e), ...(await offlineStatus()) });
  }
}

/** The cache key of a request: the file's URL without query or fragment. */
function keyOf(request) {
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  return url.href;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  const key = keyOf(request);
  if (shellUrls.has(key)) event.respondWith(fromShell(key, request));
  else if (hashedUrls.has(key)) event.respondWith(fromAssets(event, key, request));
  // Anything else (e.g. a file the user uploads is never fetched) goes to the network as usual.
});

async function fromShell(key, request) {
  const cache = await caches.open(SHELL_CACHE);
  const alias = PAGE_URLS.includes(key) ? PAGE_URLS.find((url) => url !== key) : null;
  const hit = (await cache.match(key)) ?? (alias && (await cache.match(alias)));
  return hit ?? fetch(request);
}

async function fromAssets(event, key, request) {
  const cache = await caches.open(ASSET_CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(request);
  // Keep a copy while the page reads the original (clone() tees the body), so the page's
  // download shows its progress. A Range request's 206 is not the whole file.
  if (keepable(response) && !request.headers.has('range')) {
    event.waitUntil(cache.put(key, response.clone()).catch(() => {}));
  }
  return response;
}
