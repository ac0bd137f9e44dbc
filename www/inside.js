// "Inside the model": a saved model on the page's CPU reference cell (the first view's module,
// no trainer needed). For one review: the verdict, every word coloured by its exact share of
// the logit, and a heatmap of one quantity (i, f, g, o, c or h) over units × positions, with a
// cursor driven by the mouse or the keyboard that reads out every value at one (position, unit).

import { assetUrl, fetchWithProgress, BUILD } from './assets.js';

const $ = (id) => document.getElementById(id);
const QUANTITIES = {
  i: { name: 'input gate i', range: [0, 1] },
  f: { name: 'forget gate f', range: [0, 1] },
  g: { name: 'cell candidate g', range: [-1, 1] },
  o: { name: 'output gate o', range: [0, 1] },
  c: { name: 'cell state c', range: null }, // unbounded: scaled by its largest |c|
  h: { name: 'hidden state h', range: [-1, 1] },
};
const BAR = 44; // px for each unit's contribution bar, left of the map
const PAD_BAND = 8; // px: the band above the map that marks padding and words
const LABELS = 64; // px above the band for the words, written at an angle
const fmt = (v, digits = 4) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(digits);
const signed = (v, digits = 3) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(digits);
/** A colour of the page's scheme (light or dark), for what is drawn on the canvas's background. */
const cssColor = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Diverging colour for v in [−1, 1]: orange (negative) – panel – blue (positive). */
function diverging(v) {
  const t = Math.max(-1, Math.min(1, v));
  const [r, g, b] = t >= 0 ? [31, 95, 191] : [214, 110, 20];
  const a = Math.abs(t);
  return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
}

/** White or black, whichever contrasts more with the background `rgb` (at least 4.5:1, WCAG 1.4.3). */
function inkOn(rgb) {
  const lin = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = rgb.map(lin);
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#fff' : '#000';
}

/** Sequential colour for v in [0, 1]: white – dark blue. */
function sequential(v) {
  const t = Math.max(0, Math.min(1, v));
  return [255 - 235 * t, 255 - 190 * t, 255 - 110 * t];
}

export class InsideView {
  constructor(wasm) {
    this.wasm = wasm;
    this.session = null;
    this.result = null;
    this.quantity = 'i';
    this.cursor = { position: 0, row: 0 };
    this.section = $('inside');
    $('inside-pretrained').addEventListener('click', () => this.loadPretrained());
    $('inside-file').addEventListener('change', (e) => this.loadFile(e.target.files[0]).finally(() => (e.target.value = '')));
    $('inside-torch').addEventListener('change', (e) => this.loadPyTorch([...e.target.files]).finally(() => (e.target.value = '')));
    $('inside-run').addEventListener('click', () => this.run());
    $('inside-open-stepper').addEventListener('click', () => this.openStepper());
    $('inside-example-kind').addEventListener('change', () => this.listExamples());
    $('inside-example').addEventListener('change', () => this.pickExample());
    // A typed text has no known label.
    $('inside-text').addEventListener('input', () => {
      this.truth = null;
      $('inside-example').value = '';
    });
    $('inside-export-torch').addEventListener('click', () => this.exportPyTorch());
    $('inside-download').addEventListener('click', () => this.download(this.session.toFile(), 'lstm-lab-model.lstmlab'));
    for (const radio of document.querySelectorAll('input[name="inside-q"]')) {
      radio.addEventListener('change', () => {
        this.quantity = radio.value;
        this.draw();
      });
    }
    const canvas = $('inside-heatmap');
    canvas.addEventListener('mousemove', (e) => this.hover(e));
    canvas.addEventListener('keydown', (e) => this.key(e));
    canvas.addEventListener('focus', () => this.readout());
    $('inside-padding-full').addEventListener('change', () => this.draw());
    // The words and the cursor are painted in the scheme's colours: repaint when it switches.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.draw());
    const size = BUILD.assets.pretrained?.bytes;
    if (size) $('inside-pretrained').textContent = `Load the pretrained IMDB model (${(size / 1e6).toFixed(1)} MB)`;
  }

  // ------------------------------------------------------------------ models in

