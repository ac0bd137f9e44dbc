// @ts-check
// What Inside the model exports: the heatmap as PNG and SVG (its SVG twin loads on first use),
// and its values as CSV, units in the heatmap's order.

import { $ } from '../lib/dom.js';

/** @typedef {import('./view.js').InsideView} View */

/** @typedef {import('../export/menu.js').Exportable} Exportable */

/**
 * @param {View} view
 * @returns {Exportable[]}
 */
export function insideExportables(view) {
  const title = () => {
    const x = view.result.inspection;
    return `Inside the model: ${view.quantityName()} — ${x.hidden} units × ${x.steps} positions, P(positive) ${x.probability.toFixed(3)} (${view.source})`;
  };
  /** @param {string} ext */
  const file = (ext) => `lstm-lab-inside-heatmap-${view.quantity}.${ext}`;
  const at = /** @type {HTMLElement} */ (document.querySelector('#inside-heatmap-card .heatmap-wrap'));
  const shown = () => !!view.result;
  return [
    {
      id: 'inside-heatmap',
      what: 'the heatmap',
      at,
      file,
      available: shown,
      title,
      heatmap: {
        canvas: () => $('inside-heatmap'),
        footer: () => $('inside-legend').textContent,
        svg: async (/** @type {string} */ title) => {
          const { heatmapSvg } = await import('./heatmap-svg.js');
          return heatmapSvg(view.heatmapState(), view.geom, view.range, title, $('inside-legend').textContent);
        },
      },
    },
    {
      id: 'inside-heatmap',
      what: 'the heatmap values',
      at,
      file,
      available: shown,
      csv: () => {
        const x = view.result.inspection;
        const values = x.trace[view.quantity];
        const header = [
          'unit',
          'share_of_logit',
          ...view.result.positions.map((p, t) => `${t + 1} ${p.word ?? '(padding)'}`),
        ];
        const rows = view.order.map((unit) => [
          unit + 1,
          x.unit_contribution[unit],
          ...Array.from({ length: x.steps }, (_, t) => values[t * x.hidden + unit]),
        ]);
        return { header, rows };
      },
    },
  ];
}
