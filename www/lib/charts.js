// @ts-check
// Small helpers around uPlot shared by the sections.

import { cssVar } from './dom.js';
import uPlot from './uplot.js';

/**
 * A colour that follows the light/dark scheme: uPlot calls it at every draw, so a chart drawn
 * after the user switches the scheme reads the new value of the CSS variable.
 */
/** @param {string} name */
export const themed = (name) => () => cssVar(name);

const DARK = matchMedia('(prefers-color-scheme: dark)');

/**
 * Run `fn` whenever the colour scheme switches (for canvases drawn with CSS variables).
 * @param {() => void} fn
 */
export function onSchemeChange(fn) {
  DARK.addEventListener('change', fn);
}

/** @type {Set<uPlot>} */
const followed = new Set();
/**
 * Redraw the uPlot `u` in the new colours when the scheme switches, and let the keyboard toggle
 * its series from the legend as a click does; returns `u`.
 * @param {uPlot} u
 */
export function followScheme(u) {
  followed.add(u);
  keyboardLegend(u);
  return u;
}

/**
 * Each legend entry (uPlot toggles its series on click) as a button: focusable, Enter and Space.
 * @param {uPlot} u
 */
function keyboardLegend(u) {
  const rows = u.root.querySelectorAll('.u-legend .u-series');
  const skip = u.series.length - rows.length; // a legend that is not live has no row for x
  rows.forEach((row, r) => {
    const i = r + skip;
    const label = /** @type {HTMLElement | null} */ (row.querySelector('.u-label'));
    if (i === 0 || !label) return;
    label.setAttribute('role', 'button');
    label.tabIndex = 0;
    const sync = () => label.setAttribute('aria-pressed', String(u.series[i].show));
    sync();
    row.firstElementChild.addEventListener('click', sync); // after uPlot's own listener on it
    label.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      e.stopPropagation(); // not the stepper's keys (space plays)
      label.click();
    });
  });
}
onSchemeChange(() => {
  for (const u of followed) {
    if (!u.root.isConnected) {
      followed.delete(u); // destroyed and replaced
      continue;
    }
    u.redraw(false, true);
    // uPlot paints the legend's markers once; repaint them from the series' (themed) strokes.
    // (A legend that is not live has no row for x.)
    const rows = u.root.querySelectorAll('.u-legend .u-series');
    const skip = u.series.length - rows.length;
    u.series.forEach((s, i) => {
      const marker = i > 0 && /** @type {HTMLElement | null} */ (rows[i - skip]?.querySelector('.u-marker'));
      if (marker && typeof s.stroke === 'function') marker.style.borderColor = String(s.stroke(u, i));
    });
  }
});

const PALETTE = [
  '--series-1',
  '--series-2',
  '--series-3',
  '--series-4',
  '--series-5',
  '--series-6',
  '--series-7',
  '--series-8',
];
/**
 * Dash patterns cycled with the colours, so lines differ without colour too (solid, dashed, dotted, dash-dot).
 * @type {(number[] | undefined)[]}
 */
export const DASHES = [undefined, [10, 5], [2, 4], [12, 4, 2, 4]];

/**
 * The CSS border style closest to a dash pattern, for the legend's marker.
 * @param {number[] | undefined} dash
 */
const markerStyle = (dash) => (!dash?.length ? 'solid' : dash[0] <= 3 ? 'dotted' : 'dashed');

/**
 * A bottom x axis and a left y axis in the scheme's colours.
 * @param {string} xLabel
 * @param {string} yLabel
 * @returns {uPlot.Axis[]}
 */
export function axes(xLabel, yLabel) {
  const axis = {
    stroke: themed('--ink'),
    grid: { stroke: themed('--line'), width: 1 },
    ticks: { stroke: themed('--line') },
  };
  return [
    { ...axis, label: xLabel },
    { ...axis, label: yLabel },
  ];
}

/**
 * A chart's size in its box: the box's width (at least 240 px), the given height.
 * @param {HTMLElement} el
 * @param {number} height
 */
export function sizeOf(el, height) {
  return { width: Math.max(240, el.clientWidth - 16), height };
}

/**
 * Keep a chart as wide as its box.
 * @param {uPlot} chart
 * @param {HTMLElement} el
 * @param {number} height
 */
export function fitWidth(chart, el, height) {
  new ResizeObserver(() => chart.setSize(sizeOf(el, height))).observe(el);
}

/**
 * A line chart over steps t with a vertical marker at `cursorT()`. `set(xs, ys, series)`
 * rebuilds it when the series change and only swaps the data otherwise.
 * @param {HTMLElement} el
 * @param {string} yLabel
 * @param {() => number | null} cursorT
 * @param {{ range?: [number, number] | null, height?: number }} [options]
 */
export function lineChart(el, yLabel, cursorT, { range = null, height = 220 } = {}) {
  /** @type {uPlot | null} */
  let chart = null;
  let key = '';
  new ResizeObserver(() => chart?.setSize(sizeOf(el, height))).observe(el);
  /** @param {uPlot} u */
  const marker = (u) => {
    const t = cursorT();
    if (t == null) return;
    const x = u.valToPos(t, 'x', true);
    const { top, height: h } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = cssVar('--focus');
    ctx.lineWidth = 2 * (devicePixelRatio || 1);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + h);
    ctx.stroke();
    ctx.restore();
  };
  return {
    /**
     * @param {number[]} xs
     * @param {number[][]} ys
     * @param {Partial<uPlot.Series>[]} series
     * @param {{ axis?: string }} [options]  `axis`: another y-axis label than the chart's own
     */
    set(xs, ys, series, { axis = yLabel } = {}) {
      const nextKey = [axis, ...series.map((s) => s.label)].join('|');
      const data = /** @type {uPlot.AlignedData} */ ([xs, ...ys]);
      if (chart && nextKey === key) {
        chart.setData(data);
        return;
      }
      chart?.destroy();
      key = nextKey;
      /** @type {uPlot.Options} */
      const opts = {
        ...sizeOf(el, height),
        scales: { x: { time: false }, y: range ? { range } : {} },
        series: [
          { label: 't' },
          ...series.map((s, i) => ({
            stroke: themed(PALETTE[i % PALETTE.length]),
            dash: DASHES[i % DASHES.length],
            width: 2,
            points: { show: xs.length <= 40 },
            ...s,
          })),
        ],
        axes: axes('step t', axis),
        hooks: { draw: [marker] },
        // Dozens of units would make the legend taller than the chart.
        legend: { live: false, show: series.length <= 10, markers: { dash: (u, i) => markerStyle(u.series[i].dash) } },
      };
      chart = followScheme(new uPlot(opts, data, el));
    },
    redraw() {
      chart?.redraw(false, false);
    },
    /** The uPlot instance now (it is rebuilt when the series change): for exports and tests. */
    get uplot() {
      return chart;
    },
  };
}
