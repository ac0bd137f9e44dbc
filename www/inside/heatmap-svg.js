// @ts-check
// Inside the model's heatmap as SVG, for an export: the canvas drawing of heatmap.js (same
// geometry, same colours) as one <rect> per cell, with the words, the bars, the max-pool
// frames, the cursor and the colour legend. Loaded only when an SVG is asked for.

import { FONT, heading, textWidth, theme } from '../export/layout.js';
import { num, svgTitle } from '../export/svg.js';
import { escapeXml } from '../export/xml.js';
import { bandColors, CURSOR, cellColor, NEGATIVE, PAD_BAND, POSITIVE, shortWord } from './heatmap.js';

/** @typedef {import('../lib/colors.js').Rgb} Rgb */
/** @typedef {import('./heatmap.js').HeatmapState} HeatmapState */
/** @typedef {import('./heatmap.js').Geometry} Geometry */

/**
 * The heatmap as it is drawn (same geometry), one <rect> per cell, under `title`, above
 * `legend` (what the colours mean, as on screen).
 * @param {HeatmapState} s
 * @param {Geometry} g
 * @param {[number, number]} range
 * @param {string} title
 * @param {string} legend
 */
export function heatmapSvg(s, g, range, title, legend) {
  const t = theme();
  const x = s.inspection;
  const values = x.trace[s.quantity];
  const color = cellColor(range);
  /** @param {Rgb | number[]} rgb */
  const rgb = ([r, gg, b]) => `rgb(${r | 0},${gg | 0},${b | 0})`;
  const width = Math.max(g.width, 480, Math.ceil(textWidth(legend, 12)) + 24);
  const head = heading(title, width);
  const height = head.height + g.height + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="${t.panel}"/>`,
    svgTitle(head, t),
    `<g transform="translate(0 ${head.height})">`,
  ];
  // The band above the map (padding grey, words by their share) and the words.
  const band = bandColors(x, s.padding);
  const words = [];
  for (let p = 0; p < x.steps; p++) {
    const { x: cx, w } = g.columns[p];
    words.push(`<rect x="${cx}" y="${g.labels}" width="${w}" height="${PAD_BAND}" fill="${rgb(band[p])}"/>`);
    const word = s.positions[p].word;
    if (g.labels && word != null) {
      words.push(
        `<text transform="translate(${num(cx + w / 2)} ${g.labels - 3}) rotate(-60)" font-size="11" fill="${t.ink}">${escapeXml(shortWord(word))}</text>`,
      );
    }
  }
  if (g.labels && s.padding > 0) {
    words.push(`<text x="${g.left}" y="${g.labels - 8}" dy="0.35em" font-size="11" fill="${t.muted}">padding</text>`);
  }
  out.push(`<g class="words">${words.join('')}</g>`);
  // The map: rows are units, largest share of the logit first.
  const scale = Math.max(1e-9, ...x.unit_contribution.map(Math.abs));
  s.order.forEach((unit, row) => {
    const y = g.top + row * g.ch;
    const cells = [];
    for (let p = 0; p < x.steps; p++) {
      const { x: cx, w } = g.columns[p];
      cells.push(
        `<rect x="${cx}" y="${y}" width="${w}" height="${g.ch}" fill="${rgb(color(values[p * x.hidden + unit]))}"/>`,
      );
    }
    // The unit's share of the logit as a bar left of its row.
    const share = x.unit_contribution[unit];
    const mid = 22;
    const w = (Math.abs(share) / scale) * (mid - 2);
    const bar = `<rect x="${num(share >= 0 ? mid : mid - w)}" y="${y}" width="${num(Math.max(1, w))}" height="${Math.max(1, g.ch - 1)}" fill="${rgb(share >= 0 ? POSITIVE : NEGATIVE)}"/>`;
    const won = g.columns[x.winner[unit]]; // a last-state readout has no winners
    const frame =
      won &&
      `<rect x="${won.x + 0.5}" y="${y + 0.5}" width="${Math.max(1, won.w - 1)}" height="${Math.max(1, g.ch - 1)}" fill="none" stroke="#000"/>`;
    out.push(`<g class="row" data-unit="${unit + 1}">${bar}${cells.join('')}${frame || ''}</g>`);
  });
  // The cursor, as on screen: the position and unit the readout describes.
  const { position, row } = s.cursor;
  const col = g.columns[position];
  out.push(
    `<g class="cursor" fill="none" stroke="${CURSOR}" stroke-width="2"><rect x="${col.x - 1}" y="${g.top + row * g.ch - 1}" width="${col.w + 2}" height="${g.ch + 2}"/>` +
      `<rect x="${col.x}" y="${g.labels}" width="${col.w}" height="${PAD_BAND}"/></g>`,
  );
  out.push('</g>');
  out.push(
    `<text class="color-legend" x="12" y="${head.height + g.height + 18}" font-size="12" fill="${t.ink}">${escapeXml(legend)}</text>`,
  );
  out.push('</svg>');
  return out.join('\n');
}
