// @ts-check
// The Classes panel of the Trainer's preview: the label column's values and the class each one
// trains as (merge, rename), which classes to train on (drop), which one's probability a
// two-class model gives (positive), and upper and lower case alike. Every change is a new
// label choice the worker applies (`relabel`, src/data/labels.rs); the page only mirrors how a
// value finds its class, to list the dropped classes too.

import { $ } from '../lib/dom.js';
import { escapeHtml, int } from '../lib/format.js';
import { requestEstimate } from './memory.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').Preview} Preview */
/** @typedef {Preview['choice']} LabelChoice */

// ------------------------------------------------------------------ pure: the label choice

/**
 * The merge key of a label value: the value, lower-cased when case is folded (as Rust's
 * `class_map` does).
 * @param {LabelChoice} choice
 * @param {string} value
 */
export function foldedValue(choice, value) {
  return choice.fold_case ? value.toLowerCase() : value;
}

/**
 * The class a value trains as under `choice`, dropped or not.
 * @param {LabelChoice} choice
 * @param {string} value
 */
export function classOfValue(choice, value) {
  const key = foldedValue(choice, value);
  const merged = choice.merge.find(([from]) => from === key);
  return merged ? merged[1].trim() : key;
}

/**
 * `choice` with `value`'s rows in class `name`: an existing class merges, a new name renames.
 * An empty name changes nothing (the input is put back).
 * @param {LabelChoice} choice
 * @param {string} value
 * @param {string} name
 * @returns {LabelChoice}
 */
export function withValueClass(choice, value, name) {
  const key = foldedValue(choice, value);
  const target = name.trim();
  if (!target) return choice;
  const merge = choice.merge.filter(([from]) => from !== key);
  if (target !== key) merge.push([key, target]);
  return { ...choice, merge };
}

/**
 * `choice` with class `name` trained on (`train`) or dropped.
 * @param {LabelChoice} choice
 * @param {string} name
 * @param {boolean} train
 * @returns {LabelChoice}
 */
export function withTrained(choice, name, train) {
  const drop = choice.drop.filter((d) => d !== name);
  if (!train) drop.push(name);
  return { ...choice, drop };
}

/**
 * `choice` with upper and lower case alike (or not). Merges keep working: their values are
 * lower-cased with the values they name.
 * @param {LabelChoice} choice
 * @param {boolean} fold
 * @returns {LabelChoice}
 */
export function withFoldCase(choice, fold) {
  if (!fold) return { ...choice, fold_case: false };
  /** @type {[string, string][]} */
  const merge = [];
  for (const [from, to] of choice.merge) {
    const key = from.toLowerCase();
    if (!merge.some(([f]) => f === key)) merge.push([key, to]);
  }
  return { ...choice, fold_case: true, merge };
}

/**
 * Whether two label choices make the same classes from the same values (a kept run's and the
 * loaded data's).
 * @param {LabelChoice} a
 * @param {LabelChoice} b
 */
export function sameChoice(a, b) {
  /** @param {LabelChoice} c */
  const key = (c) =>
    JSON.stringify([
      c.fold_case,
      [...c.merge].map(([f, t]) => `${f}\u0000${t.trim()}`).sort(),
      [...c.drop].sort(),
      c.positive ?? null,
    ]);
  return key(a) === key(b);
}

/**
 * Every class a value names, trained or dropped: `preview.classes` in their order (class id),
 * then the dropped ones in the order their values first appear.
 * @param {Preview} p
 * @returns {{ name: string, rows: number, trained: boolean }[]}
 */
export function allClasses(p) {
  const list = p.classes.map((c) => ({ name: c.name, rows: c.rows, trained: true }));
  /** @type {Map<string, { name: string, rows: number, trained: boolean }>} */
  const dropped = new Map();
  for (const v of p.values) {
    if (v.class !== null) continue;
    const name = classOfValue(p.choice, v.value);
    const entry = dropped.get(name) ?? { name, rows: 0, trained: false };
    entry.rows += v.rows;
    dropped.set(name, entry);
  }
  return [...list, ...dropped.values()];
}

/**
 * The counts line: `12,345 rows — 3 classes: neg 4,000 · neutral 2,000 · pos 6,345; 12 rows
 * with an empty label skipped`.
 * @param {Preview} p
 */
export function countsLine(p) {
  /** @type {(n: number, one: string, many: string) => string} */
  const plural = (n, one, many) => `${int.format(n)} ${n === 1 ? one : many}`;
  const classes = p.classes.map((c) => `${c.name} ${int.format(c.rows)}`).join(' · ');
  const notes = [];
  if (p.dropped) notes.push(`${plural(p.dropped, 'row', 'rows')} of dropped classes left out`);
  if (p.empty_labels) notes.push(`${plural(p.empty_labels, 'row', 'rows')} with an empty label skipped`);
  if (p.empty_texts) notes.push(`${plural(p.empty_texts, 'empty text', 'empty texts')}`);
  return (
    `${plural(p.rows, 'row', 'rows')} — ${plural(p.classes.length, 'class', 'classes')}` +
    `${classes ? `: ${classes}` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`
  );
}

