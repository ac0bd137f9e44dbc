// @ts-check
// The Cell stepper: a preset (weights + sequence) → the wasm reference cell → a diagram, the
// equations with numbers, a table of every unit, charts over time and an editable weight table.
// Every number shown comes from the Rust reference (`stepperRun`); JS only formats it. The
// diagram, the equations, the weights and the heatmaps of large sizes have their own modules.

import { lineChart, onSchemeChange, themed } from '../lib/charts.js';
import { $ } from '../lib/dom.js';
import { CellsPart } from './cells.js';
import { buildDiagram, renderDiagram } from './diagram.js';
import { buildWeights } from './editor.js';
import { announcement, compareText, equationsHtml, postOutputText } from './explain.js';
import { stepperExportables } from './exports.js';
import { fmt, GATE_NAMES, GATES } from './format.js';
import { heatmap } from './heatmap.js';
import { setWeight } from './weights.js';

/** @typedef {typeof import('../lib/page-wasm.js')} PageWasm */
/** @typedef {import('../lib/page-wasm.js').StepperSetup} StepperSetup */
/** @typedef {import('./weights.js').Row} Row */
/** @typedef {import('../export/menu.js').Exportable} Exportable */

/** Every unit as a table up to this many units; a heatmap above. */
const TABLE_MAX = 16;

export class StepperView {
  /** @param {PageWasm} wasm  the page's module: the presets and the reference cell */
  constructor(wasm) {
    this.wasm = wasm;
    this.section = $('stepper');
    /** The step shown, from 1. */
    this.t = 1;
    /** The unit in the diagram, from 0. */
    this.unit = 0;
    this.revision = 0;
    /** @type {ReturnType<typeof setInterval> | null} autoplay */
    this.timer = null;
    /** @type {import('../lib/page-wasm.js').StepperRun | null} the last good run of the reference cell */
    this.run = null;
    /** @type {StepperSetup | null} the setup as edited: weights, start state, sequence */
    this.base = null;
    /** @type {StepperSetup | null} the setup as it came (a link stores only what differs from it) */
    this.origin = null;
    /** Whether the setup is Inside the model's trained cell (a link can bring it back). */
    this.fromInside = false;
    /** @type {StepperSetup['weights'] | null} what the run used (the forget-bias shift applied), for the equations */
    this.weights = null;

    const presetSelect = $('stepper-preset');
    // The cell chooser and the GRU's and plain RNN's views; it fills the preset menu.
    this.cells = new CellsPart(this);
    presetSelect.addEventListener('change', () => {
      if (presetSelect.value !== 'external') this.loadPreset(presetSelect.value);
    });
    $('stepper-sequence').addEventListener('input', () => {
      this.base.sequence = $('stepper-sequence').value;
      this.recompute({ keepT: true });
    });
    for (const id of ['stepper-input-size', 'stepper-hidden-size']) {
      $(id).addEventListener('change', () => this.resize());
    }
    $('stepper-forget-bias').addEventListener('input', () => this.recompute({ keepT: true }));
    // The post's two mistakes: its σ-g cell beside the real one, and its extra output layer.
    for (const id of ['stepper-compare', 'stepper-post-output']) {
      $(id).addEventListener('change', () => {
        this.updateCharts();
        this.render();
      });
    }
    $('stepper-unit').addEventListener('change', () => {
      this.unit = Number($('stepper-unit').value);
      this.render();
    });
    $('stepper-reset').addEventListener('click', () => this.go(1));
    $('stepper-back').addEventListener('click', () => this.go(this.t - 1));
    $('stepper-step').addEventListener('click', () => this.go(this.t + 1));
    $('stepper-play').addEventListener('click', () => this.togglePlay());
    $('stepper-t').addEventListener('input', () => this.go(Number($('stepper-t').value)));
    $('stepper-speed').addEventListener('input', () => {
      if (this.timer) this.togglePlay(true);
    });
    this.section.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => this.key(e));

