// The Trainer as a user drives it: upload, preview, train a tiny model on WebGPU (and on the
// CPU), predict, save and reload; malformed files get named problems and lose nothing.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS, browserTest, uploadCsv } from './harness.mjs';

const POSITIVE = ['great', 'wonderful', 'loved', 'brilliant', 'superb', 'moving'];
const NEGATIVE = ['awful', 'boring', 'hated', 'dreadful', 'terrible', 'dull'];
const FILLER = ['the', 'film', 'movie', 'was', 'plot', 'actors', 'and', 'it', 'a', 'story'];

/** A small, clearly learnable CSV (with quoting, a comma and CRLF, as real files have). */
function reviewsCsv(rows) {
  let seed = 7;
  const pick = (list) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return list[seed % list.length];
  };
  const lines = ['id,"Review",SENTIMENT,extra'];
  for (let i = 0; i < rows; i++) {
    const positive = i % 2 === 0;
    const words = Array.from({ length: 6 }, (_, k) =>
      k % 3 === 0 ? pick(positive ? POSITIVE : NEGATIVE) : pick(FILLER),
    );
    lines.push(`${i},"${words.join(' ')}, really",${positive ? 'Positive' : 'negative'},x`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function upload(app, name, content) {
  await uploadCsv(app.page, name, content);
}

async function predict(app, text) {
  const before = await app.page.evaluate(() => Number(document.getElementById('trainer').dataset.revision ?? 0));
  if (text !== undefined) await app.page.fill('#trainer-predict-text', text);
  await app.page.click('#trainer-predict');
  await app.page.waitForFunction(
    (rev) => Number(document.getElementById('trainer').dataset.revision ?? 0) > rev,
    before,
  );
  return { label: await app.text('#trainer-label'), probability: Number(await app.text('#trainer-probability')) };
}

const settings = { vocab: 40, maxlen: 8, embed: 8, hidden: 8, batch: 20, lr: 0.05, epochs: 8, split: 0.5, seed: 2 };

browserTest('upload, preview, train on WebGPU, predict, save and reload', async (app) => {
  const page = app.page;
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready');
  assert.match(await app.text('#trainer-device-status'), /Training worker on GPU: /);
  // This test is about WebGPU, whichever engine the timing would pick.
  await page.selectOption('#trainer-device', 'gpu');

  await upload(app, 'reviews.csv', reviewsCsv(120));
  // Labels as the file writes them ("Positive", "negative") until case is folded.
  assert.match(await app.text('#trainer-counts'), /^reviews\.csv: 120 rows — 2 classes: negative 60 · Positive 60 \(/);
  await page.check('#trainer-fold-case');
  await page.waitForFunction(() =>
    / negative 60 · positive 60/.test(document.getElementById('trainer-counts').textContent),
  );
  assert.equal(await page.isChecked('#trainer-class-positive-1'), true, 'positive is the class whose P is shown');
  assert.equal(await page.inputValue('#trainer-text-column'), 'Review');
  assert.equal(await page.inputValue('#trainer-label-column'), 'SENTIMENT');
  assert.match(await app.text('#trainer-preview-table'), /really/);

  for (const [k, v] of Object.entries(settings)) await page.fill(`#trainer-${k}`, String(v));
  assert.equal(await page.inputValue('#trainer-device'), 'gpu');
  await page.click('#trainer-start');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'running');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
    timeout: 600_000,
  });
  const status = await app.text('#trainer-status');
  console.log(status);
  console.log(await app.text('#trainer-epochs-table'));
  const accuracy = Number(/best validation accuracy ([0-9.]+)/.exec(status)?.[1]);
  assert.ok(accuracy > 0.7, `above-chance validation accuracy (got ${accuracy})`);
  assert.equal(await page.locator('#trainer-epochs-table tbody tr').count(), settings.epochs);
  await app.screenshot('trainer-trained');

  const positive = 'wonderful the film brilliant plot superb, really';
  const first = await predict(app, positive);
  assert.equal(first.label, 'positive', `${positive}: P(positive) = ${first.probability}`);
  assert.ok((await page.locator('#trainer-tokens .token.used').count()) >= 3, 'the sentiment words were read');
  const negative = await predict(app, 'dreadful the movie boring plot awful, really');
  assert.equal(negative.label, 'negative', `P(positive) = ${negative.probability}`);
  await predict(app, positive);

  // "Look inside →": the same model in "Inside the model", on the CPU reference cell (f64), with
  // this run's validation reviews to pick from.
  await page.click('#trainer-inside');
  await page.waitForFunction(
    () =>
      document.body.dataset.insideModel === 'the model from the Trainer tab' &&
      !document.getElementById('inside').hidden,
  );
  await page.fill('#inside-text', positive);
  let ready = await page.evaluate(() => document.body.dataset.insideReady);
  await page.click('#inside-run');
  await page.waitForFunction((b) => document.body.dataset.insideReady !== b, ready);
  const inside = Number(/P\(positive\) = ([0-9.]+)/.exec(await app.text('#inside-verdict'))[1]);
  assert.ok(Math.abs(inside - first.probability) < 1e-3, `inside ${inside} vs trainer ${first.probability}`);
  assert.match(
    await app.text('#inside-examples-source'),
    /validation reviews of the data trained on in this tab \(\d+ the model did not train on\)/,
  );
  await page.selectOption('#inside-example-kind', 'borderline');
  ready = await page.evaluate(() => document.body.dataset.insideReady);
  await page.selectOption('#inside-example', '0');
  await page.waitForFunction((b) => document.body.dataset.insideReady !== b, ready);
  assert.match(await app.text('#inside-verdict'), / · truly (positive|negative)/);
  await page.click('#tab-trainer');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#trainer-save')]);
  const saved = join(ARTIFACTS, 'model.lstmlab');
  await download.saveAs(saved);
  await page.setInputFiles('#trainer-load', {
    name: 'model.lstmlab',
    mimeType: 'application/octet-stream',
    buffer: await readFile(saved),
  });
  await page.waitForFunction(() => document.getElementById('trainer-model-status').textContent.startsWith('Loaded'));
  assert.match(
    await app.text('#trainer-model-status'),
    /vocabulary 40, embedding 8, hidden 8, 8 words per review, validation accuracy/,
  );
  const again = await predict(app);
  assert.ok(
    Math.abs(again.probability - first.probability) < 1e-4,
    `same prediction after reload: ${again.probability} vs ${first.probability}`,
  );

  const damaged = await readFile(saved);
  damaged[damaged.length - 20] ^= 0xff;
  await page.setInputFiles('#trainer-load', {
    name: 'damaged.lstmlab',
    mimeType: 'application/octet-stream',
    buffer: damaged,
  });
  await page.waitForSelector('#trainer-model-error:not([hidden])');
  assert.match(
    await app.text('#trainer-model-error'),
    /damaged\.lstmlab: the model file is damaged \(its checksum does not match\)\. The current model is still loaded\./,
  );
});

