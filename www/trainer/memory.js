// @ts-check
// The memory the settings need, estimated by the worker (src/budget.rs) as they change, shown
// beside them; settings that cannot fit are refused at Start, naming the one to lower.

import { $ } from '../lib/dom.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').StartRequest} StartRequest */
/** @typedef {import('./protocol.js').MemoryEstimate} MemoryEstimate */

/**
 * What an estimate answers: the request and the workers, as one string (an answer for
 * settings since changed is dropped). The browser tests build the same key.
 * @param {StartRequest} request
 * @param {number} workers
 */
export function estimateKey(request, workers) {
  return JSON.stringify([request, workers]);
}

/**
 * Ask the worker what the settings shown need (its answer: `estimated`).
 * @param {TrainerView} view
 */
export function requestEstimate(view) {
  const { request, workers, error } = view.readSettings();
  if (error) {
    showEstimate(view, null, null);
    return;
  }
  view.send({ type: 'estimate', key: estimateKey(request, workers), request, workers });
}

/**
 * The worker's answer, unless the settings changed since.
 * @param {TrainerView} view
 * @param {string} key
 * @param {MemoryEstimate} estimate
 */
export function estimated(view, key, estimate) {
  const { request, workers } = view.readSettings();
  if (request && key === estimateKey(request, workers)) showEstimate(view, key, estimate);
}

/**
 * @param {TrainerView} view
 * @param {string | null} key
 * @param {MemoryEstimate | null} estimate
 */
function showEstimate(view, key, estimate) {
  const el = $('trainer-memory');
  view.estimate = estimate ? { key, estimate } : null;
  el.classList.toggle('too-big', Boolean(estimate?.problem));
  if (!estimate) el.textContent = 'Memory: not estimated (a setting is not a number).';
  else if (estimate.problem) el.textContent = `Too big for this device: ${estimate.problem}.`;
  else el.textContent = `Memory: ${estimate.summary}${view.hasData ? '' : ' (and the data, once loaded)'}.`;
  view.bump();
}

/**
 * The worker could not estimate these settings.
 * @param {TrainerView} view
 * @param {string} message
 */
export function notEstimated(view, message) {
  $('trainer-memory').textContent = `Memory: not estimated (${message}).`;
  view.bump();
}

/**
 * The estimate of the settings shown, when it is up to date (Start refuses what cannot fit).
 * @param {TrainerView} view
 * @param {StartRequest} request
 * @param {number} workers
 */
export function currentEstimate(view, request, workers) {
  return view.estimate?.key === estimateKey(request, workers) ? view.estimate.estimate : null;
}
