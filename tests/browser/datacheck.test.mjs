// The data check as a user meets it: a small file with duplicates across the split and very
// short texts gets each finding, "Drop duplicates" splits again without them, and after a tiny
// run the accuracy chart carries the bag-of-words baseline and the majority-class lines.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { browserTest, uploadCsv } from './harness.mjs';

const POSITIVE = ['great', 'wonderful', 'loved', 'brilliant', 'superb', 'moving'];
const NEGATIVE = ['awful', 'boring', 'hated', 'dreadful', 'terrible', 'dull'];
const FILLER = ['the', 'film', 'movie', 'was', 'plot', 'actors', 'and', 'it', 'a', 'story'];

/**
 * 80 distinct learnable reviews, 8 of them repeated twice more (16 copies: with a 50/50 split
 * some copies land on the other side), and 3 texts of one or two words: 99 rows.
 */
function csv() {
  let seed = 11;
  const pick = (list) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return list[seed % list.length];
  };
  const rows = [];
  for (let i = 0; i < 80; i++) {
    const positive = i % 2 === 0;
    const words = Array.from({ length: 8 }, (_, k) =>
      k % 3 === 0 ? pick(positive ? POSITIVE : NEGATIVE) : pick(FILLER),
    );
    rows.push([`${words.join(' ')} number ${i}`, positive ? 'positive' : 'negative']);
  }
  for (let copy = 0; copy < 2; copy++) for (let i = 0; i < 8; i++) rows.push(rows[i * 10]);
  rows.push(['great', 'positive'], ['awful film', 'negative'], ['', 'negative']);
  return `review,sentiment\n${rows.map(([t, l]) => `"${t}",${l}`).join('\n')}\n`;
}

/** The finding of `kind`: its level and its words. */
const finding = (page, kind) =>
  page.evaluate((k) => {
    const li = document.getElementById(`trainer-check-${k}`);
    return li ? { level: li.dataset.level, text: li.textContent } : null;
  }, kind);

/** Wait for a check whose duplicates finding satisfies `test` (a new check replaces the list). */
async function waitForCheck(page, dropped) {
  await page.waitForFunction(
    (d) => {
      const check = globalThis.lstmLab.trainer.dataCheck;
      return (
        document.getElementById('trainer-check').dataset.state === 'done' && check && check.duplicates.dropped > 0 === d
      );
    },
    dropped,
    { timeout: 60_000 },
  );
}

