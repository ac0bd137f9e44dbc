// @ts-check
// What the Blow-up chart draws over its line: float32's limits as dotted lines, and the first
// Inf / NaN / all-zero steps as markers. Drawn on uPlot's canvas (a draw hook) and, the same
// guides, as SVG for an export (export/svg.js's `decorate`).

import { cssVar as css } from '../lib/dom.js';

/** @typedef {import('../lib/uplot.js').default} uPlot */
/** @typedef {import('../export/svg.js').Decoration} Decoration */

/**
 * The first step of each event in the run shown (undefined: none).
 * @typedef {{ inf?: number | null, nan?: number | null, zero?: number | null }} Events
 */

/**
 * Float32's limits, in log10 of the norm, with what each means.
 * @type {[number, string][]}
 */
const LIMITS = [
  [Math.log10(3.4028234663852886e38), 'float32 max 3.4e38 → Inf above'],
  [Math.log10(1.1754943508222875e-38), 'smallest normal float32 1.2e-38'],
  [Math.log10(1.401298464324817e-45), 'smallest subnormal 1.4e-45 → 0 below'],
];

/**
 * The event markers, in their colours and rows (a label per row, so they never overlap).
 * @param {Events} events
 * @returns {[number | null | undefined, string, string, number][]}
 */
const markers = (events) => [
  [events.inf, css('--inf'), 'Inf', 0],
  [events.nan, css('--nan'), 'NaN', 1],
  [events.zero, css('--zero'), 'all zero', 2],
];

/**
 * The guides on uPlot's canvas (device pixels).
 * @param {uPlot} u
 * @param {Events} events
 */
export function drawGuides(u, events) {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = devicePixelRatio || 1;
  ctx.save();
  // uPlot leaves its own text settings on the context (right-aligned axis labels).
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.font = `${12 * px}px system-ui, sans-serif`;
  ctx.lineWidth = px;
  for (const [value, label] of LIMITS) {
    const y = u.valToPos(value, 'y', true);
    ctx.strokeStyle = css('--muted');
    ctx.fillStyle = css('--muted');
    ctx.setLineDash([2 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    ctx.fillText(label, left + 6 * px, y - 4 * px);
  }
  for (const [step, color, label, row] of markers(events)) {
    if (step == null) continue;
    const x = u.valToPos(step, 'x', true);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.setLineDash([]);
    ctx.lineWidth = 2 * px;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    const text = `${label} at step ${step}`;
    const w = ctx.measureText(text).width;
    const tx = x + 6 * px + w > left + width ? x - 6 * px - w : x + 6 * px;
    ctx.fillText(text, tx, top + (16 + 16 * row) * px);
  }
  ctx.restore();
}

/**
 * The same guides for an SVG export (css pixels).
 * @param {Decoration} d
 * @param {Events} events
 */
export function svgGuides(d, events) {
  const { left, top, width, height } = d.plot;
  const out = [];
  for (const [value, label] of LIMITS) {
    const y = d.y(value);
    out.push(d.line(left, y, left + width, y, { stroke: css('--muted'), dash: [2, 4] }));
    out.push(d.text(left + 6, y - 4, label, { fill: css('--muted') }));
  }
  for (const [step, color, label, row] of markers(events)) {
    if (step == null) continue;
    const x = d.x(step);
    out.push(d.line(x, top, x, top + height, { stroke: color, width: 2 }));
    const text = `${label} at step ${step}`;
    const room = x + 6 + text.length * 7 <= left + width;
    out.push(d.text(room ? x + 6 : x - 6, top + 16 + 16 * row, text, { fill: color, anchor: room ? 'start' : 'end' }));
  }
  return out;
}
