// @ts-check
// Inside the model for every cell the Trainer trains (LSTM, GRU, plain RNN) and both readouts:
// the quantity chooser built from the model's own quantities (no fixed list), the split of the
// logit in words for the readout, and a short text per cell saying what to look for, its numbers
// read from the review shown.

import { escapeHtml } from '../lib/format.js';

/** @typedef {import('../lib/page-wasm.js').Inspection} Inspection */
/** @typedef {import('../lib/page-wasm.js').TextInspection} TextInspection */
/** @typedef {import('../lib/page-wasm.js').QuantityInfo} QuantityInfo */
/** @typedef {import('./heatmap.js').Quantity} Quantity */

/** The quantity every cell has: what a link or a previous model's choice falls back to. */
export const COMMON = 'h';

/**
 * Quantity `name` of the inspected model, if its cell has it.
 * @param {Inspection} x
 * @param {string} name
 * @returns {QuantityInfo | undefined}
 */
export const quantityOf = (x, name) => x.quantities.find((q) => q.name === name);

/**
 * `wanted` when the model has it, else h (every cell has h).
 * @param {Inspection} x
 * @param {string} wanted
 * @returns {Quantity}
 */
export function pickQuantity(x, wanted) {
  return /** @type {Quantity} */ (quantityOf(x, wanted) ? wanted : COMMON);
}

/**
 * The chooser's radios (name `inside-q`), one per quantity of the model, `current` checked,
 * before the box's other controls;
 * rebuilt only when the list changes so focus and listeners stay. `onPick` gets the choice.
 * @param {HTMLElement} box
 * @param {Inspection} x
 * @param {Quantity} current
 * @param {(q: Quantity) => void} onPick
 */
export function fillQuantityChooser(box, x, current, onPick) {
  const key = x.quantities.map((q) => q.name).join(',');
  if (box.dataset.quantities !== key) {
    // The radios come first in the box; what follows them (the padding switch) stays.
    for (const old of box.querySelectorAll('input[name="inside-q"]')) old.closest('label').remove();
    box.prepend(
      ...x.quantities.map((q) => {
        const label = document.createElement('label');
        const input = document.createElement('input');
        Object.assign(input, { type: 'radio', name: 'inside-q', value: q.name });
        input.addEventListener('change', () => onPick(/** @type {Quantity} */ (q.name)));
        label.title = q.about;
        label.append(input, ` ${q.name} ${q.label.replace(/ \S+$/, '')}`);
        return label;
      }),
    );
    box.dataset.quantities = key;
  }
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (box.querySelectorAll('input')))
    input.checked = input.value === current;
}

/**
 * The mean over the words read (padding left out) of quantity `q`, per unit.
 * @param {TextInspection} r
 * @param {Quantity} q
 * @returns {number[]}
 */
function wordMeans(r, q) {
  const x = r.inspection;
  const values = x.trace[q];
  const words = x.steps - r.padding;
  return Array.from({ length: x.hidden }, (_, j) => {
    let s = 0;
    for (let t = r.padding; t < x.steps; t++) s += values[t * x.hidden + j];
    return s / Math.max(1, words);
  });
}

/** @param {number} v @param {number} [d] */
const num = (v, d = 2) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(d);

/**
 * What to look for in this cell on this review, as HTML: a sentence or two with the review's own
 * numbers (recomputed for every review, never written in).
 * @param {TextInspection} r
 * @returns {string}
 */
export function cellNote(r) {
  const x = r.inspection;
  if (x.steps === r.padding) return '';
  const H = x.hidden;
  let text;
  if (x.cell === 'lstm') {
    const f = wordMeans(r, 'f');
    const keep = f.filter((v) => v > 0.9).length;
    const c = x.trace.c;
    let big = 0;
    for (let k = r.padding * H; k < c.length; k++) big = Math.max(big, Math.abs(c[k]));
    text =
      `<b>LSTM</b>: look at <b>f</b>. On this review's words, <b>${keep}</b> of ${H} units keep their forget gate above 0.9 on average: ` +
      `they carry their cell state c from word to word. c reaches |c| = <b>${num(big)}</b>, while h = o · tanh c stays within ±1.`;
  } else if (x.cell === 'gru') {
    const z = wordMeans(r, 'z');
    const keep = z.filter((v) => v > 0.9).length;
    const rMean = wordMeans(r, 'r').reduce((a, b) => a + b, 0) / H;
    text =
      `<b>GRU</b>: look at <b>z</b> (z = 1 copies the old state, z = 0 takes the candidate n). On this review's words, ` +
      `<b>${keep}</b> of ${H} units keep z above 0.9 on average: they hold their state across words. ` +
      `The reset gate r averages <b>${num(rMean)}</b>: how much of the old state the candidate reads.`;
  } else {
    const h = x.trace.h;
    let saturated = 0;
    for (let k = r.padding * H; k < h.length; k++) if (Math.abs(h[k]) > 0.95) saturated++;
    const share = saturated / ((x.steps - r.padding) * H);
    text =
      `<b>Plain RNN</b>: there are no gates, only <b>h</b>, rewritten through tanh at every word. ` +
      `On this review <b>${(100 * share).toFixed(1)} %</b> of its values are saturated (|h| > 0.95), where tanh passes almost no gradient back.`;
  }
  if (x.readout === 'last') {
    let top = r.padding;
    for (let t = r.padding; t < x.steps; t++)
      if (Math.abs(x.word_contribution[t]) > Math.abs(x.word_contribution[top])) top = t;
    const word = r.positions[top].word ?? '‹padding›';
    text +=
      ` The head reads only the state after the last word: reading “${escapeHtml(word)}” moved that reading most, by ` +
      `<b>${num(x.word_contribution[top], 3)}</b> (the words' moves add up to the logit).`;
  }
  return text;
}

/**
 * The logit's split, in words, for the readout.
 * @param {TextInspection} r
 * @param {(v: number) => string} fmt
 */
export function sumText(r, fmt) {
  const x = r.inspection;
  const add = (/** @type {number[]} */ v) => v.reduce((a, b) => a + b, 0);
  const words = add(x.word_contribution);
  const padding = add(x.word_contribution.slice(0, r.padding));
  const head = `logit = bias ${fmt(x.bias)} + the words' shares ${fmt(words - padding)} + the padding's ${fmt(padding)}`;
  if (x.readout === 'last')
    return `${head} (${r.padding} padding positions; last-state readout: each position's share is how much reading it moved the head's reading of the state, and these add up to the head on the last state).`;
  return `${head} (${r.padding} padding positions; shares: mean-pool ${fmt(add(x.mean_contribution))}, max-pools ${fmt(add(x.max_contribution))}).`;
}
