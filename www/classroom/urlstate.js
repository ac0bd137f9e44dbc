// @ts-check
// The view in the link: every section's controls live in the query string (only what differs
// from the page's defaults), the tab in the hash (#stepper), so one link opens the lab exactly as
// a teacher planned it. Back and forward walk through the changes; a value that cannot be used
// (unknown, out of range, not a number) is clamped or left out, with a note — never an error.
//
//   ?stepper.preset=france&stepper.t=7#stepper
//
// Keys are `section.name`. Plain controls (sliders, numbers, selects, checkboxes, text) are read
// from and written to the page's own inputs, firing the events a user's edit fires, so each
// view recomputes the way it always does. The rest (the Blow-up lab's exact scale, the stepper's
// edited weights, step and unit, the Inside tab's model, review and cursor) have readers and
// writers below.

import { $ } from '../lib/dom.js';
import { formatScale } from '../lib/format.js';
import { whenShown } from '../lib/tabs.js';
import { applyWeightEdits, EDITABLE_MAX, weightEdits } from '../stepper/weights.js';
import { CONTROLS, clampTo, fit, parseAt, readControl, writeControl } from './controls.js';

/** @typedef {import('./presenter.js').Presenter} Presenter */
/** @typedef {(key: string) => string | null} Want  a key's value in the link being applied (or its default) */

const SETTLE_MS = 250; // one history entry per gesture: wait for the page to settle
const MERGE_MS = 1500; // the same controls changing again within this time replace the entry

/**
 * Numbers in a link: the shortest text that reads back to the same float64.
 * @param {number} x
 */
const num = (x) => String(x);

export class LinkState {
  /**
   * @param {any} app  the page's views ({ blowup, stepper, gradflow, trainer, inside })
   * @param {typeof import('../lib/page-wasm.js')} wasm  the page module
   * @param {{ presenter?: Presenter | null }} [options]
   */
  constructor(app, wasm, { presenter = null } = {}) {
    this.app = app;
    this.wasm = wasm;
    this.presenter = presenter;
    this.applying = false;
    this.last = { keys: '', at: 0 };
    /** @type {Map<string, string>} what a link asked for that waits for its tab to open */
    this.deferred = new Map();
    /** @type {string} the query last written to (or read from) the address */
    this.committed = '';
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    this.defaults = this.read();
  }

  // ------------------------------------------------------------------ reading the page

  /**
   * Every key's value now, as strings (null: not representable, or the preset's own).
   * @returns {Map<string, string | null>}
   */
  read() {
    const state = new Map();
    for (const [section, controls] of Object.entries(CONTROLS)) {
      for (const [name, id] of Object.entries(controls)) state.set(`${section}.${name}`, readControl($(id)));
    }
    const { blowup, stepper, trainer, inside } = this.app;
    // The Blow-up lab's scale: the exact 1/√n of its preset, or the slider's value.
    const n = Number($('blowup-n').value);
    const scale = blowup.scale();
    state.set(
      'blowup.scale',
      blowup.exactScale != null && Math.abs(scale - 1 / Math.sqrt(n)) < 1e-15
        ? 'critical'
        : num(Number(scale.toPrecision(6))),
    );
    for (const [k, v] of this.readStepper(stepper)) state.set(k, v);
    // The engine only when a user chose it: otherwise each machine measures its own.
    state.set('trainer.device', trainer.deviceChosenByUser ? $('trainer-device').value : null);
    state.set(
      'trainer.data',
      trainer.loaded?.name === 'imdb-sample.csv.gz' || trainer.pending?.name === 'imdb-sample.csv.gz' ? 'sample' : null,
    );
    for (const [k, v] of this.readInside(inside)) state.set(k, v);
    if (this.presenter) for (const [k, v] of this.presenter.read()) state.set(k, v);
    // What a link asked for that waits for its tab to open (a download) is still part of the view.
    for (const [k, v] of this.deferred) state.set(k, v);
    return state;
  }

