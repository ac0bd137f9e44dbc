// @ts-check
// A run: Start (refused when the settings cannot fit), pause, resume and stop, the worker's
// progress as a status line with the time left (clock.js), and a row per epoch.

import { $ } from '../lib/dom.js';
import { duration, int } from '../lib/format.js';
import { timeLeft } from './clock.js';
import { hideResults, showResults, wireResults } from './confusion.js';
import { scheduleCharts, updateCharts } from './curves.js';
import { currentEstimate } from './memory.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./view.js').Run} Run */
/** @typedef {import('./protocol.js').EpochReport} EpochReport */
/** @typedef {import('./protocol.js').RunSummary} RunSummary */
/** @typedef {import('./protocol.js').StepReport} StepReport */
/** @typedef {import('./protocol.js').RunSettings} RunSettings */

/**
 * What a kept run records besides its curves: the settings, the data file and each epoch's time.
 * @typedef {{ settings: RunSettings, data: { name: string, size: number, sample: boolean, columns: { text: string, label: string }, choice: import('./protocol.js').Preview['choice'] }, hash: Promise<string>, epochMs: number[] }} RunLog
 */

/** @param {TrainerView} view */
export function start(view) {
  if (view.probing && !view.deviceChosenByUser) {
    // The engine is about to be chosen by measurement: start on the winner.
    view.startAfterProbe = true;
    $('trainer-status').textContent = 'Starts as soon as the engine timing is done…';
    return;
  }
  if (view.preview?.problem) {
    notStarted(view, view.preview.problem);
    return;
  }
  const { settings, error } = view.readSettings();
  if (error) {
    view.fail('trainer-error', error);
    return;
  }
  // Settings that cannot fit are refused here, with what to lower (the worker checks again).
  const estimate = currentEstimate(view, settings);
  if (estimate?.problem) {
    notStarted(view, estimate.problem);
    return;
  }
  view.clear('trainer-error');
  view.settings = settings;
  view.resuming = null;
  view.pendingResume = null; // a new run instead
  $('trainer-status').textContent = 'Tokenising…';
  view.send({ type: 'start', settings });
}

/**
 * @param {TrainerView} view
 * @param {string} message
 */
export function notStarted(view, message) {
  view.fail('trainer-error', `Not started: ${message}.`);
  $('trainer-status').textContent = 'Not started: see why below the buttons.';
}

/** @param {TrainerView} view */
export function togglePause(view) {
  if (view.state === 'running') {
    view.send({ type: 'pause' });
    $('trainer-status').textContent = 'Pausing after the current step…';
  } else if (view.state === 'paused') {
    view.send({ type: 'resume' });
    view.setState('running');
    view.runClock.resumed = performance.now();
  }
}

/**
 * The worker tokenised the data and started (or resumed) the run.
 * @param {TrainerView} view
 * @param {RunSummary} summary
 * @param {number} ms
 */
export function started(view, summary, ms) {
  const saved = view.resuming; // a saved run this one continues, or null
  // epochMs: each epoch's time, beside `epochs` (the table's CSV export; the saved log).
  const epochMs = saved ? [...saved.epochMs] : [];
  view.run = {
    batches: saved ? [...saved.batches] : [],
    epochs: [],
    epochMs,
    total: summary.total_steps,
    done: summary.done_steps,
    first: summary.done_steps,
    classes: summary.classes,
  };
  if (!view.resultsWired) wireResults(view);
  view.resultsWired = true;
  hideResults(view);
  // Two classes: the post's binary cross-entropy; more: softmax cross-entropy.
  $('trainer-loss-title').textContent =
    summary.classes.length > 2 ? 'Loss (cross-entropy)' : 'Loss (binary cross-entropy)';
  const loaded = view.loaded;
  view.runLog = {
    settings: view.settings,
    data: {
      name: loaded.name,
      size: loaded.bytes.byteLength,
      sample: loaded.sample === true,
      columns: loaded.columns,
      choice: view.preview.choice, // the classes it trains on: re-applied before a resume
    },
    hash: loaded.hash,
    epochMs,
  };
  view.runClock = {
    trainRows: 0,
    trainMs: 0,
    trainSteps: 0,
    validMs: 0,
    validSteps: 0,
    trainBatches: 0,
    started: performance.now(),
    resumedEpochs: saved ? saved.epochs.length : 0,
  };
  $('trainer-epochs-table').hidden = true;
  $('trainer-epochs-table').querySelector('tbody').replaceChildren();
  if (saved) {
    saved.epochs.forEach((r, i) => {
      addEpochRow(r, saved.epochMs[i]);
    });
  }
  view.run.epochs = saved ? [...saved.epochs] : [];
  if (saved?.epochs.length) showResults(view, saved.epochs[saved.epochs.length - 1]);
  $('trainer-restore').hidden = true;
  const engine =
    summary.engine === 'cpu'
      ? `Training on the CPU with ${summary.workers} worker${summary.workers === 1 ? '' : 's'} (this device reports ${view.cores} cores).`
      : 'Training on the GPU.';
  $('trainer-prepared').textContent =
    `Tokenised in ${(ms / 1000).toFixed(2)} s: ${int.format(summary.train_rows)} training and ${int.format(summary.valid_rows)} validation reviews; ` +
    `${int.format(summary.words)} words kept (most frequent: ${summary.top_words.slice(0, 12).join(', ')} …); ` +
    `on average ${summary.mean_ids.toFixed(0)} known words per review, ≈${Math.round(summary.truncated * 100)} % cut to the last ${view.settings.data.maxlen}. ` +
    engine +
    (saved
      ? ` Resumed after epoch ${saved.epochs.length} from the saved weights; the optimiser (Adam's moments) starts again.`
      : '');
  view.hasModel = false;
  view.setState('running');
  updateCharts(view);
}

