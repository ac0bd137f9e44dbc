// @ts-check
// Numbers as the Cell stepper shows them: three decimals, −0.000 written as 0.000.

/** @param {number} v */
export const fmt = (v) => (Math.abs(v) < 0.0005 ? 0 : v).toFixed(3);

/**
 * A term of a sum: "+ 0.250" or "− 0.250".
 * @param {number} v
 */
export const signed = (v) => (v < 0 ? `− ${fmt(-v)}` : `+ ${fmt(v)}`);

/** The gates in PyTorch's order (rows of weight_ih and weight_hh). */
export const GATES = /** @type {const} */ (['i', 'f', 'g', 'o']);

/** @typedef {typeof GATES[number]} Gate */

/** @type {Record<Gate, string>} */
export const GATE_NAMES = { i: 'input', f: 'forget', g: 'candidate', o: 'output' };

/** Each cell's rows of weights, in PyTorch's order: the LSTM's gates, the GRU's r, z, n, the plain RNN's one row. */
export const CELL_GATES = /** @type {const} */ ({ lstm: GATES, gru: ['r', 'z', 'n'], rnn: ['h'] });

/** @typedef {keyof typeof CELL_GATES} CellName */

/** What each row of weights computes (a GRU's n is its candidate, a plain RNN's h its new state). @type {Record<string, string>} */
export const ROW_NAMES = { ...GATE_NAMES, r: 'reset', z: 'update', n: 'candidate', h: 'new state' };

/**
 * The rows of weights `w` holds, read from its size: 4 per unit an LSTM's, 3 a GRU's, 1 a plain RNN's.
 * @param {{ hidden: number, bias_ih: number[] }} w
 * @returns {readonly string[]}
 */
export function gatesOf(w) {
  const rows = w.bias_ih.length / w.hidden;
  return rows === 3 ? CELL_GATES.gru : rows === 1 ? CELL_GATES.rnn : GATES;
}
