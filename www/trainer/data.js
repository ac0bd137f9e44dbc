// @ts-check
// Data in: a CSV chosen or dropped, or the built-in sample, read by the worker; its preview; and
// when its columns are not found, a chooser over its first row.

import { assetUrl, fetchWithProgress } from '../lib/assets.js';
import { $ } from '../lib/dom.js';
import { dataFileProblem } from '../lib/filecheck.js';
import { escapeHtml } from '../lib/format.js';
import { countsLine, showClasses, wireClasses } from './classes.js';
import { fingerprint } from './runstore.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./view.js').DataSource} DataSource */
/** @typedef {import('./protocol.js').Columns} Columns */
/** @typedef {import('./protocol.js').ErrorOutput} ErrorOutput */
/** @typedef {import('./protocol.js').Preview} Preview */

/**
 * @param {TrainerView} view
 * @param {File} file
 */
export async function readFile(view, file) {
  $('trainer-file').value = '';
  // Sized before it is read: a file past the limit is never copied into the page.
  const problem = dataFileProblem(file);
  if (problem) {
    view.fail(
      'trainer-data-error',
      `${file.name}: ${problem}.${view.hasData ? ' The previous data is still loaded.' : ''}`,
    );
    return;
  }
  parse(view, { name: file.name, bytes: await file.arrayBuffer() }, null);
}

/**
 * Fill `select` with `options` without spreading the list into one call: a header can have
 * thousands of columns, and a spread of hundreds of thousands throws a RangeError.
 * @param {HTMLSelectElement} select
 * @param {HTMLOptionElement[]} options
 */
function fill(select, options) {
  const all = document.createDocumentFragment();
  for (const o of options) all.append(o);
  select.replaceChildren(all);
}

/**
 * Fetch the built-in sample and read it (`columns`: a kept run's, to resume it).
 * @param {TrainerView} view
 * @param {Columns | null} [columns]
 */
export async function loadSample(view, columns = null) {
  $('trainer-status').textContent = 'Fetching the built-in sample…';
  try {
    // (fetchWithProgress: its errors name the file, and what to do when offline.)
    const response = await fetchWithProgress(assetUrl('sample'), null, () => {});
    parse(view, { name: 'imdb-sample.csv.gz', bytes: await response.arrayBuffer(), sample: true }, columns);
  } catch (e) {
    view.fail('trainer-data-error', `Could not fetch the sample: ${e.message}`);
  }
}

/**
 * Have the worker read `source` (with `columns`, or the usual ones).
 * @param {TrainerView} view
 * @param {DataSource} source
 * @param {Columns | null} columns
 */
export function parse(view, source, columns) {
  view.pending = source;
  view.pendingNoHeader = Boolean(columns?.no_header);
  $('trainer-status').textContent = `Reading ${source.name}…`;
  view.section.dataset.state = 'loading';
  // Copied, not transferred: a column change re-sends the same bytes.
  view.send({ type: 'load-csv', bytes: source.bytes, columns });
}

/**
 * The column chooser over the file's first row: its names, or — for a file without a header
 * row — `column 1`, `column 2`, … each shown with its value in that first row.
 * @param {TrainerView} view
 * @param {string[]} firstRow
 * @param {{ noHeader?: boolean }} [options]
 */
export function chooseColumns(view, firstRow, { noHeader = false } = {}) {
  view.firstRow = firstRow;
  $('trainer-choose-file').textContent = view.pending.name;
  $('trainer-choose-no-header').checked = noHeader;
  /** @param {string} s */
  const short = (s) => (s.length > 32 ? `${s.slice(0, 32)}…` : s);
  /** @type {[string, number][]} */
  const guesses = [
    ['trainer-choose-text', 0],
    ['trainer-choose-label', firstRow.length - 1],
  ];
  for (const [id, guess] of guesses) {
    const options = firstRow.map((h, i) =>
      noHeader ? new Option(`column ${i + 1}: “${short(h)}”`, `column ${i + 1}`) : new Option(h, h),
    );
    fill($(id), options);
    $(id).selectedIndex = guess;
  }
  $('trainer-column-chooser').hidden = false;
}

/**
 * The worker read the file: its counts, its columns, its first rows.
 * @param {TrainerView} view
 * @param {Preview} p
 * @param {number} ms
 */
export function showPreview(view, p, ms) {
  view.clear('trainer-data-error');
  $('trainer-column-chooser').hidden = true;
  const loaded = view.pending;
  view.loaded = loaded;
  view.loadedNoHeader = view.pendingNoHeader;
  // What a saved run records of its data, to recognise the file when it is chosen again.
  loaded.columns = { text: p.text_column, label: p.label_column };
  loaded.hash ??= fingerprint(loaded.bytes);
  view.hasData = true;
  view.preview = p;
  $('trainer-preview').hidden = false;
  $('trainer-counts').textContent = `${loaded.name}: ${countsLine(p)} (read in ${(ms / 1000).toFixed(2)} s)`;
  if (!view.classesWired) wireClasses(view);
  view.classesWired = true;
  view.clear('trainer-classes-error');
  $('trainer-classes').disabled = false;
  showClasses(p);
  /** @type {[string, string][]} */
  const chosen = [
    ['trainer-text-column', p.text_column],
    ['trainer-label-column', p.label_column],
  ];
  for (const [id, column] of chosen) {
    const select = $(id);
    fill(
      select,
      p.headers.map((h) => new Option(h, h)),
    );
    select.value = column;
  }
  const rows = p.sample
    .map(
      (r) =>
        `<tr><td>${r.line}</td><td>${escapeHtml(r.text)}</td><td>${r.label === null ? '<i>dropped</i>' : escapeHtml(r.label)}</td></tr>`,
    )
    .join('');
  $('trainer-preview-table').innerHTML =
    `<caption>First rows</caption><thead><tr><th>line</th><th>${escapeHtml(p.text_column)}</th>` +
    `<th>${escapeHtml(p.label_column)}</th></tr></thead><tbody>${rows}</tbody>`;
  $('trainer-status').textContent = 'Ready: choose the settings and press Start.';
  view.setState(view.state === 'starting' ? 'starting' : 'ready');
  view.scheduleEstimate();
  view.bump();
}

/**
 * The worker could not read the file: why, and the chooser when its columns were not found.
 * @param {TrainerView} view
 * @param {ErrorOutput} error
 */
export function dataFailed(view, { message, headers, kind }) {
  if (headers) {
    const noHeader = kind === 'no-header' || (kind !== 'missing-column' && $('trainer-choose-no-header').checked);
    chooseColumns(view, headers, { noHeader });
  } else {
    $('trainer-column-chooser').hidden = true;
  }
  view.fail(
    'trainer-data-error',
    `${view.pending.name}: ${message}.${view.hasData ? ' The previous data is still loaded.' : ''}`,
  );
  $('trainer-status').textContent = view.hasData ? 'Ready: the previous data is still loaded.' : 'Load data to begin.';
  view.section.dataset.state = view.state;
}
