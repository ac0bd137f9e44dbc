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
// writers in sections.js.

import { $ } from '../lib/dom.js';
import { checkedSwitches } from '../trainer/settings.js';
import { CONTROLS, fit, readControl, writeControl } from './controls.js';
import { capNotes, firstValues, LINK_TEXT_MAX, unknownNote } from './linktext.js';
import { applyBlowup, applyInside, applyStepper, applyTrainer, readInside, readStepper } from './sections.js';

/** @typedef {import('./presenter.js').Presenter} Presenter */
/** @typedef {import('../lessons/launcher.js').Lessons} Lessons */
/** @typedef {(key: string) => string | null} Want  a key's value in the link being applied (or its default) */

const SETTLE_MS = 250; // one history entry per gesture: wait for the page to settle
const MERGE_MS = 1500; // the same controls changing again within this time replace the entry

/** Typed texts: longer than LINK_TEXT_MAX they stay out of the link (their names for the Copy-link box). */
const TEXTS = new Map([
  ['stepper.sequence', 'the Cell stepper’s sequence'],
  ['trainer.predict', 'the Trainer’s text to predict'],
  ['inside.text', 'Inside the model’s review'],
]);

/** Each section's part of a link, as a note names it when that part fails. */
const SECTIONS = new Map([
  ['presenter', 'Presenter mode'],
  ['blowup', 'Blow-up lab'],
  ['gradflow', 'Gradient flow'],
  ['trainer', 'Trainer'],
  ['inside', 'Inside the model'],
  ['stepper', 'Cell stepper'],
]);

/**
 * Numbers in a link: the shortest text that reads back to the same float64.
 * @param {number} x
 */
const num = (x) => String(x);

export class LinkState {
  /**
   * @param {any} app  the page's views ({ blowup, stepper, gradflow, trainer, inside })
   * @param {typeof import('../lib/page-wasm.js')} wasm  the page module
   * @param {{ presenter?: Presenter | null, lessons?: Lessons | null }} [options]
   */
  constructor(app, wasm, { presenter = null, lessons = null } = {}) {
    this.app = app;
    this.wasm = wasm;
    this.presenter = presenter;
    /** the open lesson and its step (`lesson=`, `step=`): they open themselves (lessons/) */
    this.lessons = lessons;
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
    for (const [k, v] of readStepper(this, stepper)) state.set(k, v);
    // The engine only when a user chose it: otherwise each machine measures its own.
    state.set('trainer.device', trainer.deviceChosenByUser ? $('trainer-device').value : null);
    state.set(
      'trainer.data',
      trainer.loaded?.name === 'imdb-sample.csv.gz' || trainer.pending?.name === 'imdb-sample.csv.gz' ? 'sample' : null,
    );
    // The LSTM's variants ticked (`sigmoid-g,relu-out`; only on the LSTM) and the models compared.
    const variants = $('trainer-arch-cell').value === 'lstm' ? checkedSwitches().join(',') : '';
    state.set('trainer.variant', variants || null);
    state.set('trainer.compare', trainer.compare.entrants());
    for (const [k, v] of readInside(inside)) state.set(k, v);
    if (this.presenter) for (const [k, v] of this.presenter.read()) state.set(k, v);
    if (this.lessons) for (const [k, v] of this.lessons.read()) state.set(k, v);
    // What a link asked for that waits for its tab to open (a download) is still part of the view.
    for (const [k, v] of this.deferred) state.set(k, v);
    return state;
  }

  /** The query string for the page as it is: only the keys that differ from the defaults. */
  query() {
    const params = new URLSearchParams();
    for (const [k, v] of this.read()) {
      if (v == null || v === this.defaults.get(k)) continue;
      if (TEXTS.has(k) && v.length > LINK_TEXT_MAX) continue; // said in the Copy-link box (caveats)
      params.set(k, v);
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
    for (const [k, v] of this.read()) {
      if (TEXTS.has(k) && v != null && v.length > LINK_TEXT_MAX)
        out.push(
          `${TEXTS.get(k)} (${v.length.toLocaleString('en')} characters; a link keeps texts up to ${LINK_TEXT_MAX}: paste it after opening)`,
        );
    }
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
    /** @type {string[]} */
    const notes = [];
    const asked = firstValues(params);
    const known = new Set([
      ...this.defaults.keys(),
      ...(this.presenter?.keys() ?? []),
      ...(this.lessons?.keys() ?? []),
    ]);
    const unknown = unknownNote(
      [...asked.keys()].filter((k) => !known.has(k)),
      'a setting of this page',
    );
    if (unknown) notes.push(unknown);
    /** @type {Want} */
    const want = (k) => asked.get(k) ?? this.defaults.get(k) ?? null;
    const now = this.read();
    /** @param {string} prefix */
    const differs = (prefix) =>
      [...known].some((k) => k.startsWith(prefix) && (want(k) ?? null) !== (now.get(k) ?? null));
    /** Each section on its own: one that fails leaves the others applied, with one plain note.
     * @param {string} name
     * @param {() => void | Promise<void>} part */
    const section = async (name, part) => {
      try {
        await part();
      } catch (e) {
        console.warn(`The link's ${name} part failed:`, e);
        notes.push(`${SECTIONS.get(name)}: this part of the link could not be applied; the rest of the page was.`);
      }
    };
    try {
      if (this.presenter) await section('presenter', () => this.presenter.apply(want, notes));
      if (differs('blowup.')) await section('blowup', () => applyBlowup(this, want, notes));
      if (differs('gradflow.')) await section('gradflow', () => this.applyPlain('gradflow', want, notes));
      if (differs('trainer.')) await section('trainer', () => applyTrainer(this, want, notes));
      if (differs('inside.') || want('stepper.preset') === 'inside')
        await section('inside', () =>
          applyInside(this, want, notes, { forStepper: want('stepper.preset') === 'inside' }),
        );
      if (differs('stepper.')) await section('stepper', () => applyStepper(this, want, notes));
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
    list.replaceChildren(
      ...capNotes(notes).map((n) => Object.assign(document.createElement('li'), { textContent: n })),
    );
    box.hidden = false;
  }
}
