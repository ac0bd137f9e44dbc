// Browser-test harness: serve the built site (dist/, from `scripts/build`) on loopback under a
// sub-path, as a static host would, open it in headless Chromium with WebGPU (SwiftShader), log
// every request, and fail a test that requests anything outside the page's own origin. A failing
// test leaves a screenshot in test-artifacts/.
//
//   import { browserTest } from './harness.mjs';
//   browserTest('what the user does', async (app) => { await app.page.click('#…'); … });

import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts');

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the site is published in the tests: not the server's root, as on many real hosts. */
export const BASE = '/lstm-lab/demo/';
export const DIST = join(ROOT, 'dist');

let shared = null;

/** One server and one browser for the whole file; each test gets a fresh context. */
async function sharedBrowser() {
  if (!shared) {
    shared = (async () => {
      if (!(await stat(join(DIST, 'build.json')).catch(() => null))) {
        throw new Error('dist/ is not built: run scripts/build (scripts/test does) before the browser tests');
      }
      const server = await startServer({ root: DIST, base: BASE, cache: true });
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
      return { server, browser };
    })();
  }
  return shared;
}

// Registered when the module loads, so it runs once after every test of the file.
after(async () => {
  if (!shared) return;
  const { server, browser } = await shared;
  await browser.close();
  await server.close();
});

const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Open the app and run `body(app)`. `app` has: page, context, url (the site's address), origin,
 * requests (every URL requested), consoleErrors, screenshot(name), and helpers below.
 * Options: `noWebGpu` removes navigator.gpu (a browser without WebGPU); `serviceWorkers: 'allow'`
 * lets the site's service worker run (blocked otherwise, so each test sees the network);
 * `waitReady: false` leaves waiting for the first view to the test; `setup(app)` runs before the
 * page is opened (e.g. to make a request fail); `deviceScaleFactor` sets the device pixel ratio;
 * `server()` resolves to a server of the test's own (`{url}`, from scripts/serve.mjs) instead of dist/'s.
 */
export function browserTest(
  name,
  body,
  {
    timeout = 300_000,
    hash = '',
    noWebGpu = false,
    serviceWorkers = 'block',
    waitReady = true,
    setup = null,
    deviceScaleFactor = 1,
    server: ownServer = null,
  } = {},
) {
  test(name, { timeout }, async () => {
    const common = await sharedBrowser();
    const browser = common.browser;
    const server = ownServer ? await ownServer() : common.server;
    const origin = new URL(server.url).origin;
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      serviceWorkers,
      deviceScaleFactor,
    });
    const page = await context.newPage();
    const requests = [];
    const outside = [];
    const consoleErrors = [];
    const pageErrors = [];
    // Log every request; anything leaving the origin is recorded and refused.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      const allowed = url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:');
      if (allowed) return route.continue();
      outside.push(url);
      return route.abort('blockedbyclient');
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    const app = {
      page,
      context,
      url: server.url,
      origin,
      requests,
      consoleErrors,
      async screenshot(label) {
        await mkdir(ARTIFACTS, { recursive: true });
        const path = join(ARTIFACTS, `${slug(label)}.png`);
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      text: (selector) => page.locator(selector).innerText(),
    };
    try {
      if (noWebGpu) await page.addInitScript(() => delete Navigator.prototype.gpu);
      if (setup) await setup(app);
      await page.goto(server.url + hash);
      if (waitReady)
        await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
      await body(app);
      assert.deepEqual(outside, [], `the page requested outside its origin: ${outside.join(', ')}`);
      assert.deepEqual(pageErrors, [], `uncaught errors in the page: ${pageErrors.join('\n')}`);
      const banner = await page.locator('#panic-banner').isVisible();
      assert.equal(banner, false, `error banner shown: ${await page.locator('#panic-banner').innerText()}`);
    } catch (e) {
      const shot = await app.screenshot(`FAILED-${name}`).catch(() => '(no screenshot)');
      console.error(`screenshot of the failure: ${shot}`);
      if (consoleErrors.length) console.error(`console errors:\n  ${consoleErrors.join('\n  ')}`);
      throw e;
    } finally {
      console.log(
        `requests (${requests.length}): ${[...new Set(requests.map((u) => u.replace(origin, '')))].join(' ')}`,
      );
      await context.close();
    }
  });
}

/** Set a range/number/select input like a user would and fire its input event. */
export async function setValue(page, selector, value) {
  await page.locator(selector).evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

/** Wait until the section has finished its runs and return its revision counter. */
export async function settled(page, sectionId, { after = -1, timeout = 240_000 } = {}) {
  await page.waitForFunction(
    ([id, rev]) => {
      const s = document.getElementById(id);
      return s.dataset.busy === 'false' && Number(s.dataset.revision ?? 0) > rev;
    },
    [sectionId, after],
    { timeout },
  );
  return page.evaluate((id) => Number(document.getElementById(id).dataset.revision), sectionId);
}

/**
 * Choose a CSV in the Trainer's file input and wait for that file's own outcome: its counts,
 * its error, or the column chooser. Not just for the trainer's revision to move: it also moves
 * when other news arrives (the memory estimate, the engine probe), and a check right after
 * would read the previous state.
 */
export async function uploadCsv(page, name, content) {
  const before = await page.evaluate(() => Number(document.getElementById('trainer').dataset.revision ?? 0));
  await page.setInputFiles('#trainer-file', { name, mimeType: 'text/csv', buffer: Buffer.from(content) });
  await page.waitForFunction(
    ({ n, rev }) => {
      const text = (id) => document.getElementById(id)?.textContent ?? '';
      const chooser = document.getElementById('trainer-column-chooser');
      const own =
        text('trainer-counts').startsWith(`${n}:`) ||
        text('trainer-data-error').startsWith(`${n}:`) ||
        (!chooser.hidden && text('trainer-choose-file') === n);
      return own && Number(document.getElementById('trainer').dataset.revision ?? 0) > rev;
    },
    { n: name, rev: before },
  );
}

const POSITIVE_WORDS = ['great', 'wonderful', 'loved', 'brilliant', 'superb', 'moving'];
const NEGATIVE_WORDS = ['awful', 'boring', 'hated', 'dreadful', 'terrible', 'dull'];
const FILLER_WORDS = ['the', 'film', 'movie', 'was', 'plot', 'actors', 'and', 'it', 'a', 'story'];

/**
 * `rows` short, clearly learnable reviews, alternately positive and negative: six words, every
 * third a sentiment word, the rest filler, drawn from a seeded generator.
 * @returns {{ text: string, positive: boolean }[]}
 */
export function learnableReviews(rows, seed = 7) {
  const pick = (list) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return list[seed % list.length];
  };
  return Array.from({ length: rows }, (_, i) => {
    const positive = i % 2 === 0;
    const words = Array.from({ length: 6 }, (_, k) =>
      k % 3 === 0 ? pick(positive ? POSITIVE_WORDS : NEGATIVE_WORDS) : pick(FILLER_WORDS),
    );
    return { text: words.join(' '), positive };
  });
}
