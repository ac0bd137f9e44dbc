// Big or odd files, made here at run time (issue 24): a small gzip of tiny rows, a header of
// 300,000 columns with and without review/sentiment, a model whose header declares huge shapes.
// Each ends in a specific message within 5 s of the upload, the page responsive and the earlier
// data or model kept.

import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { browserTest, uploadCsv } from './harness.mjs';

async function openTrainerWithSample(page) {
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
    timeout: 240_000,
  });
  await page.click('#trainer-sample');
  await page.waitForFunction(
    () => /^imdb-sample\.csv\.gz: 3,600 rows/.test(document.getElementById('trainer-counts').textContent),
    null,
    { timeout: 120_000 },
  );
}

/** Upload `content` as `name`; the error it ends in, and the milliseconds it took. */
async function refused(page, name, content) {
  const started = Date.now();
  await uploadCsv(page, name, content);
  const ms = Date.now() - started;
  const error = await page.locator('#trainer-data-error').innerText();
  // The earlier data is still the one loaded, and the page answers.
  assert.match(await page.locator('#trainer-counts').innerText(), /^imdb-sample\.csv\.gz: 3,600 rows/);
  assert.equal(await page.locator('#trainer-start').isDisabled(), false);
  return { error, ms };
}

const header = (columns, extra) => `${Array.from({ length: columns }, (_, i) => `c${i}`).join(',')}${extra}\n`;

browserTest(
  'huge or odd CSVs end in a message naming the limit within 5 s, the sample kept',
  async (app) => {
    const page = app.page;
    await openTrainerWithSample(page);

    // 3.5 million rows of four bytes: 14 MB unpacked, a 30 kB gzip.
    const tiny = gzipSync(Buffer.from(`review,sentiment\n${'a,1\n'.repeat(3_500_000)}`));
    console.log(`tiny rows: ${tiny.length} bytes gzipped`);
    const rows = await refused(page, 'tiny-rows.csv.gz', tiny);
    assert.equal(
      rows.error,
      "tiny-rows.csv.gz: line 3400002: the file has more than 3,400,000 rows, the most the trainer's memory holds; use a smaller part of it. The previous data is still loaded.",
    );
    console.log(`tiny rows refused in ${rows.ms} ms`);
    assert.ok(rows.ms < 5_000, `${rows.ms} ms`);

    for (const [name, extra] of [
      ['wide.csv', ''],
      ['wide-with-names.csv', ',review,sentiment'],
    ]) {
      const csv = `${header(300_000, extra)}${'x,'.repeat(300_000)}${extra ? 'fine,positive' : 'y'}\n`;
      const wide = await refused(page, name, csv);
      const columns = (300_000 + (extra ? 2 : 0)).toLocaleString('en');
      assert.equal(
        wide.error,
        `${name}: the first row has ${columns} columns, more than the 16,384 a spreadsheet holds; save only the review and label columns. The previous data is still loaded.`,
      );
      assert.equal(await page.locator('#trainer-column-chooser').isHidden(), true);
      console.log(`${name} refused in ${wide.ms} ms`);
      assert.ok(wide.ms < 5_000, `${wide.ms} ms`);
    }
    await app.screenshot('hostile-inputs-wide-header');
  },
  { noWebGpu: true },
);

/** A `.lstmlab` whose header declares a 65,536 × 1,024 embedding in a file of a few hundred bytes. */
function hugeModel() {
  const tensors = [
    ['embedding.weight', [65_536, 1_024]],
    ['lstm.weight_ih', [4_096, 1_024]],
  ];
  const json = Buffer.from(
    JSON.stringify({ model: { vocab: 65_536, embed: 1_024, hidden: 1_024 }, words: [], tensors }),
  );
  const head = Buffer.alloc(16);
  head.write('LSTMLAB\0', 0, 'latin1');
  head.writeUInt32LE(1, 8);
  head.writeUInt32LE(json.length, 12);
  return Buffer.concat([head, json, Buffer.alloc(64)]);
}

browserTest(
  'a model whose header declares huge shapes is refused from its header, the model shown kept',
  async (app) => {
    const page = app.page;
    await page.waitForFunction(() => document.body.dataset.insideModel, null, { timeout: 120_000 });
    const [model, before] = await page.evaluate(() => [
      document.body.dataset.insideModel,
      document.body.dataset.insideReady,
    ]);
    const started = Date.now();
    await page.setInputFiles('#inside-file', {
      name: 'huge.lstmlab',
      mimeType: 'application/octet-stream',
      buffer: hugeModel(),
    });
    await page.waitForSelector('#inside-model-error:not([hidden])', { timeout: 5_000 });
    const ms = Date.now() - started;
    assert.match(
      await page.locator('#inside-model-error').innerText(),
      /^huge\.lstmlab: its header declares weights for a file of 285\.2 MB, but the file holds \d+ bytes: it is cut short or not what it says\. The model shown is kept\.$/,
    );
    assert.ok(ms < 5_000, `${ms} ms`);
    assert.equal(await page.evaluate(() => document.body.dataset.insideModel), model, 'the model shown is kept');
    assert.equal(await page.evaluate(() => document.body.dataset.insideReady), before);
    // Still answering: a review runs through the model shown.
    await page.fill('#inside-text', 'a wonderful film');
    await page.click('#inside-run');
    await page.waitForFunction((b) => document.body.dataset.insideReady !== b, before, { timeout: 5_000 });
    await app.screenshot('hostile-inputs-huge-model');
  },
  { hash: '?inside.model=pretrained#inside' },
);
