// @ts-check
// The Trainer's settings form. Its fields, limits, defaults and presets come from the page's
// module (`runSettings()`, src/settings.rs), which also checks what the form holds
// (`runFromForm`): the page repeats none of them. Here: the schema applied to the inputs,
// the form read into what the module checks (`formFrom`, pure, unit-tested), and a run's
// settings written back into it (`fieldsOf`, pure).

import { $ } from '../lib/dom.js';

/** @typedef {import('./protocol.js').RunSettings} RunSettings */
/** @typedef {import('./view.js').TrainerView} TrainerView */

/**
 * One number of a run, as src/settings.rs describes it to the form.
 * @typedef {{ field: string, name: string, min: number, max: number, step: number, integer: boolean }} FieldSchema
 */

/**
 * `runSettings()`: the defaults, every field's limits, and each preset's `[field, value]`s by
 * name (pairs, not maps: smaller code in the module).
 * @typedef {{ defaults: RunSettings, fields: FieldSchema[], presets: [string, [string, number][]][], cells: [string, string][], readouts: [string, string][], switches: [string, string][] }} RunSchema
 */

/**
 * A model's architecture as the page module describes it (`parseArch`, `describeArch` in
 * src/web/settings.rs): `arch` as `TrainConfig.arch` holds it, `name` its short form
 * (`gru/last`, `lstm/pool+sigmoid-g`), and why the fused kernels do not run it (null: they do).
 * @typedef {{ arch: Architecture, name: string, cell: string, readout: string, switches: string[], unfused: string | null }} ArchInfo
 * @typedef {{ cell?: string, readout?: string, variant?: Record<string, boolean> }} Architecture
 */

/**
 * An architecture's short name from its parts (`cell/readout+switch…`; the switches only on
 * the LSTM), as `Architecture::describe` writes it.
 * @param {string} cell
 * @param {string} readout
 * @param {string[]} switches
 */
export function archName(cell, readout, switches) {
  return [`${cell}/${readout}`, ...(cell === 'lstm' ? switches : [])].join('+');
}

/**
 * What `runFromForm` checks: `[field, value]` of each number field, the engine and the kernels.
 * @typedef {{ fields: [string, number][], engine: 'gpu' | 'cpu', kernel: string, arch?: Architecture }} RunForm
 */

/**
 * The presets as `{ name: { field: value } }`.
 * @param {RunSchema} schema
 * @returns {Record<string, Record<string, number>>}
 */
export function presetsOf(schema) {
  return Object.fromEntries(schema.presets.map(([name, fields]) => [name, Object.fromEntries(fields)]));
}

/**
 * The form as text, as its inputs hold it: every number field by name, and the two selects.
 * @typedef {Record<string, string> & { kernel: string, device: string }} SettingsFields
 */

/**
 * Give each number input its limits and step, and its default value (the CPU workers keep the
 * one this device suggests).
 * @param {RunSchema} schema
 */
export function applySchema(schema) {
  const post = presetsOf(schema).post;
  for (const f of schema.fields) {
    const input = /** @type {HTMLInputElement} */ ($(`trainer-${f.field}`));
    input.min = String(f.min);
    input.max = String(f.max);
    input.step = f.step > 0 ? String(f.step) : 'any';
    if (f.field !== 'workers' && post[f.field] !== undefined) input.value = String(post[f.field]);
  }
}

/**
 * What the form asks for, for the module to check, or what is not even a number. `labels` names
 * each number field as its label does ("Batch size"), for the message.
 * @param {SettingsFields} fields
 * @param {Record<string, string>} labels  by field, every number field of the form
 * @returns {{ form: RunForm, error?: undefined } | { error: string, form?: undefined }}
 */
export function formFrom(fields, labels) {
  /** @type {[string, number][]} */
  const numbers = [];
  for (const k of Object.keys(labels)) {
    const text = fields[k] ?? '';
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) return { error: `${labels[k]} must be a number.` };
    numbers.push([k, v]);
  }
  return { form: { fields: numbers, engine: fields.device === 'cpu' ? 'cpu' : 'gpu', kernel: fields.kernel } };
}

