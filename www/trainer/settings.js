// @ts-check
// The Trainer's settings form: presets, reading it into a run's request (refusing what is not a
// number), and writing a kept run's request back into it. `settingsFrom` and `fieldsOf` are
// pure (unit-tested); the rest reads and writes the form.

import { $ } from '../lib/dom.js';

/** @typedef {import('./protocol.js').StartRequest} StartRequest */
/** @typedef {import('./view.js').TrainerView} TrainerView */

/** The numeric settings, by the name in their element's id (`trainer-vocab`) and in a link. */
export const SETTINGS = /** @type {const} */ ([
  'vocab',
  'maxlen',
  'embed',
  'hidden',
  'batch',
  'lr',
  'epochs',
  'split',
  'seed',
]);

/** @typedef {typeof SETTINGS[number]} Setting */

/** @type {Record<'post' | 'quick', Record<Setting, number>>} */
export const PRESETS = {
  post: { vocab: 3000, maxlen: 128, embed: 100, hidden: 100, batch: 128, lr: 0.001, epochs: 5, split: 0.5, seed: 1 },
  quick: { vocab: 2000, maxlen: 64, embed: 32, hidden: 32, batch: 64, lr: 0.003, epochs: 1, split: 0.5, seed: 1 },
};

/**
 * The form as text, as its fields hold it.
 * @typedef {Record<Setting, string> & { kernel: string, device: string, workers: string }} SettingsFields
 */

/**
 * The run the form asks for, or what is wrong with it. `labels` names each numeric setting as
 * its label does ("Batch size"), for the message.
 * @param {SettingsFields} fields
 * @param {Record<Setting, string>} labels
 * @returns {{ request: StartRequest, workers: number, error?: undefined } | { error: string, request?: undefined, workers?: undefined }}
 */
export function settingsFrom(fields, labels) {
  /** @type {Partial<Record<Setting, number>>} */
  const v = {};
  for (const k of SETTINGS) {
    v[k] = Number(fields[k]);
    if (fields[k].trim() === '' || !Number.isFinite(v[k])) return { error: `${labels[k]} must be a number.` };
  }
  const workers = Number(fields.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) {
    return { error: 'CPU workers must be a whole number from 1 to 16.' };
  }
  return {
    workers,
    request: {
      data: { vocab: v.vocab, maxlen: v.maxlen, train_fraction: v.split, seed: v.seed },
      train: {
        embed: v.embed,
        hidden: v.hidden,
        batch: v.batch,
        lr: v.lr,
        epochs: v.epochs,
        seed: v.seed,
        kernel: fields.kernel,
      },
      device: fields.device === 'cpu' ? 'cpu' : 'gpu',
    },
  };
}

/**
 * A run's numeric settings and kernel as the form shows them (the engine and the workers are
 * left as chosen on this machine).
 * @param {StartRequest} r
 * @returns {Record<Setting, string> & { kernel: string }}
 */
export function fieldsOf(r) {
  const values = {
    vocab: r.data.vocab,
    maxlen: r.data.maxlen,
    split: r.data.train_fraction,
    seed: r.data.seed,
    embed: r.train.embed,
    hidden: r.train.hidden,
    batch: r.train.batch,
    lr: r.train.lr,
    epochs: r.train.epochs,
  };
  const fields = /** @type {Record<Setting, string>} */ (
    Object.fromEntries(Object.entries(values).map(([k, x]) => [k, String(x)]))
  );
  return { ...fields, kernel: r.train.kernel };
}

/** The form's fields now. */
export function readFields() {
  const fields = /** @type {SettingsFields} */ (
    Object.fromEntries([...SETTINGS, 'kernel', 'device', 'workers'].map((k) => [k, $(`trainer-${k}`).value]))
  );
  const labels = /** @type {Record<Setting, string>} */ (
    Object.fromEntries(SETTINGS.map((k) => [k, $(`trainer-${k}`).labels[0].textContent]))
  );
  return { fields, labels };
}

/**
 * Write settings into the form (a preset, a kept run's) and estimate their memory again.
 * @param {TrainerView} view
 * @param {Partial<Record<Setting | 'kernel', string | number>>} values
 */
export function applySettings(view, values) {
  for (const [k, v] of Object.entries(values)) $(`trainer-${k}`).value = String(v);
  view.scheduleEstimate();
}