  /**
   * The stepper relative to its preset: only what differs from the preset's own values.
   * @param {import('../stepper/view.js').StepperView} view
   */
  readStepper(view) {
    const out = new Map();
    const select = $('stepper-preset');
    const origin = view.origin;
    let preset = select.value;
    if (preset === 'external') preset = view.fromInside ? 'inside' : null;
    out.set('stepper.preset', preset);
    const base = view.base;
    if (!base || !origin) return out;
    out.set('stepper.sequence', base.sequence !== origin.sequence ? base.sequence : null);
    const w = base.weights;
    out.set('stepper.input', w.input !== origin.weights.input ? String(w.input) : null);
    out.set('stepper.hidden', w.hidden !== origin.weights.hidden ? String(w.hidden) : null);
    out.set('stepper.w', this.weightEdits(view));
    out.set('stepper.unit', view.unit !== 0 ? String(view.unit + 1) : null);
    out.set('stepper.t', view.t !== 1 ? String(view.t) : null);
    return out;
  }

  /**
   * The weights a user edited, against the preset resized to today's sizes (only the small
   * sizes are editable).
   * @param {import('../stepper/view.js').StepperView} view
   */
  weightEdits(view) {
    const { input: E, hidden: H } = view.base.weights;
    if (E > EDITABLE_MAX || H > EDITABLE_MAX) return null;
    let ref;
    try {
      const same = E === view.origin.weights.input && H === view.origin.weights.hidden;
      ref = same ? view.origin : this.wasm.stepperResize(view.origin, E, H);
    } catch {
      return null;
    }
    return weightEdits(view.base, ref);
  }

  /** @param {import('../inside/view.js').InsideView} view */
  readInside(view) {
    const out = new Map();
    out.set(
      'inside.model',
      view.session ? (view.source === 'the pretrained IMDB model' ? 'pretrained' : 'file') : null,
    );
    out.set('inside.q', view.quantity);
    const kind = $('inside-example-kind').value;
    const example = $('inside-example').value;
    const picked = view.examples && example !== '';
    out.set('inside.example', picked ? `${kind}.${Number(example) + 1}` : null);
    out.set('inside.text', picked ? null : $('inside-text').value);
    // The cursor; after each run it starts at the last position and the top-ranked unit.
    if (view.result && view.order) {
      const { position, row } = view.cursor;
      const last = view.result.inspection.steps - 1;
      out.set('inside.at', position !== last || row !== 0 ? `${position + 1}.${view.order[row] + 1}` : null);
    } else {
      out.set('inside.at', null);
    }
    return out;
  }

  /** The query string for the page as it is: only the keys that differ from the defaults. */
  query() {
    const params = new URLSearchParams();
    for (const [k, v] of this.read()) {
      if (v != null && v !== this.defaults.get(k)) params.set(k, v);
    }
    const s = params.toString();
    return s ? `?${s}` : '';
  }

  /** What this view shows that a link cannot carry (a model from a file, an upload). */
  caveats() {
    const out = [];
    const { inside, stepper, trainer } = this.app;
    if (inside.session && inside.source !== 'the pretrained IMDB model')
      out.push(`the model from ${inside.source} (open it again in Inside the model)`);
    else if ($('stepper-preset').value === 'external' && !stepper.fromInside)
      out.push('the trained cell in the Cell stepper');
    if (trainer.loaded && trainer.loaded.name !== 'imdb-sample.csv.gz')
      out.push(`the Trainer's data file ${trainer.loaded.name}`);
    return out;
  }

  /** The link to this exact view. */
  link() {
    return `${location.origin}${location.pathname}${this.query()}${location.hash}`;
  }

  // ------------------------------------------------------------------ keeping the URL in step

  /** Start following the page: every change becomes a history entry (or updates the last one). */
  follow() {
    const later = () => this.soon();
    document.addEventListener('input', later);
    document.addEventListener('change', later);
    document.addEventListener('click', later);
    document.addEventListener('keyup', later);
    window.addEventListener('hashchange', later);
    // Views mark each redraw; a step by a key or the stepper's autoplay shows up here.
    const watch = new MutationObserver(later);
    for (const id of ['blowup', 'stepper', 'trainer', 'inside']) {
      watch.observe($(id), { attributes: true, attributeFilter: ['data-revision', 'data-gradflow-revision'] });
    }
    // A tab change (a new hash) is a history entry too; only a different query is another view.
    this.committed = location.search;
    window.addEventListener('popstate', () => {
      if (location.search === this.committed) return;
      this.committed = location.search;
      this.apply(new URLSearchParams(location.search), { fromHistory: true });
    });
  }

