// "Inside the model": the shipped model, the gate heatmap against an independent LSTM written
// here in JS (float64, from the model file's bytes), the exact split of the logit, PyTorch export
// and import through the page, and bad files.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { browserTest } from './harness.mjs';
import { readModel } from './model-file.mjs';

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** Every step of the LSTM over `ids` from zero state: [{i, f, g, o, c, h}] (PyTorch's equations). */
function lstm({ header, tensors }, ids) {
  const E = header.model.embed;
  const H = header.model.hidden;
  const W = tensors['lstm.weight_ih'];
  const U = tensors['lstm.weight_hh'];
  const b1 = tensors['lstm.bias_ih'];
  const b2 = tensors['lstm.bias_hh'];
  let h = new Array(H).fill(0);
  let c = new Array(H).fill(0);
  const steps = [];
  for (const id of ids) {
    const x = tensors['embedding.weight'].slice(id * E, (id + 1) * E);
    const z = new Array(4 * H).fill(0).map((_, r) => {
      let s = b1[r] + b2[r];
      for (let k = 0; k < E; k++) s += W[r * E + k] * x[k];
      for (let k = 0; k < H; k++) s += U[r * H + k] * h[k];
      return s;
    });
    const i = z.slice(0, H).map(sigmoid);
    const f = z.slice(H, 2 * H).map(sigmoid);
    const g = z.slice(2 * H, 3 * H).map(Math.tanh);
    const o = z.slice(3 * H).map(sigmoid);
    c = c.map((cj, j) => f[j] * cj + i[j] * g[j]);
    h = c.map((cj, j) => o[j] * Math.tanh(cj));
    steps.push({ i, f, g, o, c, h });
  }
  const w = tensors['linear.weight'];
  let logit = tensors['linear.bias'][0];
  for (let j = 0; j < H; j++) {
    const column = steps.map((s) => s.h[j]);
    logit += w[j] * (column.reduce((a, b) => a + b, 0) / steps.length) + w[H + j] * Math.max(...column);
  }
  return { steps, logit };
}

async function loadPretrained(app) {
  const page = app.page;
  await page.click('#tab-inside');
  await page.click('#inside-pretrained');
  await page.waitForFunction(() => document.body.dataset.insideReady, null, { timeout: 60_000 });
}

browserTest('the shipped model: heatmap values equal an independent LSTM, shares add up to the logit', async (app) => {
  const page = app.page;
  assert.ok(!app.requests.some((u) => u.includes('/models/')), 'the pretrained model is not fetched at page load');
  await loadPretrained(app);
  assert.ok(
    app.requests.some((u) => /\/models\/imdb-sentiment\.[0-9a-f]{12}\.lstmlab$/.test(u)),
    'fetched on request, by its hashed name',
  );
  const status = await app.text('#inside-model-status');
  assert.match(
    status,
    /the pretrained IMDB model: vocabulary 3000, embedding 100, 100 units, 128 words per review, validation accuracy 0\.86\d+ \(epoch 5\)/,
  );

  // The validation reviews that ship with the model: one it got wrong.
  assert.match(
    await app.text('#inside-examples-source'),
    /^From the validation reviews of imdb_50k\.csv\.gz \(25000 the model did not train on\): it classified 21,652 of 25,000 right \(0\.8661\)\./,
  );
  let picked = await page.evaluate(() => document.body.dataset.insideReady);
  await page.selectOption('#inside-example', '0');
  await page.waitForFunction((b) => document.body.dataset.insideReady !== b, picked);
  assert.match(await app.text('#inside-verdict'), /· truly (positive|negative) \(the model is wrong\)$/);
  await page.selectOption('#inside-example-kind', 'confident');
  picked = await page.evaluate(() => document.body.dataset.insideReady);
  await page.selectOption('#inside-example', '1');
  await page.waitForFunction((b) => document.body.dataset.insideReady !== b, picked);
  assert.doesNotMatch(await app.text('#inside-verdict'), /the model is wrong/);

  const review =
    'A wonderful film with brilliant acting. The plot was boring at times, but the ending was perfect and I loved it.';
  await page.fill('#inside-text', review);
  const before = await page.evaluate(() => document.body.dataset.insideReady);
  await page.click('#inside-run');
  await page.waitForFunction((b) => document.body.dataset.insideReady !== b, before);
  const verdict = await app.text('#inside-verdict');
  assert.match(verdict, /^positive · P\(positive\) = 0\.\d{4}/, verdict);

  // The model read 128 positions: padding first, then the review's known words.
  const shown = await page.evaluate(() => {
    const r = globalThis.lstmLab.inside.result;
    return {
      ids: r.positions.map((p) => p.id),
      padding: r.padding,
      order: r.inspection.unit_order,
      timing: globalThis.lstmLab.inside.timing,
    };
  });
  assert.equal(shown.ids.length, 128);
  assert.ok(shown.padding > 100 && shown.ids.slice(0, shown.padding).every((id) => id === 0));
  console.log(
    `gate view for 128 positions × 100 units: computed in ${shown.timing.computeMs.toFixed(1)} ms, drawn in ${shown.timing.drawMs.toFixed(1)} ms (the page's CPU reference cell in f64, then a 2D canvas)`,
  );

  // The heatmap has colour (not a blank canvas).
  const colours = await page.evaluate(() => {
    const c = document.getElementById('inside-heatmap');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let p = 0; p < d.length; p += 4 * 7) seen.add((d[p] << 16) | (d[p + 1] << 8) | d[p + 2]);
    return seen.size;
  });
  assert.ok(colours > 50, `the heatmap is drawn (${colours} colours)`);

  // Move the cursor with the keyboard: 3 words left of the last, the third unit by share.
  await page.focus('#inside-heatmap');
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowLeft');
  for (let k = 0; k < 2; k++) await page.keyboard.press('ArrowDown');
  const readout = page.locator('#inside-readout');
  const position = Number(await readout.getAttribute('data-position'));
  const unit = Number(await readout.getAttribute('data-unit'));
  assert.equal(position, 124);
  assert.equal(unit, shown.order[2]);
  const model = await readModel();
  const reference = lstm(model, shown.ids);
  for (const q of ['i', 'f', 'g', 'o', 'c', 'h']) {
    const value = Number(await readout.locator(`[data-q="${q}"]`).getAttribute('data-value'));
    const want = reference.steps[position][q][unit];
    assert.ok(
      Math.abs(value - want) <= 1e-5,
      `${q} at position ${position}, unit ${unit}: page ${value}, reference ${want}`,
    );
  }
  // The word at that position is named, with its share.
  assert.match(await readout.innerText(), /at position 125 of 128/);

  // The split: bias + every position's share = the logit = the independent logit.
  const sum = Number(await page.locator('#inside-sum').getAttribute('data-sum'));
  const logit = Number(await page.locator('#inside-sum').getAttribute('data-logit'));
  assert.ok(Math.abs(sum - logit) <= 1e-4, `shares ${sum} vs logit ${logit}`);
  assert.ok(Math.abs(logit - reference.logit) <= 1e-5, `page logit ${logit} vs reference ${reference.logit}`);
  const shares = await page
    .locator('#inside-words .token.used')
    .evaluateAll((spans) => spans.map((s) => Number(s.dataset.share)));
  assert.equal(shares.length, 128 - shown.padding, 'one coloured word per position read');

  // The same word and unit in the Cell stepper, with the trained cell: the same numbers.
  const pageValues = {};
  for (const q of ['i', 'f', 'g', 'o', 'c', 'h'])
    pageValues[q] = Number(await readout.locator(`[data-q="${q}"]`).getAttribute('data-value'));
  await page.click('#inside-open-stepper');
  await page.waitForFunction(() => !document.getElementById('stepper').hidden);
  await page.waitForFunction(
    (t) => document.getElementById('stepper-t-value').textContent === String(t),
    position - shown.padding + 1,
  );
  assert.equal(await page.inputValue('#stepper-unit'), String(unit));
  assert.match(
    await page.locator('#stepper-preset option:checked').innerText(),
    /^Trained model: the pretrained IMDB model/,
  );
  for (const q of ['i', 'f', 'g', 'o', 'c', 'h']) {
    const stepper = Number(await app.text(`#stepper-value-${q}-${unit}`));
    assert.ok(Math.abs(stepper - pageValues[q]) <= 0.0005 + 1e-9, `${q}: stepper ${stepper}, heatmap ${pageValues[q]}`);
  }
  await app.screenshot('inside-opened-in-stepper');
  await page.click('#tab-inside');

  // Hovering moves the cursor too; the other quantities redraw.
  const box = await page.locator('#inside-heatmap').boundingBox();
  await page.mouse.move(box.x + box.width - 3, box.y + box.height - 3);
  assert.equal(await readout.getAttribute('data-position'), '127');
  await page.check('input[name="inside-q"][value="c"]');
  await app.screenshot('inside-pretrained-review');
});

