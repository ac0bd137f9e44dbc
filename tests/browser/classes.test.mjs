// The Trainer and Inside the model on data of 2 to 100 classes, as a user with their own file
// meets them: the Classes panel (fold case, merge, rename, drop, the positive class), a rare
// class refused until it is dropped, a tiny K-class run with its per-class table and confusion
// matrix, a cell's texts opened in Inside, the top classes of a prediction, a K-class PyTorch
// round trip, and axe on what appeared. Files are made here, small (SwiftShader is slow).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { browserTest, uploadCsv } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the whole document (hidden tabs are skipped); fail on any violation. */
async function axe(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      rule: v.id,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
  assert.deepEqual(violations, [], `axe, ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

const FILLER = ['the', 'film', 'was', 'plot', 'and', 'it', 'a', 'story'];

/**
 * A learnable CSV: each class has its own marker words among filler. `classes`: [label, rows]
 * in the order rows are written (round-robin, so every class is spread over the file).
 * @param {[string, number][]} classes
 * @param {{ extra?: string[] }} [options]  lines appended as they are
 */
function classesCsv(classes, { extra = [] } = {}) {
  let seed = 11;
  const pick = (list) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return list[seed % list.length];
  };
  const left = new Map(classes);
  const lines = ['text,label'];
  while ([...left.values()].some((n) => n > 0)) {
    for (const [label, n] of left) {
      if (n === 0) continue;
      left.set(label, n - 1);
      const marker = [`${label}x`, `w${label}`, `${label}y`];
      const words = Array.from({ length: 6 }, (_, k) => (k % 2 === 0 ? pick(marker) : pick(FILLER)));
      lines.push(`"${words.join(' ')}",${label}`);
    }
  }
  return `${[...lines, ...extra].join('\n')}\n`;
}

const TINY = { vocab: 40, maxlen: 6, embed: 8, hidden: 8, batch: 16, lr: 0.05, epochs: 6, split: 0.6, seed: 3 };

const counts = (app) => app.text('#trainer-counts');

/** Wait for the counts line to match `pattern` (after a relabel). */
async function countsMatch(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.getElementById('trainer-counts').textContent),
    pattern.source,
  );
}

async function openTrainer(page) {
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
    timeout: 240_000,
  });
}

browserTest('three classes: a rare one dropped, trained, the matrix, a cell in Inside, top classes', async (app) => {
  const page = app.page;
  await openTrainer(page);
  // 30 rows of each class, one "meh" (line 92) and two rows with an empty label.
  const csv = classesCsv(
    [
      ['neg', 30],
      ['neutral', 30],
      ['pos', 30],
    ],
    { extra: ['"wmeh a film",meh', '"no label here",', '"nor here",  '] },
  );
  await uploadCsv(page, 'three.csv', csv);
  assert.match(
    await counts(app),
    /^three\.csv: 91 rows — 4 classes: meh 1 · neg 30 · neutral 30 · pos 30; 2 rows with an empty label skipped \(/,
  );
  assert.match(
    await app.text('#trainer-classes-problem'),
    /^Cannot train yet: only 1 row of class “meh” \(line 92\); .*merge it into another class or drop it\.$/,
  );
  assert.equal(await page.isDisabled('#trainer-start'), true, 'Start waits for the problem to be fixed');
  assert.equal(await page.locator('#trainer-values-table tbody tr').count(), 4);
  assert.equal(await page.locator('#trainer-class-positive-0').count(), 0, 'no positive class among 4');

  await page.click('#trainer-class-train-0'); // meh (click once: the table is redrawn after the change)
  await countsMatch(page, /91 rows — 3 classes: neg 30 · neutral 30 · pos 30; 1 row of dropped classes left out/);
  assert.equal(await page.isHidden('#trainer-classes-problem'), true);
  assert.match(await app.text('#trainer-classes-table'), /meh\s+1/, 'the dropped class is still listed');
  assert.equal(await page.isChecked('#trainer-class-train-3'), false);
  await app.screenshot('classes-panel');

  for (const [k, v] of Object.entries(TINY)) await page.fill(`#trainer-${k}`, String(v));
  await page.selectOption('#trainer-device', 'cpu');
  await page.fill('#trainer-workers', '2'); // the replicas' validation shards carry `predicted`
  assert.equal(await page.isEnabled('#trainer-start'), true);
  await page.click('#trainer-start');
  await page.waitForFunction(() => /^Done/.test(document.getElementById('trainer-status').textContent), null, {
    timeout: 300_000,
  });
  const status = await app.text('#trainer-status');
  console.log(status);
  assert.equal(await app.text('#trainer-loss-title'), 'Loss (cross-entropy)');
  const rows = await page.locator('#trainer-epochs-table tbody tr').allInnerTexts();
  assert.equal(rows.length, TINY.epochs);
  const f1 = Number(rows.at(-1).split('\t')[5]);
  assert.ok(f1 > 0.5 && f1 <= 1, `a macro-F1 per epoch (last ${f1})`);
  const perClass = await page.locator('#trainer-per-class tbody tr').allInnerTexts();
  assert.deepEqual(
    perClass.map((r) => r.split('\t')[0]),
    ['neg', 'neutral', 'pos'],
  );
  const support = perClass.map((r) => Number(r.split('\t')[4]));
  for (const s of support) assert.ok(s >= 10 && s <= 14, `a stratified 60/40 split: about 12 of each (${support})`);
  assert.equal(await page.locator('#trainer-confusion button').count(), 9);
  const cells = await page.evaluate(() =>
    [...document.querySelectorAll('#trainer-confusion button')].map((b) => Number(b.textContent)),
  );
  assert.equal(
    cells.reduce((a, b) => a + b, 0),
    support.reduce((a, b) => a + b, 0),
    'the matrix counts every validation row once',
  );
  await page.check('#trainer-confusion-normalise');
  const shares = await page.evaluate(() =>
    [...document.querySelectorAll('#trainer-confusion tbody tr')].map((tr) =>
      [...tr.querySelectorAll('button')].reduce((a, b) => a + Number(b.textContent), 0),
    ),
  );
  for (const s of shares) assert.ok(Math.abs(s - 1) < 0.02, `each row adds up to 1 (${shares})`);
  await app.screenshot('classes-trained');
  await axe(page, 'the Trainer after a 3-class run');

  // A cell: the neg rows the model got right, then one of them inside the model.
  const before = await page.evaluate(() => Number(document.getElementById('trainer').dataset.revision));
  await page.click('#trainer-confusion-0-0');
  await page.waitForFunction(
    (rev) =>
      Number(document.getElementById('trainer').dataset.revision) > rev &&
      document.querySelectorAll('#trainer-cell-rows li').length > 0,
    before,
  );
  assert.match(await app.text('#trainer-cell-title'), /neg rows the model got right:$/);
  const listed = await page.locator('#trainer-cell-rows li').count();
  assert.equal(listed, cells[0], 'every text of the cell is listed');
  assert.match(await page.locator('#trainer-cell-rows li').first().innerText(), /line \d+ .*neg/);
  await page.locator('#trainer-cell-rows .trainer-cell-inside').first().click();
  await page.waitForFunction(
    () =>
      document.body.dataset.insideModel === 'the model from the Trainer tab' &&
      !document.getElementById('inside').hidden &&
      document.getElementById('inside-verdict').textContent.includes('truly'),
  );
  assert.match(await page.inputValue('#inside-text'), /neg/);
  assert.match(
    await app.text('#inside-verdict'),
    /^(neg|neutral|pos) · P\(\1\) = [01]\.\d{4} · the shares below are of \1's logit .* · truly neg/,
  );
  assert.equal(await page.isVisible('#inside-class'), true, 'a class chooser for 3 classes');
  let ready = await page.evaluate(() => document.body.dataset.insideReady);
  await page.selectOption('#inside-class', '2');
  await page.waitForFunction((b) => document.body.dataset.insideReady !== b, ready);
  assert.match(await app.text('#inside-verdict'), /the shares below are of pos's logit/);
  const sum = Number(await page.locator('#inside-sum').getAttribute('data-sum'));
  const logit = Number(await page.locator('#inside-sum').getAttribute('data-logit'));
  assert.ok(Math.abs(sum - logit) < 1e-9, `pos's logit split exactly: ${sum} vs ${logit}`);
  await page.selectOption('#inside-example-kind', 'confident');
  assert.match(
    await page.locator('#inside-example option').nth(1).innerText(),
    /^(neg|neutral|pos) \(P\(\1\) [01]\.\d{3}\), truly (neg|neutral|pos): /,
  );
  await app.screenshot('classes-inside');
  await axe(page, 'Inside with a 3-class model');

  // Gate surgery on the model trained here: its accuracy on the validation reviews the Trainer
  // handed over with it. Unedited, the f64 scorer gets exactly the rows the trained model got
  // right in the confusion matrix (burn's f32 model); a unit off moves the count or not.
  await page.selectOption('#inside-surgery-gate', 'off');
  await page.fill('#inside-surgery-unit', '1');
  await page.click('#inside-surgery-add');
  await page.waitForFunction(() => document.getElementById('inside-surgery').dataset.accuracyReady, null, {
    timeout: 60_000,
  });
  const total = cells.reduce((a, b) => a + b, 0);
  const diagonal = cells[0] + cells[4] + cells[8];
  const surgery = await page.evaluate(() => ({ ...document.getElementById('inside-surgery').dataset }));
  assert.equal(Math.round(Number(surgery.unedited) * total), diagonal, 'the unedited count is the matrix diagonal');
  assert.ok(Number(surgery.edited) >= 0 && Number(surgery.edited) <= 1);
  assert.match(surgery.scoredBy, /^in [1-4] workers?$/);
  assert.match(
    await app.text('#inside-surgery-accuracy'),
    new RegExp(`^Accuracy on ${total} validation reviews: \\d+\\.\\d % edited, \\d+\\.\\d % as trained`),
  );
  await page.click('#inside-surgery-reset');

  // A K-class model to PyTorch and back: three files, the same logit.
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await page.click('#inside-export-torch');
  while (downloads.length < 3) await new Promise((r) => setTimeout(r, 50));
  const files = await Promise.all(
    downloads.map(async (d) => ({
      name: d.suggestedFilename(),
      mimeType: 'application/octet-stream',
      buffer: await readFile(await d.path()),
    })),
  );
  assert.deepEqual(files.map((f) => f.name).sort(), ['labels.json', 'model.safetensors', 'vocab.json']);
  assert.deepEqual(JSON.parse(files.find((f) => f.name === 'labels.json').buffer.toString()), [
    'neg',
    'neutral',
    'pos',
  ]);
  ready = await page.evaluate(() => document.body.dataset.insideReady);
  await page.setInputFiles('#inside-torch', files);
  await page.waitForFunction((b) => document.body.dataset.insideReady !== b, ready);
  assert.match(await app.text('#inside-model-status'), /model\.safetensors \+ vocab\.json \+ labels\.json/);
  await page.selectOption('#inside-class', '2');
  await page.waitForFunction(() => /pos's logit/.test(document.getElementById('inside-verdict').textContent));
  assert.equal(Number(await page.locator('#inside-sum').getAttribute('data-logit')), logit, 'the same model back');

  // Predict: the top classes as bars.
  await page.click('#tab-trainer');
  await page.fill('#trainer-predict-text', 'wpos posx the film posy');
  await page.click('#trainer-predict');
  await page.locator('#trainer-top-classes li').first().waitFor();
  assert.equal(await page.locator('#trainer-top-classes li').count(), 3);
  assert.equal(await app.text('#trainer-label'), 'pos');
  assert.match(await page.locator('#trainer-top-classes li').first().innerText(), /^pos\s+\d+\.\d %$/);
  await app.screenshot('classes-predict');
});

browserTest('stars, fifty classes and unbalanced pairs: merge, rename, positive, long lists', async (app) => {
  const page = app.page;
  await openTrainer(page);

  // Five numeric star ratings sort as numbers; typing a class merges, a new name renames.
  const stars = classesCsv([1, 2, 3, 4, 5, 10].map((s) => [String(s), 4]));
  await uploadCsv(page, 'stars.csv', stars);
  assert.match(await counts(app), /^stars\.csv: 24 rows — 6 classes: 1 4 · 2 4 · 3 4 · 4 4 · 5 4 · 10 4 \(/);
  await page.fill('#trainer-value-class-5', '5'); // the "10" value into class 5
  await page.press('#trainer-value-class-5', 'Enter');
  await countsMatch(page, /24 rows — 5 classes: 1 4 · 2 4 · 3 4 · 4 4 · 5 8$/);
  await page.fill('#trainer-value-class-0', 'one star'); // rename "1"
  await page.press('#trainer-value-class-0', 'Enter');
  await countsMatch(page, /— 5 classes: 2 4 · 3 4 · 4 4 · 5 8 · one star 4$/);
  assert.equal(await page.inputValue('#trainer-value-class-0'), 'one star');
  assert.deepEqual(await page.evaluate(() => globalThis.lstmLab.trainer.preview.choice.merge), [
    ['10', '5'],
    ['1', 'one star'],
  ]);
  // An empty name changes nothing.
  await page.fill('#trainer-value-class-1', '  ');
  await page.press('#trainer-value-class-1', 'Enter');
  assert.equal(await page.inputValue('#trainer-value-class-1'), '2');

  // Case folded: "Spam" and "spam" are one class; a pair puts the rarer class second (its P shown).
  const pair = classesCsv([
    ['ham', 45],
    ['spam', 3],
    ['Spam', 2],
  ]);
  await uploadCsv(page, 'spam.csv', pair);
  assert.match(await counts(app), /^spam\.csv: 50 rows — 3 classes: ham 45 · Spam 2 · spam 3 \(/);
  await page.check('#trainer-fold-case');
  await countsMatch(page, /50 rows — 2 classes: ham 45 · spam 5$/);
  assert.equal(await page.isChecked('#trainer-class-positive-1'), true, 'spam, the rarer, is positive');
  await page.click('#trainer-class-positive-0');
  await countsMatch(page, /— 2 classes: spam 5 · ham 45$/);
  assert.equal(await page.isChecked('#trainer-class-positive-1'), true, 'ham is now second: its P is shown');

  // One class left, or too few rows: loaded, with what to do; Start refused.
  await uploadCsv(page, 'one-class.csv', 'review,sentiment\na,positive\nb,positive\nc,positive\nd,positive\n');
  assert.match(
    await app.text('#trainer-classes-problem'),
    /every row is of class “positive”; training needs at least two classes/,
  );
  assert.equal(await page.isDisabled('#trainer-start'), true);
  await uploadCsv(page, 'tiny.csv', 'review,sentiment\na,positive\nb,negative\n');
  assert.match(await app.text('#trainer-classes-problem'), /only 1 row of class “negative” \(line 3\)/);
  assert.equal(await page.isDisabled('#trainer-start'), true);

  // Fifty classes: the panel lists them all in boxes that scroll, not down the page.
  const fifty = classesCsv(Array.from({ length: 50 }, (_, k) => [`topic${String(k).padStart(2, '0')}`, 3]));
  await uploadCsv(page, 'fifty.csv', fifty);
  assert.match(await counts(app), /^fifty\.csv: 150 rows — 50 classes: topic00 3 · topic01 3 · /);
  assert.equal(await page.isHidden('#trainer-classes-problem'), true);
  assert.equal(await page.locator('#trainer-values-table tbody tr').count(), 50);
  assert.equal(await page.locator('#trainer-class-names option').count(), 50);
  const box = await page.locator('#trainer-values-table').locator('xpath=..').boundingBox();
  assert.ok(box.height < 400, `the values' box scrolls (height ${box.height})`);
  await app.screenshot('classes-fifty');
  await axe(page, 'the Classes panel with 50 classes');
});
