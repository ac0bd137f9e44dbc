// @ts-check
// The Cell stepper's weights as the page shows them: one row per gate·unit, its columns the
// inputs, then the hidden units, then the bias (bias_ih + bias_hh; an edit moves bias_ih); and
// the weights a user edited as a link's text (`stepper.w`: `gate-unit-column:value,…` and
// `h0-unit:value`). Pure (unit-tested); the editor itself is in editor.js.

import { gatesOf } from './format.js';

/** @typedef {import('../lib/page-wasm.js').StepperSetup} StepperSetup */
/** @typedef {StepperSetup['weights']} Weights */
/** @typedef {[string, number[]]} Row  a row's name and its values */

/** Weight tables up to this input and hidden size; larger sizes are shown as a heatmap. */
export const EDITABLE_MAX = 8;

/**
 * Every weight as [gate·unit, [W·x…, U·h…, b]] (b = bias_ih + bias_hh, as the editor shows).
 * @param {Weights} w
 * @returns {Row[]}
 */
export function weightRows(w) {
  const { input: E, hidden: H } = w;
  /** @type {Row[]} */
  const rows = [];
  for (const [gi, gate] of gatesOf(w).entries()) {
    for (let r = 0; r < H; r++) {
      const row = gi * H + r;
      const values = [
        ...w.weight_ih.slice(row * E, row * E + E),
        ...w.weight_hh.slice(row * H, row * H + H),
        w.bias_ih[row] + w.bias_hh[row],
      ];
      rows.push([`${gate}${r + 1}`, values]);
    }
  }
  return rows;
}

/**
 * The column labels of `weightRows`: W_x1…, U_h1…, b.
 * @param {Weights} w
 */
export function weightColumns(w) {
  const { input: E, hidden: H } = w;
  return [
    ...Array.from({ length: E }, (_, j) => `W_x${j + 1}`),
    ...Array.from({ length: H }, (_, j) => `U_h${j + 1}`),
    'b',
  ];
}

/**
 * Set one weight as the editor shows it: column `col` of gate `gate`'s row for `unit`.
 * @param {Weights} w
 * @param {string} gate  i, f, g or o (LSTM); r, z or n (GRU); h (plain RNN)
 * @param {number} unit
 * @param {number} col
 * @param {number} value
 */
export function setWeight(w, gate, unit, col, value) {
  const { input: E, hidden: H } = w;
  const index = gatesOf(w).indexOf(gate);
  if (index < 0) return; // another cell's gate: nothing of these weights
  const row = index * H + unit;
  if (col < E) w.weight_ih[row * E + col] = value;
  else if (col < E + H) w.weight_hh[row * H + col - E] = value;
  else w.bias_ih[row] = value - w.bias_hh[row];
}

/** Numbers in a link: the shortest text that reads back to the same float64. */
const num = String;

/**
 * The weights a user edited, as a link's text: every entry of `setup` that differs from `ref`
 * (the preset, at the same sizes), or null when none does.
 * @param {StepperSetup} setup
 * @param {StepperSetup} ref
 */
export function weightEdits(setup, ref) {
  const w = setup.weights;
  const r = ref.weights;
  const { input: E, hidden: H } = w;
  /** @type {string[]} */
  const edits = [];
  gatesOf(w).forEach((gate, gi) => {
    for (let u = 0; u < H; u++) {
      const row = gi * H + u;
      for (let j = 0; j < E; j++) {
        const v = w.weight_ih[row * E + j];
        if (v !== r.weight_ih[row * E + j]) edits.push(`${gate}-${u}-${j}:${num(v)}`);
      }
      for (let j = 0; j < H; j++) {
        const v = w.weight_hh[row * H + j];
        if (v !== r.weight_hh[row * H + j]) edits.push(`${gate}-${u}-${E + j}:${num(v)}`);
      }
      const b = w.bias_ih[row] + w.bias_hh[row];
      if (b !== r.bias_ih[row] + r.bias_hh[row]) edits.push(`${gate}-${u}-${E + H}:${num(b)}`);
    }
  });
  for (const name of /** @type {const} */ (['h0', 'c0'])) {
    setup[name].forEach((v, j) => {
      if (v !== ref[name][j]) edits.push(`${name}-${j}:${num(v)}`);
    });
  }
  return edits.length ? edits.join(',') : null;
}

/**
 * A link's edits applied to `setup` (in place); returns the entries that could not be used
 * (not a number, no such gate, unit or column), the others are applied.
 * @param {StepperSetup} setup
 * @param {string} text
 * @returns {string[]}
 */
export function applyWeightEdits(setup, text) {
  const w = setup.weights;
  const { input: E, hidden: H } = w;
  const bad = [];
  for (const entry of text.split(',')) {
    const [key, raw] = entry.split(':');
    const value = Number(raw);
    const parts = (key ?? '').split('-');
    const ok = raw != null && raw.trim() !== '' && Number.isFinite(value);
    if (ok && (parts[0] === 'h0' || parts[0] === 'c0') && parts.length === 2) {
      const j = Number(parts[1]);
      if (Number.isInteger(j) && j >= 0 && j < H) {
        setup[parts[0]][j] = value;
        continue;
      }
    } else if (ok && parts.length === 3 && gatesOf(w).includes(parts[0])) {
      const [u, col] = [Number(parts[1]), Number(parts[2])];
      if (Number.isInteger(u) && Number.isInteger(col) && u >= 0 && u < H && col >= 0 && col <= E + H) {
        setWeight(w, parts[0], u, col, value);
        continue;
      }
    }
    bad.push(entry);
  }
  return bad;
}
