// Stored runs and exports as a hostile or unlucky user meets them (issue 24): a kept run that does
// not parse is offered for Discard with a plain message; two tabs keep a run each, and Discard in
// one leaves the other's; control characters (from a link) leave the SVG exports well-formed.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { browserTest } from './harness.mjs';

/** A kept run as the Trainer writes it, for data file `name`. */
const run = (name, accuracy) => ({
  version: 1,
  savedAt: Date.now(),
  settings: {
    data: { vocab: 200, maxlen: 16, split: 0.5, seed: 1 },
    train: { embed: 8, hidden: 8, batch: 32, lr: 0.003, epochs: 3, seed: 1 },
    engine: 'cpu',
    workers: 1,
  },
  data: { name, size: 1000, sample: false, columns: { text: 'review', label: 'sentiment' } },
  epochs: [
    { epoch: 1, train_loss: 0.6, train_accuracy: 0.6, valid_loss: 0.6, valid_accuracy: accuracy, is_best: true },
  ],
  epochMs: [1000],
  batches: [[1, 0.6]],
  best: [1, 2, 3], // turned into bytes in the page
  last: null,
});

/** Keep `record` as this tab's run, through the page's own store (whatever its database is named). */
async function keep(page, record) {
  await page.evaluate(async (r) => {
    const { saveRun } = await import('./trainer/runstore.js');
    await saveRun(Array.isArray(r.best) ? { ...r, best: new Uint8Array(r.best) } : r);
  }, record);
}

/** Open the Trainer (after a reload or in a new tab) and return the offer's text, timed from the visit. */
async function offer(page) {
  await page.click('#tab-trainer');
  await page.waitForSelector('#trainer-restore:not([hidden])', { timeout: 60_000 });
  return page.locator('#trainer-restore-text').innerText();
}

async function reloadReady(page) {
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
}

browserTest(
  'a kept run that does not parse is offered for Discard with a plain message, and Discard clears it',
  async (app) => {
    const page = app.page;
    await keep(page, { version: 1, savedAt: Date.now(), settings: { train: { epochs: 2 } }, data: 'oops' });
    await reloadReady(page);
    const started = Date.now();
    assert.equal(
      await offer(page),
      'A run kept in this browser cannot be restored: its data file’s name and size are missing. Discard it to keep runs here again.',
    );
    console.log(`offered ${Date.now() - started} ms after the Trainer tab was opened`);
    assert.equal(await page.locator('#trainer-restore-model').isHidden(), true);
    assert.equal(await page.locator('#trainer-restore-resume').isHidden(), true);
    assert.equal(await page.locator('#trainer-restore-discard').isVisible(), true);
    await app.screenshot('hostile-run-corrupt');
    await page.click('#trainer-restore-discard');
    assert.equal(await page.locator('#trainer-restore').isHidden(), true);
    await page.waitForFunction(async () => (await (await import('./trainer/runstore.js')).loadRun()) == null);
    await reloadReady(page);
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
      timeout: 240_000,
    });
    assert.equal(await page.locator('#trainer-restore').isHidden(), true, 'nothing offered once discarded');
  },
  { noWebGpu: true, hash: '#blowup' },
);

browserTest(
  'two tabs keep a run each; Discard in one leaves the other’s; a closed tab’s run is offered to the next',
  async (app) => {
    // A is a second tab (it closes at the end); B is the test's own page.
    const b = app.page;
    const a = await app.context.newPage();
    await a.goto(app.url);
    await a.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
    await keep(a, run('a.csv', 0.71));
    await keep(b, run('b.csv', 0.82));
    // Each tab, reloaded, offers its own run.
    await reloadReady(a);
    await reloadReady(b);
    assert.match(await offer(a), /^Your last run \(a\.csv, epoch 1 of 3, validation accuracy 0\.71, /);
    assert.match(await offer(b), /^Your last run \(b\.csv, epoch 1 of 3, validation accuracy 0\.82, /);
    // Discard in B forgets B's run only.
    await b.click('#trainer-restore-discard');
    await b.waitForFunction(async () => (await (await import('./trainer/runstore.js')).loadRun()) == null);
    await reloadReady(a);
    assert.match(await offer(a), /^Your last run \(a\.csv, /);
    // A closes: its run goes to the next tab that opens (B, reloaded, has none of its own).
    await a.close();
    await reloadReady(b);
    assert.match(await offer(b), /^Your last run \(a\.csv, /);
  },
  { noWebGpu: true },
);

browserTest(
  'control characters from a link leave the stepper’s SVG exports well-formed, and the diagram’s PNG draws',
  async (app) => {
    const page = app.page;
    await page.waitForSelector('#stepper-value-h-0');
    const downloads = {};
    for (const id of ['export-stepper-diagram-svg', 'export-stepper-h-svg', 'export-stepper-diagram-png']) {
      const button = page.locator(`#${id}`);
      const menu = page.locator('details.export-menu', { has: button });
      if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      downloads[id] = await readFile(await download.path());
    }
    for (const id of ['export-stepper-diagram-svg', 'export-stepper-h-svg']) {
      const text = downloads[id].toString('utf8');
      const error = await page.evaluate(
        (svg) =>
          new DOMParser().parseFromString(svg, 'image/svg+xml').querySelector('parsererror')?.textContent ?? null,
        text,
      );
      assert.equal(error, null, `${id} is well-formed XML`);
    }
    const diagram = downloads['export-stepper-diagram-svg'].toString('utf8');
    assert.ok(diagram.includes('\ufffd'), 'the diagram’s title shows where a control character was');
    assert.deepEqual([...downloads['export-stepper-diagram-png'].subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  },
  { hash: '?stepper.sequence=bad%01word%1B%5B31m%20next#stepper' },
);
