// @ts-check
// What the Cell stepper exports: its three charts over time (with the step marked), the cell
// diagram, every unit at this step (a table, or a heatmap above 16 units), the weights (a table
// or a heatmap) and the start state.

import { heatColor } from '../lib/colors.js';
import { $, cssVar } from '../lib/dom.js';
import { weightColumns, weightRows } from './weights.js';

/** @typedef {import('./view.js').StepperView} View */

/** @typedef {import('../export/menu.js').Exportable} Exportable */

/**
 * @param {View} view
 * @returns {Exportable[]}
 */
export function stepperExportables(view) {
  const preset = () => $('stepper-preset').selectedOptions[0]?.textContent ?? '';
  const token = () => view.run.encoded.tokens[view.t - 1];
  /** @type {import('../export/svg.js').Decorate} */
  const cursor = (d) => {
    const x = d.x(view.t);
    return [d.line(x, d.plot.top, x, d.plot.top + d.plot.height, { stroke: cssVar('--focus'), width: 2 })];
  };
  /** A chart's heading as the page shows it (a GRU's and a plain RNN's differ from the LSTM's). @param {string} id */
  const heading = (id) => $(id).parentElement?.querySelector('h4')?.textContent ?? '';
  /** @type {[ 'c' | 'h' | 'gates', string, () => string][]} */
  const charts = [
    ['c', 'the cell-state chart', () => (view.cells.active ? heading('stepper-chart-c') : 'Cell state c per unit')],
    ['h', 'the hidden-state chart', () => 'Hidden state h per unit'],
    ['gates', 'the gates chart', () => `Gates of unit ${view.unit + 1}`],
  ];
  const heatScale = /** @type {[number, string][]} */ ([
    [-1, '−1'],
    [0, '0'],
    [1, '+1'],
  ]);
  const heatFooter = 'blue −1 · white 0 · red +1 (clamped)';
  const values = $('stepper-values');
  const weights = $('stepper-weights');
  /** @param {HTMLElement} box */
  const canvasIn = (box) => /** @type {HTMLCanvasElement | null} */ (box.querySelector('canvas.heatmap'));
  const unitsTitle = () => `Cell stepper: every unit at step ${view.t} “${token()}” — ${preset()}`;
  const weightsTitle = () => `Cell stepper: every weight (rows gate·unit; columns W | U | b) — ${preset()}`;
  /** @param {number} n */
  const unitHeader = (n) => Array.from({ length: n }, (_, k) => `unit ${k + 1}`);
  return [
    ...charts.map(([key, what, heading]) => ({
      id: `stepper-${key}`,
      what,
      at: $(`stepper-chart-${key}`),
      title: () => `Cell stepper: ${heading()} — ${preset()}, step ${view.t}`,
      chart: () => view.charts[key].uplot,
      decorate: cursor,
    })),
    {
      id: 'stepper-diagram',
      what: 'the cell diagram',
      at: $('stepper-diagram'),
      file: (/** @type {string} */ ext) => `lstm-lab-stepper-diagram-t${view.t}-unit${view.unit + 1}.${ext}`,
      title: () => `Cell stepper: step ${view.t} “${token()}”, unit ${view.unit + 1} — ${preset()}`,
      svg: () => $('stepper-diagram'),
    },
    {
      id: 'stepper-units',
      what: 'the table of every unit at this step',
      at: values,
      file: (/** @type {string} */ ext) => `lstm-lab-stepper-units-t${view.t}.${ext}`,
      csv: () => {
        const rows = view.unitRows();
        return {
          header: ['quantity', ...unitHeader(rows[0][1].length)],
          rows: rows.map(([name, v]) => [name, ...v]),
        };
      },
    },
    {
      id: 'stepper-units',
      what: 'the heatmap of every unit',
      at: values,
      file: (/** @type {string} */ ext) => `lstm-lab-stepper-units-t${view.t}.${ext}`,
      title: unitsTitle,
      heatmap: {
        canvas: () => canvasIn(values),
        footer: () => heatFooter,
        grid: () => {
          const rows = view.unitRows();
          return { rows, columns: rows[0][1].map((_, k) => String(k + 1)), color: heatColor, scale: heatScale };
        },
      },
    },
    {
      id: 'stepper-weights',
      what: 'the weights',
      at: weights,
      csv: () => ({
        header: ['row', ...weightColumns(view.base.weights)],
        rows: weightRows(view.base.weights).map(([name, v]) => [name, ...v]),
      }),
    },
    {
      id: 'stepper-start',
      what: 'the start state',
      at: weights,
      file: () => 'lstm-lab-stepper-start-state.csv',
      csv: () => ({
        header: ['state', ...unitHeader(view.base.weights.hidden)],
        rows: [
          ['h0', ...view.base.h0],
          ['c0', ...view.base.c0],
        ],
      }),
    },
    {
      id: 'stepper-weights',
      what: 'the weights heatmap',
      at: weights,
      title: weightsTitle,
      heatmap: {
        canvas: () => canvasIn(weights),
        footer: () => heatFooter,
        grid: () => ({
          rows: weightRows(view.base.weights),
          columns: weightColumns(view.base.weights),
          color: heatColor,
          scale: heatScale,
        }),
      },
    },
  ];
}
