// Gradient through time per word, in Inside the model: the chart is drawn from the wasm's
// values, the text reads its numbers from them, the words are underlined by them; a second model
// (the shipped LSTM rebuilt here as a plain RNN file) side by side; the view in a link; axe and
// the keyboard. (The gradients themselves are checked against finite differences in Rust:
// src/classifier/gradient_tests.rs.)

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ratioText } from '../../www/inside/gradient-text.js';
import { ARTIFACTS, browserTest } from './harness.mjs';

const MODEL = join(import.meta.dirname, '..', '..', 'www', 'models', 'imdb-sentiment.lstmlab');
const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/** FNV-1a, 64 bits: the `.lstmlab` checksum (src/classifier/file.rs). */
function fnv1a(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h;
}

/**
 * The shipped LSTM as a plain tanh RNN: the same vocabulary, embedding and head, and as the
 * RNN's weights the LSTM's candidate rows (g). A second model of another cell, made here.
 */
async function rnnFile() {
  const bytes = await readFile(MODEL);
  const headerLength = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString('utf8'));
  const H = header.model.hidden;
  let offset = 16 + headerLength;
  const weights = [];
  const tensors = [];
  for (const [name, shape] of header.tensors) {
    const n = shape.reduce((a, b) => a * b, 1);
    let data = bytes.subarray(offset, offset + 4 * n);
    offset += 4 * n;
    let out = [name, shape];
    if (name.startsWith('lstm.')) {
      const cols = n / (4 * H);
      data = data.subarray(2 * H * cols * 4, 3 * H * cols * 4); // gates i, f, g, o: the g rows
      out = [name.replace('lstm.', 'rnn.'), [H, ...shape.slice(1)]];
    }
    tensors.push(out);
    weights.push(data);
  }
  header.model.arch = { cell: 'rnn' };
  header.tensors = tensors;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Buffer.alloc(16);
  start.write('LSTMLAB\0', 0, 'latin1');
  start.writeUInt32LE(3, 8);
  start.writeUInt32LE(json.length, 12);
  const body = Buffer.concat([start, json, ...weights]);
  const sum = Buffer.alloc(8);
  sum.writeBigUInt64LE(fnv1a(body));
  return Buffer.concat([body, sum]);
}