browserTest('PyTorch export and import through the page; bad files get a message and keep the model', async (app) => {
  const page = app.page;
  await loadPretrained(app);
  const logit = await page.locator('#inside-sum').getAttribute('data-logit');

  // Export: three downloads (labels.json: the class names).
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.click('#inside-export-torch');
  for (let k = 0; k < 50 && downloads.length < 3; k++) await page.waitForTimeout(100);
  assert.deepEqual(downloads.map((d) => d.suggestedFilename()).sort(), [
    'labels.json',
    'model.safetensors',
    'vocab.json',
  ]);
  const paths = await Promise.all(downloads.map((d) => d.path()));
  const vocab = JSON.parse(
    await readFile(paths[downloads.findIndex((d) => d.suggestedFilename() === 'vocab.json')], 'utf8'),
  );
  assert.equal(Object.keys(vocab).length, 2999);
  assert.equal(Math.min(...Object.values(vocab)), 1, 'Keras word_index starts at 1 (0 is padding)');

  // A file that is not a model: the message names it; the model stays.
  await page.setInputFiles('#inside-file', {
    name: 'notes.lstmlab',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('hello, not a model'),
  });
  await page.locator('#inside-model-error').waitFor();
  assert.match(await app.text('#inside-model-error'), /^notes\.lstmlab: this is not an LSTM Lab model file/);
  // One PyTorch file alone.
  await page.setInputFiles('#inside-torch', {
    name: 'vocab.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{}'),
  });
  assert.match(await app.text('#inside-model-error'), /Pick the files at once/);
  // A safetensors file with a tensor renamed: the message names the tensor.
  const modelBytes = await readFile(paths[downloads.findIndex((d) => d.suggestedFilename() === 'model.safetensors')]);
  const renamed = Buffer.from(modelBytes.toString('latin1').replace('"linear.bias"', '"linear.bia5"'), 'latin1');
  await page.setInputFiles('#inside-torch', [
    { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: renamed },
    { name: 'vocab.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(vocab)) },
  ]);
  await page.waitForFunction(() => /linear\.bia/.test(document.getElementById('inside-model-error').textContent));
  assert.match(await app.text('#inside-model-error'), /linear\.bia/);
  assert.match(await app.text('#inside-model-status'), /the pretrained IMDB model/, 'the loaded model is kept');

  // The real export back in: the same logit.
  const before = await page.evaluate(() => document.body.dataset.insideReady);
  const files = await Promise.all(
    downloads.map(async (d, k) => ({
      name: d.suggestedFilename(),
      mimeType: 'application/octet-stream',
      buffer: await readFile(paths[k]),
    })),
  );
  await page.setInputFiles('#inside-torch', files);
  await page.waitForFunction((b) => document.body.dataset.insideReady !== b, before);
  assert.match(await app.text('#inside-model-status'), /model\.safetensors \+ vocab\.json/);
  assert.equal(
    await page.locator('#inside-sum').getAttribute('data-logit'),
    logit,
    'the same model after the round trip',
  );
});
