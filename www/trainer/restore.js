// @ts-check
// The last run, kept in this browser (runstore.js): after each epoch its log and model files
// are stored, so a reload or a closed tab loses nothing. An earlier visit's run (or the one
// before a crash) is offered: restore its model and curves, resume training it once its data is
// loaded again, or discard it.

import { $ } from '../lib/dom.js';
import { ago, int } from '../lib/format.js';
import { sameChoice } from './classes.js';
import { updateCharts } from './curves.js';
import { loadSample, parse } from './data.js';
import { addEpochRow } from './run.js';
import { recordProblem } from './runrecord.js';
import { discardRun, KEY, loadRun, saveRun } from './runstore.js';
import { applySettings, fieldsOf, settingsOfRecord } from './settings.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./view.js').SavedRun} SavedRun */
/** @typedef {import('./protocol.js').EpochReport} EpochReport */
/** @typedef {import('./protocol.js').WorkerOutput} WorkerOutput */

/**
 * The best epoch as the trainer keeps it: the first with the highest validation accuracy.
 * @param {EpochReport[]} epochs
 */
export function bestEpoch(epochs) {
  return epochs.reduce((best, r) => (!best || r.valid_accuracy > best.valid_accuracy ? r : best), null);
}

/**
 * After each epoch: the run's log and model files, so a reload or a closed tab loses nothing.
 * @param {TrainerView} view
 * @param {Extract<WorkerOutput, { type: 'checkpoint' }>} checkpoint
 */
export async function keepRun(view, { report, best, last }) {
  const log = view.runLog;
  /** @type {SavedRun} */
  const record = {
    version: 1,
    savedAt: Date.now(),
    settings: log.settings,
    data: { ...log.data },
    epochs: [...view.run.epochs],
    epochMs: [...log.epochMs],
    batches: [...view.run.batches],
    best,
    last,
  };
  try {
    record.data.hash = await log.hash;
    // A closed tab's run this one resumed is now this tab's: kept once, under this tab.
    await saveRun(record, view.resumedKey);
    view.resumedKey = null;
    view.savedRun = record;
    view.savedRunKey = KEY;
    view.run.kept = true;
    $('trainer-model-status').textContent =
      `Kept in this browser after epoch ${report.epoch}: the best model so far and this run's log (a reload loses nothing).`;
  } catch (e) {
    $('trainer-model-status').textContent =
      `Could not keep the run in this browser (${e.message ?? e}); download the model when it is done.`;
  }
  view.bump();
}

/**
 * Offer the run kept by an earlier visit (or before a crash).
 * @param {TrainerView} view
 */
export async function offerRestore(view) {
  /** @type {{ key: IDBValidKey, record: any } | undefined} */
  let kept;
  try {
    kept = await loadRun();
  } catch {
    return; // no storage here: nothing was kept either
  }
  if (!kept) return;
  const { key, record } = kept;
  view.savedRunKey = key;
  const problem = recordProblem(record);
  if (problem) {
    // Storage outlives the page that wrote it: say so plainly and let the user clear it.
    view.savedRun = null;
    $('trainer-restore-text').textContent =
      `A run kept in this browser cannot be restored: ${problem}. Discard it to keep runs here again.`;
    $('trainer-restore-model').hidden = true;
    $('trainer-restore-resume').hidden = true;
    $('trainer-restore-note').hidden = true;
    $('trainer-restore-error').hidden = true;
    $('trainer-restore').hidden = false;
    view.bump();
    return;
  }
  view.savedRun = record;
  $('trainer-restore-model').hidden = false;
  const epochs = record.epochs.length;
  const total = settingsOfRecord(record).train.epochs;
  const best = bestEpoch(record.epochs);
  $('trainer-restore-text').textContent =
    `Your last run (${record.data.name}, epoch ${epochs} of ${total}, validation accuracy ${best.valid_accuracy.toFixed(2)}, ${ago(record.savedAt)})`;
  $('trainer-restore-resume').hidden = epochs >= total;
  $('trainer-restore-note').hidden = epochs >= total;
  $('trainer-restore-error').hidden = true;
  $('trainer-restore').hidden = false;
  view.bump();
}