  soon() {
    if (this.applying) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.commit(), SETTLE_MS);
  }

  commit() {
    if (this.applying) return;
    const query = this.query();
    if (query === location.search) return;
    const before = new URLSearchParams(location.search);
    const after = new URLSearchParams(query);
    const changed = [...new Set([...before.keys(), ...after.keys()])]
      .filter((k) => before.get(k) !== after.get(k))
      .sort()
      .join(' ');
    const url = `${location.pathname}${query}${location.hash}`;
    const now = performance.now();
    // A slider being dragged, autoplay stepping, typing: one entry for the whole gesture.
    if (changed === this.last.keys && now - this.last.at < MERGE_MS) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.committed = query;
    this.last = { keys: changed, at: now };
    document.body.dataset.linkRevision = String(Number(document.body.dataset.linkRevision ?? 0) + 1);
  }

  // ------------------------------------------------------------------ applying a link

  /**
   * Make the page show `params` (missing keys: the defaults). Only sections whose state differs
   * are touched. Resolves when every section has its values (a model to download included).
   * @param {URLSearchParams} params
   * @param {{ fromHistory?: boolean }} [options]
   */
  async apply(params, { fromHistory = false } = {}) {
    this.applying = true;
    const notes = [];
    const known = new Set([...this.defaults.keys(), ...(this.presenter?.keys() ?? [])]);
    for (const k of params.keys()) if (!known.has(k)) notes.push(`“${k}” is not a setting of this page; ignored.`);
    /** @type {Want} */
    const want = (k) => params.get(k) ?? this.defaults.get(k) ?? null;
    const now = this.read();
    /** @param {string} prefix */
    const differs = (prefix) =>
      [...known].some((k) => k.startsWith(prefix) && (want(k) ?? null) !== (now.get(k) ?? null));
    try {
      if (this.presenter) this.presenter.apply(want, notes);
      if (differs('blowup.')) this.applyBlowup(want, notes);
      if (differs('gradflow.')) this.applyPlain('gradflow', want, notes);
      if (differs('trainer.')) this.applyTrainer(want, notes);
      if (differs('inside.') || want('stepper.preset') === 'inside')
        await this.applyInside(want, notes, { forStepper: want('stepper.preset') === 'inside' });
      if (differs('stepper.')) this.applyStepper(want, notes);
    } catch (e) {
      // A link can never break the page: say what went wrong and keep what was applied.
      notes.push(`Part of this link could not be applied: ${e.message ?? e}`);
    } finally {
      this.applying = false;
    }
    this.showNotes(notes);
    // Make the address the clamped, cleaned-up version of what was asked for.
    if (!fromHistory) {
      history.replaceState(null, '', `${location.pathname}${this.query()}${location.hash}`);
    }
    this.committed = location.search;
    return notes;
  }

  /**
   * @param {keyof typeof CONTROLS} section
   * @param {Want} want
   * @param {string[]} notes
   */
  applyPlain(section, want, notes) {
    for (const [name, id] of Object.entries(CONTROLS[section])) {
      const el = $(id);
      const raw = want(`${section}.${name}`);
      if (raw == null || raw === readControl(el)) continue;
      const value = fit(el, raw, notes);
      if (value != null) writeControl(el, value);
    }
  }

  /**
   * @param {Want} want
   * @param {string[]} notes
   */
  applyBlowup(want, notes) {
    const view = this.app.blowup;
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
        notes.push(`Scale of W: “${raw}” is not a positive number; kept ${formatScale(view.scale())}.`);
      else {
        scale = Math.min(hi, Math.max(lo, v));
        if (scale !== v)
          notes.push(
            `Scale of W: ${raw} is outside ${formatScale(lo)} to ${formatScale(hi)}; using ${formatScale(scale)}.`,
          );
      }
    }
    if (scale != null) values.scale = scale;
    view.preset(values);
  }

  /**
   * @param {Want} want
   * @param {string[]} notes
   */
  applyTrainer(want, notes) {
    const view = this.app.trainer;
    this.applyPlain('trainer', want, notes);
    const device = want('trainer.device');
    if (device != null && device !== $('trainer-device').value) {
      const value = fit($('trainer-device'), device, notes);
      if (value != null) writeControl($('trainer-device'), value);
    }
    if (want('trainer.data') === 'sample' && !view.loaded && !view.pending) {
      // The sample is 2 MB: fetched when the Trainer is opened, as a click would.
      this.deferred.set('trainer.data', 'sample');
      view.whenShown(() => {
        this.deferred.delete('trainer.data');
        view.loadSample();
      });
    } else if (want('trainer.data') != null && want('trainer.data') !== 'sample') {
      notes.push(
        `Trainer data “${want('trainer.data')}”: a link can only bring the built-in sample; upload your file.`,
      );
    }
  }

  /**
   * @param {Want} want
   * @param {string[]} notes
   * @param {{ forStepper: boolean }} options  the stepper's link asks for the trained cell
   */
  async applyInside(want, notes, { forStepper }) {
    const view = this.app.inside;
    const model = want('inside.model');
    if (model === 'pretrained' && !(view.session && view.source === 'the pretrained IMDB model')) {
      // Downloaded now only when something on screen needs it; else when the tab is opened.
      if (forStepper || location.hash === '#inside') await view.loadPretrained();
      else {
        for (const k of this.defaults.keys())
          if (k.startsWith('inside.') && want(k) != null) this.deferred.set(k, want(k));
        whenShown(view.section, () => this.applyInsideLater(want, notes));
        return;
      }
    } else if (model === 'file' && !view.session) {
      notes.push(
        'This link was made with a model from a file, which a link cannot carry: load the file in Inside the model.',
      );
    } else if (model != null && model !== 'pretrained' && model !== 'file') {
      notes.push(`Inside the model: no model “${model}”; the pretrained one is “pretrained”.`);
    }
    this.applyInsideView(view, want, notes);
  }

  /**
   * @param {Want} want
   * @param {string[]} notes
   */
  async applyInsideLater(want, notes) {
    this.applying = true;
    for (const k of [...this.deferred.keys()]) if (k.startsWith('inside.')) this.deferred.delete(k);
    try {
      await this.app.inside.loadPretrained();
      this.applyInsideView(this.app.inside, want, notes);
    } finally {
      this.applying = false;
    }
    this.showNotes(notes);
    this.soon();
  }

  /**
   * @param {import('../inside/view.js').InsideView} view
   * @param {Want} want
   * @param {string[]} notes
   */
  applyInsideView(view, want, notes) {
    const example = want('inside.example');
    let text = want('inside.text');
    if (example != null) {
      const [kind, k] = example.split('.');
      const list = view.examples?.[kind];
      const index = Number(k) - 1;
      if (!view.examples)
        notes.push('Inside the model: this model has no list of validation reviews; showing the text instead.');
      else if (!list) notes.push(`Inside the model: no list “${kind}” (misclassified, confident, borderline).`);
      else if (!Number.isInteger(index) || index < 0 || index >= list.length)
        notes.push(`Inside the model: review ${k} is not in the list (1 to ${list.length}).`);
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
    } else if (q != null) notes.push(`Inside the model: no quantity “${q}” (i, f, g, o, c, h).`);
    const padding = fit($('inside-padding-full'), want('inside.padding') ?? '0', notes);
    if (padding != null) $('inside-padding-full').checked = padding;
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
   * @param {Want} want
   * @param {string[]} notes
   */
  applyStepper(want, notes) {
    const view = this.app.stepper;
    const select = $('stepper-preset');
    const preset = want('stepper.preset');
    if (preset === 'inside') {
      if (!this.app.inside.openStepperHere()) {
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
      if (option.value !== preset) notes.push(`Cell stepper: no preset “${preset}”; showing “${option.textContent}”.`);
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
        const shown = bad
          .slice(0, 3)
          .map((b) => `“${b}”`)
          .join(', ');
        notes.push(
          `Cell stepper weights: ${bad.length} entr${bad.length === 1 ? 'y' : 'ies'} could not be used (${shown}${bad.length > 3 ? ', …' : ''}); the others were.`,
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
    if (k.changed) notes.push(`Cell stepper: unit ${unit} does not exist (1 to ${H}); showing unit ${k.value}.`);
    view.unit = k.value - 1;
    $('stepper-unit').value = String(view.unit);
    const t = want('stepper.t') ?? '1';
    const T = view.run?.steps.length ?? 1;
    const step = clampTo(t, T);
    if (step.changed)
      notes.push(`Cell stepper: step ${t} is outside the sequence (1 to ${T}); showing step ${step.value}.`);
    view.t = step.value;
    view.updateCharts();
    view.render();
  }

  // ------------------------------------------------------------------ notes

  /** @param {string[]} notes */
  showNotes(notes) {
    const box = $('link-notes');
    if (!box) return;
    if (!notes.length) {
      box.hidden = true;
      return;
    }
    const list = $('link-notes-list');
    list.replaceChildren(...notes.map((n) => Object.assign(document.createElement('li'), { textContent: n })));
    box.hidden = false;
  }
}
