// The Blow-up lab view: controls → wasm engine (GPU or CPU) → uPlot chart and verdict.
//
// Only one GPU run is in flight at a time (see coalesce.js).

import uPlot from './vendor/uPlot.esm.js';
import { axes, cssVar as css, followScheme, sizeOf, themed } from './charts.js';
import { coalescing } from './coalesce.js';

const LOG10_F32_MAX = Math.log10(3.4028234663852886e38);
const LOG10_F32_MIN_NORMAL = Math.log10(1.1754943508222875e-38);
const LOG10_F32_MIN_SUBNORMAL = Math.log10(1.401298464324817e-45);
const Y_RANGE = [-50, 45];

const $ = (id) => document.getElementById(id);

export function formatScale(scale) {
  return scale >= 0.01 ? String(Number(scale.toPrecision(3))) : scale.toExponential(2);
}

export class BlowupView {
  constructor(lab, gpu) {
    this.lab = lab;
    this.gpuReady = gpu.status === 'ready';
    this.section = $('blowup');
    this.inputs = {
      n: $('blowup-n'),
      steps: $('blowup-steps'),
      scale: $('blowup-scale'),
      init: $('blowup-init'),
      seed: $('blowup-seed'),
      engine: $('blowup-engine'),
    };
    // The exact critical scale 1/√n is not on the slider's 0.01 grid; remember it while the
    // slider sits on the grid point nearest to it.
    this.exactScale = null;
    this.revision = 0;
    /** Run with the current settings; resolves when the chart shows them. */
    this.schedule = coalescing(
      () => this.runOnce(),
      (busy) => (this.section.dataset.busy = String(busy)),
    );
    this.events = {};

    if (!this.gpuReady) {
      const gpuOption = this.inputs.engine.querySelector('option[value="gpu"]');
      gpuOption.disabled = true;
      gpuOption.textContent = 'GPU (WebGPU unavailable)';
      this.inputs.engine.querySelector('option[value="auto"]').disabled = true;
      this.inputs.engine.value = 'cpu';
    } else {
      const f = gpu.float;
      $('blowup-float-note').textContent =
        `This GPU ${f.subnormals === 'flush' ? 'flushes subnormals to zero, so runs reach all-zeros a few steps sooner than IEEE float32 on a CPU' : 'keeps subnormals, like IEEE float32 on a CPU'}.`;
    }

    for (const input of Object.values(this.inputs)) {
      input.addEventListener('input', () => this.changed(input));
    }
    $('blowup-preset-overflow').addEventListener('click', () => this.preset({ n: 50, steps: 50, scale: 1, init: 'normal', seed: 1 }));
    $('blowup-preset-underflow').addEventListener('click', () => this.preset({ n: 50, steps: 50, scale: 0.01, init: 'normal', seed: 1 }));
    $('blowup-preset-critical').addEventListener('click', () => {
      const n = Number(this.inputs.n.value);
      this.preset({ scale: 1 / Math.sqrt(n) });
    });

    this.chart = this.makeChart();
    new ResizeObserver(() => this.chart.setSize(sizeOf($('blowup-chart'), 400))).observe($('blowup-chart'));
    this.syncLabels();
    this.ready = this.schedule();
  }

  makeChart() {
    const opts = {
      ...sizeOf($('blowup-chart'), 400),
      scales: { x: { time: false }, y: { range: Y_RANGE } },
      series: [
        { label: 'step' },
        { label: 'log10 ‖x‖', stroke: themed('--accent'), width: 2.5, points: { show: false } },
        { label: 'expected (scale·√n per step)', stroke: themed('--expected'), width: 1.5, dash: [8, 6], points: { show: false } },
      ],
      axes: axes('step t', 'log10 of the norm of x'),
      hooks: { draw: [(u) => this.drawGuides(u)] },
      legend: { live: false },
    };
    return followScheme(new uPlot(opts, [[0], [null], [null]], $('blowup-chart')));
  }