/**
 * Load the kept model (as "Load a model file…" does) and show the run's curves and epochs.
 * @param {TrainerView} view
 */
export function restoreModel(view) {
  const record = view.savedRun;
  view.modelName = "your last run's model";
  view.send({ type: 'load-model', bytes: record.best.slice(0) });
  applySettings(view, fieldsOf(settingsOfRecord(record))); // its settings, as the log shows them
  showLog(view, record);
  $('trainer-restore').hidden = true;
}

/**
 * @param {TrainerView} view
 * @param {SavedRun} record
 */
function showLog(view, record) {
  view.run = {
    batches: [...record.batches],
    epochs: [...record.epochs],
    epochMs: [...record.epochMs],
    total: 0,
    done: 0,
    first: 0,
  };
  $('trainer-epochs-table').querySelector('tbody').replaceChildren();
  record.epochs.forEach((r, i) => {
    addEpochRow(r, record.epochMs[i]);
  });
  updateCharts(view);
  $('trainer-status').textContent =
    `Restored your last run: ${record.epochs.length} of ${settingsOfRecord(record).train.epochs} epochs.`;
  view.bump();
}

/**
 * Go on training the kept run, once its data is loaded again.
 * @param {TrainerView} view
 */
export function resumeSaved(view) {
  view.pendingResume = view.savedRun;
  const data = view.pendingResume.data;
  $('trainer-restore-error').hidden = true;
  const loaded = view.loaded;
  if (loaded && loaded.name === data.name && loaded.bytes.byteLength === data.size) {
    resumeWhenDataMatches(view);
  } else if (data.sample) {
    loadSample(view, data.columns);
  } else {
    view.fail(
      'trainer-restore-error',
      `Choose ${data.name} (${int.format(data.size)} bytes) again to resume: its data is not kept in this browser.`,
    );
    $('trainer-status').textContent = `Waiting for ${data.name}…`;
  }
}

/**
 * The loaded data is (or is not) what the kept run trained on: resume, or say why not.
 * @param {TrainerView} view
 */
export async function resumeWhenDataMatches(view) {
  const record = view.pendingResume;
  const loaded = view.loaded;
  const same =
    loaded.name === record.data.name &&
    loaded.bytes.byteLength === record.data.size &&
    (await loaded.hash) === record.data.hash;
  if (!same) {
    // Still waiting: the next file loaded is checked again.
    view.fail(
      'trainer-restore-error',
      `${loaded.name} is not the file your last run trained on (${record.data.name}, ${int.format(record.data.size)} bytes, the same contents): choose that file to resume.`,
    );
    return;
  }
  const columns = record.data.columns;
  if (loaded.columns.text !== columns.text || loaded.columns.label !== columns.label) {
    parse(view, loaded, columns); // the run's columns; resumes once they are read
    return;
  }
  const choice = record.data.choice;
  if (choice && !sameChoice(choice, view.preview.choice)) {
    // The run's classes (merges, drops, the positive one); resumes once they are applied.
    view.send({ type: 'relabel', choice });
    return;
  }
  view.pendingResume = null;
  view.resumedKey = view.savedRunKey;
  applySettings(view, fieldsOf(settingsOfRecord(record)));
  const { settings, error } = view.readSettings();
  if (error) {
    view.fail('trainer-restore-error', error);
    return;
  }
  view.settings = settings;
  view.resuming = record;
  view.clear('trainer-error');
  $('trainer-status').textContent = 'Tokenising…';
  view.send({
    type: 'start',
    settings,
    resume: { best: record.best.slice(0), last: record.last?.slice(0) ?? null, history: record.epochs },
  });
}

/**
 * Forget the kept run: gone from the page at once; the stored copy follows.
 * @param {TrainerView} view
 */
export async function discardSaved(view) {
  view.savedRun = null;
  const key = view.savedRunKey;
  view.savedRunKey = null;
  $('trainer-restore').hidden = true;
  try {
    if (key != null) await discardRun(key);
  } catch {
    // Nothing kept, or no storage: nothing to discard.
  }
  view.bump();
}
