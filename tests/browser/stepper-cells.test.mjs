// The Cell stepper's GRU and plain RNN as a teacher uses them: choose the cell, step a preset,
// and every number on the page is an independent GRU's or RNN's, computed here from the weights
// the page shows; the class text reads the run; the cell travels in the link; axe finds nothing.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { browserTest, setValue } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const revision = (page) => page.evaluate(() => Number(document.getElementById('stepper').dataset.revision ?? 0));
const rendered = (page, after) =>
  page.waitForFunction((rev) => Number(document.getElementById('stepper').dataset.revision ?? 0) > rev, after);

/** Row `r` of a row-major matrix with `v.length` columns, dotted with `v`. */
const dot = (m, r, v) => v.reduce((s, x, j) => s + m[r * v.length + j] * x, 0);

/** PyTorch's GRU written out here: per step {r, z, n, h} of every unit. */
function gru(w, xs, h0) {
  const H = w.hidden;
  let h = h0;
  return xs.map((x) => {
    const s = { r: [], z: [], n: [], h: [] };
    for (let k = 0; k < H; k++) {
      const ih = (g) => dot(w.weight_ih, g * H + k, x) + w.bias_ih[g * H + k];
      const hh = (g) => dot(w.weight_hh, g * H + k, h) + w.bias_hh[g * H + k];
      s.r[k] = sigmoid(ih(0) + hh(0));
      s.z[k] = sigmoid(ih(1) + hh(1));
      s.n[k] = Math.tanh(ih(2) + s.r[k] * hh(2));
      s.h[k] = (1 - s.z[k]) * s.n[k] + s.z[k] * h[k];
    }
    h = s.h;
    return s;
  });
}

/** A plain tanh RNN: per step {pre, h}. */
function rnn(w, xs, h0) {
  let h = h0;
  return xs.map((x) => {
    const pre = h.map((_, k) => dot(w.weight_ih, k, x) + w.bias_ih[k] + dot(w.weight_hh, k, h) + w.bias_hh[k]);
    h = pre.map(Math.tanh);
    return { pre, h };
  });
}

const shown = async (app, id) => Number(await app.text(`#${id}`));
const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 0.0005 + 1e-9, `${what}: page ${a}, here ${b.toFixed(4)}`);

async function axe(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `axe, ${where}`);
}

browserTest(
  'choose the GRU, step “but resets”: every value is an independent GRU’s, from the keyboard',
  async (app) => {
    const page = app.page;
    await page.click('#tab-stepper');
    let rev = await revision(page);
    await page.selectOption('#stepper-cell', 'gru');
    await rendered(page, rev);
    const presets = await page.locator('#stepper-preset option').evaluateAll((o) => o.map((e) => e.value));
    assert.deepEqual(presets, ['keep', 'overwrite', 'reset', 'random']);
    assert.match(await app.text('#stepper h2'), /one GRU cell/);
    assert.equal(await page.locator('#stepper-forget-bias').isVisible(), false, 'the LSTM’s forget gate is hidden');
    rev = await revision(page);
    await page.selectOption('#stepper-preset', 'reset');
    await rendered(page, rev);

    const { base, inputs, tokens } = await page.evaluate(() => {
      const s = globalThis.lstmLab.stepper;
      return { base: s.base, inputs: s.run.encoded.inputs, tokens: s.run.encoded.tokens };
    });
    assert.equal(base.cell, 'gru');
    const want = gru(base.weights, inputs, base.h0);
    const but = tokens.indexOf('but') + 1;

    // Step with the keyboard from the diagram, checking every step's r, z, n and h.
    await page.click('#stepper-diagram');
    for (let t = 1; t <= tokens.length; t++) {
      assert.equal(await app.text('#stepper-t-value'), String(t));
      for (const q of ['r', 'z', 'n', 'h'])
        near(await shown(app, `stepper-value-${q}-0`), want[t - 1][q][0], `${q} at ${t}`);
      if (t === but) {
        assert.ok(want[t - 1].r[0] < 0.01, 'the reset gate shuts at “but”');
        assert.match(
          await app.text('#stepper-eq-h'),
          new RegExp(`= ${(await app.text('#stepper-value-h-0')).trim()}$`),
        );
        await app.screenshot('stepper-gru-reset-at-but');
      }
      await page.keyboard.press('ArrowRight');
    }
    // The class text: the mean of z over the run, read from this run.
    const meanZ = want.reduce((s, step) => s + step.z[0], 0) / want.length;
    near(await shown(app, 'stepper-cell-kept'), meanZ, 'mean z in the class text');

    // Edit the update gate's bias to 30 (z = 1): h stays at h0 = 0 at every step.
    rev = await revision(page);
    const bias = `#stepper-weight-z-0-${base.weights.input + 1}`;
    await page.fill(bias, '30');
    await page.locator(bias).dispatchEvent('change');
    await rendered(page, rev);
    assert.equal(await app.text('#stepper-value-h-0'), '0.000');
    await axe(page, 'the GRU');

    // Back to the LSTM: its diagram, gates and the post's switches return.
    rev = await revision(page);
    await page.selectOption('#stepper-cell', 'lstm');
    await rendered(page, rev);
    assert.equal(await page.inputValue('#stepper-preset'), 'remember');
    assert.match(await app.text('#stepper h2'), /one LSTM cell/);
    assert.ok(await page.locator('#stepper-compare').isVisible());
    assert.ok(await page.locator('#stepper-eq-f').isVisible());
    assert.equal(await page.locator('#stepper-cell-look').isVisible(), false);
    // A GRU setup from elsewhere (as Inside the model hands over a trained GRU) switches the cell.
    rev = await revision(page);
    await page.evaluate(() => {
      const s = globalThis.lstmLab.stepper;
      s.loadSetup(s.wasm.stepperPreset('gru', 'keep', 1), { name: 'A GRU from elsewhere', t: 3 });
    });
    await rendered(page, rev);
    assert.equal(await page.inputValue('#stepper-cell'), 'gru');
    assert.equal(await page.locator('#stepper-preset option:checked').innerText(), 'A GRU from elsewhere');
    assert.equal(await app.text('#stepper-t-value'), '3');
    near(await shown(app, 'stepper-value-h-0'), 0.8, 'the kept state');
  },
);