browserTest('the engine is chosen by timing a training step on each, and remembered per adapter', async (app) => {
  const page = app.page;
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready');
  assert.equal(await page.evaluate(() => document.getElementById('trainer').dataset.engineProbe), 'running');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.engineProbe === 'done', null, {
    timeout: 600_000,
  });
  const times = await page.evaluate(() => globalThis.lstmLab.trainer.engineTimes);
  console.log(`engine probe: ${JSON.stringify(times)}`);
  assert.ok(times.cpu.stepMs > 0 && times.gpu.stepMs > 0, 'both engines timed');
  const faster = times.gpu.stepMs <= times.cpu.stepMs ? 'gpu' : 'cpu';
  assert.equal(await page.inputValue('#trainer-device'), faster, 'the faster engine is chosen');
  const status = await app.text('#trainer-device-status');
  assert.match(
    status,
    new RegExp(`GPU [\\d,]+ ms, CPU \\(WebAssembly\\) [\\d,]+ ms — training on the ${faster.toUpperCase()}`),
  );
  await app.screenshot('trainer-engine-probe');

  // Back on the page: the measurement is remembered, nothing is timed again.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
  await page.waitForFunction(() => document.getElementById('trainer').dataset.engineProbe === 'done');
  assert.match(await app.text('#trainer-device-status'), /measured on an earlier visit/);
  assert.equal(await page.inputValue('#trainer-device'), faster);
  assert.deepEqual(await page.evaluate(() => globalThis.lstmLab.trainer.engineTimes), times);
});

const epochLosses = (page) =>
  page.evaluate(() => globalThis.lstmLab.trainer.run.epochs.map((r) => [r.train_loss, r.valid_loss]));

