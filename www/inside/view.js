// @ts-check
// "Inside the model": a saved model on the page's CPU reference cell (the first view's module,
// no trainer needed). For one review: the verdict, every word coloured by its exact share of
// the logit, and a heatmap of one quantity of its cell (cells.js) over units × positions
// (heatmap.js), with a cursor driven by the mouse or the keyboard that reads out every value at
// one (position, unit).

import { assetUrl, BUILD, fetchWithProgress } from '../lib/assets.js';
import { onSchemeChange } from '../lib/charts.js';
import { diverging, inkOn } from '../lib/colors.js';
import { $ } from '../lib/dom.js';
import { saveFile } from '../lib/download.js';
import { modelFileProblem, torchFilesProblem } from '../lib/filecheck.js';
import { escapeHtml } from '../lib/format.js';
import { cellNote, fillQuantityChooser, pickQuantity, quantityOf, sumText } from './cells.js';
import { colourKey, exampleOption, pickTorchFiles, verdictHtml } from './classes.js';
import { insideExportables } from './exports.js';
import { GradientView } from './gradient.js';
import { drawHeatmap, geometry, legendHtml, rangeOf } from './heatmap.js';
import { SurgeryPanel } from './surgery.js';

/** @typedef {typeof import('../lib/page-wasm.js')} PageWasm */
/** @typedef {import('../lib/page-wasm.js').ModelSession} ModelSession */
/** @typedef {import('../lib/page-wasm.js').StepperSetup} StepperSetup */
/** @typedef {import('./heatmap.js').Quantity} Quantity */
/** @typedef {import('./heatmap.js').HeatmapState} HeatmapState */
/** @typedef {import('../export/menu.js').Exportable} Exportable */

/**
 * @param {number} v
 * @param {number} [digits]
 */
const fmt = (v, digits = 4) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(digits);
/**
 * @param {number} v
 * @param {number} [digits]
 */
const signed = (v, digits = 3) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(digits);
/** @param {number[]} v */
const sum = (v) => v.reduce((a, b) => a + b, 0);

/** @typedef {import('../lib/page-wasm.js').TextInspection} Result */

