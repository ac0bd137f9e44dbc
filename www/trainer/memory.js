// @ts-check
// The memory the settings need, estimated by the worker (src/budget.rs) as they change, shown
// beside them; settings that cannot fit are refused at Start, naming the one to lower.

import { $ } from '../lib/dom.js';
import { requestCheck } from './check.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').RunSettings} RunSettings */
/** @typedef {import('./protocol.js').MemoryEstimate} MemoryEstimate */

/**
 * What an estimate answers: the run's settings, as one string (an answer for settings since
 * changed is dropped). The browser tests build the same key.
 * @param {RunSettings} settings
 */
export function estimateKey(settings) {
  return JSON.stringify(settings);
}

/**
 * Ask the worker what the settings shown need (its answer: `estimated`).
 * @param {TrainerView} view
 */
export function requestEstimate(view) {
  const { settings, error } = view.readSettings();
  if (error) {
    showEstimate(view, null, null, error);
    return;
  }
  view.send({ type: 'estimate', key: estimateKey(settings), settings });
  requestCheck(view, settings);
}

/**
 * The worker's answer, unless the settings changed since.
 * @param {TrainerView} view
 * @param {string} key
 * @param {MemoryEstimate} estimate
 */
export function estimated(view, key, estimate) {
  const { settings } = view.readSettings();
  if (settings && key === estimateKey(settings)) showEstimate(view, key, estimate);
}

/**
 * @param {TrainerView} view
 * @param {string | null} key
 * @param {MemoryEstimate | null} estimate
 * @param {string} [why]  why there is none: the setting that is not a number or out of its limits
 */
function showEstimate(view, key, estimate, why) {
  const el = $('trainer-memory');
  view.estimate = estimate ? { key, estimate } : null;
  el.classList.toggle('too-big', Boolean(estimate?.problem));
  if (!estimate) el.textContent = `Memory: not estimated (${why ? why.replace(/\.$/, '') : 'a setting is not valid'}).`;
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
 * @param {RunSettings} settings
 */
export function currentEstimate(view, settings) {
  return view.estimate?.key === estimateKey(settings) ? view.estimate.estimate : null;
}