browserTest('the CPU path (burn in wasm) trains and predicts, on two workers as on one', async (app) => {
  const page = app.page;
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready');
  await upload(app, 'reviews.csv', reviewsCsv(120));
  for (const [k, v] of Object.entries(settings)) await page.fill(`#trainer-${k}`, String(v));
  await page.selectOption('#trainer-device', 'cpu');
  assert.equal(await page.locator('#trainer-workers').isEnabled(), true);
  await page.fill('#trainer-workers', '2');
  await page.click('#trainer-start');
  // A tiny run on the CPU can be over before a poll sees it running: wait for its end.
  await page.waitForFunction(() => /^Done/.test(document.getElementById('trainer-status').textContent), null, {
    timeout: 300_000,
  });
  assert.equal(await page.evaluate(() => document.getElementById('trainer').dataset.state), 'ready');
  const status = await app.text('#trainer-status');
  console.log(status);
  const accuracy = Number(/best validation accuracy ([0-9.]+)/.exec(status)?.[1]);
  assert.ok(accuracy > 0.7, `above-chance validation accuracy on the CPU (got ${accuracy})`);
  assert.match(await app.text('#trainer-epochs-table'), /\d+ s/);
  assert.match(await app.text('#trainer-prepared'), /Training on the CPU with 2 workers/);
  const verdict = await predict(app, 'wonderful the film brilliant plot superb, really');
  assert.equal(
    verdict.label,
    'Positive', // the file's own spelling: case is not folded here
    `P(positive) = ${verdict.probability}`,
  );

  // The same run on one worker takes the same steps: only the order of float sums differs.
  const sharded = await epochLosses(page);
  await page.fill('#trainer-workers', '1');
  await page.click('#trainer-start');
  await page.waitForFunction(() => /^Done/.test(document.getElementById('trainer-status').textContent), null, {
    timeout: 300_000,
  });
  assert.match(await app.text('#trainer-prepared'), /Training on the CPU with 1 worker /);
  const single = await epochLosses(page);
  assert.equal(single.length, settings.epochs);
  single.forEach(([train, valid], e) => {
    for (const [what, a, b] of [
      ['training', sharded[e][0], train],
      ['validation', sharded[e][1], valid],
    ]) {
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b), `epoch ${e + 1}: ${what} loss ${a} on 2 workers vs ${b} on 1`);
    }
  });
  await app.screenshot('trainer-cpu-workers');
});

