// @ts-check
// Choosing the engine: one small training step is timed on the GPU and on the CPU (in the
// worker, in the background) and the run trains on the faster, unless the user chose. The
// result is remembered per adapter (localStorage), so it is measured once.

import { $ } from '../lib/dom.js';
import { int } from '../lib/format.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').EngineTimes} EngineTimes */

/**
 * The engine that trained the small step faster: the GPU when it did it no slower than the CPU.
 * @param {EngineTimes} times
 * @returns {'gpu' | 'cpu'}
 */
export function fasterEngine(times) {
  const gpuMs = times.gpu?.stepMs;
  const cpuMs = times.cpu?.stepMs;
  return gpuMs != null && (cpuMs == null || gpuMs <= cpuMs) ? 'gpu' : 'cpu';
}

/**
 * Where this adapter's timing is remembered.
 * @param {TrainerView} view
 */
const engineKey = (view) => `lstm-lab.engine-probe:${view.gpu.name}|${view.gpu.backend}`;

/**
 * Time both engines (or take the remembered times, unless `again`).
 * @param {TrainerView} view
 * @param {boolean} again
 */
export function probeEngines(view, again) {
  if (view.probing) return;
  const remembered = again ? null : readJson(localStorage, engineKey(view));
  if (remembered?.cpu && 'gpu' in remembered) {
    probed(view, remembered, true);
    return;
  }
  view.probing = true;
  view.section.dataset.engineProbe = 'running';
  view.setState(view.state);
  $('trainer-device-status').textContent =
    `Training worker on GPU: ${view.gpu.name} (${view.gpu.backend}). Timing one small training step on the GPU and on the CPU to train on the faster…`;
  view.send({ type: 'probe' });
}

/**
 * The times are in: say them, and pick the faster engine unless the user chose (or a run is on).
 * @param {TrainerView} view
 * @param {EngineTimes} times
 * @param {boolean} remembered  measured on an earlier visit
 */
export function probed(view, times, remembered) {
  view.probing = false;
  view.section.dataset.engineProbe = 'done';
  if (!remembered && !times.error) {
    try {
      localStorage.setItem(engineKey(view), JSON.stringify(times));
    } catch {
      // Storage full or refused: measured again next time.
    }
  }
  const gpuMs = times.gpu?.stepMs;
  const cpuMs = times.cpu?.stepMs;
  const faster = fasterEngine(times);
  view.engineTimes = times;
  /** @param {number | undefined} t */
  const ms = (t) => (t == null ? 'failed' : `${int.format(Math.round(t))} ms`);
  const ratio = gpuMs && cpuMs ? Math.max(gpuMs, cpuMs) / Math.min(gpuMs, cpuMs) : null;
  const why = times.error
    ? `timing failed (${times.error}), so training runs on the ${faster.toUpperCase()}`
    : `training on the ${faster.toUpperCase()}${ratio ? `, ${ratio.toFixed(1)}× faster here` : ''}`;
  $('trainer-device-status').textContent =
    `Training worker on GPU: ${view.gpu.name} (${view.gpu.backend}). One training step (batch 32 × 32 words, the post's layer sizes): ` +
    `GPU ${ms(gpuMs)}, CPU (WebAssembly) ${ms(cpuMs)}${remembered ? ' (measured on an earlier visit)' : ''} — ${why}.`;
  $('trainer-engine-times').textContent = `GPU ${ms(gpuMs)} · CPU ${ms(cpuMs)}`;
  if (!view.deviceChosenByUser && view.state !== 'running' && view.state !== 'paused') {
    $('trainer-device').value = faster;
  }
  view.setState(view.state);
  view.scheduleEstimate();
  view.bump();
  if (view.startAfterProbe) {
    view.startAfterProbe = false;
    view.start();
  }
}

/**
 * A stored JSON value, or null when it is missing or unreadable.
 * @param {Storage} storage
 * @param {string} key
 */
function readJson(storage, key) {
  try {
    return JSON.parse(storage.getItem(key));
  } catch {
    return null;
  }
}
