// The Cell stepper and the gradient-flow plot as a teacher uses them.

import assert from 'node:assert/strict';
import { browserTest, setValue } from './harness.mjs';

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

async function revision(page) {
  return page.evaluate(() => Number(document.getElementById('stepper').dataset.revision ?? 0));
}

async function rendered(page, after) {
  await page.waitForFunction((rev) => Number(document.getElementById('stepper').dataset.revision ?? 0) > rev, after);
}

const number = async (app, selector) => Number(await app.page.inputValue(selector));
const shown = async (app, id) => Number(await app.text(`#${id}`));

browserTest(
  'step the France → French preset, check a gate against an independent computation, edit a weight',
  async (app) => {
    const page = app.page;
    await page.click('#tab-stepper');
    let rev = await revision(page);
    await page.selectOption('#stepper-preset', 'france');
    await rendered(page, rev);
    const tokens = await page.locator('#stepper-tokens .token').allInnerTexts();
    assert.equal(tokens[4], 'France');
    const speak = tokens.indexOf('speak') + 1;

    // Step with the keyboard to "France" (t = 5).
    await page.locator('#stepper-t').focus();
    await page.click('#stepper-diagram');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await app.text('#stepper-t-value'), '5');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await app.text('#stepper-t-value'), '4');
    const hPrev = await shown(app, 'stepper-value-h-0');
    await page.click('#stepper-step');
    assert.equal(await app.text('#stepper-t-value'), '5');

    // i = σ(W·x + U·h + b) computed here from the weights on the page, x = [1, 0] for "France".
    const w = async (col) => number(app, `#stepper-weight-i-0-${col}`);
    const expected = sigmoid((await w(0)) * 1 + (await w(1)) * 0 + (await w(2)) * hPrev + (await w(3)));
    const displayed = await shown(app, 'stepper-value-i-0');
    assert.ok(
      Math.abs(displayed - expected) <= 0.0005,
      `input gate shows ${displayed}, expected ${expected.toFixed(4)}`,
    );
    assert.ok(displayed > 0.99, 'the input gate opens at France');
    assert.match(await app.text('#stepper-eq-i'), new RegExp(`= ${displayed.toFixed(3)}$`));
    const stored = await shown(app, 'stepper-value-c-0');
    assert.ok(stored > 0.9, `France is stored in c (${stored})`);

    // Scrub to "speak": the output gate opens and h reads the stored value out.
    await setValue(page, '#stepper-t', speak);
    assert.equal(await app.text('#stepper-t-value'), String(speak));
    assert.ok((await shown(app, 'stepper-value-h-0')) > 0.7, 'h shows the memory at “speak”');
    await app.screenshot('stepper-france-speak');

    // Edit the input gate's bias to 0: at t = 1 ("I", x = [0, 0], h0 = 0) i becomes σ(0) = 0.5.
    rev = await revision(page);
    await page.fill('#stepper-weight-i-0-3', '0');
    await page.locator('#stepper-weight-i-0-3').dispatchEvent('change');
    await rendered(page, rev);
    await page.click('#stepper-reset');
    assert.equal(await app.text('#stepper-t-value'), '1');
    assert.equal(await app.text('#stepper-value-i-0'), '0.500');

    // Back and play.
    await page.click('#stepper-back');
    assert.equal(await app.text('#stepper-t-value'), '1', 'cannot go before the first step');
    await setValue(page, '#stepper-speed', 12);
    await page.click('#stepper-play');
    await page.waitForFunction(() => Number(document.getElementById('stepper-t-value').textContent) >= 4);
    await page.click('#stepper-play');
    assert.match(await app.text('#stepper-play'), /Play/);
  },
);