// ------------------------------------------------------------------ the panel

/**
 * Draw the panel for `p` (after a load or a relabel).
 * @param {Preview} p
 */
export function showClasses(p) {
  $('trainer-fold-case').checked = p.choice.fold_case;
  const classes = allClasses(p);
  $('trainer-class-names').replaceChildren(...classes.map((c) => new Option(c.name)));
  $('trainer-values-table').querySelector('tbody').innerHTML = p.values
    .map((v, i) => {
      const name = v.class ?? classOfValue(p.choice, v.value);
      return (
        `<tr${v.class === null ? ' class="dropped"' : ''}><td>${escapeHtml(v.value)}</td><td>${int.format(v.rows)}</td>` +
        `<td>${v.first_line}</td><td><input id="trainer-value-class-${i}" list="trainer-class-names" value="${escapeHtml(name)}"` +
        ` data-value="${escapeHtml(v.value)}" aria-label="Class of “${escapeHtml(v.value)}”"></td></tr>`
      );
    })
    .join('');
  const two = p.classes.length === 2;
  const positive = two ? p.classes[1].name : null;
  $('trainer-classes-table').querySelector('thead tr').innerHTML =
    `<th>class</th><th>rows</th><th>train on it</th>${two ? '<th>probability shown for</th>' : ''}`;
  $('trainer-classes-table').querySelector('tbody').innerHTML = classes
    .map((c, i) => {
      const name = escapeHtml(c.name);
      const radio =
        two && c.trained
          ? `<td><input type="radio" name="trainer-positive" id="trainer-class-positive-${i}" data-class="${name}"${c.name === positive ? ' checked' : ''} aria-label="Probability shown for ${name}"></td>`
          : two
            ? '<td></td>'
            : '';
      return (
        `<tr${c.trained ? '' : ' class="dropped"'}><td>${name}</td><td>${int.format(c.rows)}</td>` +
        `<td><input type="checkbox" id="trainer-class-train-${i}" data-class="${name}"${c.trained ? ' checked' : ''} aria-label="Train on ${name}"></td>${radio}</tr>`
      );
    })
    .join('');
  const problem = $('trainer-classes-problem');
  problem.textContent = p.problem ? `Cannot train yet: ${p.problem}.` : '';
  problem.hidden = !p.problem;
}

/**
 * Ask the worker to apply `choice` (the panel waits, disabled, for the new preview).
 * @param {TrainerView} view
 * @param {LabelChoice} choice
 */
function relabel(view, choice) {
  view.clear('trainer-classes-error');
  $('trainer-classes').disabled = true;
  view.send({ type: 'relabel', choice });
}

/**
 * The panel's inputs, wired once (they are redrawn with each preview, so by delegation).
 * @param {TrainerView} view
 */
export function wireClasses(view) {
  $('trainer-fold-case').addEventListener('change', (/** @type {Event} */ e) => {
    relabel(view, withFoldCase(view.preview.choice, /** @type {HTMLInputElement} */ (e.target).checked));
  });
  $('trainer-values-table').addEventListener('change', (/** @type {Event} */ e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    const next = withValueClass(view.preview.choice, input.dataset.value, input.value);
    if (next === view.preview.choice) {
      input.value = classOfValue(next, input.dataset.value); // an empty name: put it back
      return;
    }
    relabel(view, next);
  });
  $('trainer-classes-table').addEventListener('change', (/** @type {Event} */ e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    const name = input.dataset.class;
    if (input.type === 'checkbox') relabel(view, withTrained(view.preview.choice, name, input.checked));
    else if (input.type === 'radio') relabel(view, { ...view.preview.choice, positive: name });
  });
}

/**
 * The worker applied a label choice: the counts, the panel, Start.
 * @param {TrainerView} view
 * @param {Preview} p
 */
export function relabeled(view, p) {
  view.preview = p;
  $('trainer-classes').disabled = false;
  $('trainer-counts').textContent = `${view.loaded.name}: ${countsLine(p)}`;
  showClasses(p);
  view.setState(view.state);
  view.bump();
  // The data check and the baseline are of these classes now (check.js reruns for a new preview).
  if (!p.problem) requestEstimate(view);
}

/**
 * The worker refused a label choice (more than 100 classes): why, and the panel as it was.
 * @param {TrainerView} view
 * @param {string} message
 */
export function relabelFailed(view, message) {
  $('trainer-classes').disabled = false;
  if (view.preview) showClasses(view.preview);
  view.fail('trainer-classes-error', `${message}. The classes are as they were.`);
}
