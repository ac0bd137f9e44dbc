// Small helpers around uPlot shared by the sections.

import uPlot from './vendor/uPlot.esm.js';

export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const PALETTE = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6', '--series-7', '--series-8'];

export function axes(xLabel, yLabel) {
  const axis = { stroke: cssVar('--ink'), grid: { stroke: cssVar('--line'), width: 1 }, ticks: { stroke: cssVar('--line') } };
  return [
    { ...axis, label: xLabel },
    { ...axis, label: yLabel },
  ];
}

export function sizeOf(el, height) {
  return { width: Math.max(240, el.clientWidth - 16), height };
}

/** Keep a chart as wide as its box. */
export function fitWidth(chart, el, height) {
  new ResizeObserver(() => chart.setSize(sizeOf(el, height))).observe(el);
}

/**
 * A line chart over steps t with a vertical marker at `cursorT()`. `set(xs, ys, series)`
 * rebuilds it when the series change and only swaps the data otherwise.
 */
export function lineChart(el, yLabel, cursorT, { range = null, height = 220 } = {}) {
  let chart = null;
  let key = '';
  new ResizeObserver(() => chart?.setSize(sizeOf(el, height))).observe(el);
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
    set(xs, ys, series) {
      const nextKey = series.map((s) => s.label).join('|');
      const data = [xs, ...ys];
      if (chart && nextKey === key) {
        chart.setData(data);
        return;
      }
      chart?.destroy();
      key = nextKey;
      const opts = {
        ...sizeOf(el, height),
        scales: { x: { time: false }, y: range ? { range } : {} },
        series: [
          { label: 't' },
          ...series.map((s, i) => ({
            stroke: cssVar(PALETTE[i % PALETTE.length]),
            width: 2,
            points: { show: xs.length <= 40 },
            ...s,
          })),
        ],
        axes: axes('step t', yLabel),
        hooks: { draw: [marker] },
        // Dozens of units would make the legend taller than the chart.
        legend: { live: false, show: series.length <= 10 },
      };
      chart = new uPlot(opts, data, el);
    },
    redraw() {
      chart?.redraw(false, false);
    },
    /** The uPlot instance now (it is rebuilt when the series change): for exports. */
    get uplot() {
      return chart;
    },
  };
}