export class InsideView {
  /**
   * @param {PageWasm} wasm  the page's module (its reference cell)
   * @param {{ openStepper: (setup: StepperSetup, options: { name: string, unit: number, t: number, fromInside: boolean }) => void }} hooks
   *   `openStepper`: the Cell stepper on this review with the model's own cell
   */
  constructor(wasm, { openStepper }) {
    this.wasm = wasm;
    this.openStepperWith = openStepper;
    /** @type {ModelSession | null} */
    this.session = null;
    /** @type {string | null} where the model came from, in words */
    this.source = null;
    /** @type {ReturnType<ModelSession['info']> | null} */
    this.info = null;
    /** @type {any} the validation reviews that came with the model, by kind */
    this.examples = null;
    /** @type {Uint8Array | null} the tokenised validation sample that came with the model (the Trainer's) */
    this.validation = null;
    /** @type {string | null} the label of the review shown, when it came from the list */
    this.truth = null;
    /** @type {Result | null} the last inspection */
    this.result = null;
    /** @type {number[]} units in the heatmap's order: largest share of the logit first */
    this.order = [];
    /** @type {Quantity} */
    this.quantity = 'i';
    /** The cursor: a position and a row of the heatmap (`order[row]` is its unit). */
    this.cursor = { position: 0, row: 0 };
    /** @type {import('./heatmap.js').Geometry | null} the heatmap as last drawn */
    this.geom = null;
    /** @type {[number, number]} the colour range of the quantity shown */
    this.range = [0, 1];
    /** @type {{ computeMs: number, drawMs: number } | null} */
    this.timing = null;
    this.section = $('inside');
    $('inside-pretrained').addEventListener('click', () => this.loadPretrained());
    $('inside-file').addEventListener('change', (/** @type {Event & { target: HTMLInputElement }} */ e) =>
      this.loadFile(e.target.files[0]).finally(() => {
        e.target.value = '';
      }),
    );
    $('inside-torch').addEventListener('change', (/** @type {Event & { target: HTMLInputElement }} */ e) =>
      this.loadPyTorch([...e.target.files]).finally(() => {
        e.target.value = '';
      }),
    );
    $('inside-run').addEventListener('click', () => this.run());
    $('inside-class').addEventListener('change', () => this.run());
    $('inside-open-stepper').addEventListener('click', () => this.openStepper());
    $('inside-example-kind').addEventListener('change', () => this.listExamples());
    $('inside-example').addEventListener('change', () => this.pickExample());
    // A typed text has no known label.
    $('inside-text').addEventListener('input', () => {
      this.truth = null;
      $('inside-example').value = '';
    });
    $('inside-export-torch').addEventListener('click', () => this.exportPyTorch());
    $('inside-download').addEventListener('click', () => saveFile(this.session.toFile(), 'lstm-lab-model.lstmlab'));
    for (const radio of /** @type {NodeListOf<HTMLInputElement>} */ (
      document.querySelectorAll('input[name="inside-q"]')
    )) {
      radio.addEventListener('change', () => {
        this.quantity = /** @type {Quantity} */ (radio.value);
        this.draw();
      });
    }
    const canvas = $('inside-heatmap');
    canvas.addEventListener('mousemove', (/** @type {MouseEvent} */ e) => this.hover(e));
    canvas.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => this.key(e));
    canvas.addEventListener('focus', () => this.readout());
    $('inside-padding-full').addEventListener('change', () => this.draw());
    // The words and the cursor are painted in the scheme's colours: repaint when it switches.
    onSchemeChange(() => this.draw());
    this.surgery = new SurgeryPanel(this);
    /** The gradient through time per word, under the words (gradient.js). */
    this.gradient = new GradientView(this);
    const size = BUILD.assets.pretrained?.bytes;
    if (size) $('inside-pretrained').textContent = `Load the pretrained IMDB model (${(size / 1e6).toFixed(1)} MB)`;
  }

  // ------------------------------------------------------------------ models in

  async loadPretrained() {
    const button = $('inside-pretrained');
    button.disabled = true;
    this.status('Downloading the pretrained model…');
    try {
      const response = await fetchWithProgress(
        assetUrl('pretrained'),
        BUILD.assets.pretrained.bytes,
        (loaded, total) => {
          this.status(
            `Downloading the pretrained model… ${Math.round(loaded / 1024)} kB${total ? ` of ${Math.round(total / 1024)} kB` : ''}`,
          );
        },
      );
      const [bytes, examples] = await Promise.all([
        response.arrayBuffer().then((b) => new Uint8Array(b)),
        // The reviews to pick from are a bonus: without them the model still works.
        fetch(assetUrl('pretrainedExamples'))
          .then((r) => (r.ok ? /** @type {Promise<unknown>} */ (r.json()) : null))
          .catch(() => /** @type {unknown} */ (null)),
      ]);
      this.use(() => this.wasm.ModelSession.fromFile(bytes), 'the pretrained IMDB model', examples);
    } catch (e) {
      this.fail(`Could not load the pretrained model: ${e.message ?? e}`);
    } finally {
      button.disabled = false;
    }
  }

  /** @param {File | undefined} file  a `.lstmlab` model file */
  async loadFile(file) {
    if (!file) return;
    try {
      // The header's declared shapes against the file's size, before the file is read.
      const problem = await modelFileProblem(file);
      if (problem) {
        this.fail(`${file.name}: ${problem}.${this.session ? ' The model shown is kept.' : ''}`);
        return;
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      this.use(() => this.wasm.ModelSession.fromFile(bytes), file.name);
    } catch (e) {
      this.fail(`${file.name}: ${e.message ?? e}`);
    }
  }

  /**
   * PyTorch's files, picked together: `*.safetensors`, `vocab.json` and optionally `labels.json`.
   * @param {File[]} files
   */
  async loadPyTorch(files) {
    if (files.length === 0) return;
    const picked = pickTorchFiles(files);
    if ('error' in picked) {
      this.fail(picked.error);
      return;
    }
    const { model, vocab, labels } = picked;
    try {
      const problem = await torchFilesProblem(model, vocab);
      if (problem) {
        this.fail(`${model.name}: ${problem}.${this.session ? ' The model shown is kept.' : ''}`);
        return;
      }
      const [m, v, l] = await Promise.all(
        [model, vocab, labels].map(async (f) => (f ? new Uint8Array(await f.arrayBuffer()) : undefined)),
      );
      const names = [model, vocab, labels].filter(Boolean).map((f) => f.name);
      this.use(() => this.wasm.ModelSession.fromPyTorch(m, v, l, 0), names.join(' + '));
    } catch (e) {
      this.fail(`${model.name}: ${e.message ?? e}`);
    }
  }

  /**
   * A model file's bytes (the Trainer's "Look inside"), with its validation reviews and, from a
   * confusion cell, a text to open at once.
   * @param {Uint8Array | ArrayBuffer} bytes
   * @param {string} source
   * @param {unknown} [examples]
   * @param {{ text: string, truth: string }} [focus]  a text to open at once, and its true class
   * @param {Uint8Array | null} [validation]  validation reviews, tokenised, for gate surgery's accuracy
   */
  loadBytes(bytes, source, examples = null, focus = null, validation = null) {
    this.use(() => this.wasm.ModelSession.fromFile(new Uint8Array(bytes)), source, examples, focus, validation);
  }

  /**
   * Swap in a new session; a model that does not load leaves the previous one in place.
   * @param {() => ModelSession} open
   * @param {string} source
   * @param {unknown} [examples]
   * @param {{ text: string, truth: string } | null} [focus]
   * @param {Uint8Array | null} [validation]  the sample gate surgery's accuracy is counted on
   *   (a `ValidationSample` as JSON; the pretrained model's is downloaded when needed)
   */
  use(open, source, examples = null, focus = null, validation = null) {
    let session;
    try {
      session = open();
    } catch (e) {
      this.fail(`${source}: ${e.message ?? e}`);
      return;
    }
    this.session?.free();
    this.session = session;
    this.source = source;
    this.validation = validation;
    const info = session.info();
    this.info = info;
    this.fillClassChooser();
    const accuracy = info.validated
      ? `, validation accuracy ${info.validated.valid_accuracy.toFixed(4)} (epoch ${info.validated.epoch})`
      : '';
    this.status(
      `Loaded ${source}: vocabulary ${info.vocab}, embedding ${info.embed}, ${info.hidden} units, ${info.maxlen} words per review${accuracy}.`,
    );
    $('inside-model-error').hidden = true;
    for (const id of ['inside-run', 'inside-export-torch', 'inside-download', 'inside-open-stepper'])
      $(id).disabled = false;
    $('inside-heatmap-card').hidden = false;
    document.body.dataset.insideModel = source;
    this.examples = examples;
    this.truth = null;
    this.showExamples();
    if (focus) {
      $('inside-text').value = focus.text;
      this.truth = focus.truth;
    }
    this.run();
  }

  /** The validation reviews that came with the model, by kind (see `src/trainer/showcase.rs`). */
  showExamples() {
    const box = $('inside-examples');
    box.hidden = !this.examples;
    if (!this.examples) return;
    const x = this.examples;
    $('inside-examples-source').textContent =
      `From the ${x.source}: it classified ${x.correct.toLocaleString('en')} of ${x.rows.toLocaleString('en')} right (${(x.correct / x.rows).toFixed(4)}).`;
    this.listExamples();
  }

  listExamples() {
    const list = this.examples[$('inside-example-kind').value] ?? [];
    const select = $('inside-example');
    select.replaceChildren(
      new Option(`— ${list.length} reviews —`, ''),
      ...list.map(
        (/** @type {any} */ e, /** @type {number} */ k) => new Option(exampleOption(e, this.info.classes), String(k)),
      ),
    );
  }

  /**
   * The class chooser, for a model of more than two classes: whose logit the shares split
   * (default: the predicted class's).
   */
  fillClassChooser() {
    const classes = this.info.classes;
    $('inside-class-row').hidden = classes.length <= 2;
    $('inside-class').replaceChildren(
      new Option('the predicted class', ''),
      ...classes.map((c, k) => new Option(c, String(k))),
    );
  }

  pickExample() {
    const k = $('inside-example').value;
    if (k === '') return;
    const e = this.examples[$('inside-example-kind').value][Number(k)];
    $('inside-text').value = e.text;
    this.truth = e.label;
    this.run();
  }

  /** @param {string} text */
  status(text) {
    $('inside-model-status').textContent = text;
  }

  /** @param {string} message */
  fail(message) {
    const el = $('inside-model-error');
    el.textContent = message;
    el.hidden = false;
  }

  // ------------------------------------------------------------------ models out

  exportPyTorch() {
    try {
      saveFile(this.session.pytorchModel(), 'model.safetensors');
      saveFile(this.session.pytorchVocab(), 'vocab.json');
      saveFile(this.session.pytorchLabels(), 'labels.json');
    } catch (e) {
      this.fail(`Export: ${e.message ?? e}`);
    }
  }

  // ------------------------------------------------------------------ one review

  run() {
    if (!this.session) return;
    const start = performance.now();
    let result;
    try {
      const chosen = $('inside-class').value;
      result = this.session.inspect(
        $('inside-text').value,
        chosen === '' ? undefined : Number(chosen),
        this.surgery.text(),
      );
    } catch (e) {
      this.fail(`Look inside: ${e.message ?? e}`);
      this.gradient.run(); // the gradients have their own errors to show
      return;
    }
    const computed = performance.now();
    this.result = result;
    const x = result.inspection;
    // The model's own quantities: one this cell lacks (a GRU has no f) falls back to h.
    this.quantity = pickQuantity(x, this.quantity);
    fillQuantityChooser($('inside-quantity'), x, this.quantity, (q) => {
      this.quantity = q;
      this.draw();
    });
    $('inside-cell-note').innerHTML = cellNote(result);
    this.order = x.unit_order;
    this.cursor = { position: x.steps - 1, row: 0 };
    this.showVerdict();
    this.showWords();
    this.draw();
    this.readout();
    const drawn = performance.now();
    this.timing = { computeMs: computed - start, drawMs: drawn - computed };
    $('inside-timing').textContent =
      `Computed in ${this.timing.computeMs.toFixed(1)} ms (${x.steps} positions × ${x.hidden} units, float64), drawn in ${this.timing.drawMs.toFixed(1)} ms.`;
    this.surgery.shown();
    this.gradient.run();
    document.body.dataset.insideReady = String(Date.now());
  }

  showVerdict() {
    const x = this.result.inspection;
    $('inside-verdict').innerHTML = verdictHtml(x, this.info.classes, this.truth, fmt);
    $('inside-words-hint').textContent = colourKey(x, this.info.classes);
    const words = sum(x.word_contribution);
    $('inside-sum').textContent = sumText(this.result, fmt);
    $('inside-sum').dataset.sum = String(x.bias + words);
    $('inside-sum').dataset.logit = String(x.logit);
  }

  showWords() {
    const { words, inspection: x, padding } = this.result;
    const scale = Math.max(1e-9, ...x.word_contribution.map(Math.abs));
    const spans = [];
    if (padding > 0) {
      const share = sum(x.word_contribution.slice(0, padding));
      const span = document.createElement('span');
      span.className = 'token padding';
      span.textContent = `‹padding × ${padding}›`;
      span.title = `${padding} padding positions (id 0), read before the words: together ${signed(share, 4)}`;
      spans.push(span);
    }
    for (const w of words) {
      const span = document.createElement('span');
      span.textContent = w.word;
      if (w.position == null) {
        span.className = `token ${w.known ? 'cut' : 'unknown'}`;
        span.title = w.known ? 'before the last words the model reads: not read' : 'not in the vocabulary: dropped';
      } else {
        const share = x.word_contribution[w.position];
        const rgb = diverging(share / scale);
        const [r, g, b] = rgb;
        span.className = 'token used';
        span.style.background = `rgb(${r | 0} ${g | 0} ${b | 0})`;
        span.style.color = inkOn(rgb);
        span.title =
          x.readout === 'last'
            ? `position ${w.position + 1}: moved the head's reading of the state by ${signed(share, 4)} (the logit if the review stopped here: ${signed(x.running_logit[w.position], 4)})`
            : `position ${w.position + 1}: share of the logit ${signed(share, 4)} (mean-pool ${signed(x.mean_contribution[w.position], 4)}, max-pools ${signed(x.max_contribution[w.position], 4)})`;
        span.dataset.position = String(w.position);
        span.dataset.share = String(share);
        span.tabIndex = 0;
        const focus = () => {
          this.cursor.position = w.position;
          this.draw();
          this.readout();
        };
        span.addEventListener('click', focus);
        span.addEventListener('focus', focus);
      }
      spans.push(span);
    }
    $('inside-words').replaceChildren(...spans);
  }

  /** The Cell stepper on this review with the model's own cell, at the cursor's word and unit. */
  openStepper() {
    if (this.openStepperHere()) location.hash = '#stepper';
  }

  /** The same without switching tabs (a link restores it); false when there is nothing to open. */
  openStepperHere() {
    if (!this.session || !this.result) return false;
    let setup;
    try {
      setup = this.session.stepperSetup($('inside-text').value);
    } catch (e) {
      this.fail(`Cell stepper: ${e.message ?? e}`);
      return false;
    }
    const { position, row } = this.cursor;
    const t = Math.max(1, position - this.result.padding + 1);
    this.openStepperWith(setup, { name: `Trained model: ${this.source}`, unit: this.order[row], t, fromInside: true });
    return true;
  }

  // ------------------------------------------------------------------ heatmap

  /** What the heatmap draws now. @returns {HeatmapState} */
  heatmapState() {
    return {
      inspection: this.result.inspection,
      padding: this.result.padding,
      positions: this.result.positions,
      order: this.order,
      quantity: this.quantity,
      cursor: this.cursor,
      fullPadding: $('inside-padding-full').checked,
    };
  }

  draw() {
    if (!this.result) return;
    const x = this.result.inspection;
    const q = quantityOf(x, this.quantity);
    this.range = rangeOf(q, x.trace[this.quantity]);
    $('inside-legend').innerHTML = legendHtml(q, this.range);
    const canvas = $('inside-heatmap');
    const state = this.heatmapState();
    const g = geometry(x, this.result.padding, canvas.parentElement.clientWidth, state.fullPadding);
    drawHeatmap(canvas, state, g, this.range);
    this.geom = g;
  }

  /** The name of the quantity shown. */
  quantityName() {
    return quantityOf(this.result.inspection, this.quantity)?.label ?? this.quantity;
  }

  /** @param {MouseEvent} e */
  hover(e) {
    if (!this.result) return;
    const g = this.geom;
    const canvas = /** @type {HTMLCanvasElement} */ (e.target);
    const rect = canvas.getBoundingClientRect();
    const px = ((e.clientX - rect.left) * canvas.width) / rect.width;
    const py = ((e.clientY - rect.top) * canvas.height) / rect.height;
    const position = g.columns.findIndex((c) => px >= c.x && px < c.x + c.w);
    const row = Math.floor((py - g.top) / g.ch);
    const x = this.result.inspection;
    if (position < 0 || row < 0 || row >= x.hidden) return;
    if (position === this.cursor.position && row === this.cursor.row) return;
    this.cursor = { position, row };
    this.draw();
    this.readout();
  }

  /** @param {KeyboardEvent} e */
  key(e) {
    if (!this.result) return;
    const x = this.result.inspection;
    const c = this.cursor;
    /** @type {Record<string, [number, number]>} [positions, rows] to move */
    const moves = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
      PageUp: [0, -10],
      PageDown: [0, 10],
      Home: [-x.steps, 0],
      End: [x.steps, 0],
    };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    c.position = Math.max(0, Math.min(x.steps - 1, c.position + m[0]));
    c.row = Math.max(0, Math.min(x.hidden - 1, c.row + m[1]));
    this.draw();
    this.readout();
  }

  /** Every value at the cursor, as text (and as data attributes the tests read). */
  readout() {
    if (!this.result) return;
    const x = this.result.inspection;
    const { position, row } = this.cursor;
    const unit = this.order[row];
    /** @param {Quantity} q */
    const at = (q) => x.trace[q][position * x.hidden + unit];
    const word = this.result.positions[position].word;
    const el = $('inside-readout');
    el.dataset.position = String(position);
    el.dataset.unit = String(unit);
    const won = x.winner[unit] === position;
    const values = x.quantities
      .map(({ name: q }) => `<span data-q="${q}" data-value="${at(q)}"><b>${q}</b> ${fmt(at(q))}</span>`)
      .join(' ');
    el.innerHTML =
      `<div><b>${word == null ? '‹padding›' : `“${escapeHtml(word)}”`}</b> at position ${position + 1} of ${x.steps}` +
      ` · unit ${unit + 1} (rank ${row + 1} of ${x.hidden}; its share of the logit ${signed(x.unit_contribution[unit], 4)}:` +
      (x.readout === 'last'
        ? ` its weight × its last state)</div>`
        : ` mean ${fmt(x.mean[unit])}, max ${fmt(x.max[unit])} at position ${x.winner[unit] + 1})</div>`) +
      `<div class="values">${values}</div>` +
      `<div>This word's share of the logit: ${signed(x.word_contribution[position], 4)}` +
      `${won ? ' · <b>won this unit’s max-pool</b>' : ''}</div>`;
  }

  // ------------------------------------------------------------------ exports

  /**
   * What this tab can export (see exports.js).
   * @returns {Exportable[]}
   */
  exportables() {
    return [...insideExportables(this), ...this.gradient.exportables()];
  }
}