browserTest('malformed files get named problems; the loaded data stays', async (app) => {
  const page = app.page;
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready');
  await upload(app, 'good.csv', reviewsCsv(40));
  const good = await app.text('#trainer-counts');

  const cases = [
    ['empty.csv', '', /^empty\.csv: the file is empty\./],
    ['header.csv', 'review,sentiment\n', /the file has a header row but no data rows/],
    [
      'quote.csv',
      'review,sentiment\ngood,positive\n"never closed,negative\nbad,negative\n',
      /line 3: a quoted field is never closed/,
    ],
    [
      'utf8.csv',
      Buffer.concat([
        Buffer.from('review,sentiment\ngood,positive\nbad '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(',negative\n'),
      ]),
      /line 3, column “review”: not valid UTF-8/,
    ],
    [
      'picture.csv',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      /this is not a CSV file: it contains binary data/,
    ],
    [
      'headerless.csv',
      'I loved every minute of this film and its cast,positive\nawful,negative\n',
      /the first row looks like a review, not a header/,
    ],
  ];
  for (const [name, content, pattern] of cases) {
    await upload(app, name, content);
    const message = await app.text('#trainer-data-error');
    assert.match(message, pattern, `${name}: ${message}`);
    assert.match(message, /The previous data is still loaded\.$/);
    assert.equal(await app.text('#trainer-counts'), good, `${name}: the good data stays`);
  }
  await app.screenshot('trainer-bad-file');

  // A file whose columns have other names: the page offers its header to pick from.
  await upload(app, 'other.csv', 'body,mood\nlovely,pos\nawful,neg\nsuperb,pos\ndreadful,neg\n');
  assert.match(await app.text('#trainer-data-error'), /no text column/);
  assert.equal(await app.text('#trainer-counts'), good);
  await page.selectOption('#trainer-choose-text', 'body');
  await page.selectOption('#trainer-choose-label', 'mood');
  await page.click('#trainer-choose-apply');
  await page.waitForFunction(() => document.getElementById('trainer-counts').textContent.startsWith('other.csv'));
  assert.match(await app.text('#trainer-counts'), /^other\.csv: 4 rows — 2 classes: neg 2 · pos 2/);
  assert.equal(await page.locator('#trainer-column-chooser').isHidden(), true);

  // The text column picked wrongly (every text empty): the chooser is offered again.
  await upload(
    app,
    'blank.csv',
    'review,note,sentiment\n,lovely,positive\n,awful,negative\n,superb,positive\n,dull,negative\n',
  );
  assert.match(await app.text('#trainer-data-error'), /every text in column “review” is empty/);
  assert.equal(await page.locator('#trainer-column-chooser').isHidden(), false);
  await page.selectOption('#trainer-choose-text', 'note');
  await page.selectOption('#trainer-choose-label', 'sentiment');
  await page.click('#trainer-choose-apply');
  await page.waitForFunction(() => document.getElementById('trainer-counts').textContent.startsWith('blank.csv'));

  // A file without a header row: the chooser offers its columns by number, with the first
  // row's values, "no header row" ticked; the first row is then a review too.
  await upload(
    app,
    'no-header.csv',
    'I loved every minute of this film and its cast,positive\nawful,negative\nsuperb,positive\ndull,negative\n',
  );
  assert.match(await app.text('#trainer-data-error'), /the first row looks like a review, not a header/);
  assert.equal(await page.isChecked('#trainer-choose-no-header'), true);
  assert.deepEqual(await page.locator('#trainer-choose-label option').allInnerTexts(), [
    'column 1: “I loved every minute of this fil…”',
    'column 2: “positive”',
  ]);
  await page.click('#trainer-choose-apply');
  await page.waitForFunction(() => document.getElementById('trainer-counts').textContent.startsWith('no-header.csv'));
  assert.match(await app.text('#trainer-counts'), /^no-header\.csv: 4 rows — 2 classes: negative 2 · positive 2/);

  // Semicolons, as spreadsheets in many locales save "CSV".
  await upload(
    app,
    'semicolons.csv',
    'review;sentiment\n"good, really";positive\nbad;negative\nfine;positive\npoor;negative\n',
  );
  assert.match(await app.text('#trainer-counts'), /^semicolons\.csv: 4 rows — 2 classes: negative 2 · positive 2/);

  // The built-in sample loads with no upload.
  await page.click('#trainer-sample');
  await page.waitForFunction(() =>
    document.getElementById('trainer-counts').textContent.startsWith('imdb-sample.csv.gz'),
  );
  assert.match(await app.text('#trainer-counts'), /3,600 rows — 2 classes: negative 1,800 · positive 1,800/);
  assert.equal(await page.locator('#trainer-data-error').isHidden(), true);
});

browserTest(
  'fused WGSL kernels and the fused CPU LSTM, GRU and RNN match burn reference ops in this browser',
  async (app) => {
    const page = app.page;
    await page.click('#tab-trainer'); // the trainer's module loads when its tab opens
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
      timeout: 240_000,
    });
    await page.evaluate(() => globalThis.lstmLab.trainer.send({ type: 'self-test' }));
    await page.waitForFunction(() => globalThis.lstmLab.trainer.selfTest, null, { timeout: 600_000 });
    const result = await page.evaluate(() => globalThis.lstmLab.trainer.selfTest);
    assert.ok(Array.isArray(result), `self-test failed: ${JSON.stringify(result)}`);
    assert.equal(
      result.length,
      71,
      'nine recurrence cases, six heads (one output and K), four losses (binary and softmax), Adam, four embedding + LSTM cases, seven RNN and seven GRU cases; then the nine cases, six heads, three softmax losses and Adam on the CPU, and seven GRU and seven RNN cases on the CPU',
    );
    assert.equal(result.filter((c) => c.label.startsWith('RNN (WGSL)')).length, 7);
    assert.equal(result.filter((c) => c.label.startsWith('GRU (WGSL)')).length, 7);
    assert.equal(result.filter((c) => c.label.startsWith('embedding + LSTM')).length, 4);
    assert.equal(result.filter((c) => c.label.startsWith('CPU recurrence')).length, 9);
    assert.equal(result.filter((c) => c.label.startsWith('CPU head')).length, 6);
    assert.equal(result.filter((c) => /^CPU head .* O=50$/.test(c.label)).length, 1);
    assert.equal(result.filter((c) => c.label.startsWith('loss')).length, 4);
    assert.equal(result.filter((c) => c.label.startsWith('CPU loss')).length, 3);
    assert.equal(result.filter((c) => c.label.startsWith('CPU adam')).length, 1);
    assert.equal(result.filter((c) => c.label.startsWith('CPU GRU')).length, 7);
    assert.equal(result.filter((c) => c.label.startsWith('CPU RNN')).length, 7);
    for (const c of result) {
      for (const [name, error] of c.errors) {
        assert.ok(error <= 1e-4, `${c.label} ${name}: fused and reference differ by ${error}`);
      }
    }
    const worst = Math.max(...result.flatMap((c) => c.errors.map(([, e]) => e)));
    console.log(
      `fused vs reference on ${await app.text('#adapter-status')}: worst relative error ${worst.toExponential(2)} over ${result.length} cases`,
    );
  },
);
