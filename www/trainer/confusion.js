// @ts-check
// The results of a validated epoch beyond accuracy: each class's precision, recall and F1, and
// the confusion matrix (counts or row-normalised) whose cells list their validation texts, each
// one a click away from "Inside the model". Drawn live at each epoch and kept after the run.

import { $ } from '../lib/dom.js';
import { escapeHtml, int } from '../lib/format.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').EpochReport} EpochReport */
/** @typedef {import('./protocol.js').CellRows} CellRows */

/** Texts listed for one cell (the cell's total is said beside them). */
export const CELL_LIMIT = 50;
/** Characters shown of a listed text (the whole text goes to Inside). */
const EXCERPT = 280;

// ------------------------------------------------------------------ pure

/**
 * Each row of a confusion matrix divided by its total (a class without validation rows: zeros).
 * @param {{ k: number, counts: number[] }} confusion  counts[truth * k + predicted]
 * @returns {number[]} shares, in the same order
 */
export function rowShares({ k, counts }) {
  const shares = new Array(counts.length).fill(0);
  for (let t = 0; t < k; t++) {
    let total = 0;
    for (let p = 0; p < k; p++) total += counts[t * k + p];
    if (total === 0) continue;
    for (let p = 0; p < k; p++) shares[t * k + p] = counts[t * k + p] / total;
  }
  return shares;
}

/**
 * What a cell of the matrix says, in words (its button's accessible name).
 * @param {string} truth
 * @param {string} predicted
 * @param {number} count
 * @param {number} share  of the true class's rows
 */
export function cellLabel(truth, predicted, count, share) {
  const rows = `${int.format(count)} ${count === 1 ? 'row' : 'rows'}`;
  const what = truth === predicted ? `right as ${predicted}` : `predicted as ${predicted}`;
  return `${rows} of ${truth} ${what} (${(share * 100).toFixed(1)} % of ${truth})`;
}

// ------------------------------------------------------------------ the tables

/**
 * Draw the per-class table and the matrix for epoch `r` of a run over `classes`.
 * @param {TrainerView} view
 * @param {EpochReport} r
 */
export function showResults(view, r) {
  const classes = view.run?.classes;
  if (!classes || !r.confusion || !r.valid_per_class?.length) return; // a run kept before classes
  view.resultsEpoch = r;
  $('trainer-results').hidden = false;
  $('trainer-per-class-caption').textContent =
    `Per class, validation, epoch ${r.epoch}: macro-F1 ${(r.valid_macro_f1 ?? 0).toFixed(4)}`;
  $('trainer-per-class').querySelector('tbody').innerHTML = r.valid_per_class
    .map(
      (s, c) =>
        `<tr><th scope="row">${escapeHtml(classes[c])}</th><td>${s.precision.toFixed(3)}</td><td>${s.recall.toFixed(3)}</td>` +
        `<td>${s.f1.toFixed(3)}</td><td>${int.format(s.support)}</td></tr>`,
    )
    .join('');
  drawMatrix(view);
}

/**
 * The confusion matrix of the epoch shown, as counts or row shares (the toggle).
 * @param {TrainerView} view
 */
export function drawMatrix(view) {
  const r = view.resultsEpoch;
  const classes = view.run?.classes;
  if (!r?.confusion || !classes) return;
  const { k, counts } = r.confusion;
  const shares = rowShares(r.confusion);
  const normalised = $('trainer-confusion-normalise').checked;
  const head = classes.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = [];
  for (let t = 0; t < k; t++) {
    const cells = [];
    for (let p = 0; p < k; p++) {
      const n = counts[t * k + p];
      const share = shares[t * k + p];
      const shown = normalised ? share.toFixed(2) : int.format(n);
      // The name starts with the number shown (WCAG 2.5.3); the shade is the row share, so a rare class's mistakes show as plainly as a common one's.
      cells.push(
        `<td class="${t === p ? 'right' : ''}" style="--share:${Math.round(share * 100)}%">` +
          `<button type="button" id="trainer-confusion-${t}-${p}" data-truth="${t}" data-predicted="${p}"` +
          ` aria-label="${shown}: ${escapeHtml(cellLabel(classes[t], classes[p], n, share))}"${n ? '' : ' disabled'}>${shown}</button></td>`,
      );
    }
    body.push(`<tr><th scope="row">${escapeHtml(classes[t])}</th>${cells.join('')}</tr>`);
  }
  $('trainer-confusion').innerHTML =
    `<caption>Confusion matrix, epoch ${r.epoch}: rows are the true class, columns the predicted one${normalised ? ' (each row adds up to 1)' : ''}</caption>` +
    `<thead><tr><th scope="col">true ↓ · predicted →</th>${head}</tr></thead><tbody>${body.join('')}</tbody>`;
}

