// @ts-check
// The cell diagram: an SVG of one LSTM cell (the cell-state line with only ×f and +i·g on it,
// the four gates, tanh and the output), built once; each step writes one unit's numbers on it.

import { fmt, GATE_NAMES, GATES } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The wires below the cell-state line: h(t−1) and x(t) into each gate, each gate up to its node, out to h(t). */
const WIRES = [
  '30,390 640,390',
  '120,420 120,390',
  '240,390 240,322',
  '340,390 340,322',
  '440,390 440,322',
  '560,390 560,322',
  '240,278 240,88',
  '340,278 340,190 412,190',
  '440,278 440,208',
  '440,172 440,88',
  '640,70 640,130',
  '640,170 640,212',
  '560,278 560,230 622,230',
  '658,230 770,230',
];

/**
 * The diagram's live parts: each gate's box (its fill shows the activation) and value, and the
 * labels along the wires.
 * @typedef {object} Diagram
 * @property {Record<import('./format.js').Gate, { box: SVGElement, value: SVGElement }>} gateBoxes
 * @property {Record<'cPrev' | 'c' | 'kept' | 'written' | 'tanhC' | 'h' | 'hPrev' | 'x' | 'postY', SVGElement>} labels
 */

/**
 * Draw the cell into `svg` (empty, with its viewBox set in the markup).
 * @param {SVGSVGElement} svg
 * @returns {Diagram}
 */
export function buildDiagram(svg) {
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
  /**
   * @param {string} points  as SVG writes them: "x1,y1 x2,y2 …"
   * @param {string} [cls]
   */
  const line = (points, cls = 'wire') => el('polyline', { points, class: cls });
  // Wires first, so nodes sit on top.
  line('30,70 770,70', 'wire cell-line');
  for (const points of WIRES) line(points);
  /**
   * @param {number} x
   * @param {number} y
   * @param {string} symbol
   */
  const node = (x, y, symbol) => {
    el('circle', { cx: x, cy: y, r: 18, class: 'op' });
    el('text', { x, y: y + 6, class: 'op-symbol' }, symbol);
  };
  node(240, 70, '×');
  node(440, 70, '+');
  node(440, 190, '×');
  node(640, 230, '×');
  el('ellipse', { cx: 640, cy: 150, rx: 34, ry: 20, class: 'op' });
  el('text', { x: 640, y: 156, class: 'op-symbol small' }, 'tanh');
  const gateBoxes = /** @type {Diagram['gateBoxes']} */ ({});
  const gateX = { f: 240, i: 340, g: 440, o: 560 };
  for (const gate of /** @type {const} */ (['f', 'i', 'g', 'o'])) {
    const x = gateX[gate];
    const box = el('rect', { x: x - 40, y: 278, width: 80, height: 44, rx: 8, class: `gate gate-${gate}` });
    el('text', { x, y: 306, class: 'gate-fn' }, gate === 'g' ? 'tanh' : 'σ');
    el('text', { x, y: 352, class: 'gate-name' }, `${GATE_NAMES[gate]} ${gate}`);
    gateBoxes[gate] = { box, value: el('text', { x: x + 46, y: 270, class: 'value gate-value' }, '') };
  }
  const labels = {
    cPrev: el('text', { x: 30, y: 56, class: 'value left' }, ''),
    c: el('text', { x: 770, y: 56, class: 'value right' }, ''),
    kept: el('text', { x: 250, y: 108, class: 'value left small' }, ''),
    written: el('text', { x: 452, y: 180, class: 'value left small' }, ''),
    tanhC: el('text', { x: 682, y: 146, class: 'value left small' }, ''),
    h: el('text', { x: 770, y: 220, class: 'value right' }, ''),
    hPrev: el('text', { x: 30, y: 380, class: 'value left' }, ''),
    x: el('text', { x: 132, y: 416, class: 'value left' }, ''),
    // The post's y(t) = relu(W_p h + b_p), under the h output, when asked for.
    postY: el('text', { x: 790, y: 256, class: 'value right small post-y' }, ''),
  };
  return { gateBoxes, labels };
}

/**
 * One step of unit `k` on the diagram.
 * @param {Diagram} diagram
 * @param {{ act: Record<string, number[]>, c: number[], h: number[], tanh_c: number[] }} step
 * @param {{ c: number[], h: number[] }} prev  the state before the step
 * @param {number[]} x  the step's input
 * @param {string} token  the step's word (or number)
 * @param {number} k  the unit
 */
export function renderDiagram(diagram, step, prev, x, token, k) {
  for (const gate of GATES) {
    const v = step.act[gate][k];
    const { box, value } = diagram.gateBoxes[gate];
    // Fill shows the activation: σ gates from 0 to 1, g from −1 to 1.
    const level = gate === 'g' ? (v + 1) / 2 : v;
    box.style.setProperty('--level', level.toFixed(3));
    value.textContent = fmt(v);
  }
  const L = diagram.labels;
  L.cPrev.textContent = `c(t−1) = ${fmt(prev.c[k])}`;
  L.c.textContent = `c(t) = ${fmt(step.c[k])}`;
  L.kept.textContent = `f·c = ${fmt(step.act.f[k] * prev.c[k])}`;
  L.written.textContent = `i·g = ${fmt(step.act.i[k] * step.act.g[k])}`;
  L.tanhC.textContent = fmt(step.tanh_c[k]);
  L.h.textContent = `h(t) = ${fmt(step.h[k])}`;
  L.hPrev.textContent = `h(t−1) = ${fmt(prev.h[k])}`;
  L.x.textContent = `x(t) = [${x.map(fmt).join(', ')}]  “${token}”`;
}
