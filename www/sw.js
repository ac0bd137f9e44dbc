// Service worker of the built site (dist/; `scripts/build` fills in the three constants below).
// After one visit the page works offline:
//   - the first view (SHELL) is cached when the worker installs, and served from that cache;
//     a new build changes this file, so the browser installs the new worker and its new cache;
//   - the large, content-hashed files (HASHED: the trainer's module, the sample data) are cached
//     the first time the page fetches them: a visitor who never opens the Trainer never
//     downloads its module, and one who did can train offline later.
// In www/ (development) the page does not register this file.

const BUILD_ID = null;
const SHELL = [];
const HASHED = [];

const SHELL_CACHE = `lstm-lab-shell-${BUILD_ID}`;
const ASSET_CACHE = 'lstm-lab-assets';
const here = (path) => new URL(path, self.location).href;
const shellUrls = new Set(SHELL.map(here));
const hashedUrls = new Set(HASHED.map(here));

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll([...shellUrls]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // Drop the shells of older builds and hashed files this build no longer names.
      for (const name of await caches.keys()) {
        if (name.startsWith('lstm-lab-shell-') && name !== SHELL_CACHE) await caches.delete(name);
      }
      const assets = await caches.open(ASSET_CACHE);
      for (const request of await assets.keys()) {
        if (!hashedUrls.has(request.url)) await assets.delete(request);
      }
      await self.clients.claim();
    })(),
  );
});

/** The cache key of a request: the file's URL without query or fragment; a folder is its index.html. */
function keyOf(request) {
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  if (url.pathname.endsWith('/')) url.pathname += 'index.html';
  return url.href;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  const key = keyOf(request);
  if (shellUrls.has(key)) {
    event.respondWith(fromCacheOrNetwork(SHELL_CACHE, key, request));
  } else if (hashedUrls.has(key)) {
    event.respondWith(fromCacheOrNetwork(ASSET_CACHE, key, request));
  }
  // Anything else (e.g. a file the user uploads is never fetched) goes to the network as usual.
});

async function fromCacheOrNetwork(cacheName, key, request) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(request);
  // Keep whole, successful responses only (a Range request's 206 is not the file).
  if (response.status === 200) await cache.put(key, response.clone());
  return response;
}
