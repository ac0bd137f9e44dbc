// @ts-check
// The GRU's and plain RNN's step in equations with this step's numbers, one sentence for screen
// readers, and a few lines for the class read from the run (how much of its state the GRU kept,
// how much gradient reaches the first step). Pure: from the Rust run to text.

import { fmt, signed } from './format.js';

/** @typedef {import('../lib/page-wasm.js').StepperSetup} StepperSetup */
/** @typedef {import('../lib/page-wasm.js').CellRun} CellRun */
/** @typedef {import('../lib/page-wasm.js').CellRunStep} CellRunStep */

/**
 * W·x and U·h of row block `gate` (0-based, PyTorch's order), unit `k`, and its two biases.
 * @param {StepperSetup['weights']} w
 * @param {number} gate
 * @param {number} k
 * @param {number[]} x
 * @param {number[]} hPrev
 */
export function rowParts(w, gate, k, x, hPrev) {
  const { input: E, hidden: H } = w;
  const row = gate * H + k;
  let wx = 0;
  for (let j = 0; j < E; j++) wx += w.weight_ih[row * E + j] * x[j];
  let uh = 0;
  for (let j = 0; j < H; j++) uh += w.weight_hh[row * H + j] * hPrev[j];
  return { wx, uh, bx: w.bias_ih[row], bh: w.bias_hh[row] };
}

/**
 * The equations of step `t` (from 1), unit `k`, as HTML.
 * @param {'gru' | 'rnn'} cell
 * @param {{ step: CellRunStep, hPrev: number[], x: number[], weights: StepperSetup['weights'], t: number, k: number }} at
 */
export function cellEquationsHtml(cell, { step, hPrev, x, weights, t, k }) {
  /**
   * @param {string} id
   * @param {string} body
   */
  const eq = (id, body) => `<div class="eq" id="stepper-eq-${id}">${body}</div>`;
  const rows = [];
  if (cell === 'gru') {
    for (const [gi, gate, pre] of /** @type {const} */ ([
      [0, 'r', step.pre_r],
      [1, 'z', step.pre_z],
    ])) {
      const p = rowParts(weights, gi, k, x, hPrev);
      rows.push(
        eq(
          gate,
          `<var>${gate}</var> = σ(W·x + U·h + b) = σ(${fmt(p.wx)} ${signed(p.uh)} ${signed(p.bx + p.bh)}) = ` +
            `σ(${fmt(pre[k])}) = <b data-value="${gate}">${fmt(step[gate][k])}</b>`,
        ),
      );
    }
    rows.push(
      eq(
        'n',
        `<var>n</var> = tanh(W·x + b + r·(U·h + b<sub>hn</sub>)) = tanh(${fmt(step.n_x[k])} + ${fmt(step.r[k])} × ${fmt(step.n_h[k])}) = ` +
          `<b data-value="n">${fmt(step.n[k])}</b>`,
      ),
      eq(
        'h',
        `<var>h</var> = (1 − z)·n + z·h<sub>t−1</sub> = ${fmt(1 - step.z[k])} × ${fmt(step.n[k])} + ${fmt(step.z[k])} × ${fmt(hPrev[k])} = ` +
          `${fmt(step.written[k])} ${signed(step.kept[k])} = <b data-value="h">${fmt(step.h[k])}</b>`,
      ),
    );
  } else {
    const p = rowParts(weights, 0, k, x, hPrev);
    rows.push(
      eq(
        'h',
        `<var>h</var> = tanh(W·x + U·h + b) = tanh(${fmt(p.wx)} ${signed(p.uh)} ${signed(p.bx + p.bh)}) = ` +
          `tanh(${fmt(step.pre[k])}) = <b data-value="h">${fmt(step.h[k])}</b>`,
      ),
      eq(
        'slope',
        `tanh′ = 1 − h² = <b data-value="slope">${fmt(1 - step.h[k] ** 2)}</b> <span class="hint">(each step back, the gradient is multiplied by this and by U)</span>`,
      ),
    );
  }
  return `<h3>Step ${t}, unit ${k + 1}</h3>${rows.join('')}`;
}

/**
 * This step in one sentence for screen readers: `Step 3, word 'but': r 0.00, z 0.05, n 0.00, h 0.05 (unit 1)`.
 * @param {'gru' | 'rnn'} cell
 * @param {CellRunStep} step
 * @param {number} t
 * @param {string} token
 * @param {number} k
 */
export function cellAnnouncement(cell, step, t, token, k) {
  /** @param {number} v */
  const two = (v) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(2);
  const names = cell === 'gru' ? ['r', 'z', 'n', 'h'] : ['pre', 'h'];
  const kind = /^[-+0-9.,;\s]+$/.test(token) ? 'input' : 'word';
  return `Step ${t}, ${kind} '${token}': ${names.map((n) => `${n} ${two(step[n][k])}`).join(', ')} (unit ${k + 1})`;
}

/**
 * A ratio as people read it: 0.42, or 3.1 × 10⁻⁷ when it is small.
 * @param {number} v
 */
export function ratioText(v) {
  if (v === 0) return '0';
  if (v >= 0.01) return v.toPrecision(2);
  const [mantissa, exponent] = v.toExponential(1).split('e');
  const sup = [...String(Number(exponent))].map((c) => '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'['-0123456789'.indexOf(c)]).join('');
  return `${mantissa} × 10${sup}`;
}

/**
 * What to look for, with this run's numbers: how much gradient from the last state reaches the
 * first step, and (GRU) how much of its state unit `k` kept on average.
 * @param {CellRun} run
 * @param {number} k
 */
export function classText(run, k) {
  const T = run.steps.length;
  const g = run.gradient;
  const reach = ratioText(g[0] / g[T - 1]);
  const back =
    T > 1
      ? `Back through time, ‖∂h<sub>${T}</sub>/∂h<sub>1</sub>‖ is <b id="stepper-cell-reach">${reach}</b> of ‖∂h<sub>${T}</sub>/∂h<sub>${T}</sub>‖: ` +
        `that much of a change to the first step still reaches the last.`
      : 'One step: nothing to carry yet.';
  if (run.cell === 'rnn') {
    const slope = run.steps.reduce((s, step) => s + (1 - step.h[k] ** 2), 0) / T;
    return (
      `${back} A plain RNN multiplies it by U·tanh′ at every step; unit ${k + 1}'s tanh′ = 1 − h² averages ` +
      `<b id="stepper-cell-slope">${fmt(slope)}</b> here.`
    );
  }
  const z = run.steps.reduce((s, step) => s + /** @type {number[]} */ (step.z)[k], 0) / T;
  return (
    `${back} The GRU's update gate z copies the old state: unit ${k + 1} kept on average ` +
    `<b id="stepper-cell-kept">${fmt(z)}</b> of h per step (z = 1 keeps it all, and the gradient with it).`
  );
}
