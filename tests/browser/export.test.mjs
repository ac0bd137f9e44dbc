// Exports for slides: click each Export button, catch the download, and check what is in it —
// the PNG's real size (its IHDR), the SVG's structure (parsed by the browser's DOMParser: one
// series group per series with the right number of points, axis labels, no embedded picture),
// the CSV's rows and a value at full precision against the page's own numbers.

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS, browserTest, setValue, uploadCsv } from './harness.mjs';

const DPR = 2;

/**
 * Open the export menu holding button `#id`, click it, and return the downloaded file (a copy is
 * kept in test-artifacts/exports/ to look at).
 */
async function exported(app, id) {
  const page = app.page;
  const button = page.locator(`#${id}`);
  const menu = page.locator('details.export-menu', { has: button });
  if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const bytes = await readFile(await download.path());
  await mkdir(join(ARTIFACTS, 'exports'), { recursive: true });
  await download.saveAs(join(ARTIFACTS, 'exports', download.suggestedFilename()));
  return { name: download.suggestedFilename(), bytes, text: bytes.toString('utf8') };
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The SVG as the browser parses it: series (points per series), texts, rect and image counts. */
function parseSvg(page, text) {
  return page.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    if (error) return { error: error.textContent };
    const count = (points) => points.trim().split(/\s+/).filter(Boolean).length;
    return {
      root: doc.documentElement.localName,
      title: doc.querySelector('title')?.textContent,
      width: Number(doc.documentElement.getAttribute('width')),
      height: Number(doc.documentElement.getAttribute('height')),
      series: [...doc.querySelectorAll('g.series')].map((g) => ({
        label: g.getAttribute('data-label'),
        polylines: g.querySelectorAll('polyline').length,
        points: [...g.querySelectorAll('polyline')].reduce((n, p) => n + count(p.getAttribute('points')), 0),
      })),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
      rects: doc.querySelectorAll('rect').length,
      images: doc.querySelectorAll('image, foreignObject').length,
    };
  }, text);
}

/** RFC 4180: CRLF between records, quoted fields with doubled quotes. */
function parseCsv(text) {
  assert.ok(text.endsWith('\r\n'), 'records end in CRLF');
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (quoted) {
      if (c === '"' && text[k + 1] === '"') {
        field += '"';
        k++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[k + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      k++;
    } else {
      field += c;
    }
  }
  return rows;
}

const finiteCount = (values) => values.filter((v) => v != null && Number.isFinite(v)).length;

browserTest(
  'the blow-up chart as PNG (device pixels), SVG (a polyline per series, axes, legend) and CSV (full precision)',
  async (app) => {
    const page = app.page;
    const chart = await page.evaluate(() => {
      const u = globalThis.lstmLab.blowup.chart;
      return {
        width: u.width,
        canvasWidth: u.ctx.canvas.width,
        canvasHeight: u.ctx.canvas.height,
        data: u.data,
        labels: u.series.map((s) => s.label),
      };
    });
    assert.equal(chart.canvasWidth, Math.round(chart.width * DPR), 'uPlot draws at the device pixel ratio');

    const png = await exported(app, 'export-blowup-png');
    assert.equal(png.name, 'lstm-lab-blowup.png');
    const size = pngSize(png.bytes);
    assert.equal(size.width, chart.canvasWidth, 'the PNG is as wide as the chart in device pixels');
    assert.ok(
      size.height > chart.canvasHeight + 30 * DPR,
      `title and legend above and below the chart (${size.height} px)`,
    );

    const svg = await exported(app, 'export-blowup-svg');
    assert.equal(svg.name, 'lstm-lab-blowup.svg');
    const parsed = await parseSvg(page, svg.text);
    assert.equal(parsed.error, undefined, parsed.error);
    assert.equal(parsed.root, 'svg');
    assert.equal(parsed.images, 0, 'vector, not a picture');
    assert.deepEqual(
      parsed.series.map((s) => s.label),
      chart.labels.slice(1),
    );
    parsed.series.forEach((s, k) => {
      assert.equal(s.points, finiteCount(chart.data[k + 1]), `${s.label}: one point per finite value`);
    });
    assert.equal(parsed.series[1].polylines, 1, 'the expected line is one polyline');
    for (const text of [
      'step t',
      'log10 of the norm of x',
      'log10 ‖x‖',
      'expected (scale·√n per step)',
      'float32 max 3.4e38 → Inf above',
    ]) {
      assert.ok(parsed.texts.includes(text), `the SVG says “${text}”`);
    }
    assert.match(parsed.title, /^Blow-up lab: .*n = 50, scale 1, normal, seed 1$/, 'a title with the settings');
    assert.ok(parsed.texts.filter((t) => /^-?\d+$/.test(t)).length >= 6, 'tick labels on both axes');
    assert.ok(
      parsed.texts.some((t) => /^NaN at step \d+$/.test(t)),
      'the NaN marker',
    );

    const csv = await exported(app, 'export-blowup-csv');
    const rows = parseCsv(csv.text);
    assert.deepEqual(rows[0], chart.labels);
    assert.equal(rows.length, chart.data[0].length + 1, 'a header and one row per step');
    const k = 20;
    assert.equal(rows[k + 1][1], String(chart.data[1][k]), 'full precision, not the display');
    assert.ok(rows[k + 1][1].length > 8, `many digits: ${rows[k + 1][1]}`);

    // Keyboard: the menu opens and closes without a mouse, and says what each button does.
    await page
      .locator('details.export-menu', { has: page.locator('#export-blowup-png') })
      .evaluate((d) => (d.open = false));
    await page.locator('summary[aria-label="Export the blow-up chart"]').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('#export-blowup-png', 'aria-label'), 'Download the blow-up chart as PNG');
    assert.ok(await page.locator('#export-blowup-png').isVisible());
    await app.screenshot('export-blowup-menu');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#export-blowup-png').isVisible(), false, 'Escape closes the menu');
  },
  { deviceScaleFactor: DPR },
);

