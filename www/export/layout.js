// @ts-check
// What a PNG and an SVG export share: the theme's colours, text measured in the page's font, a
// title wrapped over lines, and uPlot's legend laid out in rows (uPlot keeps its legend in HTML,
// so an export draws its own).

import { cssVar } from '../lib/dom.js';

/** @typedef {import('../lib/uplot.js').default} uPlot */

export const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';
export const TITLE_LINE = 20; // css px per line of a title above a chart
export const LEGEND_FONT = 13;

/**
 * The scheme's colours now (light or dark).
 * @typedef {{ panel: string, ink: string, muted: string, line: string }} Theme
 * @returns {Theme}
 */
export function theme() {
  return {
    panel: cssVar('--panel') || '#ffffff',
    ink: cssVar('--ink') || '#1b1d21',
    muted: cssVar('--muted') || '#5a606b',
    line: cssVar('--line') || '#d9dce1',
  };
}

/** @type {CanvasRenderingContext2D | null} */
let measurer = null;
/**
 * The width of `text` in css px.
 * @param {string} text
 * @param {number} px  font size
 * @param {number} [weight]
 */
export function textWidth(text, px, weight = 400) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = `${weight} ${px}px ${FONT}`;
  return measurer.measureText(text).width;
}

/**
 * A title wrapped to `width` css px: its lines and the height of the band it needs.
 * @typedef {{ title: string, lines: string[], height: number }} Heading
 * @param {string} title
 * @param {number} width
 * @returns {Heading}
 */
export function heading(title, width) {
  const lines = [];
  let line = '';
  for (const word of title.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, 16, 700) > width - 24) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return { title, lines, height: 16 + TITLE_LINE * lines.length };
}

/**
 * Series `i`'s colour now (uPlot's strokes here are functions of the theme).
 * @param {uPlot} u
 * @param {number} i
 */
export function seriesStroke(u, i) {
  const s = u.series[i].stroke;
  return String((typeof s === 'function' ? s(u, i) : s) || '#000');
}

/**
 * @typedef {{ label: string, stroke: string, dash: number[] | null, width: number }} LegendEntry
 * @typedef {{ placed: (LegendEntry & { x: number, y: number })[], height: number }} Legend
 */

/**
 * The entries uPlot's legend shows (none when it is hidden, as for dozens of units).
 * @param {uPlot} u
 * @returns {LegendEntry[]}
 */
function legendEntries(u) {
  if (u.legend?.show === false) return [];
  /** @type {LegendEntry[]} */
  const entries = [];
  u.series.forEach((s, i) => {
    if (i === 0 || s.show === false) return;
    entries.push({
      label: String(s.label ?? `series ${i}`),
      stroke: seriesStroke(u, i),
      dash: s.dash ?? null,
      width: s.width ?? 1,
    });
  });
  return entries;
}

/**
 * uPlot's legend in rows across `width`: each entry a 26 px line sample and its label.
 * @param {uPlot} u
 * @param {number} width
 * @returns {Legend}
 */
export function layoutLegend(u, width) {
  const entries = legendEntries(u);
  const placed = [];
  let x = 12;
  let y = 0;
  for (const e of entries) {
    const w = 32 + textWidth(e.label, LEGEND_FONT);
    if (x > 12 && x + w > width - 12) {
      x = 12;
      y += 20;
    }
    placed.push({ ...e, x, y });
    x += w + 18;
  }
  return { placed, height: entries.length ? y + 28 : 0 };
}
