// The model in the Trainer's form (cell, readout, the LSTM's variants) and the Compare panel:
// the choice travels in the link, two models train one after another on the same data and
// settings, their curves overlay, the table counts their parameters, and the link restores it.

import assert from 'node:assert/strict';
import { browserTest, learnableReviews, uploadCsv } from './harness.mjs';

/** A small learnable CSV. */
function reviewsCsv(rows) {
  const lines = learnableReviews(rows).map((r) => `${r.text},${r.positive ? 'positive' : 'negative'}`);
  return `${['text,label', ...lines].join('\n')}\n`;
}

/** Wait until the address has taken in the page's latest change, and return it. */
async function committedLink(page) {
  await page.evaluate(() => globalThis.lstmLab.link.commit());
  return page.evaluate(() => location.href);
}

/** Open `url` in a fresh context (nothing shared with the page that made the link). */
async function openFresh(app, url) {
  const context = await app.context
    .browser()
    .newContext({ viewport: { width: 1400, height: 1000 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
  return { page, context, errors };
}

const SIZES = { vocab: 40, maxlen: 8, embed: 8, hidden: 6, batch: 20, lr: 0.05, epochs: 1, split: 0.5, seed: 2 };

browserTest(
  'the form’s model goes into the link and comes back from it',
  async (app) => {
    const page = app.page;
    await page.click('#tab-trainer');
    // The lists come from the page module: the post's first.
    const cells = await page.locator('#trainer-arch-cell option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(cells, ['lstm', 'gru', 'rnn']);
    const readouts = await page.locator('#trainer-arch-readout option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(readouts, ['pool', 'last']);
    assert.equal(await page.locator('#trainer-variants-list input').count(), 5);
    assert.equal(await page.locator('#trainer-arch-note').isVisible(), false, 'the post’s LSTM runs fused');

    await page.selectOption('#trainer-arch-cell', 'gru');
    await page.selectOption('#trainer-arch-readout', 'last');
    assert.equal(await page.locator('#trainer-variant-sigmoid-g').isDisabled(), true, 'no LSTM variants on a GRU');
    assert.equal(await page.locator('#trainer-arch-note').isVisible(), false, 'the GRU runs fused too');
    const link = await committedLink(page);
    assert.match(link, /trainer\.cell=gru/);
    assert.match(link, /trainer\.readout=last/);
    assert.doesNotMatch(link, /trainer\.variant/);

    const fresh = await openFresh(app, link);
    assert.equal(await fresh.page.inputValue('#trainer-arch-cell'), 'gru');
    assert.equal(await fresh.page.inputValue('#trainer-arch-readout'), 'last');
    await fresh.context.close();

    // An LSTM variant is a switch in the link too.
    await page.selectOption('#trainer-arch-cell', 'lstm');
    await page.check('#trainer-variant-sigmoid-g');
    assert.match(await app.text('#trainer-arch-note'), /sigmoid-g changes the cell/);
    const link2 = await committedLink(page);
    assert.match(link2, /trainer\.variant=sigmoid-g/);
    assert.doesNotMatch(link2, /trainer\.cell=/, 'the LSTM is the default');
    const again = await openFresh(app, link2);
    assert.equal(await again.page.isChecked('#trainer-variant-sigmoid-g'), true);
    assert.equal(await again.page.inputValue('#trainer-arch-readout'), 'last');
    assert.deepEqual(again.errors, []);
    await again.context.close();
  },
  { hash: '#trainer' },
);

browserTest(
  'a comparison of two models trains both, overlays their curves, counts their parameters, and its link restores it',
  async (app) => {
    const page = app.page;
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready');
    await uploadCsv(page, 'reviews.csv', reviewsCsv(60));
    for (const [k, v] of Object.entries(SIZES)) await page.fill(`#trainer-${k}`, String(v));
    await page.selectOption('#trainer-device', 'cpu');
    await page.fill('#trainer-workers', '1');
    // The default comparison: the post's LSTM against a plain RNN, both pooled; the RNN reads its last state here.
    assert.equal(await page.inputValue('#trainer-compare-cell-0'), 'lstm');
    assert.equal(await page.inputValue('#trainer-compare-cell-1'), 'rnn');
    await page.selectOption('#trainer-compare-readout-1', 'last');
    assert.equal(await page.locator('#trainer-compare-variant-1-sigmoid-g').isDisabled(), true);
    await page.click('#trainer-compare-start');
    await page.waitForFunction(
      () => /^Comparison (done|stopped)/.test(document.getElementById('trainer-compare-status').textContent),
      null,
      {
        timeout: 280_000,
      },
    );
    const status = await app.text('#trainer-compare-status');
    console.log(status);
    assert.match(status, /^Comparison done: /);
    assert.equal(await page.locator('#trainer-compare-error').isVisible(), false);

    // Both models trained one epoch with the same settings and seed, only the model differing.
    const runs = await page.evaluate(() =>
      globalThis.lstmLab.trainer.comparison.entrants.map((e) => ({
        name: e.name,
        status: e.status,
        epochs: e.run.epochs.length,
        batches: e.run.batches.length,
        parameters: e.parameters,
      })),
    );
    console.log(runs);
    assert.deepEqual(
      runs.map((r) => [r.name, r.status, r.epochs]),
      [
        ['lstm/pool', 'done', 1],
        ['rnn/last', 'done', 1],
      ],
    );
    assert.equal(runs[0].batches, runs[1].batches, 'the same batches');

    // Two series on each chart, named after the models, each with points.
    const charts = await page.evaluate(() =>
      ['trainer-compare-chart-loss', 'trainer-compare-chart-acc'].map((id) => {
        const u = document.getElementById(id).compareChart;
        return {
          labels: u.series.slice(1).map((s) => s.label),
          points: u.data.slice(1).map((ys) => ys.filter((y) => y != null).length),
        };
      }),
    );
    for (const c of charts) {
      assert.deepEqual(c.labels, ['lstm/pool', 'rnn/last']);
      assert.ok(
        c.points.every((n) => n > 0),
        `both series drawn: ${c.points}`,
      );
    }
    assert.deepEqual(charts[1].points, [1, 1], 'one validation point per model after one epoch');

    // The table: two rows, parameters as the sizes give them. The embedding's rows (the words
    // kept) are the same for both: solve them from the LSTM's count, then check the RNN's.
    assert.equal(await page.locator('#trainer-compare-table tbody tr').count(), 2);
    const params = await page
      .locator('#trainer-compare-table tbody tr')
      .evaluateAll((rows) => rows.map((r) => Number(r.dataset.parameters)));
    const { embed: E, hidden: H } = SIZES;
    const lstmCell = 4 * H * (E + H + 2);
    const rnnCell = 1 * H * (E + H + 2);
    const vocab = (params[0] - lstmCell - (2 * H + 1)) / E;
    assert.ok(Number.isInteger(vocab) && vocab > 10 && vocab <= SIZES.vocab + 2, `embedding rows ${vocab}`);
    assert.equal(params[1], vocab * E + rnnCell + (H + 1), 'the RNN with its last state: gates 1, head H + 1');
    const row = await app.text('#trainer-compare-row-1');
    assert.match(row, /^rnn\/last\s+0\.\d{4} \(epoch 1\)\s+1\s+[\d,]+\s+\d+\.\d\d$/);
    await app.screenshot('trainer-compare');
    await page.locator('#trainer-compare').screenshot({ path: 'test-artifacts/trainer-compare-panel.png' });

    // The link holds the comparison and its settings: a fresh page shows them, ready to start.
    const link = await committedLink(page);
    assert.match(link, /trainer\.compare=lstm%2Fpool%2Crnn%2Flast/);
    const fresh = await openFresh(app, link);
    await fresh.page.click('#tab-trainer');
    assert.equal(await fresh.page.inputValue('#trainer-compare-cell-1'), 'rnn');
    assert.equal(await fresh.page.inputValue('#trainer-compare-readout-1'), 'last');
    assert.equal(await fresh.page.inputValue('#trainer-compare-readout-0'), 'pool');
    assert.equal(await fresh.page.inputValue('#trainer-hidden'), String(SIZES.hidden));
    assert.equal(await fresh.page.inputValue('#trainer-epochs'), '1');
    assert.deepEqual(fresh.errors, []);
    await fresh.context.close();

    // Kept in this browser: a reload draws the comparison again (its table and both series),
    // marked as kept, with Discard.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer-compare').dataset.kept, null, {
      timeout: 240_000,
    });
    assert.equal(await page.getAttribute('#trainer-compare', 'data-kept'), 'shown');
    assert.match(
      await app.text('#trainer-compare-kept-text'),
      /^Kept comparison from (now|\d+ seconds? ago|\d+ minutes? ago) \(reviews\.csv, 1 epoch each\)\.$/,
    );
    assert.match(await app.text('#trainer-compare-status'), /^Comparison done: /);
    await page.waitForFunction(() => document.querySelectorAll('#trainer-compare-table tbody tr').length === 2);
    assert.deepEqual(
      await page
        .locator('#trainer-compare-table tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => [r.querySelector('th').textContent, r.dataset.status, r.dataset.parameters]),
        ),
      [
        ['lstm/pool', 'done', String(params[0])],
        ['rnn/last', 'done', String(params[1])],
      ],
    );
    assert.equal(await app.text('#trainer-compare-row-1'), row, 'the same row as before the reload');
    const keptCharts = await page.evaluate(() =>
      ['trainer-compare-chart-loss', 'trainer-compare-chart-acc'].map((id) => {
        const u = document.getElementById(id).compareChart;
        return {
          labels: u.series.slice(1).map((s) => s.label),
          points: u.data.slice(1).map((ys) => ys.filter((y) => y != null).length),
        };
      }),
    );
    assert.deepEqual(keptCharts, charts, 'both series, every point');
    await page.locator('#trainer-compare').screenshot({ path: 'test-artifacts/trainer-compare-kept.png' });

    // Discard forgets it: gone now, and after another reload.
    await page.click('#trainer-compare-discard');
    assert.equal(await page.locator('#trainer-compare-kept').isHidden(), true);
    assert.equal(await page.locator('#trainer-compare-table').isHidden(), true);
    await page.waitForFunction(
      async () => (await (await import('./trainer/runstore.js')).loadKept('compare:')) == null,
    );
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer-compare').dataset.kept, null, {
      timeout: 240_000,
    });
    assert.equal(await page.getAttribute('#trainer-compare', 'data-kept'), 'none');
    assert.equal(await page.locator('#trainer-compare-kept').isHidden(), true);
    assert.equal(await page.locator('#trainer-compare-table').isHidden(), true);
  },
  { timeout: 420_000 },
);

browserTest(
  'the lesson button sets the form, the sample and the four models, and its link brings them back',
  async (app) => {
    const page = app.page;
    await page.click('#tab-trainer');
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
      timeout: 240_000,
    });
    await page.click('#trainer-compare-lesson');
    const LESSON = {
      vocab: '2000',
      maxlen: '128',
      embed: '32',
      hidden: '32',
      batch: '32',
      lr: '0.003',
      epochs: '5',
      seed: '1',
    };
    const form = async (p) => {
      const out = {};
      for (const k of Object.keys(LESSON)) out[k] = await p.inputValue(`#trainer-${k}`);
      return out;
    };
    const models = (p) =>
      p
        .locator('#trainer-compare-entrants li')
        .evaluateAll((lis) =>
          lis.map((_, i) =>
            [
              document.getElementById(`trainer-compare-cell-${i}`).value,
              document.getElementById(`trainer-compare-readout-${i}`).value,
            ].join('/'),
          ),
        );
    const FOUR = ['lstm/pool', 'rnn/pool', 'lstm/last', 'rnn/last'];
    assert.deepEqual(await form(page), LESSON);
    assert.deepEqual(await models(page), FOUR);
    assert.match(await app.text('#trainer-compare-lesson-help'), /does|pool/);
    // The built-in sample, loaded as the Sample button loads it; then Start comparison is ready.
    await page.waitForFunction(() => globalThis.lstmLab.trainer.loaded?.name === 'imdb-sample.csv.gz', null, {
      timeout: 240_000,
    });
    await page.waitForFunction(() => !document.getElementById('trainer-compare-start').disabled, null, {
      timeout: 240_000,
    });
    const link = await committedLink(page);
    assert.match(link, /trainer\.compare=lstm%2Fpool%2Crnn%2Fpool%2Clstm%2Flast%2Crnn%2Flast/);
    assert.match(link, /trainer\.data=sample/);
    const fresh = await openFresh(app, link);
    await fresh.page.click('#tab-trainer');
    assert.deepEqual(await form(fresh.page), LESSON);
    assert.deepEqual(await models(fresh.page), FOUR);
    await fresh.page.waitForFunction(() => globalThis.lstmLab.trainer.loaded?.name === 'imdb-sample.csv.gz', null, {
      timeout: 240_000,
    });
    assert.deepEqual(fresh.errors, []);
    await fresh.context.close();
  },
  { hash: '#trainer', timeout: 300_000 },
);

