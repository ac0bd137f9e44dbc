// @ts-check
// Inside the model's heatmap: one quantity of the cell (an LSTM's i, f, g, o, c, h; a GRU's r, z,
// n, h; a plain RNN's h) over units × positions, units
// ordered by their share of the logit (a bar left of each row), the word that won each unit's
// max-pool framed (pooling readout), a band above marking padding and colouring words by their share, and the
// cursor, on a canvas. Its SVG twin for an export (heatmap-svg.js, loaded when asked for) draws
// with the same geometry and colours, from here.

import { diverging, sequential } from '../lib/colors.js';
import { cssVar } from '../lib/dom.js';

/** @typedef {import('../lib/colors.js').Rgb} Rgb */

/**
 * A quantity's symbol: the cell's own list comes with the inspection (`inspection.quantities`:
 * src/classifier/trace.rs), as does its name and colour range.
 * @typedef {'i' | 'f' | 'g' | 'o' | 'c' | 'r' | 'z' | 'n' | 'h' | 'y'} Quantity
 */
/** @typedef {import('../lib/page-wasm.js').QuantityInfo} QuantityInfo */
const BAR = 44; // px for each unit's contribution bar, left of the map
export const PAD_BAND = 8; // px: the band above the map that marks padding and words
const LABELS = 64; // px above the band for the words, written at an angle
export const POSITIVE = [31, 95, 191]; // a unit's share of the logit: for positive …
export const NEGATIVE = [214, 110, 20]; // … and against
export const CURSOR = '#f5a623';

/** @typedef {import('../lib/page-wasm.js').Inspection} Inspection */

/**
 * What is drawn: the inspection, its padding, words, the unit order, the quantity and cursor.
 * @typedef {object} HeatmapState
 * @property {Inspection} inspection
 * @property {number} padding  padding positions before the words
 * @property {({ word: string | null })[]} positions
 * @property {number[]} order  units, largest share first
 * @property {Quantity} quantity
 * @property {{ position: number, row: number }} cursor
 * @property {boolean} fullPadding  padding at full width
 */

/**
 * Where each column and row goes, in canvas px.
 * @typedef {{ columns: { x: number, w: number }[], ch: number, left: number, top: number, labels: number, width: number, height: number }} Geometry
 */

/**
 * Where each position's column goes. Padding positions are real inputs (the model reads them),
 * but in a short review they crowd out the words, so by default they share a narrow band
 * (1–2 px each); "padding at full width" gives every position the same width.
 * @param {{ steps: number, hidden: number }} size
 * @param {number} padding
 * @param {number} room  the box's width in css px (0: unknown)
 * @param {boolean} full
 * @returns {Geometry}
 */
export function geometry({ steps, hidden }, padding, room, full) {
  const avail = Math.max(320, Math.min(room || 800, 1400)) - BAR - 4;
  const words = steps - padding;
  let pw;
  let cw;
  if (full || padding === 0) {
    pw = cw = Math.max(2, Math.min(28, Math.floor(avail / steps)));
  } else {
    pw = padding * 2 <= avail / 4 ? 2 : 1;
    cw = Math.max(2, Math.min(28, Math.floor((avail - pw * padding) / Math.max(1, words))));
  }
  const ch = Math.max(2, Math.min(8, Math.floor(480 / hidden)));
  const labels = cw >= 11 ? LABELS : 0; // room to write the words above their columns
  const left = BAR + 2;
  const columns = [];
  let at = left;
  for (let t = 0; t < steps; t++) {
    const w = t < padding ? pw : cw;
    columns.push({ x: at, w });
    at += w;
  }
  const top = labels + PAD_BAND + 2;
  return { columns, ch, left, top, labels, width: at + 2, height: top + ch * hidden + 2 };
}

/**
 * The colour range of quantity `q` over `values`: its own, or ±the largest |value| for an
 * unbounded one (c, y).
 * @param {QuantityInfo} q
 * @param {ArrayLike<number> & Iterable<number>} values
 * @returns {[number, number]}
 */
export function rangeOf(q, values) {
  const own = q.range;
  if (own) return own;
  let m = 1e-9;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return [-m, m];
}

/**
 * `v ↦ [r, g, b]` for a quantity over its range: diverging when it has a sign, else sequential.
 * @param {[number, number]} range
 * @returns {(v: number) => Rgb}
 */
export function cellColor(range) {
  return range[0] < 0 ? (v) => diverging(v / range[1]) : (v) => sequential(v);
}

/**
 * The band above the map, per position: grey over padding, a word by its share of the logit.
 * @param {Inspection} x
 * @param {number} padding
 * @returns {Rgb[]}
 */
export function bandColors(x, padding) {
  const scale = Math.max(1e-9, ...x.word_contribution.map(Math.abs));
  return Array.from({ length: x.steps }, (_, t) =>
    t < padding ? /** @type {Rgb} */ ([170, 170, 170]) : diverging(x.word_contribution[t] / scale),
  );
}

/**
 * What the colours of the map mean for this quantity, as HTML (the colour is never the only
 * cue: the readout gives every value in numbers).
 * @param {QuantityInfo} q
 * @param {[number, number]} range
 */