  /** Float32's limits as dotted lines, and the first Inf / NaN / all-zero steps as markers. */
  drawGuides(u) {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const px = devicePixelRatio || 1;
    ctx.save();
    // uPlot leaves its own text settings on the context (right-aligned axis labels).
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.font = `${12 * px}px system-ui, sans-serif`;
    ctx.lineWidth = px;
    const hline = (value, label) => {
      const y = u.valToPos(value, 'y', true);
      ctx.strokeStyle = css('--muted');
      ctx.fillStyle = css('--muted');
      ctx.setLineDash([2 * px, 4 * px]);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      ctx.fillText(label, left + 6 * px, y - 4 * px);
    };
    hline(LOG10_F32_MAX, 'float32 max 3.4e38 → Inf above');
    hline(LOG10_F32_MIN_NORMAL, 'smallest normal float32 1.2e-38');
    hline(LOG10_F32_MIN_SUBNORMAL, 'smallest subnormal 1.4e-45 → 0 below');
    const vline = (step, color, label, row) => {
      if (step == null) return;
      const x = u.valToPos(step, 'x', true);
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.setLineDash([]);
      ctx.lineWidth = 2 * px;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      const text = `${label} at step ${step}`;
      const w = ctx.measureText(text).width;
      const tx = x + 6 * px + w > left + width ? x - 6 * px - w : x + 6 * px;
      ctx.fillText(text, tx, top + (16 + 16 * row) * px);
    };
    vline(this.events.inf, css('--inf'), 'Inf', 0);
    vline(this.events.nan, css('--nan'), 'NaN', 1);
    vline(this.events.zero, css('--zero'), 'all zero', 2);
    ctx.restore();
  }

  /** The same guides for an SVG export (see export.js's uplotSvg `decorate`). */
  svgGuides(d) {
    const { left, top, width, height } = d.plot;
    const out = [];
    const hline = (value, label) => {
      const y = d.y(value);
      out.push(d.line(left, y, left + width, y, { stroke: css('--muted'), dash: [2, 4] }));
      out.push(d.text(left + 6, y - 4, label, { fill: css('--muted') }));
    };
    hline(LOG10_F32_MAX, 'float32 max 3.4e38 → Inf above');
    hline(LOG10_F32_MIN_NORMAL, 'smallest normal float32 1.2e-38');
    hline(LOG10_F32_MIN_SUBNORMAL, 'smallest subnormal 1.4e-45 → 0 below');
    const vline = (step, color, label, row) => {
      if (step == null) return;
      const x = d.x(step);
      out.push(d.line(x, top, x, top + height, { stroke: color, width: 2 }));
      const text = `${label} at step ${step}`;
      const room = x + 6 + text.length * 7 <= left + width;
      out.push(d.text(room ? x + 6 : x - 6, top + 16 + 16 * row, text, { fill: color, anchor: room ? 'start' : 'end' }));
    };
    vline(this.events.inf, css('--inf'), 'Inf', 0);
    vline(this.events.nan, css('--nan'), 'NaN', 1);
    vline(this.events.zero, css('--zero'), 'all zero', 2);
    return out;
  }

  changed(input) {
    if (input === this.inputs.scale) this.exactScale = null;
    if (input === this.inputs.n) this.exactScale = null;
    this.syncLabels();
    this.schedule();
  }

  preset(values) {
    for (const [key, value] of Object.entries(values)) {
      if (key === 'scale') {
        this.inputs.scale.value = String(Math.log10(value));
        this.exactScale = value;
      } else {
        this.inputs[key].value = String(value);
      }
    }
    this.syncLabels();
    this.schedule();
  }

  scale() {
    return this.exactScale ?? 10 ** Number(this.inputs.scale.value);
  }

  /** Update the printed values and move the 1/√n mark under the scale slider. */
  syncLabels() {
    const n = Number(this.inputs.n.value);
    $('blowup-n-value').textContent = n;
    $('blowup-steps-value').textContent = this.inputs.steps.value;
    $('blowup-scale-value').textContent = formatScale(this.scale());
    const critical = 1 / Math.sqrt(n);
    $('blowup-critical').textContent = formatScale(critical);
    const slider = this.inputs.scale;
    const lo = Number(slider.min);
    const hi = Number(slider.max);
    const frac = (Math.log10(critical) - lo) / (hi - lo);
    // A range thumb travels the width minus its own width (≈16px in Chromium).
    const thumb = 16;
    $('blowup-critical-mark').style.left = `calc(${thumb / 2}px + (100% - ${thumb}px) * ${frac})`;
    $('blowup-critical-tick').value = String(Math.log10(critical));
  }