/** @param {TrainerView} view */
export function hideResults(view) {
  view.resultsEpoch = null;
  $('trainer-results').hidden = true;
  $('trainer-cell').hidden = true;
}

// ------------------------------------------------------------------ a cell's texts

/**
 * The matrix's buttons and the listed texts' "Look inside", wired once (by delegation: the
 * tables are redrawn each epoch).
 * @param {TrainerView} view
 */
export function wireResults(view) {
  $('trainer-confusion-normalise').addEventListener('change', () => drawMatrix(view));
  $('trainer-confusion').addEventListener('click', (/** @type {Event} */ e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button');
    if (!button) return;
    $('trainer-cell').hidden = false;
    if (view.state === 'running') {
      // The worker is between steps of a run: its texts are asked for once it pauses or ends.
      $('trainer-cell-title').textContent = 'Pause the run (or let it finish) to list the texts of a cell.';
      $('trainer-cell-rows').replaceChildren();
      view.bump();
      return;
    }
    $('trainer-cell-title').textContent = 'Finding the texts…';
    view.send({
      type: 'confusion-cell',
      truth: Number(button.dataset.truth),
      predicted: Number(button.dataset.predicted),
      limit: CELL_LIMIT,
    });
  });
  $('trainer-cell-rows').addEventListener('click', (/** @type {Event} */ e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button');
    if (!button || !view.cell) return;
    const row = view.cell.rows[Number(button.dataset.row)];
    $('trainer-cell-title').textContent = `Opening line ${row.line} in “Inside the model”…`;
    view.send({ type: 'look-inside', focus: { text: row.text, truth: view.cell.truth } });
  });
}

/**
 * The worker's texts for a cell: listed, each with "Look inside".
 * @param {TrainerView} view
 * @param {CellRows} cell
 */
export function showCell(view, cell) {
  view.cell = cell;
  const shown = cell.rows.length < cell.total ? `the first ${cell.rows.length} of ${int.format(cell.total)}` : 'all';
  const what =
    cell.truth === cell.predicted
      ? `${escapeHtml(cell.truth)} rows the model got right`
      : `${escapeHtml(cell.truth)} rows the model predicted as ${escapeHtml(cell.predicted)}`;
  $('trainer-cell-title').innerHTML = `${cell.total ? `${shown[0].toUpperCase()}${shown.slice(1)}` : 'No'} ${what}:`;
  $('trainer-cell-rows').innerHTML = cell.rows
    .map((row, i) => {
      const text = row.text.length > EXCERPT ? `${row.text.slice(0, EXCERPT)}…` : row.text;
      return (
        `<li><span class="hint">line ${row.line}</span> ${escapeHtml(text)} ` +
        `<button type="button" class="trainer-cell-inside" data-row="${i}">Look inside</button></li>`
      );
    })
    .join('');
  view.bump();
}

/**
 * The worker could not list a cell (no run in this tab: a model loaded from a file).
 * @param {TrainerView} view
 * @param {string} message
 */
export function cellFailed(view, message) {
  view.cell = null;
  $('trainer-cell-title').textContent = `Cannot list the texts: ${message}.`;
  $('trainer-cell-rows').replaceChildren();
  view.bump();
}
