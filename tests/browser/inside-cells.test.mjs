// "Inside the model" for every cell and readout: small trained GRU, plain RNN and last-state
// models (tests/fixtures/make_inside_models.sh) through the page. The heatmap offers each cell's
// own quantities, its values equal an independent cell written here in JS (float64, PyTorch's
// equations, from the file's bytes), the shares add up to the logit, the logit is the
// independent one, a quantity the model lacks falls back to h, and axe finds nothing.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { browserTest } from './harness.mjs';
import { parseModel } from './model-file.mjs';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'inside_models');
const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/**
 * Every step of the model's cell over `ids` from zero state, each quantity per unit, and the
 * logit of its readout (mean ‖ max pooling or the last state).
 */
function reference({ header, tensors }, ids) {
  const { embed: E, hidden: H } = header.model;
  const cell = header.model.arch?.cell ?? 'lstm';
  const readout = header.model.arch?.readout ?? 'pool';
  const [W, U, bi, bh] = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((p) => tensors[`${cell}.${p}`]);
  const rows = { lstm: 4, gru: 3, rnn: 1 }[cell] * H;
  let h = new Array(H).fill(0);
  let c = new Array(H).fill(0);
  const steps = [];
  for (const id of ids) {
    const x = tensors['embedding.weight'].slice(id * E, (id + 1) * E);
    const fromX = Array.from({ length: rows }, (_, r) => bi[r] + x.reduce((s, v, k) => s + W[r * E + k] * v, 0));
    const fromH = Array.from({ length: rows }, (_, r) => bh[r] + h.reduce((s, v, k) => s + U[r * H + k] * v, 0));
    const pre = (gate, j) => fromX[gate * H + j] + fromH[gate * H + j];
    const units = Array.from({ length: H }, (_, j) => j);
    if (cell === 'lstm') {
      const [i, f, o] = [0, 1, 3].map((gate) => units.map((j) => sigmoid(pre(gate, j))));
      const g = units.map((j) => Math.tanh(pre(2, j)));
      c = units.map((j) => f[j] * c[j] + i[j] * g[j]);
      h = units.map((j) => o[j] * Math.tanh(c[j]));
      steps.push({ i, f, g, o, c, h });
    } else if (cell === 'gru') {
      const r = units.map((j) => sigmoid(pre(0, j)));
      const z = units.map((j) => sigmoid(pre(1, j)));
      // PyTorch's reset: r scales the recurrent product with its bias.
      const n = units.map((j) => Math.tanh(fromX[2 * H + j] + r[j] * fromH[2 * H + j]));
      h = units.map((j) => (1 - z[j]) * n[j] + z[j] * h[j]);
      steps.push({ r, z, n, h });
    } else {
      h = units.map((j) => Math.tanh(pre(0, j)));
      steps.push({ h });
    }
  }
  const w = tensors['linear.weight'];
  let logit = tensors['linear.bias'][0];
  for (let j = 0; j < H; j++) {
    const column = steps.map((s) => s.h[j]);
    logit +=
      readout === 'last'
        ? w[j] * column.at(-1)
        : w[j] * (column.reduce((a, b) => a + b, 0) / steps.length) + w[H + j] * Math.max(...column);
  }
  return { steps, logit };
}

const CASES = [
  { file: 'gru-pool.lstmlab', quantities: ['r', 'z', 'n', 'h'], note: /^GRU: look at z/ },
  { file: 'rnn-last.lstmlab', quantities: ['h'], note: /^Plain RNN: .* \d+\.\d % of its values are saturated/ },
  {
    file: 'lstm-last.lstmlab',
    quantities: ['i', 'f', 'g', 'o', 'c', 'h'],
    note: /^LSTM: look at f\. .*\d+ of 8 units/,
  },
];

async function loadFixture(page, file) {
  const before = await page.evaluate(() => document.body.dataset.insideReady ?? '');
  await page.setInputFiles('#inside-file', {
    name: file,
    mimeType: 'application/octet-stream',
    buffer: await readFile(join(FIXTURES, file)),
  });
  await page.waitForFunction((b) => (document.body.dataset.insideReady ?? '') !== b, before, { timeout: 60_000 });
}

