// @ts-check
// The trainer's module: the training worker is started when the Trainer tab is first shown
// (view.boot); it downloads and compiles the module (with progress), then says which device it
// trains on. A failed download offers a retry (view.moduleFailed), unless this browser can never
// run the module.

import { $ } from '../lib/dom.js';
import { probeEngines } from './engine.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').WorkerInput} WorkerInput */
/** @typedef {import('./protocol.js').WorkerOutput} WorkerOutput */

/**
 * Start the worker, which downloads and compiles the trainer's module (see `view.boot`).
 * @param {TrainerView} view
 */
export function startWorker(view) {
  if (view.worker) return;
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  view.worker = worker;
  worker.onmessage = (/** @type {MessageEvent<WorkerOutput>} */ { data }) => view.receive(data);
  // A worker script that cannot load (offline, a missing file) fires only this event.
  worker.onerror = (e) => {
    e.preventDefault?.();
    if (view.workerReady) view.crashed(e.message ?? 'an unknown error');
    else view.moduleFailed(`the training worker did not start${e.message ? ` (${e.message})` : ''}`);
  };
  /** @type {WorkerInput} */
  const init = { type: 'init', preferGpu: view.gpuAvailable };
  worker.postMessage(init);
}

/**
 * @param {TrainerView} _view
 * @param {Extract<WorkerOutput, { type: 'loading' }>} m
 */
export function moduleLoading(_view, { loaded, total, compiled }) {
  const bar = $('trainer-module-progress');
  /** @param {number} n */
  const mb = (n) => (n / 1048576).toFixed(1);
  if (compiled) {
    bar.value = 1;
    $('trainer-module-status').textContent = 'Starting the trainer…';
  } else if (total) {
    bar.value = Math.min(loaded / total, 1);
    $('trainer-module-status').textContent = `Loading the trainer: ${mb(loaded)} of ${mb(total)} MB`;
  } else {
    bar.removeAttribute('value');
    $('trainer-module-status').textContent = `Loading the trainer: ${mb(loaded)} MB`;
  }
}

/**
 * The module is up: send what was queued, say which device trains, time the engines.
 * @param {TrainerView} view
 * @param {Extract<WorkerOutput, { type: 'ready' }>} m
 */
export function workerReady(view, { device }) {
  view.workerReady = true;
  performance.mark('lstm-lab:trainer-ready');
  view.section.dataset.module = 'ready';
  $('trainer-module').hidden = true;
  for (const message of view.queue.splice(0)) view.worker.postMessage(message);
  view.gpu = device.gpu;
  if (view.gpu) {
    $('trainer-device-status').textContent = `Training worker on GPU: ${view.gpu.name} (${view.gpu.backend}).`;
    view.whenShown(() => probeEngines(view, false));
  } else {
    $('trainer-device-status').textContent =
      `Training worker on the CPU: ${view.gpuAvailable ? device.reason : (view.gpuReason ?? device.reason)}.`;
    $('trainer-device').value = 'cpu';
    $('trainer-device').querySelector('option[value="gpu"]').disabled = true;
  }
  view.limits = device.limits;
  view.setState('ready');
  view.resolveReady();
  view.scheduleEstimate();
}
