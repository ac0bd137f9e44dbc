// @ts-check
// One step of one unit in words and equations: the gates' pre-activations split into W·x, U·h
// and b, the cell and hidden state, the post's two mistakes in this step's numbers, and one
// sentence for screen readers. Pure: from the Rust run to text (the view puts it on the page).

import { fmt, GATES, signed } from './format.js';

/** @typedef {import('../lib/page-wasm.js').StepperSetup} StepperSetup */
/** @typedef {import('./format.js').Gate} Gate */

/** @typedef {import('../lib/page-wasm.js').CellStep} Step */

/**
 * W·x, U·h and b of gate `gate`, unit `k` — the parts of the pre-activation, for display.
 * @param {StepperSetup['weights']} w  the weights the run used
 * @param {Gate} gate
 * @param {number} k
 * @param {number[]} x
 * @param {number[]} hPrev
 */
export function gateParts(w, gate, k, x, hPrev) {
  const { input: E, hidden: H } = w;
  const row = GATES.indexOf(gate) * H + k;
  let wx = 0;
  for (let j = 0; j < E; j++) wx += w.weight_ih[row * E + j] * x[j];
  let uh = 0;
  for (let j = 0; j < H; j++) uh += w.weight_hh[row * H + j] * hPrev[j];
  return { wx, uh, b: w.bias_ih[row] + w.bias_hh[row] };
}

/**
 * The equations of step `t` (from 1), unit `k`, with the numbers, as HTML. `post`: the post's
 * σ-g cell at this step (shown beside the real one), `y`: its output layer's pre-activation and
 * output at this step.
 * @param {{ step: Step, prev: { c: number[], h: number[] }, x: number[], weights: StepperSetup['weights'], t: number, k: number }} at
 * @param {{ post?: { act: Record<Gate, number[]>, c: number[] } | null, y?: { pre: number, y: number } | null }} [extras]
 */
export function equationsHtml({ step, prev, x, weights, t, k }, { post = null, y = null } = {}) {
  const rows = GATES.map((gate) => {
    const { wx, uh, b } = gateParts(weights, gate, k, x, prev.h);
    const fn = gate === 'g' ? 'tanh' : 'σ';
    const extra =
      post && gate === 'g'
        ? ` <span class="post">(the post: σ(${fmt(step.pre.g[k])}) = ${fmt(post.act.g[k])})</span>`
        : '';
    return (
      `<div class="eq" id="stepper-eq-${gate}"><var>${gate}</var> = ${fn}(W·x + U·h + b) = ${fn}(${fmt(wx)} ${signed(uh)} ${signed(b)}) = ` +
      `${fn}(${fmt(step.pre[gate][k])}) = <b data-value="${gate}">${fmt(step.act[gate][k])}</b>${extra}</div>`
    );
  });
  const a = step.act;
  const postC = post ? ` <span class="post">(the post: ${fmt(post.c[k])})</span>` : '';
  rows.push(
    `<div class="eq cell" id="stepper-eq-c"><var>c</var> = f·c<sub>t−1</sub> + i·g = ${fmt(a.f[k])} × ${fmt(prev.c[k])} + ` +
      `${fmt(a.i[k])} × ${fmt(a.g[k])} = <b data-value="c">${fmt(step.c[k])}</b>${postC}</div>`,
    `<div class="eq" id="stepper-eq-h"><var>h</var> = o·tanh(c) = ${fmt(a.o[k])} × ${fmt(step.tanh_c[k])} = <b data-value="h">${fmt(step.h[k])}</b></div>`,
  );
  if (y) {
    rows.push(
      `<div class="eq post-eq" id="stepper-eq-y"><var>y</var> = relu(W<sub>p</sub>·h + b<sub>p</sub>) = relu(${fmt(y.pre)}) = ` +
        `<b data-value="y">${fmt(y.y)}</b> <span class="post">(the post's output; h goes on unchanged)</span></div>`,
    );
  }
  return `<h3>Step ${t}, unit ${k + 1}</h3>${rows.join('')}`;
}

/**
 * This step in one short sentence for screen readers (the aria-live region #stepper-announce):
 * `Step 3, word 'france': i 0.91, f 0.12, g −0.40, o 0.77, c 0.35, h 0.26 (unit 1)`.
 * @param {Step} step
 * @param {number} t
 * @param {string} token  the step's word, or a number typed as input
 * @param {number} k
 */
export function announcement(step, t, token, k) {
  /** @param {number} v */
  const two = (v) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(2);
  /** @type {[string, number][]} */
  const values = [
    ...GATES.map((g) => /** @type {[string, number]} */ ([g, step.act[g][k]])),
    ['c', step.c[k]],
    ['h', step.h[k]],
  ];
  const kind = /^[-+0-9.,;\s]+$/.test(token) ? 'input' : 'word';
  return `Step ${t}, ${kind} '${token}': ${values.map(([name, v]) => `${name} ${two(v)}`).join(', ')} (unit ${k + 1})`;
}

/**
 * The real cell against the post's σ-g cell at step `t`, unit `k`: what each writes (i·g), how
 * often each subtracted over the run, and where each ends.
 * @param {{ written: number[][], post_written: number[][], steps: { c: number[] }[], post_steps: { c: number[] }[] }} run
 * @param {number} t
 * @param {number} k
 */
export function compareText(run, t, k) {
  const T = run.steps.length;
  const written = run.written[t - 1][k];
  const postWritten = run.post_written[t - 1][k];
  const subtracted = run.written.filter((row) => row[k] < 0).length;
  const postSubtracted = run.post_written.filter((row) => row[k] < 0).length;
  return (
    `Step ${t}, unit ${k + 1}: the real cell writes i·g = ${fmt(written)}${written < 0 ? ' (it subtracts)' : ''}; the post's cell writes ${fmt(postWritten)}. ` +
    `Over the ${T} steps the real cell subtracted at ${subtracted}, the post's at ${postSubtracted || 'none'}. ` +
    `After the last step c = ${fmt(run.steps[T - 1].c[k])} here, ${fmt(run.post_steps[T - 1].c[k])} in the post's cell.`
  );
}

/**
 * The post's output layer y = relu(W_p h + b_p) at step `t`, unit `k`, and what mean and max
 * pooling make of h and of y over the run.
 * @param {{ steps: { h: number[] }[], post_output: { pre: number[][], y: number[][], h_mean: number[], h_max: number[], y_mean: number[], y_max: number[] } }} run
 * @param {number} t
 * @param {number} k
 */
export function postOutputText(run, t, k) {
  const T = run.steps.length;
  const o = run.post_output;
  const [h, pre, y] = [run.steps[t - 1].h[k], o.pre[t - 1][k], o.y[t - 1][k]];
  return (
    `Step ${t}, unit ${k + 1}: h = ${fmt(h)} goes on to the next step; the post's output is y = relu(${fmt(pre)}) = ${fmt(y)}. ` +
    `Pooled over the ${T} steps: mean h ${fmt(o.h_mean[k])}, max h ${fmt(o.h_max[k])}; mean y ${fmt(o.y_mean[k])}, max y ${fmt(o.y_max[k])}.`
  );
}
