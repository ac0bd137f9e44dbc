// @ts-check
// The GRU and the plain RNN as SVG diagrams in the style of the LSTM's (diagram.js): the state
// line along the top, the gates below reading x(t) and h(t−1) from the bus at the bottom, built
// once per cell; each step writes one unit's numbers on it.
//
// GRU: h(t−1) ──×z──────────+── h(t)        plain RNN: h(t−1) ─┐         ┌── h(t)
//                           │                                   └─ tanh ──┘
//            (1−z)·n ── × ──┘                                   (reads x(t) and h(t−1))
//      r scales the recurrent part of the candidate n.

import { fmt } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @typedef {object} CellDiagram
 * @property {'gru' | 'rnn'} cell
 * @property {Record<string, { box: SVGElement, value: SVGElement }>} gateBoxes
 * @property {Record<string, SVGElement>} labels
 */

/** Each cell's wires: [points, class]. */
const WIRES = {
  gru: [
    ['30,70 770,70', 'wire cell-line'],
    ['60,70 60,390 520,390', 'wire'],
    ['120,420 120,390', 'wire'],
    ['180,390 180,322', 'wire'],
    ['330,390 330,322', 'wire'],
    ['470,390 470,322', 'wire'],
    // r into the candidate's recurrent part
    ['180,278 180,250 440,250 440,278', 'wire'],
    // z up to the × on the state line, and across to 1 − z
    ['330,278 330,88', 'wire'],
    ['330,230 542,230', 'wire'],
    // n up to its ×, 1 − z up to it, the product up to the +
    ['470,278 470,150 542,150', 'wire'],
    ['560,212 560,168', 'wire'],
    ['560,132 560,88', 'wire'],
  ],
  rnn: [
    ['30,70 60,70 60,390 400,390', 'wire'],
    ['120,420 120,390', 'wire'],
    ['400,390 400,322', 'wire'],
    ['400,278 400,70 770,70', 'wire cell-line'],
  ],
};

/**
 * Draw `cell` into `svg` (emptied first; its viewBox is the LSTM's, 800 × 430).
 * @param {SVGSVGElement} svg
 * @param {'gru' | 'rnn'} cell
 * @returns {CellDiagram}
 */
export function buildCellDiagram(svg, cell) {
  svg.replaceChildren();
  /**
   * @param {string} tag
   * @param {Record<string, string | number>} attrs
   * @param {string} [text]
   */
  const el = (tag, attrs, text) => {
    const e = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  };
  for (const [points, cls] of WIRES[cell]) el('polyline', { points, class: cls });
  /**
   * @param {number} x
   * @param {number} y
   * @param {string} symbol
   */
  const node = (x, y, symbol) => {
    el('circle', { cx: x, cy: y, r: 18, class: 'op' });
    el('text', { x, y: y + 6, class: `op-symbol${symbol.length > 1 ? ' small' : ''}` }, symbol);
  };
  /** @type {CellDiagram['gateBoxes']} */
  const gateBoxes = {};
  /**
   * @param {string} gate
   * @param {number} x
   * @param {string} fn
   * @param {string} name
   */
  const gateBox = (gate, x, fn, name) => {
    const box = el('rect', { x: x - 40, y: 278, width: 80, height: 44, rx: 8, class: `gate gate-${gate}` });
    el('text', { x, y: 306, class: 'gate-fn' }, fn);
    el('text', { x, y: 352, class: 'gate-name' }, name);
    gateBoxes[gate] = { box, value: el('text', { x: x + 46, y: 270, class: 'value gate-value' }, '') };
  };
  /** @type {CellDiagram['labels']} */
  let labels;
  if (cell === 'gru') {
    node(330, 70, '×');
    node(560, 70, '+');
    node(560, 150, '×');
    node(560, 230, '1−');
    gateBox('r', 180, 'σ', 'reset r');
    gateBox('z', 330, 'σ', 'update z');
    gateBox('n', 470, 'tanh', 'candidate n');
    labels = {
      hPrev: el('text', { x: 30, y: 56, class: 'value left' }, ''),
      h: el('text', { x: 770, y: 56, class: 'value right' }, ''),
      kept: el('text', { x: 342, y: 108, class: 'value left small' }, ''),
      written: el('text', { x: 582, y: 120, class: 'value left small' }, ''),
      reset: el('text', { x: 196, y: 238, class: 'value left small' }, ''),
      x: el('text', { x: 132, y: 416, class: 'value left' }, ''),
    };
  } else {
    gateBox('h', 400, 'tanh', 'new state h');
    labels = {
      hPrev: el('text', { x: 30, y: 56, class: 'value left' }, ''),
      h: el('text', { x: 770, y: 56, class: 'value right' }, ''),
      pre: el('text', { x: 412, y: 376, class: 'value left small' }, ''),
      slope: el('text', { x: 412, y: 180, class: 'value left small' }, ''),
      x: el('text', { x: 132, y: 416, class: 'value left' }, ''),
    };
  }
  return { cell, gateBoxes, labels };
}

/**
 * One step of unit `k` on the diagram.
 * @param {CellDiagram} d
 * @param {import('../lib/page-wasm.js').CellRunStep} step
 * @param {number[]} hPrev  the state before the step
 * @param {number[]} x  the step's input
 * @param {string} token
 * @param {number} k
 */
export function renderCellDiagram(d, step, hPrev, x, token, k) {
  /**
   * @param {string} gate
   * @param {number} v
   * @param {number} level  0 … 1, the box's fill
   */
  const gate = (gate, v, level) => {
    d.gateBoxes[gate].box.style.setProperty('--level', level.toFixed(3));
    d.gateBoxes[gate].value.textContent = fmt(v);
  };
  const L = d.labels;
  L.hPrev.textContent = `h(t−1) = ${fmt(hPrev[k])}`;
  L.h.textContent = `h(t) = ${fmt(step.h[k])}`;
  L.x.textContent = `x(t) = [${x.map(fmt).join(', ')}]  “${token}”`;
  if (d.cell === 'gru') {
    gate('r', step.r[k], step.r[k]);
    gate('z', step.z[k], step.z[k]);
    gate('n', step.n[k], (step.n[k] + 1) / 2);
    L.kept.textContent = `z·h = ${fmt(step.kept[k])}`;
    L.written.textContent = `(1−z)·n = ${fmt(step.written[k])}`;
    L.reset.textContent = `r·(U·h + b) = ${fmt(step.r[k] * step.n_h[k])}`;
  } else {
    gate('h', step.h[k], (step.h[k] + 1) / 2);
    L.pre.textContent = `W·x + U·h + b = ${fmt(step.pre[k])}`;
    L.slope.textContent = `tanh′ = 1 − h² = ${fmt(1 - step.h[k] ** 2)}`;
  }
}