/**
 * One step done: the curves, the status line with the time left, an epoch's row.
 * @param {TrainerView} view
 * @param {StepReport} report
 * @param {number} ms
 */
export function progress(view, report, ms) {
  const run = view.run;
  const clock = view.runClock;
  if (report.kind === 'batch') {
    run.batches.push([report.epoch - 1 + report.batch / report.batches, report.loss, report.accuracy]);
    clock.trainRows += report.rows;
    clock.trainMs += ms;
    clock.trainSteps += 1;
    clock.trainBatches = report.batches;
  } else {
    // A validation batch (the last one of an epoch reports the epoch).
    clock.validMs += ms;
    clock.validSteps += 1;
  }
  if (report.kind === 'epoch') {
    const r = report.report;
    run.epochs.push(r);
    const epochMs = performance.now() - (clock.epochStart ?? clock.started);
    run.epochMs.push(epochMs); // the same array as view.runLog.epochMs
    addEpochRow(r, epochMs);
    showResults(view, r);
    clock.epochStart = performance.now();
  }
  if (report.done !== undefined) run.done = report.done;
  $('trainer-progress').value = run.done / run.total;
  const left = timeLeft(clock, run, view.settings.train.epochs);
  const speed = clock.trainRows / (clock.trainMs / 1000);
  const where =
    report.kind === 'batch'
      ? `Epoch ${report.epoch} of ${view.settings.train.epochs} · batch ${report.batch} of ${report.batches} · loss ${report.loss.toFixed(3)}`
      : report.kind === 'validation'
        ? `Epoch ${report.epoch}: validating ${int.format(report.rows_done)} of ${int.format(report.rows)}`
        : report.kind === 'epoch'
          ? `Epoch ${report.report.epoch} done: validation accuracy ${report.report.valid_accuracy.toFixed(3)}`
          : 'Finishing…';
  $('trainer-status').textContent =
    `${where} · ${Number.isFinite(speed) ? int.format(Math.round(speed)) : '–'} reviews/s · about ${duration(left)} left`;
  if (report.kind !== 'validation') scheduleCharts(view);
  view.bump();
}

/**
 * A row of the epochs table.
 * @param {EpochReport} r
 * @param {number} ms  the epoch's time
 */
export function addEpochRow(r, ms) {
  const table = $('trainer-epochs-table');
  table.hidden = false;
  const row = document.createElement('tr');
  row.id = `trainer-epoch-${r.epoch}`;
  row.innerHTML =
    `<td>${r.epoch}${r.is_best ? ' ★' : ''}</td><td>${r.train_loss.toFixed(4)}</td><td>${r.train_accuracy.toFixed(4)}</td>` +
    `<td>${r.valid_loss.toFixed(4)}</td><td>${r.valid_accuracy.toFixed(4)}</td>` +
    `<td>${r.valid_macro_f1 == null ? '–' : r.valid_macro_f1.toFixed(4)}</td><td>${duration(ms)}</td>`;
  table.querySelector('tbody').appendChild(row);
}

/**
 * The run ended (finished or stopped) with a model to keep.
 * @param {TrainerView} view
 * @param {string} message
 */
export function done(view, message) {
  view.hasModel = true;
  view.setState('ready');
  $('trainer-progress').value = Math.max($('trainer-progress').value, 0);
  $('trainer-status').textContent = message;
  $('trainer-model-status').textContent = 'The model from this run is ready to save.';
  view.bump();
}

/**
 * The worker paused after its current step.
 * @param {TrainerView} view
 */
export function paused(view) {
  view.setState('paused');
  $('trainer-status').textContent = 'Paused. Resume to go on, or stop to keep the best model so far.';
  view.bump();
}
