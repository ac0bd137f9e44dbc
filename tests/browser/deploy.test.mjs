// Deploys, as a returning visitor meets them (www/sw.js, lib/update.js, lib/offline.js): a new
// build is offered with "A new version is ready — reload" and, after it, served whole (never
// the old page with new files or the reverse); a host that redirects index.html to its folder
// keeps working; offline, a part whose files were never kept says what it needs; "Make the
// whole lab available offline" keeps what it says it will.
//
// Build B is made here from dist/ (build A): the same URLs for the wasm-bindgen glue, with a
// marker added to the page's glue; the trainer's module with a custom section added (new bytes,
// new hash, the old file gone from the host, as hosts drop old files); lib/assets.js, sw.js and
// build.json naming them. No second wasm build.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';
import { BASE, browserTest, DIST } from './harness.mjs';

const A = JSON.parse(await readFile(join(DIST, 'build.json'), 'utf8'));
const WORK = await mkdtemp(join(tmpdir(), 'lstm-lab-deploy-'));
/** Every host the tests started. */
const hosts = [];
after(async () => {
  for (const site of hosts) await site.server?.close();
  await rm(WORK, { recursive: true, force: true });
});

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** A wasm custom section (ignored by the engine): new bytes for the same module. */
function customSection(name, payload) {
  const body = Buffer.concat([Buffer.from([name.length]), Buffer.from(name), Buffer.from(payload)]);
  assert.ok(body.length < 128, 'one-byte LEB128 sizes');
  return Buffer.concat([Buffer.from([0, body.length]), body]);
}

/** Build B in `dir`, from dist/. Resolves to B's build.json. */
async function makeBuildB(dir) {
  await cp(DIST, dir, { recursive: true });
  const build = structuredClone(A);
  /** Edit a text file; its precompressed variants would still hold build A. */
  const edit = async (path, change) => {
    await writeFile(join(dir, path), change(await readFile(join(dir, path), 'utf8')));
    for (const suffix of ['.br', '.gz']) await rm(join(dir, path + suffix), { force: true });
  };
  const oldPath = A.assets.trainerWasm.path;
  const bytes = Buffer.concat([await readFile(join(dir, oldPath)), customSection('lstm-lab-test', 'build B')]);
  const newPath = oldPath.replace(/\.[0-9a-f]{12}\.wasm$/, `.${sha(bytes).slice(0, 12)}.wasm`);
  await writeFile(join(dir, newPath), bytes);
  for (const suffix of ['', '.br', '.gz']) await rm(join(dir, oldPath + suffix), { force: true });
  build.assets.trainerWasm = { path: newPath, bytes: bytes.length };
  build.id = sha(`B${A.id}`).slice(0, 12);

  await edit('pkg/lstm_lab_page.js', (s) => `${s}\nglobalThis.lstmLabGlue = 'B';\n`);
  await edit('lib/assets.js', (s) => {
    const match = /export const BUILD = (\{[\s\S]*?\n\});/.exec(s);
    const assets = JSON.parse(match[1]);
    assets.id = build.id;
    assets.assets.trainerWasm = build.assets.trainerWasm;
    return s.replace(match[0], `export const BUILD = ${JSON.stringify(assets, null, 2)};`);
  });
  await edit('sw.js', (s) =>
    s
      .replace(/^const BUILD_ID = .*;$/m, `const BUILD_ID = ${JSON.stringify(build.id)};`)
      .replace(/^const HASHED = .*;$/m, (line) => line.replace(oldPath, newPath)),
  );
  await writeFile(join(dir, 'build.json'), JSON.stringify(build, null, 2));
  return build;
}

const SITE_A = join(WORK, 'a');
const SITE_B = join(WORK, 'b');
await cp(DIST, SITE_A, { recursive: true });
const B = await makeBuildB(SITE_B);

/**
 * A host whose files can be replaced (a deploy), taken down and brought back on the same port;
 * `served` lists every answer as `STATUS /path`.
 */
