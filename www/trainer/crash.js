// @ts-check
// A crashed worker (an uncaught error, or a trap that leaves the module unusable): say so, and
// offer a restart that loads the trainer again with the same data and settings.

import { $ } from '../lib/dom.js';
import { parse } from './data.js';
import { offerRestore } from './restore.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */

/**
 * The worker died: say so; a restart keeps the data.
 * @param {TrainerView} view
 * @param {string} message
 */
export function crashed(view, message) {
  view.worker?.terminate(); // its replica workers go with it
  view.worker = null;
  view.workerReady = false;
  view.queue = [];
  view.probing = false;
  view.startAfterProbe = false;
  view.hasModel = false;
  const wasTraining = view.state === 'running' || view.state === 'paused';
  const kept = wasTraining && view.run?.kept;
  view.setState('crashed');
  $('trainer-crash-text').textContent =
    `The training worker stopped: ${message}.` +
    (wasTraining
      ? ` The run ended with it${kept ? '; the best model of its finished epochs is kept in this browser' : ''}.`
      : '') +
    ` Restarting loads the trainer again${view.loaded ? ` with the same data (${view.loaded.name})` : ''} and keeps the settings.`;
  $('trainer-crash').hidden = false;
  $('trainer-status').textContent = 'The trainer stopped.';
  $('trainer-model-status').textContent = 'No model: it was in the stopped worker.';
  view.bump();
}

/** @param {TrainerView} view */
export function restart(view) {
  $('trainer-crash').hidden = true;
  view.setState('starting');
  view.boot();
  // Queued until the new worker is ready: the same bytes and columns as before.
  if (view.loaded) {
    parse(view, view.loaded, view.loaded.columns);
    // …and the same classes: the new worker reads the file with the file's own.
    if (view.preview) view.send({ type: 'relabel', choice: view.preview.choice });
  }
  offerRestore(view);
  view.bump();
}
