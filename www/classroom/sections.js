// @ts-check
// What each section puts in the link beyond its plain controls, and how a link's values go back
// into it: the Blow-up lab's exact scale (`critical`), the stepper relative to its preset (the
// sequence, sizes, edited weights, step and unit), the Trainer's engine and the sample, and
// Inside the model's model, review, quantity and cursor. Used by urlstate.js's LinkState.

import { applyGradientLink, readGradientLink } from '../inside/second.js';
import { $ } from '../lib/dom.js';
import { formatScale } from '../lib/format.js';
import { whenShown } from '../lib/tabs.js';
import { applyWeightEdits, EDITABLE_MAX, weightEdits } from '../stepper/weights.js';
import { CONTROLS, clampTo, fit, parseAt, readControl, writeControl } from './controls.js';
import { shown } from './linktext.js';

/** @typedef {import('./urlstate.js').LinkState} LinkState */
/** @typedef {import('./urlstate.js').Want} Want */

// ------------------------------------------------------------------ the page into the link

/**
 * The stepper relative to its preset: only what differs from the preset's own values.
 * @param {LinkState} link
 * @param {import('../stepper/view.js').StepperView} view
 */
export function readStepper(link, view) {
  const out = new Map();
  const select = $('stepper-preset');
  const origin = view.origin;
  let preset = select.value;
  if (preset === 'external') preset = view.fromInside ? 'inside' : null;
  out.set('stepper.preset', preset);
  out.set('stepper.cell', view.cells.cell !== 'lstm' ? view.cells.cell : null);
  const base = view.base;
  if (!base || !origin) return out;
  out.set('stepper.sequence', base.sequence !== origin.sequence ? base.sequence : null);
  const w = base.weights;
  out.set('stepper.input', w.input !== origin.weights.input ? String(w.input) : null);
  out.set('stepper.hidden', w.hidden !== origin.weights.hidden ? String(w.hidden) : null);
  out.set('stepper.w', editedWeights(link, view));
  out.set('stepper.unit', view.unit !== 0 ? String(view.unit + 1) : null);
  out.set('stepper.t', view.t !== 1 ? String(view.t) : null);
  return out;
}

/**
 * The weights a user edited, against the preset resized to today's sizes (only the small
 * sizes are editable).
 * @param {LinkState} link
 * @param {import('../stepper/view.js').StepperView} view
 */
export function editedWeights(link, view) {
  const { input: E, hidden: H } = view.base.weights;
  if (E > EDITABLE_MAX || H > EDITABLE_MAX) return null;
  let ref;
  try {
    const same = E === view.origin.weights.input && H === view.origin.weights.hidden;
    ref = same ? view.origin : link.wasm.stepperResize(view.origin, E, H);
  } catch {
    return null;
  }
  return weightEdits(view.base, ref);
}

/**
 * Inside the model: where the model came from, the review (a listed one by its kind and
 * number, else its text), the quantity and the cursor when it moved.
 * @param {import('../inside/view.js').InsideView} view
 */
export function readInside(view) {
  const out = new Map();
  out.set('inside.model', view.session ? (view.source === 'the pretrained IMDB model' ? 'pretrained' : 'file') : null);
  out.set('inside.q', view.quantity);
  const kind = $('inside-example-kind').value;
  const example = $('inside-example').value;
  const picked = view.examples && example !== '';
  out.set('inside.example', picked ? `${kind}.${Number(example) + 1}` : null);
  out.set('inside.text', picked ? null : $('inside-text').value);
  out.set('inside.surgery', view.surgery.text() || null);
  // The cursor; after each run it starts at the last position and the top-ranked unit.
  if (view.result && view.order) {
    const { position, row } = view.cursor;
    const last = view.result.inspection.steps - 1;
    out.set('inside.at', position !== last || row !== 0 ? `${position + 1}.${view.order[row] + 1}` : null);
  } else {
    out.set('inside.at', null);
  }
  for (const [k, v] of readGradientLink(view.gradient)) out.set(k, v);
  return out;
}