browserTest(
  'the data check finds duplicates and short texts, drops duplicates, and draws the baseline',
  async (app) => {
    const page = app.page;
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready');
    for (const [k, v] of Object.entries({ vocab: 60, maxlen: 6, split: 0.5, seed: 2 })) {
      await page.fill(`#trainer-${k}`, String(v));
    }
    await uploadCsv(page, 'dups.csv', csv());
    await waitForCheck(page, false);

    const check = await page.evaluate(() => globalThis.lstmLab.trainer.dataCheck);
    assert.equal(check.rows, 99);
    assert.equal(check.duplicates.copies, 16);
    assert.equal(check.duplicates.texts, 8);
    assert.ok(check.duplicates.across_split > 0, 'copies on both sides of the split');
    assert.equal(check.short_texts, 3);
    assert.ok(check.baseline.accuracy > 0.7, `the baseline learns the words (${check.baseline.accuracy})`);

    const dup = await finding(page, 'duplicates');
    assert.equal(dup.level, 'warn');
    assert.match(dup.text, /16 rows are an exact copy of an earlier row's text/);
    assert.match(
      dup.text,
      new RegExp(`${check.duplicates.across_split} validation texts? (are|is) also in the training split`),
    );
    const short = await finding(page, 'short');
    assert.equal(short.level, 'warn');
    assert.match(short.text, /3 texts have fewer than 3 words/);
    assert.match(short.text, /lines 98, 99, 100/);
    // 8 words + "number i" = 10 words (9 or 10 in the vocabulary), 6 read: most reviews are cut.
    const length = await finding(page, 'length');
    assert.equal(length.level, 'warn');
    assert.match(length.text, new RegExp(`Raise Words per review to ${check.keep_whole_length} `));
    assert.ok(check.keep_whole_length >= 9 && check.keep_whole_length <= 10, `${check.keep_whole_length}`);
    assert.match((await finding(page, 'vocabulary')).text, /outside the vocabulary of 60/);
    assert.match((await finding(page, 'balance')).text, /positive \d+ %/);
    assert.match((await finding(page, 'baseline')).text, /bag-of-words model .* scores \d+\.\d % accuracy/);
    await app.screenshot('datacheck-findings');

    // One click: split again without the copies.
    await page.click('#trainer-check-fix-duplicates');
    await waitForCheck(page, true);
    assert.equal(await page.isChecked('#trainer-drop-duplicates'), true);
    const after = await page.evaluate(() => globalThis.lstmLab.trainer.dataCheck);
    assert.equal(after.rows, 83);
    assert.deepEqual([after.duplicates.copies, after.duplicates.across_split, after.duplicates.dropped], [0, 0, 16]);
    const gone = await finding(page, 'duplicates');
    assert.equal(gone.level, 'ok');
    assert.match(gone.text, /16 duplicate rows were dropped before the split/);
    assert.equal(await page.locator('#trainer-check-fix-duplicates').count(), 0);

    // The "use length" fix fills the form and checks again.
    const keep = after.keep_whole_length;
    await page.click('#trainer-check-fix-length');
    assert.equal(await page.inputValue('#trainer-maxlen'), String(keep));
    await page.waitForFunction((n) => globalThis.lstmLab.trainer.dataCheck?.maxlen === n, keep, { timeout: 60_000 });
    assert.equal((await finding(page, 'length')).level, 'ok');

    // A tiny run: the accuracy chart carries both reference lines at the check's numbers.
    for (const [k, v] of Object.entries({ embed: 8, hidden: 8, batch: 20, lr: 0.05, epochs: 2 })) {
      await page.fill(`#trainer-${k}`, String(v));
    }
    await page.selectOption('#trainer-device', 'cpu');
    await page.click('#trainer-start');
    await page.waitForFunction(() => /^Done/.test(document.getElementById('trainer-status').textContent), null, {
      timeout: 300_000,
    });
    const chart = await page.evaluate(() => {
      const c = globalThis.lstmLab.trainer.accChart;
      return { labels: c.series.map((s) => s.label), data: c.data };
    });
    assert.deepEqual(chart.labels.slice(4), ['bag-of-words baseline', 'majority class']);
    const final = await page.evaluate(() => globalThis.lstmLab.trainer.dataCheck);
    assert.ok(chart.data[0].length > 2, 'the run is drawn');
    assert.ok(
      chart.data[4].every((y) => y === final.baseline.accuracy),
      'the baseline line is flat at its accuracy',
    );
    assert.ok(
      chart.data[5].every((y) => y === final.majority.accuracy),
      'the majority line is flat at its accuracy',
    );
    assert.match(await app.text('#trainer-chart-acc'), /bag-of-words baseline/);
    assert.match(await app.text('#trainer-chart-acc'), /majority class/);
    await app.screenshot('datacheck-chart');
  },
);

// The bench of docs/measurements.md, when asked for (DATACHECK_BENCH=1) and the IMDB file is
// there: the check + baseline on 50,000 reviews, timed in the worker.
const IMDB = process.env.IMDB_CSV ?? join(import.meta.dirname, '../../../shared/data/imdb_50k.csv.gz');
if (process.env.DATACHECK_BENCH === '1' && existsSync(IMDB)) {
  browserTest('bench: the data check on the IMDB file', async (app) => {
    const page = app.page;
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready');
    const times = [];
    for (let rep = 0; rep < 3; rep++) {
      // Forget the last check, so the wait below is for this file's.
      await page.evaluate(() => {
        globalThis.lstmLab.trainer.dataCheck = null;
      });
      await uploadCsv(page, `imdb-${rep}.csv.gz`, await readFile(IMDB));
      await waitForCheck(page, false);
      times.push(Number(/checked in ([0-9.]+) s/.exec(await app.text('#trainer-check-status'))[1]));
    }
    const check = await page.evaluate(() => globalThis.lstmLab.trainer.dataCheck);
    console.log(`IMDB in the page: ${check.rows} rows, check + baseline ${times.join(' s, ')} s`);
    console.log(check.findings.map((f) => `${f.level} ${f.text}`).join('\n'));
    await app.screenshot('datacheck-imdb');
  });
}
