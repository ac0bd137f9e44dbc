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
 * One chart of the run, sized to its box.
 * @param {string} id
 * @param {string} yLabel
 * @param {[number, number] | null} [range]
 */
function makeChart(id, yLabel, range = null) {
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
        ],
        axes: axes('epoch', yLabel),
        legend: { live: false },
      },
      empty(),
      el,
    ),
  );
  new ResizeObserver(() => chart.setSize(sizeOf(el, HEIGHT))).observe(el);
  return chart;
}

/** @param {TrainerView} view */
export function makeCharts(view) {
  view.lossChart = makeChart('trainer-chart-loss', 'loss');
  view.accChart = makeChart('trainer-chart-acc', 'accuracy', [0, 1]);
}

/**
 * Both charts from the run's batches and epochs.
 * @param {TrainerView} view
 */
export function updateCharts(view) {
  const { batches, epochs } = view.run;
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
  view.accChart.setData(batches.length ? series(2, 'train_accuracy', 'valid_accuracy') : empty());
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