async function host({ cleanUrls = false } = {}) {
  const root = join(WORK, `site-${Math.random().toString(36).slice(2)}`);
  const served = [];
  const options = {
    root,
    base: BASE,
    cache: true,
    cleanUrls,
    onServe: (status, path) => served.push(`${status} ${path}`),
  };
  const site = {
    served,
    server: null,
    url: null,
    async publish(from) {
      await rm(root, { recursive: true, force: true });
      await cp(from, root, { recursive: true });
    },
    async up() {
      site.server = await startServer({ ...options, port: site.url ? Number(new URL(site.url).port) : 0 });
      site.url = site.server.url;
    },
    down: () => site.server.close(),
  };
  hosts.push(site);
  await site.publish(SITE_A);
  await site.up();
  return site;
}

/** Which build the page runs: its lib/assets.js and its glue, as loaded. */
const running = (page) =>
  page.evaluate(async () => ({
    id: (await import(new URL('lib/assets.js', document.baseURI).href)).BUILD.id,
    glue: globalThis.lstmLabGlue ?? 'A',
  }));

const controlled = (page) =>
  page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });

/** The first view is up (and, with `glue`, it runs that build's glue). */
const ready = (page, glue = null) =>
  page.waitForFunction(
    (g) => document.body?.dataset.ready === 'true' && (g === null || (globalThis.lstmLabGlue ?? 'A') === g),
    glue,
    { timeout: 240_000 },
  );

const trainerReady = (page) =>
  page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, { timeout: 240_000 });

let site;
browserTest(
  'a redeploy: the returning visitor is offered the new version, and after the reload runs all of it',
  async (app) => {
    const page = app.page;
    await controlled(page);
    assert.deepEqual(await running(page), { id: A.id, glue: 'A' });

    // Deploy B, and come back.
    await site.publish(SITE_B);
    site.served.length = 0;
    await page.reload();
    await ready(page);
    assert.deepEqual(await running(page), { id: A.id, glue: 'A' }, 'the page open is still A, whole');
    await page.locator('#update-banner').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await app.text('#update-banner'), /^A new version is ready\.\s*Reload$/);
    // B's worker asked the server itself for the glue (not the HTTP cache, which holds A's).
    assert.ok(site.served.includes(`200 ${BASE}pkg/lstm_lab_page.js`), site.served.join(' '));
    await app.screenshot('deploy-new-version-ready');

    // A second tab of the site: switching would change its files under it, so the page says so.
    const other = await app.context.newPage();
    await other.goto(site.url);
    await ready(other);
    await page.click('#update-reload');
    await page.waitForFunction(() => /open in another tab/.test(document.getElementById('update-text').textContent));
    assert.match(
      await app.text('#update-text'),
      /^A new version is ready\. LSTM Lab is open in another tab, which still run this version: close it, then reload\.$/,
    );
    assert.deepEqual(await running(page), { id: A.id, glue: 'A' });
    await other.close();

    await page.click('#update-reload');
    await ready(page, 'B');
    assert.deepEqual(await running(page), { id: B.id, glue: 'B' }, 'after the reload the page is B, whole');
    assert.equal(await page.locator('#update-banner').isVisible(), false);
    const shells = await page.evaluate(async () => (await caches.keys()).filter((n) => n.includes(' shell ')));
    assert.deepEqual(shells, [`lstm-lab ${BASE} shell ${B.id}`], "only B's shell is kept, named after the site's path");

    // The trainer loads B's module; A's was never asked for, and nothing was missing.
    await page.click('#tab-trainer');
    await trainerReady(page);
    const trainerFetches = site.served.filter((s) => s.includes('lstm_lab_trainer_bg'));
    assert.deepEqual(trainerFetches, [`200 ${BASE}${B.assets.trainerWasm.path}`]);
    assert.deepEqual(
      site.served.filter((s) => !/^(200|304) /.test(s)),
      [],
      'every file B asked for was there',
    );
  },
  {
    serviceWorkers: 'allow',
    server: async () => {
      site = await host();
      return site;
    },
  },
);