browserTest(
  'the plain RNN fades: h and the gradient through time are computed here; the link brings it back',
  async (app) => {
    const page = app.page;
    await page.click('#tab-stepper');
    let rev = await revision(page);
    await page.selectOption('#stepper-cell', 'rnn');
    await rendered(page, rev);
    assert.equal(await page.inputValue('#stepper-preset'), 'fade');
    const { base, inputs } = await page.evaluate(() => {
      const s = globalThis.lstmLab.stepper;
      return { base: s.base, inputs: s.run.encoded.inputs };
    });
    const want = rnn(base.weights, inputs, base.h0);
    const T = want.length;
    rev = await revision(page);
    await setValue(page, '#stepper-t', 5);
    await rendered(page, rev);
    near(await shown(app, 'stepper-value-h-0'), want[4].h[0], 'h at step 5');
    near(await shown(app, 'stepper-value-pre-0'), want[4].pre[0], 'pre-activation at step 5');
    // ‖∂h_T/∂h_1‖ / ‖∂h_T/∂h_T‖ for one unit: the product of w_hh · (1 − h_t²) over steps 2…T.
    const reach = want.slice(1).reduce((g, s) => g * base.weights.weight_hh[0] * (1 - s.h[0] ** 2), 1);
    const text = await app.text('#stepper-cell-reach');
    const [mantissa, power] = text.split(' × 10');
    const exponent = -Number([...power.slice(1)].map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'.indexOf(c)).join(''));
    const fromPage = Number(mantissa) * 10 ** exponent;
    assert.ok(Math.abs(fromPage / reach - 1) < 0.05, `reach: page ${text}, here ${reach.toExponential(2)}`);
    assert.ok(reach < 1e-3, 'the first step barely reaches the last');
    await app.screenshot('stepper-rnn-fade');

    // The link: the cell and the step travel; a fresh page shows the same.
    await page.waitForFunction(() => new URL(location.href).searchParams.get('stepper.t') === '5');
    const url = page.url();
    assert.equal(new URL(url).searchParams.get('stepper.cell'), 'rnn');
    const fresh = await app.context
      .browser()
      .newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
    try {
      const other = await fresh.newPage();
      await other.goto(url);
      await other.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
      assert.equal(await other.inputValue('#stepper-cell'), 'rnn');
      assert.equal(await other.inputValue('#stepper-preset'), 'fade');
      assert.equal(await other.locator('#stepper-t-value').innerText(), '5');
      near(Number(await other.locator('#stepper-value-h-0').innerText()), want[4].h[0], 'h at step 5, from the link');
      // A cell that does not exist: the LSTM, with a note.
      await other.goto(url.replace('stepper.cell=rnn', 'stepper.cell=lstn'));
      await other.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
      assert.equal(await other.inputValue('#stepper-cell'), 'lstm');
      assert.match(await other.locator('body').innerText(), /no cell “lstn”/);
    } finally {
      await fresh.close();
    }
    assert.ok(T > 5);
    await axe(page, 'the plain RNN');
  },
);

browserTest(
  'a trained GRU and a plain RNN open from Inside the model: the stepper shows the heatmap’s numbers',
  async (app) => {
    const page = app.page;
    const fixtures = new URL('../fixtures/inside_models/', import.meta.url);
    await page.click('#tab-inside');
    await page.waitForFunction(() => !document.getElementById('inside').hidden);
    await page.fill('#inside-text', 'this film was great and the acting was good but the story was bad');
    for (const [file, cell, quantities] of [
      ['gru-pool.lstmlab', 'gru', ['r', 'z', 'n', 'h']],
      ['rnn-last.lstmlab', 'rnn', ['h']],
    ]) {
      const before = await page.evaluate(() => document.body.dataset.insideReady ?? '');
      await page.setInputFiles('#inside-file', {
        name: file,
        mimeType: 'application/octet-stream',
        buffer: await readFile(new URL(file, fixtures)),
      });
      await page.waitForFunction((b) => (document.body.dataset.insideReady ?? '') !== b, before, { timeout: 60_000 });
      const readout = page.locator('#inside-readout');
      const position = Number(await readout.getAttribute('data-position'));
      const unit = Number(await readout.getAttribute('data-unit'));
      const padding = await page.evaluate(() => globalThis.lstmLab.inside.result.padding);
      const inside = {};
      for (const q of quantities)
        inside[q] = Number(await readout.locator(`[data-q="${q}"]`).getAttribute('data-value'));

      await page.click('#inside-open-stepper');
      await page.waitForFunction(() => !document.getElementById('stepper').hidden);
      await page.waitForFunction(
        (t) => document.getElementById('stepper-t-value').textContent === String(t),
        position - padding + 1,
      );
      assert.equal(await page.inputValue('#stepper-cell'), cell, file);
      assert.equal(await page.inputValue('#stepper-unit'), String(unit));
      for (const q of quantities) near(await shown(app, `stepper-value-${q}-${unit}`), inside[q], `${file} ${q}`);
      await app.screenshot(`stepper-opened-from-inside-${cell}`);
      await page.click('#tab-inside');
      await page.waitForFunction(() => !document.getElementById('inside').hidden);
    }
  },
);
