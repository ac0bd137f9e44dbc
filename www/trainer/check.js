// @ts-check
// The data check, shown with the preview: what a teacher would spot before training (balance,
// cut texts, unknown words, duplicates, very short texts) and a bag-of-words baseline, computed
// by the worker (src/data/check.rs) for the data settings in the form. Each finding may carry a
// one-click fix: a setting's new value, or "drop duplicates".

import { $ } from '../lib/dom.js';
import { int } from '../lib/format.js';
import { applySettings } from './settings.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').DataCheck} DataCheck */
/** @typedef {import('./protocol.js').RunSettings} RunSettings */

/**
 * What the check depends on: the loaded data and the data settings.
 * @param {RunSettings['data']} data
 */
export const checkKey = (data) =>
  JSON.stringify([data.vocab, data.maxlen, data.train_fraction, data.seed, Boolean(data.drop_duplicates)]);

/**
 * Ask the worker to check the loaded data with the form's data settings, unless the check on
 * screen is already of these (a change of epochs or batch size does not check again).
 * @param {TrainerView} view
 * @param {RunSettings} settings  checked by the page's module
 */
export function requestCheck(view, settings) {
  if (!view.hasData) return;
  const key = checkKey(settings.data);
  if (view.checkFor === view.preview && view.checkKey === key) return;
  view.checkFor = view.preview;
  view.checkKey = key;
  $('trainer-check').hidden = false;
  $('trainer-check').dataset.state = 'checking';
  $('trainer-check-status').textContent = 'Checking the data and training a bag-of-words baseline…';
  view.send({ type: 'check', key, data: settings.data });
}

/**
 * The worker's check, unless the data or the settings changed since it was asked.
 * @param {TrainerView} view
 * @param {string} key
 * @param {DataCheck} check
 * @param {number} ms
 */
export function showCheck(view, key, check, ms) {
  if (key !== view.checkKey) return;
  view.dataCheck = check;
  const section = $('trainer-check');
  section.hidden = false;
  section.dataset.state = 'done';
  $('trainer-check-status').textContent =
    `${int.format(check.train_rows)} training and ${int.format(check.valid_rows)} validation texts, checked in ${(ms / 1000).toFixed(2)} s.`;
  const items = check.findings.map((f) => {
    const li = document.createElement('li');
    li.dataset.kind = f.kind;
    li.dataset.level = f.level;
    li.id = `trainer-check-${f.kind}`;
    const mark = { ok: '✓', warn: '⚠', info: 'ℹ' }[f.level];
    li.append(`${mark} ${f.text}`);
    if (f.lines.length) {
      // The finding lists a few lines; "…" when it counted more.
      const counted = { duplicates: check.duplicates.copies, short: check.short_texts }[f.kind] ?? f.lines.length;
      const lines = document.createElement('span');
      lines.className = 'hint';
      lines.textContent = ` (line${f.lines.length > 1 ? 's' : ''} ${f.lines.join(', ')}${counted > f.lines.length ? ', …' : ''})`;
      li.append(lines);
    }
    if (f.fix) {
      const { field, value, label } = f.fix;
      const button = document.createElement('button');
      button.type = 'button';
      button.id = `trainer-check-fix-${f.kind}`;
      button.textContent = label;
      button.addEventListener('click', () => applyFix(view, field, value));
      li.append(' ', button);
    }
    return li;
  });
  $('trainer-check-findings').replaceChildren(...items);
  view.later((p) => p.updateCharts(view));
  view.bump();
}

/**
 * The check could not run (settings the data cannot take, say): why, in its place.
 * @param {TrainerView} view
 * @param {string} message
 */
export function checkFailed(view, message) {
  view.dataCheck = null;
  $('trainer-check').hidden = false;
  $('trainer-check').dataset.state = 'failed';
  $('trainer-check-status').textContent = `The data check could not run: ${message}.`;
  $('trainer-check-findings').replaceChildren();
  view.later((p) => p.updateCharts(view));
  view.bump();
}

/**
 * Apply a finding's fix: a setting's value, or dropping duplicates; the check runs again.
 * @param {TrainerView} view
 * @param {string} field
 * @param {number} value
 */
function applyFix(view, field, value) {
  if (field === 'drop_duplicates') {
    $('trainer-drop-duplicates').checked = value !== 0;
    view.scheduleEstimate();
  } else {
    applySettings(view, { [field]: value });
  }
}
