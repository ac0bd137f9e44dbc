// The built site (dist/) as a visitor meets it, under a sub-path: the first view loads without
// the trainer's module; the Trainer tab downloads it with a progress bar; a failed download
// says so with a retry button; after one visit the page works offline; a browser without
// WebGPU gets every section on the CPU.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BASE, browserTest, DIST, uploadCsv } from './harness.mjs';

const build = JSON.parse(await readFile(join(DIST, 'build.json'), 'utf8'));
const trainerWasm = build.assets.trainerWasm.path;
const pageWasm = build.assets.pageWasm.path;

/** A tiny, clearly learnable CSV: "good" words in positive rows, "bad" words in negative ones. */
function tinyCsv(rows) {
  const lines = ['review,sentiment'];
  for (let i = 0; i < rows; i++) {
    const positive = i % 2 === 0;
    const words = positive ? ['great', 'film', 'loved', 'it'] : ['awful', 'film', 'hated', 'it'];
    lines.push(`${words.join(' ')} ${i % 7},${positive ? 'positive' : 'negative'}`);
  }
  return `${lines.join('\n')}\n`;
}

const trainerRevision = (page) => page.evaluate(() => Number(document.getElementById('trainer').dataset.revision ?? 0));

/** Open the Trainer tab and wait until its worker has the module and a device. */
async function openTrainer(page) {
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
    timeout: 240_000,
  });
}

/** Upload a tiny CSV, train one small model on the CPU, predict: the trainer's smoke path. */
async function trainTinyOnCpu(app) {
  const page = app.page;
  await uploadCsv(page, 'tiny.csv', tinyCsv(120));
  assert.match(await app.text('#trainer-counts'), /^tiny\.csv: 120 rows/);
  const settings = { vocab: 20, maxlen: 6, embed: 8, hidden: 8, batch: 20, lr: 0.05, epochs: 12, split: 0.5, seed: 1 };
  for (const [k, v] of Object.entries(settings)) await page.fill(`#trainer-${k}`, String(v));
  // Without WebGPU the choice is fixed to the CPU (and disabled).
  if (await page.locator('#trainer-device').isEnabled()) await page.selectOption('#trainer-device', 'cpu');
  assert.equal(await page.inputValue('#trainer-device'), 'cpu');
  await page.click('#trainer-start');
  await page.waitForFunction(() => /^Done/.test(document.getElementById('trainer-status').textContent), null, {
    timeout: 240_000,
  });
  const before = await trainerRevision(page);
  await page.fill('#trainer-predict-text', 'great film loved it');
  await page.click('#trainer-predict');
  // The answer itself, not just any news (the revision moves for other reasons too).
  await page.waitForFunction(
    (rev) =>
      Number(document.getElementById('trainer').dataset.revision ?? 0) > rev &&
      (document.getElementById('trainer-label')?.textContent ?? '') !== '',
    before,
  );
  assert.equal(await app.text('#trainer-label'), 'positive');
}

browserTest('the first view loads without the trainer; the Trainer tab downloads it, with progress', async (app) => {
  const page = app.page;
  assert.ok(new URL(page.url()).pathname.startsWith(BASE), `served under ${BASE}`);
  assert.ok(
    app.requests.some((u) => u.endsWith(pageWasm)),
    'the first view loaded its module',
  );
  assert.ok(
    !app.requests.some((u) => u.includes('lstm_lab_trainer') || u.endsWith('/worker.js')),
    'nothing of the trainer before its tab opens',
  );
  assert.equal(await page.locator('#trainer-module').isVisible(), false);

  const responses = [];
  page.on('response', (r) => responses.push(r));
  // The worker reports progress; record every report the page shows.
  await page.evaluate(() => {
    const view = globalThis.lstmLab.trainer;
    view.progressShown = [];
    const shown = view.progressShown;
    const original = view.moduleLoading.bind(view);
    view.moduleLoading = (m) => {
      shown.push({ ...m, text: document.getElementById('trainer-module-status').textContent });
      original(m);
      shown[shown.length - 1].text = document.getElementById('trainer-module-status').textContent;
    };
  });
  await openTrainer(page);
  assert.equal(await page.evaluate(() => document.getElementById('trainer').dataset.module), 'ready');
  assert.equal(
    await page.locator('#trainer-module').isVisible(),
    false,
    'the progress panel goes once the trainer is ready',
  );
  const shown = await page.evaluate(() => globalThis.lstmLab.trainer.progressShown);
  const bytes = shown.filter((m) => m.loaded != null);
  assert.ok(bytes.length >= 2, `progress was reported (${bytes.length} reports)`);
  assert.equal(bytes.at(-1).loaded, build.assets.trainerWasm.bytes, 'every byte of the module was counted');
  assert.equal(bytes.at(-1).total, build.assets.trainerWasm.bytes);
  assert.match(bytes.at(-1).text, /^Loading the trainer: [\d.]+ of [\d.]+ MB$/);
  assert.ok(
    shown.some((m) => m.compiled),
    'then it said it was starting the trainer',
  );
  // Served as a static host with precompressed files serves it.
  const wasm = responses.find((r) => r.url().endsWith(trainerWasm));
  assert.ok(wasm, 'the trainer module was fetched');
  assert.equal(wasm.headers()['content-type'], 'application/wasm');
  assert.equal(wasm.headers()['content-encoding'], 'br');
});

