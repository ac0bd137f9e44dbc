// @ts-check
// The worker's messages (protocol.js's WorkerOutput), each handed to the part of the tab it
// concerns; a failed request is shown where it was made.

import { $ } from '../lib/dom.js';
import { workerReady } from './boot.js';
import { checkFailed, showCheck } from './check.js';
import { relabeled, relabelFailed } from './classes.js';
import { cellFailed, showCell } from './confusion.js';
import { dataFailed, showPreview } from './data.js';
import { probed } from './engine.js';
import { estimated, notEstimated } from './memory.js';
import { handedInside, modelFailed, modelLoaded, saved, showPrediction } from './model.js';
import { keepRun, resumeWhenDataMatches } from './restore.js';
import { done, notStarted, paused, progress, started } from './run.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').WorkerOutput} WorkerOutput */
/** @typedef {import('./protocol.js').ErrorOutput} ErrorOutput */

/**
 * @param {TrainerView} view
 * @param {WorkerOutput} m
 */
export function receive(view, m) {
  switch (m.type) {
    case 'loading':
      view.moduleLoading(m);
      break;
    case 'ready':
      workerReady(view, m);
      break;
    case 'estimate':
      estimated(view, m.key, m.estimate);
      break;
    case 'memory':
      view.memory = m.usage;
      view.bump();
      break;
    case 'checkpoint':
      keepRun(view, m);
      view.compare.epoch();
      break;
    case 'crashed':
      view.crashed(m.message);
      break;
    case 'probe':
      probed(view, m.times, false);
      break;
    case 'preview':
      showPreview(view, m.preview, m.ms);
      if (view.pendingResume) resumeWhenDataMatches(view);
      break;
    case 'check':
      showCheck(view, m.key, m.check, m.ms);
      break;
    case 'relabeled':
      relabeled(view, m.preview);
      if (view.pendingResume) resumeWhenDataMatches(view);
      break;
    case 'started':
      started(view, m.summary, m.ms);
      view.compare.started(m.summary);
      break;
    case 'progress':
      progress(view, m.report, m.ms);
      view.compare.progress();
      break;
    case 'paused':
      paused(view);
      break;
    case 'finished': {
      const r = m.report;
      done(
        view,
        r.best_epoch
          ? `Done: best validation accuracy ${r.best_accuracy.toFixed(4)} (epoch ${r.best_epoch}); that model is kept.`
          : 'Done.',
      );
      view.compare.ended('done');
      break;
    }
    case 'stopped':
      done(
        view,
        m.best
          ? `Stopped. Kept the model of epoch ${m.best.epoch} (validation accuracy ${m.best.valid_accuracy.toFixed(4)}).`
          : 'Stopped before the first validation; kept the current model.',
      );
      view.compare.ended('stopped');
      break;
    case 'prediction':
      showPrediction(view, m.prediction);
      break;
    case 'saved':
      saved(view, m.bytes);
      break;
    case 'cell':
      showCell(view, m.cell);
      break;
    case 'inside':
      handedInside(view, m.bytes, m.examples, m.focus, m.sample);
      break;
    case 'model-loaded':
      modelLoaded(view, m.info);
      break;
    case 'self-test':
      // The fused kernels against burn's reference ops on this GPU (used by the browser tests).
      view.selfTest = m.result;
      view.bump();
      break;
    case 'error':
      failed(view, m);
      break;
    case 'panic':
      globalThis.lstmLabPanic?.(`in the training worker: ${m.message}`);
      break;
  }
}

/**
 * A request failed: say so where it was made.
 * @param {TrainerView} view
 * @param {ErrorOutput} error
 */
function failed(view, error) {
  const { where, message, hasModel, unsupported } = error;
  switch (where) {
    case 'start':
      view.setState('ready');
      notStarted(view, message);
      view.compare.ended('failed', message);
      break;
    case 'estimate':
      notEstimated(view, message);
      break;
    case 'load':
      view.moduleFailed(message, { unsupported });
      break;
    case 'data':
      dataFailed(view, error);
      break;
    case 'check':
      checkFailed(view, message);
      break;
    case 'classes':
      relabelFailed(view, message);
      break;
    case 'cell':
      cellFailed(view, message);
      break;
    case 'model':
      modelFailed(view, message);
      break;
    case 'self-test':
      view.selfTest = { error: message };
      view.bump();
      break;
    case 'probe':
      // A GPU that fails a small training step is no engine to train on.
      probed(view, { cpu: null, gpu: null, error: message }, false);
      break;
    case 'predict':
      $('trainer-prediction').textContent = message;
      view.bump();
      break;
    default:
      // Training itself (or a message the worker did not know).
      if (hasModel) view.hasModel = true;
      view.setState('ready');
      view.fail('trainer-error', message);
      $('trainer-status').textContent = 'Training stopped.';
      view.compare.ended('failed', message);
  }
}
