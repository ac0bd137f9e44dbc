// @ts-check
// Gate surgery in Inside the model: hold one of the loaded model's gates (an LSTM's f, i or o, a
// GRU's z or r; a plain RNN has none) at 0 or 1 (every unit or one), or switch a unit off in any
// cell, and see the review's logit, verdict and per-word shares of the edited model at once (the
// view's inspection takes the surgery), then its accuracy on 1,000 validation reviews beside the
// unedited model's. The validation sample (models/imdb-sentiment.validation.json, the
// pretrained model's) is downloaded on the first surgery only; the accuracy is counted in a few
// workers (surgery-count.js), so the page stays responsive. The edits live in the link
// as `inside.surgery=f@all=1,o@17=0,off@42` (units from 1), in the wasm's canonical form.

import { assetUrl, BUILD, fetchWithProgress } from '../lib/assets.js';
import { $ } from '../lib/dom.js';
import { openCounter } from './surgery-count.js';

/** @typedef {import('../lib/page-wasm.js').SurgeryEdit} Edit */

const PRETRAINED = 'the pretrained IMDB model';

/**
 * @param {number} v
 * @param {number} [digits]
 */
const signed = (v, digits = 3) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(digits);
/** @param {number} a */
const pct = (a) => `${(100 * a).toFixed(1)} %`;
/** The chooser's words for each gate the surgery can hold. */
const GATE_LABELS = {
  f: 'f forget gate',
  i: 'i input gate',
  o: 'o output gate',
  z: 'z update gate',
  r: 'r reset gate',
};

/** @param {Edit} e */
const describe = (e) => {
  if (e.kind === 'off') return `unit ${e.unit + 1} switched off (h = 0)`;
  const who = e.unit == null ? 'every unit' : `unit ${e.unit + 1}`;
  return `${e.gate} held at ${e.open ? '1 (open)' : '0 (shut)'} for ${who}`;
};