/**
 * A run's settings as the form shows them (the engine and the CPU workers are left as chosen on
 * this machine).
 * @param {RunSettings} r
 * @returns {Record<string, string | Architecture> & { kernel: string }}  `arch`: the run's model
 */
export function fieldsOf(r) {
  // The model (absent in runs kept before the cells: the post's LSTM with pooling).
  const arch = r.train.arch ?? {};
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
  const fields = Object.fromEntries(Object.entries(values).map(([k, x]) => [k, String(x)]));
  // The data check's checkbox: 'on' or '' (see applySettings).
  return { ...fields, kernel: r.train.kernel, drop_duplicates: r.data.drop_duplicates ? 'on' : '', arch };
}

/**
 * A run kept by an earlier version of the page recorded `{data, train, device}` and its CPU
 * workers apart: the same run as `RunSettings`.
 * @param {{ settings?: RunSettings, request?: { data: RunSettings['data'], train: RunSettings['train'], device: 'gpu' | 'cpu' }, workers?: number }} record
 * @returns {RunSettings}
 */
export function settingsOfRecord(record) {
  if (record.settings) return record.settings;
  const { data, train, device } = record.request;
  return { data, train, engine: device === 'cpu' ? 'cpu' : 'gpu', workers: record.workers ?? 1 };
}

/**
 * The form's inputs now, and the label of each number field.
 * @param {FieldSchema[]} schema
 */
export function readFields(schema) {
  const names = schema.map((f) => f.field);
  const fields = /** @type {SettingsFields} */ (
    Object.fromEntries([...names, 'kernel', 'device'].map((k) => [k, $(`trainer-${k}`).value]))
  );
  const labels = Object.fromEntries(names.map((k) => [k, $(`trainer-${k}`).labels[0].textContent]));
  return { fields, labels };
}

/**
 * Write settings into the form (a preset, a kept run's) and estimate their memory again.
 * @param {TrainerView} view
 * @param {Record<string, string | number | Architecture>} values
 */
export function applySettings(view, values) {
  for (const [k, v] of Object.entries(values)) {
    if (k === 'drop_duplicates') $('trainer-drop-duplicates').checked = Boolean(v);
    else if (k === 'arch') view.setArch(/** @type {Architecture} */ (v));
    else $(`trainer-${k}`).value = String(v);
  }
  view.scheduleEstimate();
}

/**
 * The model's controls (cell, readout, the LSTM's variants), their choices from the module.
 * @param {RunSchema} schema
 */
export function applyArchSchema(schema) {
  /**
   * @param {HTMLSelectElement} select
   * @param {[string, string][]} choices
   */
  const fill = (select, choices) =>
    select.replaceChildren(
      ...choices.map(([value, label], i) =>
        Object.assign(document.createElement('option'), {
          value,
          textContent: i === 0 ? `${label} — the post` : label,
        }),
      ),
    );
  fill(/** @type {HTMLSelectElement} */ ($('trainer-arch-cell')), schema.cells);
  fill(/** @type {HTMLSelectElement} */ ($('trainer-arch-readout')), schema.readouts);
  $('trainer-variants-list').replaceChildren(
    ...schema.switches.map(([name, label]) => {
      const li = document.createElement('li');
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', id: `trainer-variant-${name}` });
      box.dataset.switch = name;
      const text = Object.assign(document.createElement('label'), { htmlFor: box.id, textContent: ` ${label}` });
      li.append(box, text);
      return li;
    }),
  );
}

/** The LSTM variants ticked in the form, by name. */
export function checkedSwitches() {
  return Array.from(document.querySelectorAll('#trainer-variants-list input[data-switch]'))
    .filter((b) => /** @type {HTMLInputElement} */ (b).checked)
    .map((b) => /** @type {HTMLInputElement} */ (b).dataset.switch);
}

/** The model the form shows, by its short name (`rnn/last`). */
export function formArchName() {
  return archName($('trainer-arch-cell').value, $('trainer-arch-readout').value, checkedSwitches());
}
