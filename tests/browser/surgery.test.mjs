// Gate surgery in "Inside the model": on the shipped model, holding every forget gate open gives
// the logit of an independent LSTM written here in JS with f = 1, the words' shares still add up
// to it, the accuracy on the 1,000 validation reviews (downloaded on the first surgery only)
// appears beside the unedited one, the surgery travels in the link and "Reset" removes it; the
// card is reachable from the keyboard and axe-clean. On a GRU (a fixture) the chooser offers z and
// r, and z@all=1 keeps h at 0, so the edited logit is the bias and the shares still add up.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { browserTest } from './harness.mjs';
import { readModel } from './model-file.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** The model's logit on `ids` with every forget gate held at `f` (PyTorch's equations otherwise). */
function logitWithForgetHeld({ header, tensors }, ids, f) {
  const E = header.model.embed;
  const H = header.model.hidden;
  const W = tensors['lstm.weight_ih'];
  const U = tensors['lstm.weight_hh'];
  const b1 = tensors['lstm.bias_ih'];
  const b2 = tensors['lstm.bias_hh'];
  let h = new Array(H).fill(0);
  let c = new Array(H).fill(0);
  const sum = new Array(H).fill(0);
  const max = new Array(H).fill(-Infinity);
  for (const id of ids) {
    const x = tensors['embedding.weight'].slice(id * E, (id + 1) * E);
    const z = new Array(4 * H).fill(0).map((_, r) => {
      let s = b1[r] + b2[r];
      for (let k = 0; k < E; k++) s += W[r * E + k] * x[k];
      for (let k = 0; k < H; k++) s += U[r * H + k] * h[k];
      return s;
    });
    c = c.map((cj, j) => f * cj + sigmoid(z[j]) * Math.tanh(z[2 * H + j]));
    h = c.map((cj, j) => sigmoid(z[3 * H + j]) * Math.tanh(cj));
    h.forEach((v, j) => {
      sum[j] += v;
      max[j] = Math.max(max[j], v);
    });
  }
  const w = tensors['linear.weight'];
  let logit = tensors['linear.bias'][0];
  for (let j = 0; j < H; j++) logit += (w[j] * sum[j]) / ids.length + w[H + j] * max[j];
  return logit;
}

const ready = (page) => page.evaluate(() => Number(document.body.dataset.insideReady ?? 0));

async function inspected(page, after) {
  await page.waitForFunction((t) => Number(document.body.dataset.insideReady ?? 0) > t, after, { timeout: 60_000 });
}

browserTest('gate surgery: the edited logit, its split, the accuracy, the link and reset', async (app) => {
  const page = app.page;
  await page.click('#tab-inside');
  await page.click('#inside-pretrained');
  await page.waitForFunction(() => document.body.dataset.insideReady, null, { timeout: 60_000 });
  assert.ok(!app.requests.some((u) => u.includes('validation')), 'the sample waits for the first surgery');
  const card = page.locator('#inside-surgery');
  assert.equal(await card.isVisible(), true);
  assert.equal(await app.text('#inside-surgery-effect'), 'No edits: the model as trained.');

  // From the keyboard: gate f (the default), no unit (every unit), held at 1, Apply.
  let t = await ready(page);
  await page.focus('#inside-surgery-gate');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'inside-surgery-unit');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'inside-surgery-add');
  await page.keyboard.press('Enter');
  await inspected(page, t);
  assert.equal(await card.getAttribute('data-surgery'), 'f@all=1');
  assert.equal(await app.text('#inside-surgery-list'), 'f held at 1 (open) for every unit Remove');

  // The edited logit against the independent computation; the shares add up to it.
  const model = await readModel();
  const { ids, logit, sum, plain } = await page.evaluate(() => {
    const r = globalThis.lstmLab.inside.result;
    const s = document.getElementById('inside-sum');
    return {
      ids: r.positions.map((p) => p.id),
      logit: r.inspection.logit,
      sum: Number(s.dataset.sum),
      plain: Number(document.getElementById('inside-surgery-effect').dataset.plainLogit),
    };
  });
  const expected = logitWithForgetHeld(model, ids, 1);
  assert.ok(Math.abs(logit - expected) < 1e-9, `edited logit ${logit} vs independent ${expected}`);
  assert.ok(Math.abs(sum - logit) < 1e-9, `shares + bias ${sum} vs logit ${logit}`);
  assert.ok(Math.abs(plain - logit) > 1e-3, `the edit moves the logit (${plain} → ${logit})`);
  const heldF = await page.evaluate(() => globalThis.lstmLab.inside.result.inspection.trace.f.every((v) => v === 1));
  assert.ok(heldF, 'the heatmap shows f = 1 everywhere');

  // The accuracy on 1,000 validation reviews, edited and not.
  await page.waitForFunction(() => document.getElementById('inside-surgery').dataset.accuracyReady, null, {
    timeout: 120_000,
  });
  assert.ok(
    app.requests.some((u) => /\/models\/imdb-sentiment\.validation\.[0-9a-f]{12}\.json$/.test(u)),
    'the sample is fetched by its hashed name',
  );
  const acc = await page.evaluate(() => {
    const d = document.getElementById('inside-surgery').dataset;
    return {
      edited: Number(d.edited),
      unedited: Number(d.unedited),
      ms: Number(d.ms),
      by: d.scoredBy,
      setup: d.setupMs,
    };
  });
  console.log(
    `accuracy: edited ${acc.edited}, unedited ${acc.unedited}, the edited one computed in ${acc.ms.toFixed(0)} ms ` +
      `${acc.by} (workers and sample ready in ${Number(acc.setup).toFixed(0)} ms)`,
  );
  assert.match(acc.by, /^in [1-4] workers?$/, 'counted in workers');
  // The workers deal the reviews out in slices: the unedited model through them gets exactly the
  // count the CLI recorded natively, in one pass, when it wrote the sample (every review counted
  // once), and the page's own thread, given the same sample, counts the edited model as the
  // workers did.
  const check = await page.evaluate(async () => {
    const panel = globalThis.lstmLab.inside.surgery;
    const workers = panel.scorer;
    const unedited = await workers.count(
      '',
      () => {},
      () => false,
    );
    const { openCounter } = await import('./inside/surgery-count.js');
    const { assetUrl } = await import('./lib/assets.js');
    const bytes = new Uint8Array(await (await fetch(assetUrl('pretrainedValidation'))).arrayBuffer());
    const onPage = await openCounter(panel.wasm, panel.view.session, bytes, { workers: 0 });
    const edited = await onPage.count(
      'f@all=1',
      () => {},
      () => false,
    );
    onPage.free();
    return { unedited, recorded: workers.recorded * workers.reviews, edited, where: onPage.where };
  });
  assert.equal(check.unedited, Math.round(check.recorded), 'the unedited count through the workers');
  assert.equal(check.where, "on the page's thread");
  assert.equal(check.edited / 1000, acc.edited, "the page's thread counts as the workers do");
  assert.ok(acc.unedited > 0.83 && acc.unedited < 0.9, `unedited ${acc.unedited}`);
  assert.ok(acc.edited < acc.unedited - 0.02, `f = 1 costs accuracy: ${acc.edited}`);
  assert.match(await app.text('#inside-surgery-accuracy'), /^Accuracy on 1,000 validation reviews: \d+\.\d % edited/);
  assert.match(await app.text('#inside-surgery-class'), /^f@all=1 moves this review's logit by [+−]\d/);
  await app.screenshot('surgery-f-all-1');

  // In the link; a fresh page opened on it shows the same surgery.
  await page.waitForFunction(() => new URL(location.href).searchParams.get('inside.surgery') === 'f@all=1');
  const context = await app.context.browser().newContext({ serviceWorkers: 'block' });
  try {
    const other = await context.newPage();
    await other.goto(page.url());
    await other.waitForFunction(() => document.getElementById('inside-surgery')?.dataset.surgery === 'f@all=1', null, {
      timeout: 120_000,
    });
    const otherLogit = await other.evaluate(() => globalThis.lstmLab.inside.result.inspection.logit);
    assert.equal(otherLogit, logit);
  } finally {
    await context.close();
  }

  // A second edit, then reset: no edit, the trained model's logit, out of the link.
  t = await ready(page);
  await page.selectOption('#inside-surgery-gate', 'off');
  await page.fill('#inside-surgery-unit', '3');
  await page.click('#inside-surgery-add');
  await inspected(page, t);
  assert.equal(await card.getAttribute('data-surgery'), 'f@all=1,off@3');
  assert.equal(await page.locator('#inside-surgery-value').isDisabled(), true, 'no value for a unit switched off');
  const h3 = await page.evaluate(() => {
    const x = globalThis.lstmLab.inside.result.inspection;
    return Array.from({ length: x.steps }, (_, p) => x.trace.h[p * x.hidden + 2]);
  });
  assert.ok(
    h3.every((v) => v === 0),
    'unit 3 is silent',
  );
  t = await ready(page);
  await page.fill('#inside-surgery-unit', '101');
  await page.click('#inside-surgery-add');
  assert.equal(
    await app.text('#inside-surgery-error'),
    'Gate surgery: surgery `off@101`: the model has units 1–100, so there is no such unit.',
  );
  assert.equal(await card.getAttribute('data-surgery'), 'f@all=1,off@3', 'a bad edit leaves the others');
  await page.click('#inside-surgery-reset');
  await inspected(page, t);
  assert.equal(await card.getAttribute('data-surgery'), '');
  assert.equal(await page.evaluate(() => globalThis.lstmLab.inside.result.inspection.logit), plain);
  await page.waitForFunction(() => !new URL(location.href).searchParams.has('inside.surgery'));

  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document.getElementById('inside'), { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, []);
});

