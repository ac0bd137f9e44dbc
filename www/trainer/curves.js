// @ts-check
// The run's curves: loss and accuracy per batch, and per epoch for training and validation.

import { axes, followScheme, sizeOf, themed } from '../lib/charts.js';
import { $ } from '../lib/dom.js';
import uPlot from '../lib/uplot.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */

const HEIGHT = 240;
/**
 * No run yet: one empty point (a fresh array each time: uPlot keeps the data it is given).
 * @returns {uPlot.AlignedData}
 */
const empty = () => [[0], [null], [null], [null]];

/**
 * One chart of the run, sized to its box; `lines` are horizontal reference lines drawn as
 * series after the run's own (a constant value at every x).
 * @param {string} id
 * @param {string} yLabel
 * @param {[number, number] | null} [range]
 * @param {uPlot.Series[]} [lines]
 */
function makeChart(id, yLabel, range = null, lines = []) {
  const el = $(id);
  const chart = followScheme(
    new uPlot(
      {
        ...sizeOf(el, HEIGHT),
        scales: { x: { time: false }, y: range ? { range } : {} },
        series: [
          { label: 'epoch' },
          { label: 'per batch', stroke: themed('--series-7'), width: 1, points: { show: false } },
          { label: 'train (epoch)', stroke: themed('--series-1'), width: 2, points: { show: true, size: 8 } },
          { label: 'validation (epoch)', stroke: themed('--series-2'), width: 2, points: { show: true, size: 8 } },
          ...lines,
        ],
        axes: axes('epoch', yLabel),
        legend: { live: false },
      },
      empty(),
      el,
    ),
  );
  if (lines.length)
    chart.setData(/** @type {uPlot.AlignedData} */ ([...empty(), ...lines.map(() => /** @type {null[]} */ ([null]))]));
  new ResizeObserver(() => chart.setSize(sizeOf(el, HEIGHT))).observe(el);
  return chart;
}

/** The data check's two lines on the accuracy chart: what a learner must beat. */
const REFERENCE_LINES = [
  { label: 'bag-of-words baseline', stroke: themed('--series-3'), width: 2, dash: [8, 4], points: { show: false } },
  { label: 'majority class', stroke: themed('--series-5'), width: 1.5, dash: [3, 3], points: { show: false } },
];

/** @param {TrainerView} view */
export function makeCharts(view) {
  view.lossChart = makeChart('trainer-chart-loss', 'loss');
  view.accChart = makeChart('trainer-chart-acc', 'accuracy', [0, 1], REFERENCE_LINES);
}

/**
 * The baseline's and the majority class's accuracy (null without a check) at each of `xs`.
 * @param {TrainerView} view
 * @param {number[]} xs
 * @returns {(number | null)[][]}
 */
function referenceColumns(view, xs) {
  const c = view.dataCheck;
  return [c?.baseline.accuracy ?? null, c?.majority.accuracy ?? null].map((y) => xs.map(() => y));
}

/**
 * Both charts from the run's batches and epochs.
 * @param {TrainerView} view
 */
export function updateCharts(view) {
  // Before the first run (the data check draws its lines already) there are no batches.
  const { batches, epochs } = view.run ?? /** @type {import('./view.js').Run} */ ({ batches: [], epochs: [] });
  /**
   * @param {number} col  in `batches`: 1 loss, 2 accuracy
   * @param {'train_loss' | 'train_accuracy'} train
   * @param {'valid_loss' | 'valid_accuracy'} valid
   */
  const series = (col, train, valid) =>
    uPlot.join([
      [batches.map((b) => b[0]), batches.map((b) => b[col])],
      [epochs.map((e) => e.epoch), epochs.map((e) => e[train]), epochs.map((e) => e[valid])],
    ]);
  view.lossChart.setData(batches.length ? series(1, 'train_loss', 'valid_loss') : empty());
  // Without a run the reference lines still span the chart: two points, at epochs 0 and 1.
  const acc = batches.length
    ? series(2, 'train_accuracy', 'valid_accuracy')
    : [
        [0, 1],
        [null, null],
        [null, null],
        [null, null],
      ];
  const xs = /** @type {number[]} */ (acc[0]);
  view.accChart.setData(/** @type {uPlot.AlignedData} */ ([...acc, ...referenceColumns(view, xs)]));
}

/**
 * Redraw the curves at most once a frame: a small run on the CPU reports hundreds of batches
 * a second, and a redraw per batch (each over every point so far) left the page no time for
 * clicks (measured: Pause and Stop stopped responding).
 * @param {TrainerView} view
 */
export function scheduleCharts(view) {
  if (view.chartsPending) return;
  view.chartsPending = true;
  requestAnimationFrame(() => {
    view.chartsPending = false;
    updateCharts(view);
  });
}

/** Each compared model's colour and dash (the dash tells them apart without colour). */
const ENTRANT_STYLES = [
  { stroke: themed('--series-1') },
  { stroke: themed('--series-2'), dash: [10, 4] },
  { stroke: themed('--series-3'), dash: [4, 3] },
  { stroke: themed('--series-4'), dash: [12, 3, 3, 3] },
];

/**
 * A chart of the compared models, one series per model named after it (in its legend), in
 * `id`'s box; the box's old chart, if any, is replaced.
 * @param {string} id
 * @param {string} xLabel
 * @param {string} yLabel
 * @param {string[]} names
 * @param {{ range?: [number, number] | null, points?: boolean, existing?: uPlot | null }} [options]
 */
export function makeCompareChart(id, xLabel, yLabel, names, { range = null, points = false, existing = null } = {}) {
  const el = $(id);
  existing?.destroy();
  const chart = followScheme(
    new uPlot(
      {
        ...sizeOf(el, HEIGHT),
        scales: { x: { time: false }, y: range ? { range } : {} },
        series: [
          { label: xLabel },
          ...names.map((label, i) => ({
            label,
            ...ENTRANT_STYLES[i % ENTRANT_STYLES.length],
            width: 2,
            spanGaps: true,
            points: { show: points, size: 8 },
          })),
        ],
        axes: axes(xLabel, yLabel),
        legend: { live: false },
      },
      /** @type {uPlot.AlignedData} */ ([[0], ...names.map(() => /** @type {null[]} */ ([null]))]),
      el,
    ),
  );
  if (!el.dataset.sized) {
    el.dataset.sized = 'true';
    new ResizeObserver(() => /** @type {any} */ (el).compareChart?.setSize(sizeOf(el, HEIGHT))).observe(el);
  }
  /** @type {any} */ (el).compareChart = chart;
  return chart;
}

/**
 * Series of (x, y) pairs, one per model, on one x axis (null where a model has no point).
 * @param {[number[], number[]][]} series
 * @returns {uPlot.AlignedData}
 */
export function joinSeries(series) {
  const nonEmpty = series.map(([xs, ys]) => /** @type {(number | null)[][]} */ (xs.length ? [xs, ys] : [[0], [null]]));
  return uPlot.join(/** @type {uPlot.AlignedData[]} */ (nonEmpty));
}