browserTest(
  'a kept comparison interrupted mid-way shows its finished models and names the rest; a bad record is ignored',
  async (app) => {
    const page = app.page;
    const keptLook = async () => {
      await page.reload();
      await page.waitForFunction(() => document.getElementById('trainer-compare').dataset.kept, null, {
        timeout: 240_000,
      });
      return page.getAttribute('#trainer-compare', 'data-kept');
    };
    const keep = (record) =>
      page.evaluate(async (r) => {
        const store = await import('./trainer/runstore.js');
        await store.keep(store.COMPARE_KEY, r);
      }, record);
    await page.waitForFunction(() => document.getElementById('trainer-compare').dataset.kept, null, {
      timeout: 240_000,
    });
    const entrant = (name, status, accuracies) => ({
      name,
      status,
      parameters: 1000,
      epochs: accuracies.map((a, i) => ({ epoch: i + 1, valid_accuracy: a })),
      epochMs: accuracies.map(() => 1200),
      batches: accuracies.flatMap((_, i) => [
        [i + 0.5, 0.7 - 0.1 * i, 0.5],
        [i + 1, 0.65 - 0.1 * i, 0.6],
      ]),
    });
    // The page went away while the second model trained (one epoch of three done).
    await keep({
      version: 1,
      savedAt: Date.now() - 120_000,
      settings: { data: {}, train: { epochs: 3 }, engine: 'cpu', workers: 1 },
      data: 'imdb-sample.csv.gz',
      over: false,
      entrants: [
        entrant('lstm/pool', 'done', [0.6, 0.7, 0.75]),
        entrant('rnn/pool', 'training', [0.55]),
        entrant('rnn/last', 'waiting', []),
      ],
    });
    assert.equal(await keptLook(), 'shown');
    assert.equal(
      await app.text('#trainer-compare-kept-text'),
      'Kept comparison from 2 minutes ago (imdb-sample.csv.gz, 3 epochs each).',
    );
    assert.equal(
      await app.text('#trainer-compare-status'),
      'Comparison interrupted: 1 of 3 models finished; rnn/pool did not finish (training when the page went away); rnn/last not trained. Of those finished, lstm/pool reached the best validation accuracy (0.7500).',
    );
    await page.waitForFunction(() => document.querySelectorAll('#trainer-compare-table tbody tr').length === 3);
    assert.deepEqual(
      await page
        .locator('#trainer-compare-table tbody tr')
        .evaluateAll((rows) => rows.map((r) => [r.dataset.status, r.children[1].textContent])),
      [
        ['done', '0.7500 (epoch 3)'],
        ['interrupted', '0.5500 (epoch 1), did not finish'],
        ['waiting', 'not trained'],
      ],
    );
    const points = await page.evaluate(() =>
      document
        .getElementById('trainer-compare-chart-acc')
        .compareChart.data.slice(1)
        .map((ys) => ys.filter((y) => y != null).length),
    );
    assert.deepEqual(points, [3, 1, 0]);

    // Records this page cannot read are not drawn, and the page goes on.
    for (const bad of [{ version: 2, savedAt: Date.now() }, 'not a record', { version: 1, entrants: [] }]) {
      await keep(bad);
      assert.equal(await keptLook(), 'none', JSON.stringify(bad));
      assert.equal(await page.locator('#trainer-compare-kept').isHidden(), true);
    }
    assert.equal(await page.locator('#panic-banner').isVisible(), false);
  },
  { hash: '#trainer' },
);