browserTest('a bad surgery in a link is left out with a note naming it', async (app) => {
  const page = app.page;
  await page.goto(`${app.url}?inside.model=pretrained&inside.surgery=f@all=1,g@3=1#inside`);
  await page.waitForFunction(() => document.body.dataset.insideReady, null, { timeout: 120_000 });
  assert.equal(await page.locator('#inside-surgery').getAttribute('data-surgery'), '');
  const notes = await page.evaluate(() => document.body.innerText);
  assert.match(notes, /surgery `g@3=1`: the gate is f, i or o/);
});

browserTest('gate surgery on a GRU: its own gates, z held at 1 leaves the bias, the shares add up', async (app) => {
  const page = app.page;
  await page.click('#tab-inside');
  await page.waitForFunction(() => !document.getElementById('inside').hidden);
  await page.fill('#inside-text', 'this film was great and the acting was good but the story was bad');
  const before = await page.evaluate(() => document.body.dataset.insideReady ?? '');
  const file = join(import.meta.dirname, '..', 'fixtures', 'inside_models', 'gru-pool.lstmlab');
  await page.setInputFiles('#inside-file', {
    name: 'gru-pool.lstmlab',
    mimeType: 'application/octet-stream',
    buffer: await readFile(file),
  });
  await page.waitForFunction((b) => (document.body.dataset.insideReady ?? '') !== b, before, { timeout: 60_000 });
  const gates = await page.$$eval('#inside-surgery-gate option', (os) => os.map((o) => o.value));
  assert.deepEqual(gates, ['z', 'r', 'off'], 'the GRU’s own gates, and off');

  const t = await ready(page);
  await page.selectOption('#inside-surgery-gate', 'z');
  await page.selectOption('#inside-surgery-value', '1');
  await page.click('#inside-surgery-add');
  await inspected(page, t);
  const card = page.locator('#inside-surgery');
  assert.equal(await card.getAttribute('data-surgery'), 'z@all=1');
  assert.equal(await app.text('#inside-surgery-list'), 'z held at 1 (open) for every unit Remove');
  const got = await page.evaluate(() => {
    const x = globalThis.lstmLab.inside.result.inspection;
    return {
      logit: x.logit,
      bias: x.bias,
      sum: Number(document.getElementById('inside-sum').dataset.sum),
      plain: Number(document.getElementById('inside-surgery-effect').dataset.plainLogit),
      zHeld: x.trace.z.every((v) => v === 1),
      hZero: x.trace.h.every((v) => v === 0),
    };
  });
  // z = 1 copies the old state, and the state starts at 0: h stays 0 and the head adds nothing.
  assert.ok(got.zHeld && got.hZero, 'z shown held at 1, h stays 0');
  assert.equal(got.logit, got.bias, 'the edited logit is the head’s bias alone');
  assert.ok(Math.abs(got.sum - got.logit) < 1e-9, `shares + bias ${got.sum} vs logit ${got.logit}`);
  assert.ok(Math.abs(got.plain - got.logit) > 1e-3, `the edit moves the logit (${got.plain} → ${got.logit})`);
  assert.match(await app.text('#inside-surgery-accuracy'), /this model came without them\.$/);

  // The same model with validation reviews (as the Trainer hands a model it trained to Inside):
  // with z held at 1 every review gets the bias's class, positive here, so the edited accuracy
  // is the share of positive labels, counted by the GRU's traced path in the workers.
  const labels = [1, 0, 1, 1, 0, 1, 0, 1, 1, 1];
  const sample = {
    source: 'ten reviews made up in the test',
    maxlen: 32,
    classes: ['negative', 'positive'],
    labels,
    ids: labels.map((_, r) => Array.from({ length: 5 + 3 * r }, (_, k) => 1 + ((r * 37 + k * 11) % 199))),
    accuracy: null,
  };
  const bias = (await readModel(file)).tensors['linear.bias'][0];
  assert.ok(bias > 0, 'the fixture’s head leans positive');
  await page.evaluate(
    async ({ model, sample }) => {
      const bytes = Uint8Array.from(atob(model), (c) => c.charCodeAt(0));
      const json = new TextEncoder().encode(sample);
      delete document.getElementById('inside-surgery').dataset.accuracyReady;
      globalThis.lstmLab.inside.loadBytes(bytes, 'a GRU with ten reviews', null, null, json);
    },
    { model: (await readFile(file)).toString('base64'), sample: JSON.stringify(sample) },
  );
  await page.waitForFunction(() => document.body.dataset.insideModel === 'a GRU with ten reviews');
  await page.waitForFunction(() => document.getElementById('inside-surgery').dataset.accuracyReady, null, {
    timeout: 60_000,
  });
  const acc = await page.evaluate(() => ({ ...document.getElementById('inside-surgery').dataset }));
  assert.equal(acc.surgery, 'z@all=1', 'the surgery stays on for the new model');
  assert.equal(Number(acc.edited), 0.7, 'every review gets the positive class');
  assert.ok(Number(acc.unedited) >= 0 && Number(acc.unedited) <= 1);
  assert.match(await app.text('#inside-surgery-accuracy'), /^Accuracy on 10 validation reviews: 70\.0 % edited/);
  await app.screenshot('surgery-gru-z-all-1');

  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document.getElementById('inside-surgery'), { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, []);
});