browserTest('every cell and readout: its own quantities, values of an independent cell, exact shares', async (app) => {
  const page = app.page;
  await page.click('#tab-inside');
  await page.waitForFunction(() => !document.getElementById('inside').hidden);
  // The review: words of the sample's vocabulary, shorter than the models' 32 positions.
  await page.fill('#inside-text', 'this film was great and the acting was good but the story was bad');
  for (const { file, quantities, note } of CASES) {
    await loadFixture(page, file);
    const model = parseModel(await readFile(join(FIXTURES, file)));
    const shown = await page.evaluate(() => {
      const r = globalThis.lstmLab.inside.result;
      return { ids: r.positions.map((p) => p.id), padding: r.padding, readout: r.inspection.readout };
    });
    assert.ok(shown.padding < shown.ids.length - 5, `${file}: the review's words are read`);
    const radios = await page.locator('input[name="inside-q"]').evaluateAll((rs) => rs.map((r) => r.value));
    assert.deepEqual(radios, quantities, `${file}: the chooser offers the cell's own quantities`);
    const want = reference(model, shown.ids);

    // Every quantity: the heatmap redraws with its name in the legend, and the readout at the
    // cursor (last word, the unit of the largest share) equals the independent cell.
    for (const q of quantities) {
      await page.check(`input[name="inside-q"][value="${q}"]`);
      assert.match(await app.text('#inside-legend'), new RegExp(`^[a-z ]+ ${q}: `), `${file}: ${q}'s legend`);
    }
    const readout = page.locator('#inside-readout');
    const position = Number(await readout.getAttribute('data-position'));
    const unit = Number(await readout.getAttribute('data-unit'));
    assert.equal(position, shown.ids.length - 1);
    for (const q of quantities) {
      const value = Number(await readout.locator(`[data-q="${q}"]`).getAttribute('data-value'));
      const expected = want.steps[position][q][unit];
      assert.ok(Math.abs(value - expected) <= 1e-5, `${file} ${q}: page ${value}, reference ${expected}`);
    }
    // A word further back, through the keyboard: the recurrence, not just the last step.
    await page.focus('#inside-heatmap');
    for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowDown');
    const back = Number(await readout.getAttribute('data-position'));
    const unit2 = Number(await readout.getAttribute('data-unit'));
    assert.equal(back, position - 4);
    const h = Number(await readout.locator('[data-q="h"]').getAttribute('data-value'));
    assert.ok(Math.abs(h - want.steps[back].h[unit2]) <= 1e-5, `${file}: h at ${back}`);

    // The split: bias + every position's share = the logit = the independent logit.
    const sum = Number(await page.locator('#inside-sum').getAttribute('data-sum'));
    const logit = Number(await page.locator('#inside-sum').getAttribute('data-logit'));
    assert.ok(Math.abs(sum - logit) <= 1e-9, `${file}: shares ${sum} vs logit ${logit}`);
    assert.ok(Math.abs(logit - want.logit) <= 1e-5, `${file}: page logit ${logit} vs reference ${want.logit}`);
    if (shown.readout === 'last') assert.match(await app.text('#inside-sum'), /last-state readout/);
    // What to look for, with this review's numbers.
    assert.match(await app.text('#inside-cell-note'), note, file);
    await app.screenshot(`inside-cells-${file.replace('.lstmlab', '')}`);
  }

  // A quantity the model lacks falls back to h: f on the LSTM, then the GRU (which has no f).
  await page.check('input[name="inside-q"][value="f"]');
  await loadFixture(page, 'gru-pool.lstmlab');
  assert.equal(await page.locator('input[name="inside-q"]:checked').getAttribute('value'), 'h');
  assert.equal(await page.evaluate(() => globalThis.lstmLab.inside.quantity), 'h');

  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], 'axe on Inside the model with a GRU');
});