browserTest('the post variant, a bad sequence, and large sizes as heatmaps', async (app) => {
  const page = app.page;
  await page.click('#tab-stepper');
  let rev = await revision(page);
  await page.selectOption('#stepper-preset', 'write');
  await rendered(page, rev);
  await page.check('#stepper-compare');
  await page.click('#stepper-step');
  assert.match(await app.text('#stepper-eq-g'), /the post: σ\(/);

  await page.fill('#stepper-sequence', '1 0; 1');
  await page.waitForSelector('#stepper-error:not([hidden])');
  assert.match(await app.text('#stepper-error'), /step 1 has 2 numbers, but the input size is 1/);
  await page.fill('#stepper-sequence', '0 1 0 0');
  await page.waitForSelector('#stepper-error', { state: 'hidden' });

  rev = await revision(page);
  await page.fill('#stepper-hidden-size', '20');
  await page.locator('#stepper-hidden-size').dispatchEvent('change');
  await rendered(page, rev);
  assert.equal(await page.locator('#stepper-weights canvas.heatmap').count(), 1, 'weights as a heatmap');
  assert.equal(await page.locator('#stepper-values canvas.heatmap').count(), 1, 'values as a heatmap');
  assert.equal(await page.locator('#stepper-unit option').count(), 20);
  await app.screenshot('stepper-large');
});

browserTest('gradient flow: the RNN gradient vanishes, the LSTM keeps it', async (app) => {
  const page = app.page;
  await page.click('#tab-stepper');
  await page.waitForFunction(() => document.getElementById('stepper').dataset.gradflowBusy === 'false');
  const flow = await page.evaluate(() => globalThis.lstmLab.gradflow.flow);
  assert.equal(flow.rnn.length, 50);
  const ratio = flow.lstm_h[0] / flow.rnn[0];
  console.log(
    `t=1: RNN ${flow.rnn[0].toExponential(2)}, LSTM ${flow.lstm_h[0].toExponential(2)}, ratio ${ratio.toExponential(2)}`,
  );
  assert.ok(ratio > 1e3, `LSTM/RNN gradient ratio at t = 1: ${ratio}`);
  assert.match(await app.text('#gradflow-summary'), /LSTM's gradient is 10\^\d+\.\d times the RNN's/);
  await page.locator('#gradflow-title').scrollIntoViewIfNeeded();
  await app.screenshot('stepper-gradient-flow');

  // Exploding setting with clipping: the curve is rescaled and the page says by how much.
  const before = await page.evaluate(() => Number(document.getElementById('stepper').dataset.gradflowRevision));
  await setValue(page, '#gradflow-scale', 3);
  await page.check('#gradflow-clip');
  await page.waitForFunction(
    (rev) =>
      Number(document.getElementById('stepper').dataset.gradflowRevision) > rev &&
      document.getElementById('stepper').dataset.gradflowBusy === 'false',
    before,
  );
  assert.match(await app.text('#gradflow-detail'), /Clipping to 1: the RNN's curve is multiplied by/);
});

browserTest(
  "the post's two mistakes: σ-g cannot subtract, and its output layer y = relu(W_p h + b_p) is never negative",
  async (app) => {
    const page = app.page;
    await page.click('#tab-stepper');
    let rev = await revision(page);
    await page.selectOption('#stepper-preset', 'reverse');
    await rendered(page, rev);
    assert.equal(await page.locator('#stepper-compare-explain').isVisible(), false, 'explained only when compared');
    await page.check('#stepper-compare');
    assert.ok(await page.locator('#stepper-compare-explain').isVisible());
    assert.match(await app.text('#stepper-compare-explain'), /can only add to c, never subtract/);
    const chartSeries = await page.evaluate(() => globalThis.lstmLab.stepper.charts.c.uplot.series.map((s) => s.label));
    assert.deepEqual(chartSeries, ['t', 'c1', 'c1 (post)'], 'ticking the box adds the post’s c to the chart');

    // At “terrible” the real cell writes a negative amount; the post's cell a positive one.
    const tokens = await page.locator('#stepper-tokens .token').allInnerTexts();
    await setValue(page, '#stepper-t', tokens.indexOf('terrible') + 1);
    assert.match(
      await app.text('#stepper-compare-now'),
      /the real cell writes i·g = -0\.9\d\d \(it subtracts\); the post's cell writes 0\.0\d\d/,
    );
    // At the end: the real cell's c is negative, the post's only climbed.
    await setValue(page, '#stepper-t', tokens.length);
    const now = await app.text('#stepper-compare-now');
    assert.match(now, /the real cell subtracted at 3, the post's at none/);
    const real = await shown(app, 'stepper-value-c-0');
    const post = Number(/\(the post: ([-0-9.]+)\)/.exec(await app.text('#stepper-eq-c'))[1]);
    assert.ok(real < -0.9 && post > 1.9, `c = ${real} in the real cell, ${post} in the post's`);
    // At every complaint the real c falls by about 1 and the post's c still rises.
    const run = await page.evaluate(() => globalThis.lstmLab.stepper.run);
    for (const word of ['terrible', 'dull', 'boring']) {
      const t = tokens.indexOf(word);
      assert.ok(run.steps[t].c[0] < run.steps[t - 1].c[0] - 0.9, `${word}: the real c falls`);
      assert.ok(run.post_steps[t].c[0] > run.post_steps[t - 1].c[0], `${word}: the post's c rises`);
    }
    await app.screenshot('stepper-post-sigmoid-g');

    // The post's output layer: y = relu(h) here (W_p = I), so the negative h at the end is 0.
    const hBefore = await app.text('#stepper-value-h-0');
    assert.equal(await page.locator('#stepper-value-y-0').count(), 0);
    await page.check('#stepper-post-output');
    assert.equal(await app.text('#stepper-value-h-0'), hBefore, 'h, the recurrence, is unchanged');
    assert.ok(Number(hBefore) < -0.7);
    assert.equal(await app.text('#stepper-value-y-0'), '0.000');
    assert.match(await app.text('#stepper-post-output-explain'), /never negative/);
    assert.match(await app.text('#stepper-post-output-about'), /W_p = I/);
    assert.match(await app.text('#stepper-eq-y'), /relu\(-0\.\d+\) = 0\.000/);
    await page.locator('#stepper-post-output-explain').scrollIntoViewIfNeeded();
    await app.screenshot('stepper-post-output');

    // Random weights and a random W_p: every y by hand from h, W_p and b_p, at every step.
    rev = await revision(page);
    await page.selectOption('#stepper-preset', 'random');
    await rendered(page, rev);
    const r = await page.evaluate(() => globalThis.lstmLab.stepper.run);
    const H = r.steps[0].h.length;
    const { weight, bias } = r.post_output;
    assert.ok(
      weight.some((w) => w !== 0 && w !== 1),
      'W_p is not the identity here',
    );
    let negatives = 0;
    for (let t = 1; t <= r.steps.length; t++) {
      await setValue(page, '#stepper-t', t);
      const h = r.steps[t - 1].h;
      for (let k = 0; k < H; k++) {
        let z = bias[k];
        for (let j = 0; j < H; j++) z += weight[k * H + j] * h[j];
        if (z < 0) negatives += 1;
        const y = Math.max(0, z);
        const displayed = await shown(app, `stepper-value-y-${k}`);
        assert.ok(displayed >= 0, `y ≥ 0 (step ${t}, unit ${k + 1})`);
        assert.ok(
          Math.abs(displayed - y) <= 0.0005,
          `step ${t}, unit ${k + 1}: y shows ${displayed}, by hand ${y.toFixed(4)}`,
        );
        assert.ok(Math.abs(r.post_output.y[t - 1][k] - y) < 1e-12);
      }
    }
    assert.ok(negatives > 0, 'some W_p·h + b_p were negative and became 0');
  },
);