let redirecting;
browserTest(
  'a host that redirects index.html to its folder: later visits work, online and offline',
  async (app) => {
    const page = app.page;
    await controlled(page);
    // The worker's install asked for index.html and got the redirect, which it did not keep.
    await page.waitForFunction(() => navigator.serviceWorker.controller.state === 'activated');
    assert.ok(redirecting.served.includes(`301 ${BASE}index.html`), redirecting.served.join(' '));
    for (const url of [
      redirecting.url,
      `${redirecting.url}index.html`,
      `${redirecting.url}?stepper.preset=france&stepper.t=7#stepper`,
    ]) {
      await page.goto(url);
      await ready(page);
    }
    assert.equal(await app.text('#stepper-t-value'), '7', 'the link applied');
    await redirecting.down();
    await app.context.setOffline(true);
    await page.goto(redirecting.url);
    await ready(page);
    await page.goto(`${redirecting.url}index.html`);
    await ready(page);
    await app.context.setOffline(false);
  },
  {
    serviceWorkers: 'allow',
    server: async () => {
      redirecting = await host({ cleanUrls: true });
      return redirecting;
    },
  },
);

let offline;
browserTest(
  'offline without the large files each part says what it needs; "available offline" keeps what it says',
  async (app) => {
    const page = app.page;
    await controlled(page);
    await page.locator('#offline').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.getElementById('offline').dataset.state === 'partial');
    const size = (bytes) => (bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);
    const mb = (name) => size(A.assets[name].bytes);
    const total = ['trainerWasm', 'sample', 'pretrained', 'pretrainedExamples', 'pretrainedValidation'].reduce(
      (t, n) => t + A.assets[n].bytes,
      0,
    );
    assert.equal(
      await app.text('#offline-status'),
      `Saves the trainer (${mb('trainerWasm')}), the built-in sample (${mb('sample')}), the pretrained model (${mb('pretrained')}), its reviews (${mb('pretrainedExamples')}) and its validation sample (${mb('pretrainedValidation')}) in this browser: ${size(total)}.`,
    );

    // Offline (the host gone too): the Trainer and the pretrained model say what they need.
    await offline.down();
    await app.context.setOffline(true);
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.module === 'failed', null, {
      timeout: 60_000,
    });
    assert.match(
      await app.text('#trainer-module-error'),
      /lstm_lab_trainer_bg\.[0-9a-f]{12}\.wasm is not saved in this browser for offline use \(connect to the internet and try again, or use "Make the whole lab available offline"/,
    );
    await app.screenshot('deploy-offline-trainer-not-saved');
    await page.click('#tab-inside');
    await page.click('#inside-pretrained');
    await page.locator('#inside-model-error').waitFor({ state: 'visible' });
    assert.match(
      await app.text('#inside-model-error'),
      /^Could not load the pretrained model: imdb-sentiment\.[0-9a-f]{12}\.lstmlab is not saved in this browser for offline use/,
    );

    // Back online: keep everything.
    await app.context.setOffline(false);
    await offline.up();
    offline.served.length = 0;
    await page.click('#offline-save');
    await page.waitForFunction(() => document.getElementById('offline').dataset.state === 'saved', null, {
      timeout: 120_000,
    });
    assert.match(await app.text('#offline-status'), /^The whole lab works offline in this browser/);
    assert.equal(await page.locator('#offline-save').isVisible(), false);
    const kept = await page.evaluate(
      async (paths) => {
        const sizes = {};
        for (const path of paths) {
          const hit = await caches.match(new URL(path, document.baseURI).href);
          sizes[path] = hit ? (await hit.arrayBuffer()).byteLength : null;
        }
        return sizes;
      },
      Object.values(A.assets).map((a) => a.path),
    );
    for (const [name, asset] of Object.entries(A.assets)) {
      assert.equal(kept[asset.path], asset.bytes, `${name} is kept whole (${asset.path})`);
    }
    await app.screenshot('deploy-whole-lab-offline');

    // Offline again: the trainer and the pretrained model load from what was kept.
    await offline.down();
    await app.context.setOffline(true);
    await page.click('#inside-pretrained');
    await page.waitForFunction(() => document.body.dataset.insideModel, null, { timeout: 60_000 });
    // Shown again after a failed load, the tab tries again by itself.
    await page.click('#tab-trainer');
    await trainerReady(page);
    await app.context.setOffline(false);
  },
  {
    serviceWorkers: 'allow',
    server: async () => {
      offline = await host();
      return offline;
    },
  },
);