export function legendHtml(q, range) {
  /** @param {Rgb} rgb */
  const swatch = ([r, g, b]) => `<span class="swatch" style="background: rgb(${r | 0} ${g | 0} ${b | 0})"></span>`;
  /** @param {number} v */
  const two = (v) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(2);
  const text =
    range[0] < 0
      ? `${swatch(diverging(-1))} ${two(range[0])} · ${swatch(diverging(0))} 0 · ${swatch(diverging(1))} +${two(range[1])}` +
        (q.range ? '' : ` (scaled to the largest |${q.name}| of this review)`)
      : `${swatch(sequential(0))} 0 (closed) · ${swatch(sequential(0.5))} 0.5 · ${swatch(sequential(1))} 1 (open)`;
  return `<b>${q.label}</b>: ${text}`;
}

/**
 * The map's pixels: rows are units in `order`, columns positions.
 * @param {HeatmapState} s
 * @param {[number, number]} range
 * @param {Geometry} g
 */
function mapImage(s, range, g) {
  const x = s.inspection;
  const values = x.trace[s.quantity];
  const mapWidth = g.width - 2 - g.left;
  const image = new ImageData(mapWidth, g.ch * x.hidden);
  const pixels = new Uint32Array(image.data.buffer); // RGBA bytes as little-endian words
  const color = cellColor(range);
  for (let row = 0; row < x.hidden; row++) {
    const unit = s.order[row];
    for (let t = 0; t < x.steps; t++) {
      const [r, gg, b] = color(values[t * x.hidden + unit]);
      const word = (255 << 24) | (b << 16) | (gg << 8) | r;
      const { x: cx, w } = g.columns[t];
      for (let dy = 0; dy < g.ch; dy++) {
        const base = (row * g.ch + dy) * mapWidth + cx - g.left;
        pixels.fill(word, base, base + w);
      }
    }
  }
  return image;
}

/** The map's image, kept between draws: moving the cursor redraws only what lies on top of it. */
const cache = { key: '', state: /** @type {unknown} */ (null), image: /** @type {ImageData | null} */ (null) };

/**
 * Draw the heatmap on `canvas` (resized to fit).
 * @param {HTMLCanvasElement} canvas
 * @param {HeatmapState} s
 * @param {Geometry} g
 * @param {[number, number]} range
 */
export function drawHeatmap(canvas, s, g, range) {
  const x = s.inspection;
  if (canvas.width !== g.width || canvas.height !== g.height) {
    canvas.width = g.width;
    canvas.height = g.height;
  }
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = cssVar('--panel') || '#fff';
  ctx.fillRect(0, 0, g.width, g.height);
  const key = `${s.quantity}|${g.width}|${g.height}|${s.fullPadding}`;
  if (cache.state !== s.inspection || cache.key !== key) {
    Object.assign(cache, { key, state: s.inspection, image: mapImage(s, range, g) });
  }
  ctx.putImageData(cache.image, g.left, g.top);
  // The band above: grey over padding, the word colours over words; the words themselves
  // when their columns are wide enough.
  const band = bandColors(x, s.padding);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (let t = 0; t < x.steps; t++) {
    const { x: cx, w } = g.columns[t];
    const [r, gg, b] = band[t];
    ctx.fillStyle = `rgb(${r | 0} ${gg | 0} ${b | 0})`;
    ctx.fillRect(cx, g.labels, w, PAD_BAND);
    const word = s.positions[t].word;
    if (g.labels && word != null) {
      ctx.save();
      ctx.translate(cx + w / 2, g.labels - 3);
      ctx.rotate(-Math.PI / 3);
      ctx.fillStyle = cssVar('--ink');
      ctx.fillText(shortWord(word), 0, 0);
      ctx.restore();
    }
  }
  if (g.labels && s.padding > 0) {
    ctx.fillStyle = cssVar('--muted');
    ctx.fillText('padding', g.left, g.labels - 8);
  }
  // Each unit's share of the logit, as a bar from the middle of its row label.
  const share = Math.max(1e-9, ...x.unit_contribution.map(Math.abs));
  const mid = BAR / 2;
  for (let row = 0; row < x.hidden; row++) {
    const v = x.unit_contribution[s.order[row]];
    ctx.fillStyle = `rgb(${(v >= 0 ? POSITIVE : NEGATIVE).join(' ')})`;
    const w = (Math.abs(v) / share) * (mid - 2);
    ctx.fillRect(v >= 0 ? mid : mid - w, g.top + row * g.ch, Math.max(1, w), Math.max(1, g.ch - 1));
  }
  // The max-pool winners (a last-state readout has none).
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 1;
  for (let row = 0; row < x.winner.length; row++) {
    const { x: cx, w } = g.columns[x.winner[s.order[row]]];
    ctx.strokeRect(cx + 0.5, g.top + row * g.ch + 0.5, Math.max(1, w - 1), Math.max(1, g.ch - 1));
  }
  // The cursor.
  const { position, row } = s.cursor;
  const col = g.columns[position];
  ctx.strokeStyle = CURSOR;
  ctx.lineWidth = 2;
  ctx.strokeRect(col.x - 1, g.top + row * g.ch - 1, col.w + 2, g.ch + 2);
  ctx.strokeRect(col.x, g.labels, col.w, PAD_BAND);
}

/** @param {string} word  a word as the band writes it: at most 12 characters */
export const shortWord = (word) => (word.length > 12 ? `${word.slice(0, 11)}…` : word);