async function axe(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  assert.deepEqual(violations, [], `axe, ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

/** Wait for the gradient view's next run after `before`. */
async function nextRun(page, before) {
  await page.waitForFunction(
    (b) => (document.getElementById('inside-grad-card').dataset.gradReady ?? '') !== b,
    before,
    { timeout: 60_000 },
  );
}

const gradReady = (page) => page.evaluate(() => document.getElementById('inside-grad-card').dataset.gradReady ?? '');

/** What the page shows (the view's values, the charts' data) beside what the wasm returns now. */
async function shownAndWasm(page, k) {
  return page.evaluate((k) => {
    const view = globalThis.lstmLab.inside.gradient;
    const s = view.shown[k];
    const session = k === 0 ? globalThis.lstmLab.inside.session : view.second.session;
    const fresh = session.gradients(document.getElementById('inside-text').value).gradients;
    const chart = view.charts[k].data;
    return {
      source: s.source,
      cell: s.result.cell,
      padding: s.result.padding,
      steps: s.result.gradients.steps,
      logit: s.result.gradients.logit,
      ms: s.ms,
      shown: { all: Array.from(s.result.gradients.inputAll), recurrent: Array.from(s.result.gradients.inputRecurrent) },
      wasm: { all: Array.from(fresh.inputAll), recurrent: Array.from(fresh.inputRecurrent) },
      chart: { all: Array.from(chart[1]), recurrent: Array.from(chart[2]) },
    };
  }, k);
}

browserTest(
  'gradient through time: chart, text and underline from the wasm values; a second model; a link',
  async (app) => {
    const page = app.page;
    await page.click('#tab-inside');
    let before = await gradReady(page);
    await page.click('#inside-pretrained');
    await page.waitForFunction(() => document.body.dataset.insideReady, null, { timeout: 60_000 });
    await nextRun(page, before);
    const review =
      'A wonderful film with brilliant acting. The plot was boring at times, but the ending was perfect and I loved it.';
    await page.fill('#inside-text', review);
    before = await gradReady(page);
    await page.click('#inside-run');
    await nextRun(page, before);

    // The shown values are the wasm's, exactly; the chart draws the words' part of them.
    const one = await shownAndWasm(page, 0);
    assert.equal(one.steps, 128);
    assert.deepEqual(one.shown, one.wasm);
    assert.deepEqual(one.chart.all, one.wasm.all.slice(one.padding));
    assert.deepEqual(one.chart.recurrent, one.wasm.recurrent.slice(one.padding));
    const logit = Number(await page.locator('#inside-sum').getAttribute('data-logit'));
    assert.ok(Math.abs(one.logit - logit) < 1e-9, `the differentiated logit ${one.logit} is the inspected ${logit}`);
    // The last word is read by the head either way; every earlier word has less without the shortcut.
    const last = one.steps - 1;
    assert.equal(one.wasm.all[last], one.wasm.recurrent[last]);
    assert.ok(one.wasm.recurrent[one.padding] < one.wasm.all[one.padding]);
    console.log(
      `gradient view, 128 positions × 100 units, both flavours: ${one.ms.toFixed(1)} ms in the page (first word / last word: every path ${(one.wasm.all[one.padding] / one.wasm.all[last]).toExponential(2)}, recurrence only ${(one.wasm.recurrent[one.padding] / one.wasm.recurrent[last]).toExponential(2)})`,
    );

    // The bench: the whole view (both backward passes, the chart, the words, the text), median of 5.
    const bench = await page.evaluate(() => {
      const view = globalThis.lstmLab.inside.gradient;
      const times = [];
      for (let k = 0; k < 5; k++) {
        const start = performance.now();
        view.run();
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[2];
    });
    console.log(`gradient view run, 128 positions × 100 units, median of 5: ${bench.toFixed(1)} ms (goal ≤ 100 ms)`);

    // The chart is drawn (not a blank canvas).
    const colours = await page.evaluate(() => {
      const c = document.querySelector('#inside-grad-chart-1 canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let p = 0; p < d.length; p += 4) seen.add((d[p] << 16) | (d[p + 1] << 8) | d[p + 2]);
      return seen.size;
    });
    assert.ok(colours > 20, `the chart is drawn (${colours} colours)`);

    // The chart exports its values as CSV, at full precision.
    const button = page.locator('#export-inside-grad-1-csv');
    await page.locator('details.export-menu', { has: button }).locator('summary').click();
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    const csv = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
    assert.equal(csv[0], 'word,every path,through the recurrence only');
    assert.deepEqual(
      csv.slice(1).map((line) => line.split(',').map(Number)),
      one.chart.all.map((v, k) => [k + 1, v, one.chart.recurrent[k]]),
    );
    await page.locator('details.export-menu', { has: button }).locator('summary').click(); // closed again

    // The text's numbers are the chart's.
    const text = await app.text('#inside-grad-text');
    const ratio = (v) => ratioText(v[one.padding] / v[last]);
    assert.ok(text.includes(ratio(one.wasm.recurrent)), `${text} names ${ratio(one.wasm.recurrent)}`);
    assert.ok(text.includes(ratio(one.wasm.all)), `${text} names ${ratio(one.wasm.all)}`);
    assert.match(
      text,
      /^the pretrained IMDB model \(LSTM, mean ‖ max pooling\): Through the recurrence only, the first of its \d+ words/,
    );

    // The words are underlined by their gradient, by the flavour chosen.
    const underlined = () =>
      page
        .locator('#inside-words .token.used')
        .evaluateAll((spans) => spans.map((s) => [Number(s.dataset.position), Number(s.dataset.gradient)]));
    for (const [position, g] of await underlined()) assert.equal(g, one.wasm.all[position]);
    await page.selectOption('#inside-grad-underline', 'recurrent');
    for (const [position, g] of await underlined()) assert.equal(g, one.wasm.recurrent[position]);

    // A second model of another cell, side by side on the same scale.
    before = await gradReady(page);
    await page.setInputFiles('#inside-second-file', {
      name: 'imdb-as-rnn.lstmlab',
      mimeType: 'application/octet-stream',
      buffer: await rnnFile(),
    });
    await nextRun(page, before);
    const two = await shownAndWasm(page, 1);
    assert.equal(two.cell, 'plain RNN');
    assert.deepEqual(two.shown, two.wasm);
    assert.deepEqual(two.chart.all, two.wasm.all.slice(two.padding));
    assert.ok(await page.locator('#inside-grad-pair.side-by-side').isVisible());
    const boxes = await page.evaluate(() =>
      [1, 2].map((k) => document.getElementById(`inside-grad-box-${k}`).getBoundingClientRect().toJSON()),
    );
    assert.ok(Math.abs(boxes[0].top - boxes[1].top) < 1 && boxes[1].left > boxes[0].right - 1, 'side by side');
    assert.match(await app.text('#inside-grad-title-2'), /^imdb-as-rnn\.lstmlab: plain RNN, mean ‖ max pooling$/);
    const both = await app.text('#inside-grad-text');
    assert.ok(both.includes(`imdb-as-rnn.lstmlab (plain RNN, mean ‖ max pooling): Through the recurrence only`), both);
    assert.ok(both.includes(ratio(two.wasm.recurrent)), both);
    console.log(`second model (plain RNN): ${two.ms.toFixed(1)} ms; ${both}`);
    await app.screenshot('inside-gradient-side-by-side');
    await page.locator('#inside-grad-card').screenshot({ path: join(ARTIFACTS, 'inside-gradient-card.png') });
    await axe(page, 'Inside the model with two gradient charts');

    // Keyboard: Tab goes from the underline choice to the second-model controls.
    await page.focus('#inside-grad-underline');
    const reached = [];
    for (let k = 0; k < 12; k++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement.id));
    }
    for (const id of ['inside-second-pretrained', 'inside-second-file', 'inside-second-clear'])
      assert.ok(reached.includes(id), `Tab reaches #${id} (${reached.join(' ')})`);

    // A file cannot travel in a link: the pretrained model as the second one can.
    before = await gradReady(page);
    await page.click('#inside-second-pretrained');
    await nextRun(page, before);
    assert.equal((await shownAndWasm(page, 1)).source, 'the pretrained IMDB model');
    await page.click('#copy-link');
    await page.waitForFunction(() => document.getElementById('copy-link-text').value !== '');
    const link = await page.inputValue('#copy-link-text');
    const url = new URL(link);
    assert.equal(url.searchParams.get('inside.second'), 'pretrained');
    assert.equal(url.searchParams.get('inside.grad'), 'recurrent');
    const context = await page
      .context()
      .browser()
      .newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
    try {
      const fresh = await context.newPage();
      await fresh.goto(link);
      await fresh.waitForFunction(() => globalThis.lstmLab?.inside?.gradient?.shown.length === 2, null, {
        timeout: 120_000,
      });
      assert.equal(await fresh.inputValue('#inside-grad-underline'), 'recurrent');
      assert.equal(await fresh.inputValue('#inside-text'), review);
      const again = await shownAndWasm(fresh, 1);
      assert.equal(again.source, 'the pretrained IMDB model');
      assert.deepEqual(again.shown, one.wasm);
    } finally {
      await context.close();
    }
    // Removing the second model leaves one chart at full width.
    before = await gradReady(page);
    await page.click('#inside-second-clear');
    await nextRun(page, before);
    assert.equal(await page.locator('#inside-grad-box-2').isHidden(), true);

    // A plain RNN as the first model.
    before = await gradReady(page);
    await page.setInputFiles('#inside-file', {
      name: 'rnn.lstmlab',
      mimeType: 'application/octet-stream',
      buffer: await rnnFile(),
    });
    await nextRun(page, before);
    const alone = await shownAndWasm(page, 0);
    assert.equal(alone.cell, 'plain RNN');
    assert.deepEqual(alone.shown, two.wasm, 'the same model and text as the second chart before');
  },
);
