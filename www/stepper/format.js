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