  /** The settings, or an error message naming the bad field. */
  readConfig() {
    const seedText = this.inputs.seed.value.trim();
    const seed = Number(seedText);
    if (seedText === '' || !Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
      return { error: `Seed must be a whole number from 0 to 4294967295 (got “${seedText}”).` };
    }
    return {
      config: {
        n: Number(this.inputs.n.value),
        steps: Number(this.inputs.steps.value),
        scale: this.scale(),
        init: this.inputs.init.value,
        seed,
      },
    };
  }

  async runOnce() {
    const error = $('blowup-error');
    const { config, error: message } = this.readConfig();
    if (message) {
      error.textContent = message;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    let engine = this.inputs.engine.value;
    if (engine === 'auto') engine = await this.fastestEngine(config);
    const t0 = performance.now();
    let trajectory;
    try {
      trajectory = engine === 'gpu' ? await this.lab.runGpu(config) : this.lab.runCpu(config);
    } catch (e) {
      error.textContent = `Could not compute on the ${engine.toUpperCase()}: ${e.message ?? e}`;
      error.hidden = false;
      if (engine === 'gpu') {
        // Keep the lab usable: say what happened and carry on with the CPU engine.
        this.gpuFailed = true;
        this.inputs.engine.value = 'cpu';
        error.textContent += ' Switched to the CPU.';
        engine = 'cpu';
        trajectory = this.lab.runCpu(config);
      } else {
        return;
      }
    }
    const t1 = performance.now();
    this.show(config, trajectory);
    const t2 = performance.now();
    this.lastTiming = { engine, computeMs: t1 - t0, drawMs: t2 - t1, config };
    const auto = this.inputs.engine.value === 'auto' ? ` ${this.autoNote}` : '';
    $('blowup-timing').textContent =
      `Computed on the ${engine.toUpperCase()} in ${(t1 - t0).toFixed(1)} ms, drawn in ${(t2 - t1).toFixed(1)} ms.${auto}`;
    this.revision += 1;
    this.section.dataset.revision = String(this.revision);
  }

  /**
   * Auto: time both engines once per matrix size and step count, then use the faster one.
   * A real GPU wins easily; a software WebGPU adapter can be slower than the CPU.
   */
  async fastestEngine(config) {
    if (!this.gpuReady || this.gpuFailed) return 'cpu';
    const key = `${config.n}×${config.steps}`;
    if (this.autoKey !== key) {
      this.autoKey = key;
      let t = performance.now();
      this.lab.runCpu(config);
      const cpu = performance.now() - t;
      let gpu = Infinity;
      try {
        await this.lab.runGpu(config); // the first run uploads the matrices
        t = performance.now();
        await this.lab.runGpu(config);
        gpu = performance.now() - t;
      } catch {
        this.gpuFailed = true;
      }
      this.autoEngine = gpu <= cpu ? 'gpu' : 'cpu';
      this.autoNote = `Auto picked the ${this.autoEngine.toUpperCase()} for ${key}: GPU ${gpu.toFixed(1)} ms, CPU ${cpu.toFixed(1)} ms.`;
    }
    return this.autoEngine;
  }

  show(config, t) {
    const steps = t.stats.map((_, i) => i);
    const norms = t.stats.map((s) => s.log10_norm);
    this.events = { inf: t.first_inf, nan: t.first_nan, zero: t.first_all_zero };
    this.chart.setData([steps, norms, t.expected_log10_norm]);
    $('blowup-verdict').textContent = t.verdict;
    const show = (id, v) => ($(id).textContent = v == null ? '—' : `step ${v}`);
    show('blowup-first-inf', t.first_inf);
    show('blowup-first-nan', t.first_nan);
    show('blowup-first-zero', t.first_all_zero);
    const factor = config.scale * Math.sqrt(config.n);
    $('blowup-growth').textContent = `×${factor.toPrecision(3)}`;
    this.trajectory = t;
  }
}