browserTest(
  'the Cell stepper: diagram with inlined styles, units and weights as CSV at full precision, charts and heatmaps',
  async (app) => {
    const page = app.page;
    await page.click('#tab-stepper');
    await page.selectOption('#stepper-preset', 'reverse');
    await page.check('#stepper-compare');
    const t = await page.evaluate(() => globalThis.lstmLab.stepper.run.encoded.tokens.indexOf('terrible') + 1);
    await setValue(page, '#stepper-t', t);

    // The diagram: the live SVG with its styles resolved, so it stands alone.
    const svg = await exported(app, 'export-stepper-diagram-svg');
    assert.equal(svg.name, `lstm-lab-stepper-diagram-t${t}-unit1.svg`);
    const diagram = await parseSvg(page, svg.text);
    assert.equal(diagram.error, undefined, diagram.error);
    assert.equal(diagram.images, 0);
    assert.ok(!/class=|var\(--/.test(svg.text), 'no classes or CSS variables left to resolve');
    assert.match(svg.text, /fill: rgb\(/, 'colours written in');
    const c = await app.text('#stepper-value-c-0');
    assert.ok(diagram.texts.includes(`c(t) = ${c}`), `the diagram's c(t) = ${c}`);
    assert.ok(diagram.title.startsWith(`Cell stepper: step ${t} “terrible”, unit 1`), 'titled with the step');
    const png = await exported(app, 'export-stepper-diagram-png');
    assert.deepEqual(pngSize(png.bytes), { width: diagram.width * DPR, height: diagram.height * DPR });

    // Every unit at this step, at full precision.
    const units = await exported(app, 'export-stepper-units-csv');
    assert.equal(units.name, `lstm-lab-stepper-units-t${t}.csv`);
    const rows = parseCsv(units.text);
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['quantity', 'i', 'f', 'g', 'o', 'c', 'h'],
    );
    const step = await page.evaluate((t) => globalThis.lstmLab.stepper.run.steps[t - 1], t);
    assert.equal(rows[5][1], String(step.c[0]));
    assert.equal(Number(rows[5][1]).toFixed(3), c, 'the same number the table shows');
    assert.equal(rows[3][1], String(step.act.g[0]));

    // The cell-state chart with the post's cell beside it: two series, a point per step.
    const T = await page.evaluate(() => globalThis.lstmLab.stepper.run.steps.length);
    const chart = await parseSvg(page, (await exported(app, 'export-stepper-c-svg')).text);
    assert.deepEqual(
      chart.series.map((s) => [s.label, s.points]),
      [
        ['c1', T],
        ['c1 (post)', T],
      ],
    );
    assert.ok(chart.texts.includes('step t') && chart.texts.includes('c'), 'axis labels');

    // Weights: a row per gate·unit, the columns W·x, U·h, b.
    const weights = parseCsv((await exported(app, 'export-stepper-weights-csv')).text);
    assert.deepEqual(weights[0], ['row', 'W_x1', 'W_x2', 'U_h1', 'b']);
    assert.deepEqual(weights.map((r) => r[0]).slice(1), ['i1', 'f1', 'g1', 'o1']);
    assert.equal(
      Number(weights[3][2]),
      Number(await page.inputValue('#stepper-weight-g-0-1')),
      'g reads the sign feature',
    );
    const start = parseCsv((await exported(app, 'export-stepper-start-csv')).text);
    assert.deepEqual(start, [
      ['state', 'unit 1'],
      ['h0', '0'],
      ['c0', '0'],
    ]);
    // A table, not a heatmap: no PNG or SVG of it.
    await page
      .locator('details.export-menu', { has: page.locator('#export-stepper-units-csv') })
      .locator('summary')
      .click();
    assert.equal(await page.locator('#export-stepper-units-png').isVisible(), false);

    // Gradient flow: three curves, one point per step.
    await page.waitForFunction(() => document.getElementById('stepper').dataset.gradflowBusy === 'false');
    const flow = await parseSvg(page, (await exported(app, 'export-gradflow-svg')).text);
    const data = await page.evaluate(() => globalThis.lstmLab.gradflow.chart.data);
    assert.deepEqual(
      flow.series.map((s) => s.points),
      data.slice(1).map(finiteCount),
    );
    assert.ok(flow.texts.includes('gradient norm (log scale)'));
    assert.ok(
      flow.texts.some((s) => /^1e-?\d+$/.test(s)),
      'powers of ten on the log axis',
    );

    // Large sizes: heatmaps, exported as one <rect> per cell.
    await page.fill('#stepper-hidden-size', '20');
    await page.locator('#stepper-hidden-size').dispatchEvent('change');
    await page.waitForFunction(() => document.querySelectorAll('#stepper-values canvas.heatmap').length === 1);
    const heat = await parseSvg(page, (await exported(app, 'export-stepper-units-svg')).text);
    assert.equal(heat.rects, 1 + 6 * 20 + 3, 'background, 6 × 20 cells, the colour scale');
    const heatPng = pngSize((await exported(app, 'export-stepper-units-png')).bytes);
    const canvas = await page.evaluate(() => {
      const c = document.querySelector('#stepper-values canvas.heatmap');
      return { width: c.width, height: c.height };
    });
    // The title may be wider than a small map; the map itself is drawn at the device pixel ratio.
    assert.ok(
      heatPng.width >= canvas.width * DPR && heatPng.height >= (canvas.height + 36) * DPR,
      JSON.stringify({ heatPng, canvas }),
    );
    const weightHeat = await parseSvg(page, (await exported(app, 'export-stepper-weights-svg')).text);
    assert.equal(weightHeat.rects, 1 + 4 * 20 * (2 + 20 + 1) + 3);
    const weightRows = parseCsv((await exported(app, 'export-stepper-weights-csv')).text);
    assert.equal(weightRows.length, 1 + 4 * 20);
    await app.screenshot('export-stepper-large');
  },
  { deviceScaleFactor: DPR },
);

browserTest('Inside the model: the heatmap as PNG, SVG (a rect per cell) and CSV', async (app) => {
  const page = app.page;
  await page.click('#tab-inside');
  await page.click('#inside-pretrained');
  await page.waitForFunction(() => document.body.dataset.insideReady, null, { timeout: 120_000 });
  await page.check('input[name="inside-q"][value="c"]');
  const x = await page.evaluate(() => {
    const v = globalThis.lstmLab.inside;
    return {
      steps: v.result.inspection.steps,
      hidden: v.result.inspection.hidden,
      order: v.order,
      c: v.result.inspection.trace.c,
      width: document.getElementById('inside-heatmap').width,
    };
  });
  const png = await exported(app, 'export-inside-heatmap-png');
  assert.equal(png.name, 'lstm-lab-inside-heatmap-c.png');
  assert.equal(pngSize(png.bytes).width, x.width, 'device pixel ratio 1 here');
  const svg = await parseSvg(page, (await exported(app, 'export-inside-heatmap-svg')).text);
  assert.equal(svg.error, undefined, svg.error);
  assert.ok(svg.rects >= x.hidden * x.steps, `a rect per cell (${svg.rects})`);
  assert.ok(svg.title.startsWith('Inside the model: cell state c'), svg.title);
  const rows = parseCsv((await exported(app, 'export-inside-heatmap-csv')).text);
  assert.equal(rows.length, 1 + x.hidden);
  assert.equal(rows[0].length, 2 + x.steps);
  const unit = x.order[0];
  assert.equal(rows[1][0], String(unit + 1), 'the units in the heatmap’s order');
  const t = x.steps - 1;
  assert.equal(rows[1][2 + t], String(x.c[t * x.hidden + unit]));
  await page.locator('#inside-heatmap-card').scrollIntoViewIfNeeded();
  await app.screenshot('export-inside-menu');
});

browserTest('the Trainer: data preview and epochs as CSV, the loss curve as SVG', async (app) => {
  const page = app.page;
  await page.click('#tab-trainer');
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready');
  // Texts with a comma, a quote and a line break: RFC 4180 quoting has to carry them.
  const lines = ['review,sentiment'];
  for (let i = 0; i < 60; i++) {
    const good = i % 2 === 0;
    lines.push(
      `"${good ? 'great, “fine”' : 'awful ""bad""'} film ${i}${i === 1 ? '\nsecond line' : ''}",${good ? 'positive' : 'negative'}`,
    );
  }
  await uploadCsv(page, 'tiny.csv', `${lines.join('\r\n')}\r\n`);

  const preview = await exported(app, 'export-trainer-preview-csv');
  const rows = parseCsv(preview.text);
  const sample = await page.evaluate(() => globalThis.lstmLab.trainer.preview.sample);
  assert.deepEqual(rows[0], ['line', 'review', 'sentiment']);
  assert.deepEqual(
    rows.slice(1),
    sample.map((r) => [String(r.line), r.text, r.label]),
  );
  assert.ok(
    rows.slice(1).some((r) => r[1].includes('"bad"')),
    'a quote survives',
  );
  assert.match(preview.text, /"great, “fine” film 0"/, 'a field with a comma is quoted');

  assert.equal(
    await page.locator('#export-trainer-epochs-csv').locator('xpath=ancestor::div[@class="export-bar"]').isVisible(),
    false,
    'no epochs yet',
  );
  const settings = { vocab: 20, maxlen: 6, embed: 4, hidden: 4, batch: 15, lr: 0.05, epochs: 2, split: 0.5, seed: 3 };
  for (const [k, v] of Object.entries(settings)) await page.fill(`#trainer-${k}`, String(v));
  await page.selectOption('#trainer-device', 'cpu');
  await page.fill('#trainer-workers', '1');
  await page.click('#trainer-start');
  // A run this small may be over before a poll sees it running: wait for its last epoch.
  await page.waitForFunction(
    (n) =>
      document.getElementById(`trainer-epoch-${n}`) && document.getElementById('trainer').dataset.state === 'ready',
    settings.epochs,
    { timeout: 300_000 },
  );

  const epochs = parseCsv((await exported(app, 'export-trainer-epochs-csv')).text);
  const reports = await page.evaluate(() => globalThis.lstmLab.trainer.run.epochs);
  assert.deepEqual(epochs[0], [
    'epoch',
    'best',
    'train_loss',
    'train_accuracy',
    'valid_loss',
    'valid_accuracy',
    'valid_macro_f1',
    'seconds',
  ]);
  assert.equal(epochs[2][6], String(reports[1].valid_macro_f1), 'the macro-F1 at full precision');
  assert.equal(epochs.length, 1 + settings.epochs);
  assert.equal(epochs[2][4], String(reports[1].valid_loss), 'full precision');
  assert.equal(
    Number(epochs[2][4]).toFixed(4),
    await app.text('#trainer-epoch-2 td:nth-child(4)'),
    'the number the table shows',
  );

  const loss = await parseSvg(page, (await exported(app, 'export-trainer-loss-svg')).text);
  const data = await page.evaluate(() => globalThis.lstmLab.trainer.lossChart.data);
  assert.deepEqual(
    loss.series.map((s) => s.label),
    ['per batch', 'train (epoch)', 'validation (epoch)'],
  );
  assert.deepEqual(
    loss.series.map((s) => s.points),
    data.slice(1).map(finiteCount),
  );
  assert.equal(loss.series[2].points, settings.epochs);
  assert.ok(loss.texts.includes('epoch') && loss.texts.includes('loss'));
  const png = pngSize((await exported(app, 'export-trainer-accuracy-png')).bytes);
  assert.equal(png.width, await page.evaluate(() => globalThis.lstmLab.trainer.accChart.ctx.canvas.width));
});