browserTest(
  'a module that fails to load gets a message and a retry button, for the page and for the trainer',
  async (app) => {
    const page = app.page;
    await page.waitForFunction(() => document.body.dataset.loadError === 'true');
    assert.match(await app.text('#app-load-error-text'), /lstm_lab_page_bg\.[0-9a-f]{12}\.wasm: HTTP 404/);
    assert.equal(await page.locator('#app-load-retry').isVisible(), true);
    await app.screenshot('site-page-module-failed');
    await page.unroute(`**/${pageWasm}`);
    await page.click('#app-load-retry');
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
    assert.equal(await page.locator('#app-load-error').isVisible(), false);

    // The trainer's module: the connection drops while the tab opens.
    await page.route(`**/${trainerWasm}`, (route) => route.abort('internetdisconnected'));
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.module === 'failed', null, {
      timeout: 120_000,
    });
    assert.match(
      await app.text('#trainer-module-error'),
      /^Could not load the trainer: could not download lstm_lab_trainer_bg\.[0-9a-f]{12}\.wasm: the network request failed/,
    );
    assert.equal(await page.locator('#trainer-module-retry').isVisible(), true);
    await app.screenshot('site-trainer-module-failed');
    await page.unroute(`**/${trainerWasm}`);
    await page.click('#trainer-module-retry');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
      timeout: 240_000,
    });
    await page.waitForFunction(() => document.getElementById('trainer').dataset.module === 'ready');
    assert.equal(await page.locator('#trainer-module-error').isVisible(), false);
  },
  {
    waitReady: false,
    setup: (app) => app.page.route(`**/${pageWasm}`, (route) => route.fulfill({ status: 404, body: 'not found' })),
  },
);

browserTest(
  'after one visit the page works offline: reload, Blow-up lab, stepper, trainer',
  async (app) => {
    const page = app.page;
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    await openTrainer(page); // fetches the trainer's module through the service worker
    await page.context().setOffline(true);
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
    assert.equal(await page.evaluate(() => navigator.onLine), false);
    // The Blow-up lab redraws.
    await page.click('#tab-blowup');
    const rev = await page.evaluate(() => Number(document.getElementById('blowup').dataset.revision));
    await page.click('#blowup-preset-underflow');
    await page.waitForFunction(
      (r) =>
        Number(document.getElementById('blowup').dataset.revision) > r &&
        document.getElementById('blowup').dataset.busy === 'false',
      rev,
    );
    assert.match(await app.text('#blowup-verdict'), /^Underflowed/);
    // The stepper steps.
    await page.click('#tab-stepper');
    const t = await app.text('#stepper-t-value');
    await page.click('#stepper-step');
    assert.equal(Number(await app.text('#stepper-t-value')), Number(t) + 1);
    // The trainer loads from the cache, trains and predicts.
    await openTrainer(page);
    await trainTinyOnCpu(app);
    await app.screenshot('site-offline-trained');
    await page.context().setOffline(false);
  },
  { serviceWorkers: 'allow' },
);