  async loadPretrained() {
    const button = $('inside-pretrained');
    button.disabled = true;
    this.status('Downloading the pretrained model…');
    try {
      const response = await fetchWithProgress(assetUrl('pretrained'), BUILD.assets.pretrained.bytes, (loaded, total) => {
        this.status(`Downloading the pretrained model… ${Math.round(loaded / 1024)} kB${total ? ` of ${Math.round(total / 1024)} kB` : ''}`);
      });
      const [bytes, examples] = await Promise.all([
        response.arrayBuffer().then((b) => new Uint8Array(b)),
        // The reviews to pick from are a bonus: without them the model still works.
        fetch(assetUrl('pretrainedExamples')).then((r) => (r.ok ? r.json() : null)).catch(() => null),
      ]);
      this.use(() => this.wasm.ModelSession.fromFile(bytes), 'the pretrained IMDB model', examples);
    } catch (e) {
      this.fail(`Could not load the pretrained model: ${e.message ?? e}`);
    } finally {
      button.disabled = false;
    }
  }

  async loadFile(file) {
    if (!file) return;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      this.use(() => this.wasm.ModelSession.fromFile(bytes), file.name);
    } catch (e) {
      this.fail(`${file.name}: ${e.message ?? e}`);
    }
  }

  /** PyTorch's two files, picked together: `*.safetensors` and `vocab.json`. */
  async loadPyTorch(files) {
    if (files.length === 0) return;
    const model = files.find((f) => f.name.endsWith('.safetensors'));
    const vocab = files.find((f) => f.name.endsWith('.json'));
    if (!model || !vocab) {
      this.fail(`Pick both files at once: a .safetensors file and vocab.json (got ${files.map((f) => f.name).join(', ')}).`);
      return;
    }
    try {
      const [m, v] = await Promise.all([model, vocab].map(async (f) => new Uint8Array(await f.arrayBuffer())));
      this.use(() => this.wasm.ModelSession.fromPyTorch(m, v, 0), `${model.name} + ${vocab.name}`);
    } catch (e) {
      this.fail(`${model.name}: ${e.message ?? e}`);
    }
  }

  /** A model file from elsewhere on the page (the Trainer's "Look inside"). */
  loadBytes(bytes, source, examples = null) {
    this.use(() => this.wasm.ModelSession.fromFile(new Uint8Array(bytes)), source, examples);
  }

  /** Swap in a new session; a model that does not load leaves the previous one in place. */
  use(open, source, examples = null) {
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
    const info = session.info();
    this.info = info;
    const accuracy = info.validated ? `, validation accuracy ${info.validated.valid_accuracy.toFixed(4)} (epoch ${info.validated.epoch})` : '';
    this.status(`Loaded ${source}: vocabulary ${info.vocab}, embedding ${info.embed}, ${info.hidden} units, ${info.maxlen} words per review${accuracy}.`);
    $('inside-model-error').hidden = true;
    for (const id of ['inside-run', 'inside-export-torch', 'inside-download', 'inside-open-stepper']) $(id).disabled = false;
    $('inside-heatmap-card').hidden = false;
    document.body.dataset.insideModel = source;
    this.examples = examples;
    this.truth = null;
    this.showExamples();
    this.run();
  }

  /** The validation reviews that came with the model, by kind (see `src/examples.rs`). */
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
      ...list.map((e, k) => {
        const words = e.text.replace(/<br\s*\/?>/g, ' ').split(/\s+/).slice(0, 9).join(' ');
        return new Option(`P(positive) ${e.probability.toFixed(3)}, truly ${e.label}: ${words}…`, String(k));
      }),
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

  status(text) {
    $('inside-model-status').textContent = text;
  }

  fail(message) {
    const el = $('inside-model-error');
    el.textContent = message;
    el.hidden = false;
  }

  // ------------------------------------------------------------------ models out

  exportPyTorch() {
    try {
      this.download(this.session.pytorchModel(), 'model.safetensors');
      this.download(this.session.pytorchVocab(), 'vocab.json');
    } catch (e) {
      this.fail(`Export: ${e.message ?? e}`);
    }
  }

  download(bytes, name) {
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ------------------------------------------------------------------ one review

  run() {
    if (!this.session) return;
    const start = performance.now();
    let result;
    try {
      result = this.session.inspect($('inside-text').value);
    } catch (e) {
      this.fail(`Look inside: ${e.message ?? e}`);
      return;
    }
    const computed = performance.now();
    this.result = result;
    const x = result.inspection;
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
    document.body.dataset.insideReady = String(Date.now());
  }

  showVerdict() {
    const x = this.result.inspection;
    const label = x.probability >= 0.5 ? 'positive' : 'negative';
    const truth = this.truth ? ` · truly <span class="label-${this.truth}">${this.truth}</span>${this.truth === label ? '' : ' (the model is wrong)'}` : '';
    $('inside-verdict').innerHTML =
      `<span class="label-${label}">${label}</span> · P(positive) = ${x.probability.toFixed(4)} · logit ${fmt(x.logit)}${truth}`;
    const words = x.word_contribution.reduce((a, b) => a + b, 0);
    const padding = x.word_contribution.slice(0, this.result.padding).reduce((a, b) => a + b, 0);
    $('inside-sum').textContent =
      `logit = bias ${fmt(x.bias)} + the words' shares ${fmt(words - padding)} + the padding's ${fmt(padding)}` +
      ` (${this.result.padding} padding positions; shares: mean-pool ${fmt(x.mean_contribution.reduce((a, b) => a + b, 0))},` +
      ` max-pools ${fmt(x.max_contribution.reduce((a, b) => a + b, 0))}).`;
    $('inside-sum').dataset.sum = String(x.bias + words);
    $('inside-sum').dataset.logit = String(x.logit);
  }

  showWords() {
    const { words, inspection: x, padding } = this.result;
    const scale = Math.max(1e-9, ...x.word_contribution.map(Math.abs));
    const spans = [];
    if (padding > 0) {
      const share = x.word_contribution.slice(0, padding).reduce((a, b) => a + b, 0);
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
        const [r, g, b] = diverging(share / scale);
        span.className = 'token used';
        span.style.background = `rgb(${r | 0} ${g | 0} ${b | 0})`;
        span.style.color = inkOn([r, g, b]);
        span.title = `position ${w.position + 1}: share of the logit ${signed(share, 4)} (mean-pool ${signed(x.mean_contribution[w.position], 4)}, max-pools ${signed(x.max_contribution[w.position], 4)})`;
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
    globalThis.lstmLab.stepper.loadSetup(setup, { name: `Trained model: ${this.source}`, unit: this.order[row], t, fromInside: true });
    return true;
  }

  // ------------------------------------------------------------------ heatmap

  /**
   * Where each position's column goes. Padding positions are real inputs (the model reads them),
   * but in a short review they crowd out the words, so by default they share a narrow band
   * (1–2 px each); "padding at full width" gives every position the same width.
   */
  geometry() {
    const x = this.result.inspection;
    const padding = this.result.padding;
    const canvas = $('inside-heatmap');
    const avail = Math.max(320, Math.min(canvas.parentElement.clientWidth || 800, 1400)) - BAR - 4;
    const full = $('inside-padding-full').checked;
    const words = x.steps - padding;
    let pw, cw;
    if (full || padding === 0) {
      pw = cw = Math.max(2, Math.min(28, Math.floor(avail / x.steps)));
    } else {
      pw = padding * 2 <= avail / 4 ? 2 : 1;
      cw = Math.max(2, Math.min(28, Math.floor((avail - pw * padding) / Math.max(1, words))));
    }
    const ch = Math.max(2, Math.min(8, Math.floor(480 / x.hidden)));
    const labels = cw >= 11 ? LABELS : 0; // room to write the words above their columns
    const left = BAR + 2;
    const columns = [];
    let at = left;
    for (let t = 0; t < x.steps; t++) {
      const w = t < padding ? pw : cw;
      columns.push({ x: at, w });
      at += w;
    }
    const top = labels + PAD_BAND + 2;
    return { columns, ch, left, top, labels, width: at + 2, height: top + ch * x.hidden + 2 };
  }

  draw() {
    if (!this.result) return;
    const x = this.result.inspection;
    const values = x.trace[this.quantity];
    const q = QUANTITIES[this.quantity];
    let range = q.range;
    if (!range) {
      let m = 1e-9;
      for (const v of values) m = Math.max(m, Math.abs(v));
      range = [-m, m];
    }
    this.range = range;
    this.legend(q, range);
    const g = this.geometry();
    const canvas = $('inside-heatmap');
    if (canvas.width !== g.width || canvas.height !== g.height) {
      canvas.width = g.width;
      canvas.height = g.height;
    }
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = cssColor('--panel') || '#fff';
    ctx.fillRect(0, 0, g.width, g.height);
    // The map itself, as one image: rows are units in `order`, columns positions. Kept between
    // draws: moving the cursor redraws only what lies on top of it.
    const key = `${this.quantity}|${g.width}|${g.height}|${$('inside-padding-full').checked}`;
    if (this.mapCache?.result !== this.result || this.mapCache.key !== key) {
      this.mapCache = { result: this.result, key, image: this.mapImage(values, range, g) };
    }
    const image = this.mapCache.image;
    ctx.putImageData(image, g.left, g.top);
    // The band above: grey over padding, the word colours over words; the words themselves
    // when their columns are wide enough.
    const band = this.bandColors();
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (let t = 0; t < x.steps; t++) {
      const { x: cx, w } = g.columns[t];
      const [r, gg, b] = band[t];
      ctx.fillStyle = `rgb(${r | 0} ${gg | 0} ${b | 0})`;
      ctx.fillRect(cx, g.labels, w, PAD_BAND);
      const word = this.result.positions[t].word;
      if (g.labels && word != null) {
        ctx.save();
        ctx.translate(cx + w / 2, g.labels - 3);
        ctx.rotate(-Math.PI / 3);
        ctx.fillStyle = cssColor('--ink');
        ctx.fillText(word.length > 12 ? word.slice(0, 11) + '…' : word, 0, 0);
        ctx.restore();
      }
    }
    if (g.labels && this.result.padding > 0) {
      ctx.fillStyle = cssColor('--muted');
      ctx.fillText('padding', g.left, g.labels - 8);
    }
    // Each unit's share of the logit, as a bar from the middle of its row label.
    const share = Math.max(1e-9, ...x.unit_contribution.map(Math.abs));
    const mid = BAR / 2;
    for (let row = 0; row < x.hidden; row++) {
      const v = x.unit_contribution[this.order[row]];
      ctx.fillStyle = v >= 0 ? 'rgb(31 95 191)' : 'rgb(214 110 20)';
      const w = (Math.abs(v) / share) * (mid - 2);
      ctx.fillRect(v >= 0 ? mid : mid - w, g.top + row * g.ch, Math.max(1, w), Math.max(1, g.ch - 1));
    }
    // The max-pool winners.
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 1;
    for (let row = 0; row < x.hidden; row++) {
      const { x: cx, w } = g.columns[x.winner[this.order[row]]];
      ctx.strokeRect(cx + 0.5, g.top + row * g.ch + 0.5, Math.max(1, w - 1), Math.max(1, g.ch - 1));
    }
    // The cursor.
    const { position, row } = this.cursor;
    const col = g.columns[position];
    ctx.strokeStyle = '#f5a623';
    ctx.lineWidth = 2;
    ctx.strokeRect(col.x - 1, g.top + row * g.ch - 1, col.w + 2, g.ch + 2);
    ctx.strokeRect(col.x, g.labels, col.w, PAD_BAND);
    this.geom = g;
  }

  /** The name of the quantity shown. */
  quantityName() {
    return QUANTITIES[this.quantity].name;
  }

  /** `v ↦ [r, g, b]` for the quantity shown, over its range (the map and its SVG export). */
  cellColor(range = this.range) {
    return range[0] < 0 ? (v) => diverging(v / range[1]) : (v) => sequential(v);
  }

  /** The band above the map, per position: grey over padding, a word by its share of the logit. */
  bandColors() {
    const x = this.result.inspection;
    const scale = Math.max(1e-9, ...x.word_contribution.map(Math.abs));
    return Array.from({ length: x.steps }, (_, t) => (t < this.result.padding ? [170, 170, 170] : diverging(x.word_contribution[t] / scale)));
  }

  /** The heatmap's pixels for `values` at geometry `g`. */
  mapImage(values, range, g) {
    const x = this.result.inspection;
    const mapWidth = g.width - 2 - g.left;
    const image = new ImageData(mapWidth, g.ch * x.hidden);
    const pixels = new Uint32Array(image.data.buffer); // RGBA bytes as little-endian words
    const color = this.cellColor(range);
    for (let row = 0; row < x.hidden; row++) {
      const unit = this.order[row];
      for (let t = 0; t < x.steps; t++) {
        const [r, gg, b] = color(values[t * x.hidden + unit]);
        const word = (255 << 24) | (b << 16) | (gg << 8) | r;
        const { x: cx, w } = g.columns[t];
        for (let dy = 0; dy < g.ch; dy++) {
          const base = (row * g.ch + dy) * mapWidth + cx - g.left;
          pixels.fill(word, base, base + w);
        }
      }
    }
    return image;
  }

  /** What the colours of the map mean for this quantity (the colour is never the only cue: the
   * readout gives every value in numbers). */
  legend(q, range) {
    const swatch = ([r, g, b]) => `<span class="swatch" style="background: rgb(${r | 0} ${g | 0} ${b | 0})"></span>`;
    const text = range[0] < 0
      ? `${swatch(diverging(-1))} ${fmt(range[0], 2)} · ${swatch(diverging(0))} 0 · ${swatch(diverging(1))} +${fmt(range[1], 2)}` +
        (q.range ? '' : ' (scaled to the largest |c| of this review)')
      : `${swatch(sequential(0))} 0 (closed) · ${swatch(sequential(0.5))} 0.5 · ${swatch(sequential(1))} 1 (open)`;
    $('inside-legend').innerHTML = `<b>${q.name}</b>: ${text}`;
  }

  hover(e) {
    if (!this.result) return;
    const g = this.geom;
    const rect = e.target.getBoundingClientRect();
    const px = ((e.clientX - rect.left) * e.target.width) / rect.width;
    const py = ((e.clientY - rect.top) * e.target.height) / rect.height;
    const position = g.columns.findIndex((c) => px >= c.x && px < c.x + c.w);
    const row = Math.floor((py - g.top) / g.ch);
    const x = this.result.inspection;
    if (position < 0 || row < 0 || row >= x.hidden) return;
    if (position === this.cursor.position && row === this.cursor.row) return;
    this.cursor = { position, row };
    this.draw();
    this.readout();
  }

  key(e) {
    if (!this.result) return;
    const x = this.result.inspection;
    const c = this.cursor;
    const moves = {
      ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1],
      PageUp: [0, -10], PageDown: [0, 10], Home: [-x.steps, 0], End: [x.steps, 0],
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
    const at = (q) => x.trace[q][position * x.hidden + unit];
    const word = this.result.positions[position].word;
    const el = $('inside-readout');
    el.dataset.position = String(position);
    el.dataset.unit = String(unit);
    const won = x.winner[unit] === position;
    const values = Object.keys(QUANTITIES)
      .map((q) => `<span data-q="${q}" data-value="${at(q)}"><b>${q}</b> ${fmt(at(q))}</span>`)
      .join(' ');
    el.innerHTML =
      `<div><b>${word == null ? '‹padding›' : `“${escape(word)}”`}</b> at position ${position + 1} of ${x.steps}` +
      ` · unit ${unit + 1} (rank ${row + 1} of ${x.hidden}; its share of the logit ${signed(x.unit_contribution[unit], 4)}:` +
      ` mean ${fmt(x.mean[unit])}, max ${fmt(x.max[unit])} at position ${x.winner[unit] + 1})</div>` +
      `<div class="values">${values}</div>` +
      `<div>This word's share of the logit: ${signed(x.word_contribution[position], 4)}` +
      `${won ? ' · <b>won this unit’s max-pool</b>' : ''}</div>`;
  }
}