// ------------------------------------------------------------------ a link into the page

/**
 * The Blow-up lab's values straight into its inputs, then one run through its preset (one redraw);
 * a scale of `critical` is 1/√n exactly.
 * @param {LinkState} link
 * @param {Want} want
 * @param {string[]} notes
 */
export function applyBlowup(link, want, notes) {
  const view = link.app.blowup;
  // Values straight into the inputs, then one run through the view's preset (one redraw).
  /** @type {Record<string, string | number>} */
  const values = {};
  for (const [name, id] of Object.entries(CONTROLS.blowup)) {
    const el = $(id);
    const raw = want(`blowup.${name}`);
    if (raw == null) continue;
    const value = fit(el, raw, notes);
    if (value != null) values[name] = String(value);
  }
  const n = Number(values.n ?? $('blowup-n').value);
  const raw = want('blowup.scale');
  const slider = $('blowup-scale');
  let scale = null;
  if (raw === 'critical') scale = 1 / Math.sqrt(n);
  else if (raw != null) {
    const v = Number(raw);
    const [lo, hi] = [10 ** Number(slider.min), 10 ** Number(slider.max)];
    if (!Number.isFinite(v) || v <= 0)
      notes.push(`Scale of W: “${shown(raw)}” is not a positive number; kept ${formatScale(view.scale())}.`);
    else {
      scale = Math.min(hi, Math.max(lo, v));
      if (scale !== v)
        notes.push(
          `Scale of W: ${shown(raw)} is outside ${formatScale(lo)} to ${formatScale(hi)}; using ${formatScale(scale)}.`,
        );
    }
  }
  if (scale != null) values.scale = scale;
  view.preset(values);
}

/**
 * The Trainer's settings and engine; the sample (`trainer.data=sample`) is fetched when the
 * tab opens, as a click would.
 * @param {LinkState} link
 * @param {Want} want
 * @param {string[]} notes
 */
