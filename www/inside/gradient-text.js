// @ts-check
// What the gradient-through-time chart says, for the class, in words: the first word's gradient
// against the last word's, through the recurrence and by every path, for each model shown. Every
// number is read from the values on screen (pure functions, unit-tested in tests/unit/).

/** @type {Record<string, string>} */
const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/**
 * A positive ratio as a person reads it: "0.42", "3.1", or "2.3 × 10⁻⁶" when it is far from 1.
 * @param {number} r
 */
export function ratioText(r) {
  if (!(r > 0) || !Number.isFinite(r)) return r === 0 ? '0' : String(r);
  if (r >= 0.01 && r < 100) return r.toPrecision(2);
  const [mantissa, exponent] = r.toExponential(1).split('e');
  const power = [...String(Number(exponent))].map((c) => SUPERSCRIPT[c]).join('');
  return `${mantissa} × 10${power}`;
}

/**
 * One model's gradients as the summary reads them.
 * @typedef {object} ModelGradients
 * @property {string} label  the model, as the page names it
 * @property {string} cell  "LSTM", "GRU", "plain RNN"
 * @property {string} readout  "mean ‖ max pooling" or "last state"
 * @property {number} first  the first word read's position (past `last` when none is read)
 * @property {number} last  the last position
 * @property {ArrayLike<number>} all  ‖∂logit/∂x_t‖ by every path, per position
 * @property {ArrayLike<number>} recurrent  the same through the recurrence only
 */

/**
 * The first word's gradient over the last word's, both flavours; null with fewer than two words.
 * @param {ModelGradients} m
 */
export function firstOverLast(m) {
  if (m.last <= m.first) return null;
  return {
    all: m.all[m.first] / m.all[m.last],
    recurrent: m.recurrent[m.first] / m.recurrent[m.last],
  };
}

/**
 * What to look for, with this review's numbers: a sentence per model, and one comparing two.
 * @param {ModelGradients[]} models
 */
export function gradientSummary(models) {
  const sentences = [];
  const ratios = models.map(firstOverLast);
  models.forEach((m, k) => {
    const r = ratios[k];
    const who = `${m.label} (${m.cell}, ${m.readout})`;
    if (!r) {
      sentences.push(
        m.first > m.last
          ? `${who}: none of the review's words is in the model's vocabulary; it reads only padding.`
          : `${who}: the review has one word the model reads; there is nothing to compare it with.`,
      );
      return;
    }
    const words = m.last - m.first + 1;
    const recurrent = `Through the recurrence only, the first of its ${words} words has ${ratioText(r.recurrent)} of the last word's gradient`;
    if (m.readout === 'last state') {
      sentences.push(`${who}: ${recurrent}; read at its last state, that is the only path, so both lines are one.`);
      return;
    }
    const shortcut =
      r.all > r.recurrent * 10
        ? `by every path it has ${ratioText(r.all)}: pooling hands each word a direct path to the verdict`
        : `by every path ${ratioText(r.all)}`;
    sentences.push(`${who}: ${recurrent}; ${shortcut}.`);
  });
  if (models.length === 2 && ratios[0] && ratios[1]) {
    const [a, b] = ratios.map((r) => r.recurrent);
    const [more, less] = a >= b ? [0, 1] : [1, 0];
    const factor = Math.max(a, b) / Math.min(a, b);
    if (factor >= 10)
      sentences.push(
        `Through the recurrence, the first word keeps ${ratioText(factor)} times more of its gradient in ${models[more].label} than in ${models[less].label}.`,
      );
  }
  return sentences.join(' ');
}
