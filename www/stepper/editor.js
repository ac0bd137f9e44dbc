// @ts-check
// The Cell stepper's weight editor: an input per weight in a table per gate, and the start
// state, up to input and hidden size 8; every weight as a heatmap above that.

import { gatesOf, ROW_NAMES } from './format.js';
import { heatmap } from './heatmap.js';
import { EDITABLE_MAX, weightRows } from './weights.js';

/** @typedef {import('../lib/page-wasm.js').StepperSetup} StepperSetup */

/** The editors being rebuilt (see the end of `buildWeights`). @type {WeakSet<HTMLElement>} */
const rebuilding = new WeakSet();

/**
 * The weight editor (or heatmap) of `setup` in `box`. `onEdit(input)` is told of each changed
 * field (its id names the weight: `stepper-weight-{gate}-{unit}-{column}`, `stepper-h0-{unit}`).
 * @param {HTMLElement} box
 * @param {StepperSetup} setup
 * @param {(input: HTMLInputElement) => void} onEdit
 */
export function buildWeights(box, setup, onEdit) {
  const w = setup.weights;
  const { input: E, hidden: H } = w;
  const gates = gatesOf(w);
  // Only the LSTM has a cell state to start from.
  /** @type {('h0' | 'c0')[]} */
  const states = gates.length === 4 ? ['h0', 'c0'] : ['h0'];
  /** @param {string} id */
  const field = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
  /** @param {number} v */
  const shown = (v) => String(+v.toFixed(4));
  if (E > EDITABLE_MAX || H > EDITABLE_MAX) {
    delete box.dataset.shape;
    box.innerHTML = `<p class="hint">Weights are editable up to input and hidden size ${EDITABLE_MAX}; here is every weight as a heatmap (rows: gate·unit; columns: W | U | b).</p>`;
    box.appendChild(heatmap(weightRows(w), 9));
    return;
  }
  // Same sizes: new values into the same inputs, so a keyboard user's focus (and place) stays.
  const shape = `${E}x${H}x${gates.length}`;
  if (box.dataset.shape === shape) {
    gates.forEach((gate, gi) => {
      for (let r = 0; r < H; r++) {
        const row = gi * H + r;
        for (let j = 0; j < E; j++) field(`stepper-weight-${gate}-${r}-${j}`).value = shown(w.weight_ih[row * E + j]);
        for (let j = 0; j < H; j++)
          field(`stepper-weight-${gate}-${r}-${E + j}`).value = shown(w.weight_hh[row * H + j]);
        field(`stepper-weight-${gate}-${r}-${E + H}`).value = shown(w.bias_ih[row] + w.bias_hh[row]);
      }
    });
    for (const name of states) {
      setup[name].forEach((v, j) => {
        field(`stepper-${name}-${j}`).value = shown(v);
      });
    }
    return;
  }
  box.dataset.shape = shape;
  /**
   * @param {number} n
   * @param {(j: number) => string} cell
   */
  const each = (n, cell) => Array.from({ length: n }, (_, j) => cell(j)).join('');
  const tables = gates.map((gate, gi) => {
    const head = `<tr><td></td>${each(E, (j) => `<th>W·x${j + 1}</th>`)}${each(H, (j) => `<th>U·h${j + 1}</th>`)}<th>b</th></tr>`;
    const body = each(H, (r) => {
      const row = gi * H + r;
      const cells = [];
      for (let j = 0; j < E; j++) cells.push([j, w.weight_ih[row * E + j]]);
      for (let j = 0; j < H; j++) cells.push([E + j, w.weight_hh[row * H + j]]);
      cells.push([E + H, w.bias_ih[row] + w.bias_hh[row]]);
      const inputs = cells
        .map(
          ([col, v]) =>
            `<td><input type="number" step="0.1" id="stepper-weight-${gate}-${r}-${col}" value="${+v.toFixed(4)}" aria-label="${gate} gate, unit ${r + 1}, column ${col + 1}"></td>`,
        )
        .join('');
      return `<tr><th scope="row">unit ${r + 1}</th>${inputs}</tr>`;
    });
    const name = gate === 'h' ? ROW_NAMES.h : `${ROW_NAMES[gate]} gate`;
    return `<table class="weight-table"><caption>${name} <var>${gate}</var></caption>${head}${body}</table>`;
  });
  const stateRows = states
    .map((name) => {
      const inputs = setup[name]
        .map(
          (v, j) =>
            `<td><input type="number" step="0.1" id="stepper-${name}-${j}" value="${+v.toFixed(4)}" aria-label="${name} unit ${j + 1}"></td>`,
        )
        .join('');
      return `<tr><th scope="row">${name}</th>${inputs}</tr>`;
    })
    .join('');
  const state = `<table class="weight-table"><caption>Start state</caption><tr><td></td>${each(H, (j) => `<th>unit ${j + 1}</th>`)}</tr>${stateRows}</table>`;
  // Removing a focused input that was typed in fires its `change` now, in the middle of this
  // rebuild: for weights of the setup being replaced. Those edits are dropped.
  rebuilding.add(box);
  try {
    box.innerHTML = tables.join('') + state;
  } finally {
    rebuilding.delete(box);
  }
  for (const input of box.querySelectorAll('input'))
    input.addEventListener('change', () => {
      if (!rebuilding.has(box)) onEdit(input);
    });
}