export function applyTrainer(link, want, notes) {
  const view = link.app.trainer;
  link.applyPlain('trainer', want, notes);
  // The LSTM's variants (`trainer.variant=sigmoid-g,relu-out`) and the models compared.
  const variants = (want('trainer.variant') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const boxes = Array.from(document.querySelectorAll('#trainer-variants-list input[data-switch]'));
  for (const v of variants)
    if (!boxes.some((b) => /** @type {HTMLInputElement} */ (b).dataset.switch === v))
      notes.push(`LSTM variants: no variant “${shown(v)}”; left out.`);
  for (const b of boxes) {
    const box = /** @type {HTMLInputElement} */ (b);
    box.checked = variants.includes(box.dataset.switch);
  }
  view.archChanged();
  const compare = want('trainer.compare');
  if (compare != null && compare !== view.compare.entrants()) view.compare.setEntrants(compare, notes);
  const device = want('trainer.device');
  if (device != null && device !== $('trainer-device').value) {
    const value = fit($('trainer-device'), device, notes);
    if (value != null) writeControl($('trainer-device'), value);
  }
  if (want('trainer.data') === 'sample' && !view.loaded && !view.pending) {
    // The sample is 2 MB: fetched when the Trainer is opened, as a click would.
    link.deferred.set('trainer.data', 'sample');
    view.whenShown(() => {
      link.deferred.delete('trainer.data');
      view.loadSample();
    });
  } else if (want('trainer.data') != null && want('trainer.data') !== 'sample') {
    notes.push(
      `Trainer data “${shown(want('trainer.data'))}”: a link can only bring the built-in sample; upload your file.`,
    );
  }
}

/**
 * Inside the model's model (the pretrained one, downloaded now when something on screen needs
 * it, else when its tab opens), then its review, quantity and cursor.
 * @param {LinkState} link
 * @param {Want} want
 * @param {string[]} notes
 * @param {{ forStepper: boolean }} options  the stepper's link asks for the trained cell
 */
export async function applyInside(link, want, notes, { forStepper }) {
  const view = link.app.inside;
  const model = want('inside.model');
  if (model === 'pretrained' && !(view.session && view.source === 'the pretrained IMDB model')) {
    // Downloaded now only when something on screen needs it; else when the tab is opened.
    if (forStepper || location.hash === '#inside') await view.loadPretrained();
    else {
      for (const k of link.defaults.keys())
        if (k.startsWith('inside.') && want(k) != null) link.deferred.set(k, want(k));
      whenShown(view.section, () => applyInsideLater(link, want, notes));
      return;
    }
  } else if (model === 'file' && !view.session) {
    notes.push(
      'This link was made with a model from a file, which a link cannot carry: load the file in Inside the model.',
    );
  } else if (model != null && model !== 'pretrained' && model !== 'file') {
    notes.push(`Inside the model: no model “${shown(model)}”; the pretrained one is “pretrained”.`);
  }
  applyInsideView(view, want, notes);
}

/**
 * Inside the model's part of a link, once its tab is opened: the pretrained model, then the rest.
 * @param {LinkState} link
 * @param {Want} want
 * @param {string[]} notes
 */
export async function applyInsideLater(link, want, notes) {
  link.applying = true;
  for (const k of [...link.deferred.keys()]) if (k.startsWith('inside.')) link.deferred.delete(k);
  try {
    await link.app.inside.loadPretrained();
    applyInsideView(link.app.inside, want, notes);
  } finally {
    link.applying = false;
  }
  link.showNotes(notes);
  link.soon();
}

/**
 * The review (a listed one, or a text), the quantity, the padding and the cursor, on the model loaded.
 * @param {import('../inside/view.js').InsideView} view
 * @param {Want} want
 * @param {string[]} notes
 */
export function applyInsideView(view, want, notes) {
  const example = want('inside.example');
  let text = want('inside.text');
  if (example != null) {
    const [kind, k] = example.split('.');
    // Own properties only: a link naming `constructor` or `__proto__` is no list.
    const list = view.examples && Object.hasOwn(view.examples, kind) ? view.examples[kind] : null;
    const index = Number(k) - 1;
    if (!view.examples)
      notes.push('Inside the model: this model has no list of validation reviews; showing the text instead.');
    else if (!list) notes.push(`Inside the model: no list “${shown(kind)}” (misclassified, confident, borderline).`);
    else if (!Number.isInteger(index) || index < 0 || index >= list.length)
      notes.push(`Inside the model: review ${shown(k ?? '')} is not in the list (1 to ${list.length}).`);
    else {
      $('inside-example-kind').value = kind;
      view.listExamples();
      $('inside-example').value = String(index);
      $('inside-text').value = list[index].text;
      view.truth = list[index].label;
      text = null;
    }
  } else if (view.examples) {
    $('inside-example').value = '';
  }
  if (text != null && text !== $('inside-text').value) {
    $('inside-text').value = fit($('inside-text'), text, notes, 'Inside the model’s text');
    view.truth = null;
  }
  const q = want('inside.q');
  const radio = /** @type {HTMLInputElement | null} */ (
    document.querySelector(`input[name="inside-q"][value="${CSS.escape(q ?? '')}"]`)
  );
  if (radio) {
    radio.checked = true;
    view.quantity = /** @type {import('../inside/heatmap.js').Quantity} */ (q);
  } else if (q != null) {
    // The loaded model's own quantities (a GRU's r, z, n, h …); the view keeps its choice or h.
    const have = [...document.querySelectorAll('input[name="inside-q"]')].map(
      (r) => /** @type {HTMLInputElement} */ (r).value,
    );
    notes.push(`Inside the model: this model has no quantity “${shown(q)}” (${have.join(', ')}).`);
  }
  const padding = fit($('inside-padding-full'), want('inside.padding') ?? '0', notes);
  if (padding != null) $('inside-padding-full').checked = padding;
  view.surgery.setText(want('inside.surgery') ?? '', notes);
  void applyGradientLink(view.gradient, want, notes); // the second model runs the view when it arrives
  if (view.session) view.run();
  const at = want('inside.at');
  if (at != null && view.result) {
    const x = view.result.inspection;
    const { position, unit, note } = parseAt(at, x.steps, x.hidden);
    if (note) notes.push(note);
    view.cursor = { position, row: view.order.indexOf(unit) };
    view.draw();
    view.readout();
  }
}

/**
 * The stepper's preset (or Inside's trained cell), then the sequence, sizes, edited weights, plain
 * controls, unit and step, with one redraw at the end.
 * @param {LinkState} link
 * @param {Want} want
 * @param {string[]} notes
 */
export function applyStepper(link, want, notes) {
  const view = link.app.stepper;
  const select = $('stepper-preset');
  // The cell first: its presets fill the menu the preset is looked up in.
  view.cells.applyLink(want('stepper.cell') ?? 'lstm', notes);
  const preset = want('stepper.preset');
  if (preset === 'inside') {
    if (!link.app.inside.openStepperHere()) {
      const first = [...select.options].find((o) => o.value !== 'external');
      notes.push(
        `Cell stepper: the trained model’s cell needs its model in Inside the model; showing “${first.textContent}”.`,
      );
      select.value = first.value;
      view.loadPreset(first.value);
    }
  } else {
    const presets = [...select.options].filter((o) => o.value !== 'external');
    const option =
      presets.find((o) => o.value === preset) ?? presets.find((o) => o.value === select.value) ?? presets[0];
    if (option.value !== preset)
      notes.push(`Cell stepper: no preset “${shown(preset)}”; showing “${option.textContent}”.`);
    select.value = option.value;
    view.loadPreset(option.value);
  }
  const sequence = want('stepper.sequence');
  if (sequence != null) {
    const value = fit($('stepper-sequence'), sequence, notes, 'Cell stepper sequence');
    $('stepper-sequence').value = value;
    view.base.sequence = String(value);
    view.recompute({ keepT: true });
  }
  const sizes = ['input', 'hidden'].map((k) => want(`stepper.${k}`));
  if (sizes.some((s) => s != null)) {
    sizes.forEach((s, i) => {
      const el = $(i ? 'stepper-hidden-size' : 'stepper-input-size');
      const value = s == null ? null : fit(el, s, notes);
      if (value != null) el.value = value;
    });
    view.resize();
  }
  const edits = want('stepper.w');
  if (edits) {
    const bad = applyWeightEdits(view.base, edits);
    if (bad.length) {
      const quoted = bad
        .slice(0, 3)
        .map((b) => `“${shown(b)}”`)
        .join(', ');
      notes.push(
        `Cell stepper weights: ${bad.length} entr${bad.length === 1 ? 'y' : 'ies'} could not be used (${quoted}${bad.length > 3 ? ', …' : ''}); the others were.`,
      );
    }
    view.recompute({ keepT: true });
  }
  for (const name of ['fb', 'compare', 'post', 'speed']) {
    const el = $(CONTROLS.stepper[name]);
    const raw = want(`stepper.${name}`);
    if (raw == null || raw === readControl(el)) continue;
    const value = fit(el, raw, notes);
    if (value != null) writeControl(el, value);
  }
  // Unit and step: 1 unless the link says otherwise (a preset starts there too).
  const H = view.base.weights.hidden;
  const unit = want('stepper.unit') ?? '1';
  const k = clampTo(unit, H);
  if (k.changed) notes.push(`Cell stepper: unit ${shown(unit)} does not exist (1 to ${H}); showing unit ${k.value}.`);
  view.unit = k.value - 1;
  $('stepper-unit').value = String(view.unit);
  const t = want('stepper.t') ?? '1';
  const T = view.run?.steps.length ?? 1;
  const step = clampTo(t, T);
  if (step.changed)
    notes.push(`Cell stepper: step ${shown(t)} is outside the sequence (1 to ${T}); showing step ${step.value}.`);
  view.t = step.value;
  view.updateCharts();
  view.render();
}
