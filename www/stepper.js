// The Cell stepper: a preset (weights + sequence) → the wasm reference cell → a diagram, the
// equations with numbers, a table of every unit, charts over time and an editable weight table.
// Every number shown comes from the Rust reference (`stepperRun`); JS only formats it.

import { cssVar, lineChart, onSchemeChange, themed } from './charts.js';

const $ = (id) => document.getElementById(id);
const GATES = ['i', 'f', 'g', 'o'];
const GATE_NAMES = { i: 'input', f: 'forget', g: 'candidate', o: 'output' };
const EDITABLE_MAX = 8; // weight tables up to this size; larger sizes are shown as heatmaps
const fmt = (v) => (Math.abs(v) < 0.0005 ? 0 : v).toFixed(3);
const signed = (v) => (v < 0 ? `− ${fmt(-v)}` : `+ ${fmt(v)}`);

export class StepperView {
  constructor(wasm) {
    this.wasm = wasm;
    this.section = $('stepper');
    this.t = 1;
    this.unit = 0;
    this.revision = 0;
    this.timer = null;
    this.run = null;

    const presetSelect = $('stepper-preset');
    for (const p of wasm.stepperPresets()) presetSelect.add(new Option(p.name, p.id));
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
    this.section.addEventListener('keydown', (e) => this.key(e));

    this.buildDiagram();
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

  key(e) {
    // Arrow keys in a form control, or in a box that scrolls sideways, are theirs; so is Space on
    // a button (it presses it).
    if (e.target.closest('input, textarea, select') || e.target.classList.contains('scroll-x')) return;
    if (e.key === ' ' && e.target.closest('button, [role="button"], a[href]')) return;
    const actions = { ArrowRight: () => this.go(this.t + 1), ArrowLeft: () => this.go(this.t - 1), ' ': () => this.togglePlay(), Home: () => this.go(1) };
    const action = actions[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  }

  loadPreset(id) {
    this.base = this.wasm.stepperPreset(id, 1);
    // As it came: a link stores only what differs from it (see urlstate.js).
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
   */
  loadSetup(setup, { name, unit = 0, t = 1, fromInside = false }) {
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
    const h = setup.weights.hidden;
    for (let r = 0; r < h; r++) setup.weights.bias_ih[h + r] += shift;
    return setup;
  }

  showError(message) {
    $('stepper-error').textContent = message;
    $('stepper-error').hidden = !message;
  }

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
    units.replaceChildren(...Array.from({ length: w.hidden }, (_, k) => new Option(`${k + 1}`, k)));
    units.value = String(this.unit);
    const T = run.steps.length;
    $('stepper-t').max = String(T);
    $('stepper-t-max').textContent = T;
    this.t = keepT ? Math.min(Math.max(this.t, 1), T) : 1;
    this.buildTokens();
    this.buildWeights();
    this.updateCharts();
    this.render();
  }

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

  // ---------------------------------------------------------------- the cell diagram

  buildDiagram() {
    const svg = $('stepper-diagram');
    const ns = 'http://www.w3.org/2000/svg';
    const el = (tag, attrs, text) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      svg.appendChild(e);
      return e;
    };
    const line = (points, cls = 'wire') => el('polyline', { points: points.map((p) => p.join(',')).join(' '), class: cls });
    // Wires first, so nodes sit on top.
    line([[30, 70], [770, 70]], 'wire cell-line');
    line([[30, 390], [640, 390]]);
    line([[120, 420], [120, 390]]);
    line([[240, 390], [240, 322]]);
    line([[340, 390], [340, 322]]);
    line([[440, 390], [440, 322]]);
    line([[560, 390], [560, 322]]);
    line([[240, 278], [240, 88]]);
    line([[340, 278], [340, 190], [412, 190]]);
    line([[440, 278], [440, 208]]);
    line([[440, 172], [440, 88]]);
    line([[640, 70], [640, 130]]);
    line([[640, 170], [640, 212]]);
    line([[560, 278], [560, 230], [622, 230]]);
    line([[658, 230], [770, 230]]);
    const node = (x, y, symbol) => {
      el('circle', { cx: x, cy: y, r: 18, class: 'op' });
      el('text', { x, y: y + 6, class: 'op-symbol' }, symbol);
    };
    node(240, 70, '×');
    node(440, 70, '+');
    node(440, 190, '×');
    node(640, 230, '×');
    el('ellipse', { cx: 640, cy: 150, rx: 34, ry: 20, class: 'op' });
    el('text', { x: 640, y: 156, class: 'op-symbol small' }, 'tanh');
    this.gateBoxes = {};
    const gateX = { f: 240, i: 340, g: 440, o: 560 };
    for (const gate of ['f', 'i', 'g', 'o']) {
      const x = gateX[gate];
      const box = el('rect', { x: x - 40, y: 278, width: 80, height: 44, rx: 8, class: `gate gate-${gate}` });
      el('text', { x, y: 306, class: 'gate-fn' }, gate === 'g' ? 'tanh' : 'σ');
      el('text', { x, y: 352, class: 'gate-name' }, `${GATE_NAMES[gate]} ${gate}`);
      this.gateBoxes[gate] = { box, value: el('text', { x: x + 46, y: 270, class: 'value gate-value' }, '') };
    }
    this.labels = {
      cPrev: el('text', { x: 30, y: 56, class: 'value left' }, ''),
      c: el('text', { x: 770, y: 56, class: 'value right' }, ''),
      kept: el('text', { x: 250, y: 108, class: 'value left small' }, ''),
      written: el('text', { x: 452, y: 180, class: 'value left small' }, ''),
      tanhC: el('text', { x: 682, y: 146, class: 'value left small' }, ''),
      h: el('text', { x: 770, y: 220, class: 'value right' }, ''),
      hPrev: el('text', { x: 30, y: 380, class: 'value left' }, ''),
      x: el('text', { x: 132, y: 416, class: 'value left' }, ''),
      // The post's y(t) = relu(W_p h + b_p), under the h output, when asked for.
      postY: el('text', { x: 790, y: 256, class: 'value right small post-y' }, ''),
    };
  }

  // ---------------------------------------------------------------- per-step rendering

  render() {
    if (!this.run) return;
    const { t, unit: k } = this;
    const step = this.run.steps[t - 1];
    const prev = t > 1 ? this.run.steps[t - 2] : { h: this.base.h0, c: this.base.c0 };
    const x = this.run.encoded.inputs[t - 1];
    $('stepper-t').value = String(t);
    $('stepper-t-value').textContent = t;
    for (const [i, chip] of [...$('stepper-tokens').children].entries()) {
      chip.classList.toggle('current', i === t - 1);
      chip.setAttribute('aria-current', i === t - 1 ? 'step' : 'false');
    }
    for (const gate of GATES) {
      const v = step.act[gate][k];
      const { box, value } = this.gateBoxes[gate];
      // Fill shows the activation: σ gates from 0 to 1, g from −1 to 1.
      const level = gate === 'g' ? (v + 1) / 2 : v;
      box.style.setProperty('--level', level.toFixed(3));
      value.textContent = fmt(v);
    }
    const L = this.labels;
    L.cPrev.textContent = `c(t−1) = ${fmt(prev.c[k])}`;
    L.c.textContent = `c(t) = ${fmt(step.c[k])}`;
    L.kept.textContent = `f·c = ${fmt(step.act.f[k] * prev.c[k])}`;
    L.written.textContent = `i·g = ${fmt(step.act.i[k] * step.act.g[k])}`;
    L.tanhC.textContent = fmt(step.tanh_c[k]);
    L.h.textContent = `h(t) = ${fmt(step.h[k])}`;
    L.hPrev.textContent = `h(t−1) = ${fmt(prev.h[k])}`;
    L.x.textContent = `x(t) = [${x.map(fmt).join(', ')}]  “${this.run.encoded.tokens[t - 1]}”`;
    this.renderEquations(step, prev, x, k);
    this.renderValues();
    this.renderPost(k);
    this.announce(step, k);
    for (const chart of Object.values(this.charts)) chart.redraw();
    this.revision += 1;
    this.section.dataset.revision = String(this.revision);
  }

  /** This step in one short sentence for screen readers (the aria-live region #stepper-announce). */
  announce(step, k) {
    const two = (v) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(2);
    const values = [...GATES.map((g) => [g, step.act[g][k]]), ['c', step.c[k]], ['h', step.h[k]]];
    const token = this.run.encoded.tokens[this.t - 1];
    $('stepper-announce').textContent =
      `Step ${this.t}, ${/^[-+0-9.,;\s]+$/.test(token) ? 'input' : 'word'} '${token}': ` +
      values.map(([name, v]) => `${name} ${two(v)}`).join(', ') +
      ` (unit ${k + 1})`;
  }

  /** W·x, U·h and b of gate `gate`, unit `k` — the parts of the pre-activation, for display. */
  parts(gate, k, x, hPrev) {
    const w = this.weights;
    const { input: E, hidden: H } = w;
    const row = GATES.indexOf(gate) * H + k;
    let wx = 0;
    for (let j = 0; j < E; j++) wx += w.weight_ih[row * E + j] * x[j];
    let uh = 0;
    for (let j = 0; j < H; j++) uh += w.weight_hh[row * H + j] * hPrev[j];
    return { wx, uh, b: w.bias_ih[row] + w.bias_hh[row] };
  }

  renderEquations(step, prev, x, k) {
    const post = $('stepper-compare').checked ? this.run.post_steps[this.t - 1] : null;
    const rows = GATES.map((gate) => {
      const { wx, uh, b } = this.parts(gate, k, x, prev.h);
      const fn = gate === 'g' ? 'tanh' : 'σ';
      const extra = post && gate === 'g' ? ` <span class="post">(the post: σ(${fmt(step.pre.g[k])}) = ${fmt(post.act.g[k])})</span>` : '';
      return `<div class="eq" id="stepper-eq-${gate}"><var>${gate}</var> = ${fn}(W·x + U·h + b) = ${fn}(${fmt(wx)} ${signed(uh)} ${signed(b)}) = ${fn}(${fmt(step.pre[gate][k])}) = <b data-value="${gate}">${fmt(step.act[gate][k])}</b>${extra}</div>`;
    });
    const a = step.act;
    rows.push(
      `<div class="eq cell" id="stepper-eq-c"><var>c</var> = f·c<sub>t−1</sub> + i·g = ${fmt(a.f[k])} × ${fmt(prev.c[k])} + ${fmt(a.i[k])} × ${fmt(a.g[k])} = <b data-value="c">${fmt(step.c[k])}</b>${post ? ` <span class="post">(the post: ${fmt(post.c[k])})</span>` : ''}</div>`,
      `<div class="eq" id="stepper-eq-h"><var>h</var> = o·tanh(c) = ${fmt(a.o[k])} × ${fmt(step.tanh_c[k])} = <b data-value="h">${fmt(step.h[k])}</b></div>`,
    );
    if ($('stepper-post-output').checked) {
      const o = this.run.post_output;
      rows.push(
        `<div class="eq post-eq" id="stepper-eq-y"><var>y</var> = relu(W<sub>p</sub>·h + b<sub>p</sub>) = relu(${fmt(o.pre[this.t - 1][k])}) = <b data-value="y">${fmt(o.y[this.t - 1][k])}</b> <span class="post">(the post's output; h goes on unchanged)</span></div>`,
      );
    }
    $('stepper-equations').innerHTML = `<h3>Step ${this.t}, unit ${k + 1}</h3>` + rows.join('');
  }

  /**
   * Every unit at this step as [name, values]: the gates, c, h, and the post's y when it is
   * shown. (The table or heatmap below, and their exports.)
   */
  unitRows() {
    const step = this.run.steps[this.t - 1];
    const rows = [...GATES.map((g) => [g, step.act[g]]), ['c', step.c], ['h', step.h]];
    if ($('stepper-post-output').checked) rows.push(['y', this.run.post_output.y[this.t - 1]]);
    return rows;
  }

  /** Every weight as [gate·unit, [W·x…, U·h…, b]] (b = bias_ih + bias_hh, as the editor shows). */
  weightRows() {
    const w = this.base.weights;
    const { input: E, hidden: H } = w;
    const rows = [];
    for (const [gi, gate] of GATES.entries()) {
      for (let r = 0; r < H; r++) {
        const row = gi * H + r;
        rows.push([`${gate}${r + 1}`, [...w.weight_ih.slice(row * E, row * E + E), ...w.weight_hh.slice(row * H, row * H + H), w.bias_ih[row] + w.bias_hh[row]]]);
      }
    }
    return rows;
  }

  /** Every unit at this step: numbers for small sizes, a heatmap for large ones. */
  renderValues() {
    const H = this.base.weights.hidden;
    const rows = this.unitRows();
    const box = $('stepper-values');
    if (H <= 16) {
      const head = `<tr><th scope="col">unit</th>${Array.from({ length: H }, (_, k) => `<th scope="col">${k + 1}</th>`).join('')}</tr>`;
      const body = rows
        .map(([name, v]) => `<tr${name === 'y' ? ' class="post-row"' : ''}><th scope="row">${name === 'y' ? 'y (post)' : name}</th>${v.map((x, k) => `<td id="stepper-value-${name}-${k}" style="--v:${Math.max(-1, Math.min(1, x)).toFixed(3)}">${fmt(x)}</td>`).join('')}</tr>`)
        .join('');
      box.innerHTML = `<table class="value-table heat"><caption>All units at step ${this.t}</caption>${head}${body}</table>`;
    } else {
      box.innerHTML = `<p class="hint">All ${H} units at step ${this.t} (blue −1 … white 0 … red +1; hover for values)</p>`;
      box.appendChild(heatmap(rows, 18));
      // The diagram's unit in numbers, as the small sizes' table shows every unit.
      const k = this.unit;
      const line = document.createElement('p');
      line.className = 'unit-values';
      line.innerHTML = `Unit ${k + 1}: ` + rows.map(([name, v]) => `<b>${name}</b> <span id="stepper-value-${name}-${k}">${fmt(v[k])}</span>`).join(' · ');
      box.appendChild(line);
    }
  }

  /**
   * The post's two mistakes, in words and in this step's numbers (all from the Rust run: the
   * amounts each cell writes, i·g, and the post's output layer y = relu(W_p h + b_p)).
   */
  renderPost(k) {
    const t = this.t;
    const T = this.run.steps.length;
    const compare = $('stepper-compare').checked;
    const postOutput = $('stepper-post-output').checked;
    $('stepper-compare-explain').hidden = !compare;
    $('stepper-post-output-explain').hidden = !postOutput;
    if (compare) {
      const written = this.run.written[t - 1][k];
      const postWritten = this.run.post_written[t - 1][k];
      const subtracted = this.run.written.filter((row) => row[k] < 0).length;
      const postSubtracted = this.run.post_written.filter((row) => row[k] < 0).length;
      $('stepper-compare-now').textContent =
        `Step ${t}, unit ${k + 1}: the real cell writes i·g = ${fmt(written)}${written < 0 ? ' (it subtracts)' : ''}; the post's cell writes ${fmt(postWritten)}. ` +
        `Over the ${T} steps the real cell subtracted at ${subtracted}, the post's at ${postSubtracted || 'none'}. ` +
        `After the last step c = ${fmt(this.run.steps[T - 1].c[k])} here, ${fmt(this.run.post_steps[T - 1].c[k])} in the post's cell.`;
    }
    const label = this.labels.postY;
    label.style.display = postOutput ? '' : 'none';
    if (postOutput) {
      const o = this.run.post_output;
      const [h, pre, y] = [this.run.steps[t - 1].h[k], o.pre[t - 1][k], o.y[t - 1][k]];
      label.textContent = `y(t) = ${fmt(y)}`;
      $('stepper-post-output-about').textContent = o.about;
      $('stepper-post-output-now').textContent =
        `Step ${t}, unit ${k + 1}: h = ${fmt(h)} goes on to the next step; the post's output is y = relu(${fmt(pre)}) = ${fmt(y)}. ` +
        `Pooled over the ${T} steps: mean h ${fmt(o.h_mean[k])}, max h ${fmt(o.h_max[k])}; mean y ${fmt(o.y_mean[k])}, max y ${fmt(o.y_max[k])}.`;
    }
  }

  // ---------------------------------------------------------------- charts over time

  updateCharts() {
    if (!this.run) return;
    const T = this.run.steps.length;
    const ts = Array.from({ length: T }, (_, i) => i + 1);
    const H = this.base.weights.hidden;
    const perUnit = (key, steps) => Array.from({ length: H }, (_, k) => steps.map((s) => s[key][k]));
    const c = perUnit('c', this.run.steps);
    const cSeries = c.map((_, k) => ({ label: `c${k + 1}` }));
    if ($('stepper-compare').checked) {
      const post = perUnit('c', this.run.post_steps);
      c.push(...post);
      cSeries.push(...post.map((_, k) => ({ label: `c${k + 1} (post)`, dash: [6, 4] })));
    }
    this.charts.c.set(ts, c, cSeries);
    const h = perUnit('h', this.run.steps);
    const hSeries = h.map((_, k) => ({ label: `h${k + 1}` }));
    if ($('stepper-post-output').checked) {
      const y = Array.from({ length: H }, (_, k) => this.run.post_output.y.map((row) => row[k]));
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
    const w = this.base.weights;
    const { input: E, hidden: H } = w;
    const box = $('stepper-weights');
    if (E > EDITABLE_MAX || H > EDITABLE_MAX) {
      delete box.dataset.shape;
      box.innerHTML = `<p class="hint">Weights are editable up to input and hidden size ${EDITABLE_MAX}; here is every weight as a heatmap (rows: gate·unit; columns: W | U | b).</p>`;
      box.appendChild(heatmap(this.weightRows(), 9));
      return;
    }
    // Same sizes: new values into the same inputs, so a keyboard user's focus (and place) stays.
    const shape = `${E}x${H}`;
    if (box.dataset.shape === shape) {
      GATES.forEach((gate, gi) => {
        for (let r = 0; r < H; r++) {
          const row = gi * H + r;
          for (let j = 0; j < E; j++) $(`stepper-weight-${gate}-${r}-${j}`).value = String(+w.weight_ih[row * E + j].toFixed(4));
          for (let j = 0; j < H; j++) $(`stepper-weight-${gate}-${r}-${E + j}`).value = String(+w.weight_hh[row * H + j].toFixed(4));
          $(`stepper-weight-${gate}-${r}-${E + H}`).value = String(+(w.bias_ih[row] + w.bias_hh[row]).toFixed(4));
        }
      });
      for (const name of ['h0', 'c0']) this.base[name].forEach((v, j) => ($(`stepper-${name}-${j}`).value = String(+v.toFixed(4))));
      return;
    }
    box.dataset.shape = shape;
    const tables = GATES.map((gate, gi) => {
      const head = `<tr><td></td>${Array.from({ length: E }, (_, j) => `<th>W·x${j + 1}</th>`).join('')}${Array.from({ length: H }, (_, j) => `<th>U·h${j + 1}</th>`).join('')}<th>b</th></tr>`;
      const body = Array.from({ length: H }, (_, r) => {
        const row = gi * H + r;
        const cells = [];
        for (let j = 0; j < E; j++) cells.push([j, w.weight_ih[row * E + j]]);
        for (let j = 0; j < H; j++) cells.push([E + j, w.weight_hh[row * H + j]]);
        cells.push([E + H, w.bias_ih[row] + w.bias_hh[row]]);
        return `<tr><th scope="row">unit ${r + 1}</th>${cells
          .map(([col, v]) => `<td><input type="number" step="0.1" id="stepper-weight-${gate}-${r}-${col}" value="${+v.toFixed(4)}" aria-label="${gate} gate, unit ${r + 1}, column ${col + 1}"></td>`)
          .join('')}</tr>`;
      }).join('');
      return `<table class="weight-table"><caption>${GATE_NAMES[gate]} gate <var>${gate}</var></caption>${head}${body}</table>`;
    });
    const state = `<table class="weight-table"><caption>Start state</caption><tr><td></td>${Array.from({ length: H }, (_, j) => `<th>unit ${j + 1}</th>`).join('')}</tr>${['h0', 'c0']
      .map((name) => `<tr><th scope="row">${name}</th>${this.base[name].map((v, j) => `<td><input type="number" step="0.1" id="stepper-${name}-${j}" value="${+v.toFixed(4)}" aria-label="${name} unit ${j + 1}"></td>`).join('')}</tr>`)
      .join('')}</table>`;
    box.innerHTML = tables.join('') + state;
    box.querySelectorAll('input').forEach((input) => input.addEventListener('change', () => this.editWeight(input)));
  }

  editWeight(input) {
    const value = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(value)) {
      this.showError(`“${input.value}” is not a number (${input.getAttribute('aria-label')})`);
      return;
    }
    const parts = input.id.split('-');
    const w = this.base.weights;
    const { input: E, hidden: H } = w;
    if (parts[1] === 'h0' || parts[1] === 'c0') {
      this.base[parts[1]][Number(parts[2])] = value;
    } else {
      const [gate, r, col] = [parts[2], Number(parts[3]), Number(parts[4])];
      const row = GATES.indexOf(gate) * H + r;
      if (col < E) w.weight_ih[row * E + col] = value;
      else if (col < E + H) w.weight_hh[row * H + col - E] = value;
      else w.bias_ih[row] = value - w.bias_hh[row];
    }
    this.recompute({ keepT: true });
  }
}

/** A heatmap cell's colour: blue (−1) through white (0) to red (+1), clamped. */
export function heatColor(v) {
  const x = Math.max(-1, Math.min(1, v));
  const [red, green, blue] = x >= 0 ? [255, 255 * (1 - x), 255 * (1 - x)] : [255 * (1 + x), 255 * (1 + x), 255];
  return `rgb(${red | 0},${green | 0},${blue | 0})`;
}

/** A canvas grid: one row per [name, values]; colour from blue (−1) through white to red (+1). */
/** `rows` as a canvas of cells of at most `maxCell` px, shrunk to fit a trained model's sizes. */
function heatmap(rows, maxCell, { width = 720, height = 600 } = {}) {
  const cols = Math.max(...rows.map(([, v]) => v.length));
  const cell = Math.max(1, Math.min(maxCell, Math.floor(width / cols), Math.floor(height / rows.length)));
  const gap = cell >= 4 ? 1 : 0;
  const labelWidth = 36;
  const canvas = document.createElement('canvas');
  canvas.width = labelWidth + cols * cell;
  canvas.height = rows.length * cell;
  canvas.className = 'heatmap';
  const ctx = canvas.getContext('2d');
  ctx.font = `${Math.min(cell, 11)}px system-ui`;
  ctx.fillStyle = cssVar('--ink');
  rows.forEach(([name, values], r) => {
    ctx.fillStyle = cssVar('--ink');
    if (cell >= 6) ctx.fillText(name, 0, r * cell + cell - 2);
    values.forEach((v, c) => {
      ctx.fillStyle = heatColor(v);
      ctx.fillRect(labelWidth + c * cell, r * cell, cell - gap, cell - gap);
    });
  });
  canvas.addEventListener('mousemove', (e) => {
    const r = Math.floor(e.offsetY / cell);
    const c = Math.floor((e.offsetX - labelWidth) / cell);
    const v = rows[r]?.[1][c];
    canvas.title = v === undefined ? '' : `${rows[r][0]}[${c + 1}] = ${fmt(v)}`;
  });
  return canvas;
}

