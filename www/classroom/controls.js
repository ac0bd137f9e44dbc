// @ts-check
// The page's plain controls as a link carries them (`section.name=value`), and how a value from
// a link is made fit for its control: clamped to its range and put on its steps, or left out,
// each time with a note for the reader. `fit`, `clampTo` and `parseAt` are pure (unit-tested with
// stand-in controls); the rest reads the page.

import { $ } from '../lib/dom.js';
import { shown } from './linktext.js';

/** Characters of typed text kept in a link. */
export const MAX_TEXT = 20_000;

/**
 * Plain controls by section: link name → element id. These names are in links people have
 * shared: keep them.
 * @type {Record<'blowup' | 'stepper' | 'gradflow' | 'trainer' | 'inside', Record<string, string>>}
 */
export const CONTROLS = {
  blowup: { n: 'blowup-n', steps: 'blowup-steps', init: 'blowup-init', seed: 'blowup-seed', engine: 'blowup-engine' },
  stepper: {
    fb: 'stepper-forget-bias',
    compare: 'stepper-compare',
    post: 'stepper-post-output',
    speed: 'stepper-speed',
  },
  gradflow: {
    steps: 'gradflow-steps',
    hidden: 'gradflow-hidden',
    scale: 'gradflow-scale',
    fb: 'gradflow-forget-bias',
    clip: 'gradflow-clip',
    clipAt: 'gradflow-clip-value',
    seed: 'gradflow-seed',
  },
  trainer: {
    vocab: 'trainer-vocab',
    maxlen: 'trainer-maxlen',
    embed: 'trainer-embed',
    hidden: 'trainer-hidden',
    batch: 'trainer-batch',
    lr: 'trainer-lr',
    epochs: 'trainer-epochs',
    split: 'trainer-split',
    seed: 'trainer-seed',
    kernel: 'trainer-kernel',
    cell: 'trainer-arch-cell',
    readout: 'trainer-arch-readout',
    workers: 'trainer-workers',
    predict: 'trainer-predict-text',
  },
  inside: { padding: 'inside-padding-full' },
};

/**
 * What `fit` reads of a control: an <input> (checkbox, range, number, text), a <textarea> or a
 * <select> — or a stand-in with the same fields.
 * @typedef {object} Control
 * @property {string} [id]
 * @property {string} tagName
 * @property {string} [type]
 * @property {string} value
 * @property {string} [min]
 * @property {string} [max]
 * @property {string} [step]
 * @property {ArrayLike<{ value: string, disabled: boolean, textContent: string }>} [options]
 * @property {ArrayLike<{ textContent: string }>} [selectedOptions]
 */

/**
 * The words a user sees for a control (its label without the live value), for notes.
 * @param {string} id
 */
export function labelOf(id) {
  const label = document.querySelector(`label[for="${id}"]`) ?? $(id)?.closest('label');
  const aria = $(id)?.getAttribute('aria-label');
  if (!label) return aria ?? id;
  const span = label.querySelector('span');
  const text = (span ?? label).textContent.replace(/\s+/g, ' ').trim();
  return text || aria || id;
}

/**
 * `raw` made fit for control `el`, or null (and a note) when it cannot be used. Numbers are
 * clamped to the control's min/max and put on its step grid; a checkbox takes 1/0 (true/false,
 * on/off, yes/no); a select one of its enabled options; text is cut at MAX_TEXT characters.
 * @param {Control} el
 * @param {string} raw
 * @param {string[]} notes  a note is added for every value changed or left out
 * @param {string} [what]  the control's name in the note
 * @returns {string | boolean | null}
 */
export function fit(el, raw, notes, what = labelOf(el.id)) {
  if (el.type === 'checkbox') {
    if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'off', 'no', ''].includes(raw)) return false;
    notes.push(`${what}: “${shown(raw)}” is neither 1 nor 0; left as it was.`);
    return null;
  }
  if (el.tagName === 'SELECT') {
    const option = [...Array.from(el.options)].find((o) => o.value === raw);
    if (option && !option.disabled) return raw;
    const kept = el.selectedOptions[0]?.textContent ?? el.value;
    notes.push(
      option
        ? `${what}: “${option.textContent}” is not available here; kept “${kept}”.`
        : `${what}: no choice “${shown(raw)}”; kept “${kept}”.`,
    );
    return null;
  }
  if (el.type === 'range' || el.type === 'number') {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) {
      notes.push(`${what}: “${shown(raw)}” is not a number; kept ${el.value}.`);
      return null;
    }
    const min = el.min === '' ? -Infinity : Number(el.min);
    const max = el.max === '' ? Infinity : Number(el.max);
    let x = Math.min(max, Math.max(min, v));
    if (el.step !== 'any') {
      const step = Number(el.step || 1);
      const base = Number.isFinite(min) ? min : 0;
      x = Math.min(max, base + Math.round((x - base) / step) * step);
      x = Number(x.toPrecision(12)); // 0.1 steps without 0.30000000000000004
    }
    if (x !== v) {
      const range = `${Number.isFinite(min) ? min : '−∞'} to ${Number.isFinite(max) ? max : '∞'}`;
      notes.push(
        `${what}: ${shown(raw)} is ${v < min || v > max ? `outside ${range}` : 'not on its steps'}; using ${x}.`,
      );
    }
    return String(x);
  }
  // Text.
  if (raw.length > MAX_TEXT) {
    notes.push(`${what}: the text was cut to its first ${MAX_TEXT.toLocaleString('en')} characters.`);
    return raw.slice(0, MAX_TEXT);
  }
  return raw;
}

/**
 * A count from 1 in a link (a step, a unit) clamped to 1…`count`; not a number reads as 1.
 * @param {string} raw
 * @param {number} count
 */
export function clampTo(raw, count) {
  const v = Number(raw);
  const k = Math.min(count, Math.max(1, Number.isFinite(v) ? Math.round(v) : 1));
  return { value: k, changed: k !== v };
}

/**
 * Inside the model's cursor in a link, `position.unit` (both from 1), clamped to the map;
 * returns 0-based indices and a note when it had to move.
 * @param {string} at
 * @param {number} steps
 * @param {number} hidden
 * @returns {{ position: number, unit: number, note: string | null }}
 */
export function parseAt(at, steps, hidden) {
  const [p, u] = at.split('.').map(Number);
  const position = Math.min(steps, Math.max(1, Math.round(p) || 1)) - 1;
  const unit = Math.min(hidden, Math.max(1, Math.round(u) || 1)) - 1;
  const moved = position !== p - 1 || unit !== u - 1;
  const note = moved
    ? `Inside the model: position ${p}, unit ${u} is outside the map (${steps} positions, ${hidden} units); using ${position + 1}, ${unit + 1}.`
    : null;
  return { position, unit, note };
}

/**
 * A control's value as a link writes it (a checkbox as 1 or 0).
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} el
 */
export const readControl = (el) =>
  el.type === 'checkbox' ? (/** @type {HTMLInputElement} */ (el).checked ? '1' : '0') : el.value;

/**
 * Set a control as a user's edit does, firing the events a user's edit fires, so its view
 * recomputes the way it always does.
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} el
 * @param {string | boolean} value
 */
export function writeControl(el, value) {
  if (el.type === 'checkbox') /** @type {HTMLInputElement} */ (el).checked = Boolean(value);
  else el.value = String(value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}