export class SurgeryPanel {
  /**
   * @param {import('./view.js').InsideView} view
   */
  constructor(view) {
    this.view = view;
    this.wasm = view.wasm;
    /** @type {Edit[]} the edits in force, in order */
    this.edits = [];
    /** @type {import('./surgery-count.js').Counter | null} the validation sample ready to score, for `scored` */
    this.scorer = null;
    /** @type {unknown} the session the scorer and the counts belong to */
    this.scored = null;
    /** @type {Promise<any> | null} the sample on its way */
    this.loading = null;
    /** @type {Map<string, number>} reviews right, by surgery text ('' unedited) */
    this.right = new Map();
    /** @type {any} the unedited model's inspection of the review shown */
    this.plain = null;
    /** Bumped by every new request: an older computation stops. */
    this.job = 0;
    /** @type {string | null} the architecture the gate chooser lists the gates of */
    this.chooserArch = null;
    $('inside-surgery-gate').addEventListener('change', () => this.syncValue());
    $('inside-surgery-add').addEventListener('click', () => this.add());
    $('inside-surgery-reset').addEventListener('click', () => this.reset());
    $('inside-surgery-unit').addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
      if (e.key === 'Enter') this.add();
    });
  }

  /** The surgery in the link's form ('' for none), without edits of units or gates the model lacks. */
  text() {
    const hidden = this.view.info?.hidden ?? Number.POSITIVE_INFINITY;
    const fits = this.edits.filter((e) => e.unit == null || e.unit < hidden);
    if (fits.length < this.edits.length) {
      this.error(`Gate surgery: this model has units 1–${hidden}; the edits of other units were removed.`);
      this.edits = fits;
    }
    // Another cell loaded (an LSTM's f held, then a GRU): its gates' edits cannot apply.
    const gates = this.gates();
    const own = this.edits.filter((e) => e.kind === 'off' || gates == null || gates.includes(e.gate));
    if (own.length < this.edits.length) {
      const has = gates?.length ? `its gates are ${gates.join(', ')}` : 'it has no gates';
      this.error(`Gate surgery: this model is ${this.view.info?.arch}, ${has}; the edits of other gates were removed.`);
      this.edits = own;
    }
    return this.edits.length ? this.wasm.formatSurgery(this.edits) : '';
  }

  /** The loaded model's gates the surgery can hold (null before a model is loaded). */
  gates() {
    const arch = this.view.info?.arch;
    return arch ? this.wasm.surgeryGates(arch) : null;
  }

  /** The gate chooser lists the loaded model's own gates, and "unit off"; a choice it still has is kept. */
  fillGates() {
    const arch = this.view.info?.arch ?? null;
    if (arch === this.chooserArch) return;
    this.chooserArch = arch;
    const select = /** @type {HTMLSelectElement} */ ($('inside-surgery-gate'));
    const was = select.value;
    const options = (this.gates() ?? []).map((g) => new Option(GATE_LABELS[g] ?? g, g));
    options.push(new Option('unit off (h = 0)', 'off'));
    select.replaceChildren(...options);
    select.value = options.some((o) => o.value === was) ? was : options[0].value;
  }

  /** A shut/open value means nothing for "unit off". */
  syncValue() {
    $('inside-surgery-value').disabled = $('inside-surgery-gate').value === 'off';
  }

  /** @param {string} message */
  error(message) {
    const el = $('inside-surgery-error');
    el.textContent = message;
    el.hidden = !message;
  }

  /** The edit the controls describe, added (replacing one of the same gate and unit). */
  add() {
    const gate = $('inside-surgery-gate').value;
    const unitText = $('inside-surgery-unit').value.trim();
    const value = $('inside-surgery-value').value;
    const part = gate === 'off' ? `off@${unitText || 'all'}` : `${gate}@${unitText || 'all'}=${value}`;
    this.setText([this.text(), part].filter(Boolean).join(','));
  }

  /** @param {number} k */
  remove(k) {
    this.edits.splice(k, 1);
    this.changed();
  }

  reset() {
    this.edits = [];
    this.changed();
  }

  /**
   * Use the surgery in `text` (the link's form); a bad one is shown (or noted, from a link) and
   * the edits in force are kept.
   * @param {string} text
   * @param {string[]} [notes]  a link's notes: a bad surgery goes there instead
   * @returns {boolean} whether it was taken
   */
  setText(text, notes) {
    const hidden = this.view.info?.hidden ?? 0xffffffff;
    const arch = this.view.info?.arch;
    let parsed;
    try {
      parsed = this.wasm.parseSurgery(text, hidden, arch);
    } catch (e) {
      const message = `Gate surgery: ${e.message ?? e}.`;
      if (notes) notes.push(`Inside the model: ${message} The edits were left out.`);
      else this.error(message);
      return false;
    }
    // Through formatSurgery once: a later edit of the same gate and unit replaces the earlier.
    this.edits = this.wasm.parseSurgery(this.wasm.formatSurgery(parsed.edits), hidden, arch).edits;
    if (!notes) this.changed();
    return true;
  }

  /** The edits changed: inspect again (which calls `shown`). */
  changed() {
    this.error('');
    this.view.run();
  }

  /**
   * The view inspected the review (with this surgery): the list, the effect on the review, the
   * class text and the accuracy.
   */
  shown() {
    const view = this.view;
    $('inside-surgery').hidden = false;
    const unit = /** @type {HTMLInputElement} */ ($('inside-surgery-unit'));
    unit.max = String(view.info.hidden);
    this.fillGates();
    this.syncValue();
    if (this.scored !== view.session) {
      this.job++;
      this.scorer?.free();
      this.scorer = null;
      this.scored = view.session;
      this.loading = null;
      this.right.clear();
    }
    this.list();
    const text = this.text();
    const card = $('inside-surgery');
    card.dataset.surgery = text;
    if (!text) {
      $('inside-surgery-effect').textContent = 'No edits: the model as trained.';
      $('inside-surgery-accuracy').textContent = '';
      $('inside-surgery-class').textContent = '';
      delete card.dataset.edited;
      delete card.dataset.unedited;
      return;
    }
    this.effect();
    this.accuracy(text);
  }

  list() {
    const items = this.edits.map((e, k) => {
      const li = document.createElement('li');
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Remove';
      remove.setAttribute('aria-label', `Remove: ${describe(e)}`);
      remove.addEventListener('click', () => this.remove(k));
      li.append(`${describe(e)} `, remove);
      return li;
    });
    $('inside-surgery-list').replaceChildren(...items);
  }

  /** The review's logit and verdict, edited and not. */
  effect() {
    const view = this.view;
    const x = view.result.inspection;
    const chosen = $('inside-class').value;
    let plain;
    try {
      plain = view.session.inspect($('inside-text').value, chosen === '' ? undefined : Number(chosen)).inspection;
    } catch {
      return;
    }
    const classes = view.info.classes;
    const el = $('inside-surgery-effect');
    el.dataset.logit = String(x.logit);
    el.dataset.plainLogit = String(plain.logit);
    el.textContent =
      `This review: logit ${signed(x.logit)} (${classes[x.predicted]}) edited, ` +
      `${signed(plain.logit)} (${classes[plain.predicted]}) as trained.`;
    this.plain = plain;
  }

  /**
   * The accuracy of the edited and the unedited model on the validation sample (downloaded on
   * the first surgery), computed now unless known.
   * @param {string} text
   */
  async accuracy(text) {
    const el = $('inside-surgery-accuracy');
    const card = $('inside-surgery');
    if (this.view.source !== PRETRAINED && !this.view.validation) {
      el.textContent =
        'Accuracy: the page has validation reviews for the pretrained model and for a model trained in the Trainer tab (its “Look inside”); this model came without them.';
      return;
    }
    const job = ++this.job;
    const session = this.view.session;
    try {
      if (!this.scorer) {
        if (!this.view.validation) el.textContent = 'Downloading 1,000 validation reviews…';
        this.loading ??= this.loadSample(session, this.view.validation);
        const scorer = await this.loading;
        if (!scorer || this.scored !== session) return;
        this.scorer = scorer;
      }
      const start = performance.now();
      const known = this.right.has(text) && (this.scorer.recorded != null || this.right.has(''));
      // The shipped sample comes with the unedited count the CLI recorded (tests/surgery.rs
      // checks it is what this scorer gives), so a surgery costs one pass, not two; a sample
      // from the Trainer has none, and its unedited count is one more pass, once.
      const recorded = this.scorer.recorded;
      const unedited = recorded == null ? await this.count('', job) : Math.round(recorded * this.scorer.reviews);
      if (unedited == null) return;
      const edited = await this.count(text, job);
      if (edited == null) return;
      const ms = performance.now() - start;
      const n = this.scorer.reviews;
      card.dataset.edited = String(edited / n);
      card.dataset.unedited = String(unedited / n);
      card.dataset.ms = String(ms);
      card.dataset.scoredBy = this.scorer.where;
      el.textContent =
        `Accuracy on ${n.toLocaleString('en')} validation reviews: ${pct(edited / n)} edited, ` +
        `${pct(unedited / n)} as trained (${known ? 'counted before' : `computed in ${(ms / 1000).toFixed(1)} s ${this.scorer.where}`}).`;
      this.classText(text, edited, unedited, n);
      card.dataset.accuracyReady = String(Date.now());
    } catch (e) {
      if (job === this.job) el.textContent = `Accuracy: ${e.message ?? e}`;
    }
  }

  /**
   * The sample (`validation`, or the pretrained model's, downloaded) ready to count on.
   * @param {import('../lib/page-wasm.js').ModelSession} session
   * @param {Uint8Array | null} validation
   */
  async loadSample(session, validation) {
    const start = performance.now();
    const counter = await openCounter(this.wasm, session, validation ?? (await this.downloadSample(session)));
    $('inside-surgery').dataset.setupMs = String(performance.now() - start);
    // Another model was loaded meanwhile: its surgery loads its own.
    if (this.scored !== session) {
      counter.free();
      return null;
    }
    return counter;
  }

  /** @param {import('../lib/page-wasm.js').ModelSession} session */
  async downloadSample(session) {
    const response = await fetchWithProgress(
      assetUrl('pretrainedValidation'),
      BUILD.assets.pretrainedValidation.bytes,
      (loaded) => {
        if (this.scored === session)
          $('inside-surgery-accuracy').textContent =
            `Downloading 1,000 validation reviews… ${Math.round(loaded / 1024)} kB`;
      },
    );
    return new Uint8Array(await response.arrayBuffer());
  }

  /**
   * Reviews right under `text`, from the cache or counted in slices; null when a newer job took over.
   * @param {string} text
   * @param {number} job
   */
  async count(text, job) {
    const known = this.right.get(text);
    if (known != null) return known;
    const scorer = /** @type {import('./surgery-count.js').Counter} */ (this.scorer);
    const n = scorer.reviews.toLocaleString('en');
    const el = $('inside-surgery-accuracy');
    const right = await scorer.count(
      text,
      (done) => {
        if (job === this.job) el.textContent = `Scoring the edited model on ${n} validation reviews… ${done}`;
      },
      () => job !== this.job,
    );
    if (right != null) this.right.set(text, right);
    return right;
  }

  /**
   * What to look for, with this view's numbers.
   * @param {string} text
   * @param {number} edited
   * @param {number} unedited
   * @param {number} n
   */
  classText(text, edited, unedited, n) {
    const x = this.view.result.inspection;
    const plain = this.plain;
    const moved = plain ? `moves this review's logit by ${signed(x.logit - plain.logit)}` : 'changes this review';
    const lost = unedited - edited;
    const verdict =
      lost > 0
        ? `costs ${lost} of the ${unedited} reviews the model got right: the model needs what it cut`
        : lost < 0
          ? `gets ${-lost} more right than the trained model: what it cut was hurting on these reviews`
          : 'leaves the accuracy as it was: the model does not rely on what it cut';
    $('inside-surgery-class').textContent =
      `${text} ${moved}, and on ${n.toLocaleString('en')} reviews ${verdict}. ` +
      `(Guessing gets about half right: ${pct(edited / n)} against ${pct(unedited / n)}.)`;
  }
}