browserTest(
  'without WebGPU every section works on the CPU, the trainer included',
  async (app) => {
    const page = app.page;
    assert.match(await app.text('#adapter-status'), /^CPU fallback/);
    await page.click('#tab-stepper');
    await page.click('#stepper-step');
    await page.waitForFunction(() => globalThis.lstmLab.gradflow.flow?.rnn?.length > 0);
    await openTrainer(page);
    assert.match(
      await app.text('#trainer-device-status'),
      /^Training worker on the CPU: this browser offers no WebGPU/,
    );
    assert.equal(await page.inputValue('#trainer-device'), 'cpu');
    await trainTinyOnCpu(app);
  },
  { noWebGpu: true },
);

browserTest(
  'a browser whose WebAssembly has no SIMD is told the trainer cannot run there; the rest works',
  async (app) => {
    const page = app.page;
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.module === 'failed', null, {
      timeout: 120_000,
    });
    assert.match(
      await app.text('#trainer-module-error'),
      /^The trainer cannot run here: this browser's WebAssembly has no SIMD, which the trainer needs/,
    );
    assert.equal(await page.locator('#trainer-module-retry').isVisible(), false, 'no retry: it can never load here');
    assert.ok(!app.requests.some((u) => u.endsWith(trainerWasm)), 'the module that cannot compile is not downloaded');
    for (const id of ['#trainer-file', '#trainer-sample', '#trainer-load']) {
      assert.equal(await page.locator(id).isDisabled(), true, `${id} is disabled: nothing could run it`);
    }
    assert.equal(await app.text('#trainer-status'), 'The trainer cannot run in this browser.');
    await app.screenshot('site-no-wasm-simd');
    // The first view's module needs no SIMD: the stepper still steps.
    await page.click('#tab-stepper');
    const t = Number(await app.text('#stepper-t-value'));
    await page.click('#stepper-step');
    assert.equal(Number(await app.text('#stepper-t-value')), t + 1);
  },
  {
    // The training worker's WebAssembly.validate rejects everything, as a browser without SIMD
    // rejects the probe module.
    setup: (app) =>
      app.page.route('**/worker.js', async (route) => {
        const original = await (await route.fetch()).text();
        const body = `WebAssembly.validate = () => false;\n${original}`;
        await route.fulfill({ status: 200, contentType: 'text/javascript', body });
      }),
  },
);

browserTest(
  'a script of the page that cannot be fetched still leaves a message and a reload button',
  async (app) => {
    const page = app.page;
    await page.waitForFunction(() => document.body.dataset.loadError === 'true');
    assert.match(await app.text('#app-load-error-text'), /^Could not load the page's scripts/);
    await page.unroute('**/pkg/lstm_lab_page.js');
    await page.click('#app-load-retry'); // reloads
    // While the new document loads there may be no body yet.
    await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout: 240_000 });
  },
  {
    waitReady: false,
    setup: (app) => app.page.route('**/pkg/lstm_lab_page.js', (route) => route.abort('internetdisconnected')),
  },
);

browserTest("a Content-Security-Policy: the page's own inline script by its hash, no other", async (app) => {
  const page = app.page;
  // The hash in the policy is the hash of the one inline script, as served.
  const html = await readFile(join(DIST, 'index.html'), 'utf8');
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)[1];
  const inline = /<script>([\s\S]*?)<\/script>/.exec(html)[1];
  const hash = createHash('sha256').update(inline, 'utf8').digest('base64');
  assert.ok(policy.includes(`'sha256-${hash}'`), `the policy allows the inline script by its hash (${hash})`);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  // The page works under it (the harness waited for the first view), and an injected inline
  // script is refused and reported.
  const result = await page.evaluate(async () => {
    const violation = new Promise((resolve) =>
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true }),
    );
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.body.append(s);
    return { ran: window.__injected === true, directive: await violation };
  });
  assert.equal(result.ran, false, 'an injected inline script does not run');
  assert.match(result.directive, /^script-src/);
  // The inline handler of a failed script still works: the error banner test covers it; here,
  // the trainer (a worker compiling wasm) and Inside the model run under the policy.
  await page.click('#tab-inside');
  await page.click('#inside-pretrained');
  await page.waitForFunction(() => document.body.dataset.insideReady, null, { timeout: 60_000 });
});