    this.diagram = buildDiagram($('stepper-diagram'));
    this.charts = {
      c: lineChart($('stepper-chart-c'), 'c', () => this.t),
      h: lineChart($('stepper-chart-h'), 'h', () => this.t),
      gates: lineChart($('stepper-chart-gates'), 'gate', () => this.t, { range: [-1, 1] }),
    };
    this.loadPreset(presetSelect.value);
    // The heatmaps of large sizes are canvases painted with the scheme's colours. (The weight
    // inputs of small sizes are left alone: rebuilding them would drop the focus.)
    onSchemeChange(() => {
      if (!this.run) return;
      if ($('stepper-weights').querySelector('canvas')) this.buildWeights();
      this.render();
    });
  }

  /** @param {KeyboardEvent} e */
  key(e) {
    const target = /** @type {HTMLElement} */ (e.target);
    // Arrow keys in a form control, or in a box that scrolls sideways, are theirs; so is Space on
    // a button (it presses it).
    if (target.closest('input, textarea, select') || target.classList.contains('scroll-x')) return;
    if (e.key === ' ' && target.closest('button, [role="button"], a[href]')) return;
    /** @type {Record<string, () => void>} */
    const actions = {
      ArrowRight: () => this.go(this.t + 1),
      ArrowLeft: () => this.go(this.t - 1),
      ' ': () => this.togglePlay(),
      Home: () => this.go(1),
    };
    const action = actions[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  }

  /** @param {string} id  one of `stepperPresets()` */
  loadPreset(id) {
    this.base = this.wasm.stepperPreset(this.cells.cell, id, 1);
    // As it came: a link stores only what differs from it (see classroom/sections.js).
    this.origin = structuredClone(this.base);
    this.fromInside = false;
    $('stepper-note').textContent = this.base.note;
    $('stepper-sequence').value = this.base.sequence;
    $('stepper-forget-bias').value = '0';
    this.unit = 0;
    this.recompute({ keepT: false });
  }

  /**
   * A setup from elsewhere (Inside the model: a trained model's cell on a review), listed in the
   * preset menu under `name`; opens at step `t` with `unit` in the diagram.
   * @param {StepperSetup} setup
   * @param {{ name: string, unit?: number, t?: number, fromInside?: boolean }} options
   */
  loadSetup(setup, { name, unit = 0, t = 1, fromInside = false }) {
    this.cells.set(setup.cell ?? 'lstm');
    const select = $('stepper-preset');
    let option = select.querySelector('option[value="external"]');
    if (!option) {
      option = new Option('', 'external');
      select.add(option, 0);
    }
    option.textContent = name;
    select.value = 'external';
    this.base = setup;
    this.origin = structuredClone(setup);
    this.fromInside = fromInside;
    $('stepper-note').textContent = setup.note;
    $('stepper-sequence').value = setup.sequence;
    $('stepper-forget-bias').value = '0';
    this.unit = unit;
    this.t = t;
    this.recompute({ keepT: true });
  }

  resize() {
    const input = Number($('stepper-input-size').value);
    const hidden = Number($('stepper-hidden-size').value);
    try {
      this.base = this.wasm.stepperResize(this.base, input, hidden);
    } catch (e) {
      this.showError(e.message);
      return;
    }
    this.unit = Math.min(this.unit, hidden - 1);
    this.recompute({ keepT: true });
  }

  /** The setup with the forget-bias shift applied. */
  effective() {
    const shift = Number($('stepper-forget-bias').value);
    const setup = structuredClone(this.base);
    if (this.cells.active) return setup; // the shift is the LSTM's forget gate
    const h = setup.weights.hidden;
    for (let r = 0; r < h; r++) setup.weights.bias_ih[h + r] += shift;
    return setup;
  }

  /** @param {string} message  empty: no error */
  showError(message) {
    $('stepper-error').textContent = message;
    $('stepper-error').hidden = !message;
  }

  /**
   * Run the reference cell on the setup and show it all (`keepT`: stay at this step).
   * @param {{ keepT: boolean }} options
   */
  recompute({ keepT }) {
    const shift = Number($('stepper-forget-bias').value);
    $('stepper-forget-bias-value').textContent = (shift < 0 ? '−' : '+') + Math.abs(shift).toFixed(1);
    let run;
    const effective = this.effective();
    try {
      run = this.wasm.stepperRun(effective);
    } catch (e) {
      // Keep showing the last good run; say what is wrong with the new input.
      this.showError(e.message);
      return;
    }
    this.showError('');
    this.run = run;
    this.weights = effective.weights; // what the run used, for the equations' parts
    const w = this.base.weights;
    $('stepper-input-size').value = w.input;
    $('stepper-hidden-size').value = w.hidden;
    const units = $('stepper-unit');
    units.replaceChildren(...Array.from({ length: w.hidden }, (_, k) => new Option(`${k + 1}`, String(k))));
    units.value = String(this.unit);
    const T = run.steps.length;
    $('stepper-t').max = String(T);
    $('stepper-t-max').textContent = String(T);
    this.t = keepT ? Math.min(Math.max(this.t, 1), T) : 1;
    this.buildTokens();
    this.buildWeights();
    this.updateCharts();
    this.render();
  }

  /** @param {number} t  the step to show (clamped to the sequence) */
  go(t) {
    if (!this.run) return;
    const T = this.run.steps.length;
    const next = Math.min(Math.max(t, 1), T);
    if (next === this.t && this.revision > 0) {
      if (this.timer && next === T) this.togglePlay(false);
      return;
    }
    this.t = next;
    this.render();
  }

  /** @param {boolean} [force]  play (true) or pause (false); else toggle */
  togglePlay(force) {
    const play = force ?? !this.timer;
    clearInterval(this.timer);
    this.timer = null;
    if (play) {
      if (this.t >= this.run.steps.length) this.go(1);
      const perSecond = Number($('stepper-speed').value);
      this.timer = setInterval(() => this.go(this.t + 1), 1000 / perSecond);
    }
    $('stepper-play').textContent = this.timer ? 'Pause' : '▶ Play';
  }

  buildTokens() {
    const box = $('stepper-tokens');
    box.replaceChildren(
      ...this.run.encoded.tokens.map((token, i) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'token';
        b.textContent = token;
        b.title = `step ${i + 1}: x = [${this.run.encoded.inputs[i].map(fmt).join(', ')}]`;
        b.addEventListener('click', () => this.go(i + 1));
        return b;
      }),
    );
  }

  // ---------------------------------------------------------------- per-step rendering

  render() {
    if (!this.run) return;
    const { t, unit: k } = this;
    const step = this.run.steps[t - 1];
    const prev = t > 1 ? this.run.steps[t - 2] : { h: this.base.h0, c: this.base.c0 };
    const x = this.run.encoded.inputs[t - 1];
    const token = this.run.encoded.tokens[t - 1];
    $('stepper-t').value = String(t);
    $('stepper-t-value').textContent = String(t);
    for (const [i, chip] of [...$('stepper-tokens').children].entries()) {
      chip.classList.toggle('current', i === t - 1);
      chip.setAttribute('aria-current', i === t - 1 ? 'step' : 'false');
    }
    if (this.cells.active) return this.cells.render();
    renderDiagram(this.diagram, step, prev, x, token, k);
    const compare = $('stepper-compare').checked;
    const postOutput = $('stepper-post-output').checked;
    const o = this.run.post_output;
    $('stepper-equations').innerHTML = equationsHtml(
      { step, prev, x, weights: this.weights, t, k },
      {
        post: compare ? this.run.post_steps[t - 1] : null,
        y: postOutput ? { pre: o.pre[t - 1][k], y: o.y[t - 1][k] } : null,
      },
    );
    this.renderValues();
    this.renderPost(k);
    $('stepper-announce').textContent = announcement(step, t, token, k);
    for (const chart of Object.values(this.charts)) chart.redraw();
    this.revision += 1;
    this.section.dataset.revision = String(this.revision);
  }

  /**
   * Every unit at this step as [name, values]: the gates, c, h, and the post's y when it is
   * shown. (The table or heatmap below, and their exports.)
   * @returns {Row[]}
   */
  unitRows() {
    if (this.cells.active) return this.cells.unitRows();
    const step = this.run.steps[this.t - 1];
    /** @type {Row[]} */
    const rows = [...GATES.map((g) => /** @type {Row} */ ([g, step.act[g]])), ['c', step.c], ['h', step.h]];
    if ($('stepper-post-output').checked) rows.push(['y', this.run.post_output.y[this.t - 1]]);
    return rows;
  }

  /** Every unit at this step: numbers for small sizes, a heatmap for large ones. */
  renderValues() {
    const H = this.base.weights.hidden;
    const rows = this.unitRows();
    const box = $('stepper-values');
    if (H <= TABLE_MAX) {
      const head = `<tr><th scope="col">unit</th>${Array.from({ length: H }, (_, k) => `<th scope="col">${k + 1}</th>`).join('')}</tr>`;
      const body = rows
        .map(([name, v]) => {
          const cells = v
            .map(
              (x, k) =>
                `<td id="stepper-value-${name}-${k}" style="--v:${Math.max(-1, Math.min(1, x)).toFixed(3)}">${fmt(x)}</td>`,
            )
            .join('');
          const head = `<th scope="row">${name === 'y' ? 'y (post)' : name}</th>`;
          return `<tr${name === 'y' ? ' class="post-row"' : ''}>${head}${cells}</tr>`;
        })
        .join('');
      box.innerHTML = `<table class="value-table heat"><caption>All units at step ${this.t}</caption>${head}${body}</table>`;
    } else {
      box.innerHTML = `<p class="hint">All ${H} units at step ${this.t} (blue −1 … white 0 … red +1; hover for values)</p>`;
      box.appendChild(heatmap(rows, 18));
      // The diagram's unit in numbers, as the small sizes' table shows every unit.
      const k = this.unit;
      const line = document.createElement('p');
      line.className = 'unit-values';
      line.innerHTML = `Unit ${k + 1}: ${rows
        .map(([name, v]) => `<b>${name}</b> <span id="stepper-value-${name}-${k}">${fmt(v[k])}</span>`)
        .join(' · ')}`;
      box.appendChild(line);
    }
  }

  /**
   * The post's two mistakes, in words and in this step's numbers (all from the Rust run: the
   * amounts each cell writes, i·g, and the post's output layer y = relu(W_p h + b_p)).
   * @param {number} k
   */
  renderPost(k) {
    const t = this.t;
    const compare = $('stepper-compare').checked;
    const postOutput = $('stepper-post-output').checked;
    $('stepper-compare-explain').hidden = !compare;
    $('stepper-post-output-explain').hidden = !postOutput;
    if (compare) $('stepper-compare-now').textContent = compareText(this.run, t, k);
    const label = this.diagram.labels.postY;
    label.style.display = postOutput ? '' : 'none';
    if (postOutput) {
      const o = this.run.post_output;
      label.textContent = `y(t) = ${fmt(o.y[t - 1][k])}`;
      $('stepper-post-output-about').textContent = o.about;
      $('stepper-post-output-now').textContent = postOutputText(this.run, t, k);
    }
  }

  // ---------------------------------------------------------------- charts over time

  updateCharts() {
    if (!this.run) return;
    if (this.cells.active) return this.cells.updateCharts();
    const T = this.run.steps.length;
    const ts = Array.from({ length: T }, (_, i) => i + 1);
    const H = this.base.weights.hidden;
    /**
     * @param {'c' | 'h'} key
     * @param {import('../lib/page-wasm.js').CellStep[]} steps
     */
    const perUnit = (key, steps) => Array.from({ length: H }, (_, k) => steps.map((s) => s[key][k]));
    const c = perUnit('c', this.run.steps);
    /** @type {{ label: string, dash?: number[] }[]} */
    const cSeries = c.map((_, k) => ({ label: `c${k + 1}` }));
    if ($('stepper-compare').checked) {
      const post = perUnit('c', this.run.post_steps);
      c.push(...post);
      cSeries.push(...post.map((_, k) => ({ label: `c${k + 1} (post)`, dash: [6, 4] })));
    }
    this.charts.c.set(ts, c, cSeries);
    const h = perUnit('h', this.run.steps);
    /** @type {{ label: string, dash?: number[] }[]} */
    const hSeries = h.map((_, k) => ({ label: `h${k + 1}` }));
    if ($('stepper-post-output').checked) {
      const y = Array.from({ length: H }, (_, k) =>
        this.run.post_output.y.map((/** @type {number[]} */ row) => row[k]),
      );
      h.push(...y);
      hSeries.push(...y.map((_, k) => ({ label: `y${k + 1} (post)`, dash: [6, 4] })));
    }
    this.charts.h.set(ts, h, hSeries);
    const k = this.unit;
    this.charts.gates.set(
      ts,
      GATES.map((g) => this.run.steps.map((s) => s.act[g][k])),
      GATES.map((g) => ({ label: `${g} (${GATE_NAMES[g]})`, stroke: themed(`--gate-${g}`) })),
    );
  }

  // ---------------------------------------------------------------- the weight editor

  buildWeights() {
    buildWeights($('stepper-weights'), this.base, (input) => this.editWeight(input));
  }

  /**
   * A weight (or start value) typed into the editor.
   * @param {HTMLInputElement} input
   */
  editWeight(input) {
    const value = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(value)) {
      this.showError(`“${input.value}” is not a number (${input.getAttribute('aria-label')})`);
      return;
    }
    // stepper-weight-{gate}-{unit}-{column} or stepper-{h0|c0}-{unit}
    const parts = input.id.split('-');
    if (parts[1] === 'h0' || parts[1] === 'c0') this.base[parts[1]][Number(parts[2])] = value;
    else setWeight(this.base.weights, parts[2], Number(parts[3]), Number(parts[4]), value);
    this.recompute({ keepT: true });
  }

  // ---------------------------------------------------------------- exports

  /**
   * What this tab can export (see exports.js).
   * @returns {Exportable[]}
   */
  exportables() {
    return stepperExportables(this);
  }
}
