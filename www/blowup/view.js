// @ts-check
// The Blow-up lab view: controls → wasm engine (GPU or CPU) → uPlot chart and verdict.
//
// Only one GPU run is in flight at a time (see lib/coalesce.js).

import { axes, followScheme, sizeOf, themed } from '../lib/charts.js';
import { coalescing } from '../lib/coalesce.js';
import { $ } from '../lib/dom.js';
import { formatScale } from '../lib/format.js';
import uPlot from '../lib/uplot.js';
import { drawGuides, svgGuides } from './guides.js';

/** @typedef {import('../lib/page-wasm.js').BlowupLab} BlowupLab */
/** @typedef {import('../lib/page-wasm.js').BlowupConfig} BlowupConfig */
/** @typedef {import('../lib/page-wasm.js').Trajectory} Trajectory */
/** @typedef {import('../lib/page-wasm.js').GpuReport} GpuReport */
/** @typedef {import('../export/menu.js').Exportable} Exportable */
/** @typedef {import('./guides.js').Events} Events */

/** @type {[number, number]} log10 of the norm: from below float32's smallest subnormal to above its max */
const Y_RANGE = [-50, 45];

export class BlowupView {
  /**
   * @param {BlowupLab} lab  the page module's engines
   * @param {GpuReport} gpu  what the page found: a WebGPU adapter, or why not
   */
  constructor(lab, gpu) {
    this.lab = lab;
    this.gpuReady = gpu.status === 'ready';
    this.section = $('blowup');
    /** @type {Record<'n' | 'steps' | 'scale' | 'init' | 'seed' | 'engine', HTMLInputElement & HTMLSelectElement>} */
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
    /** @type {number | null} */
    this.exactScale = null;
    this.revision = 0;
    /** Run with the current settings; resolves when the chart shows them. */
    this.schedule = coalescing(
      () => this.runOnce(),
      (busy) => (this.section.dataset.busy = String(busy)),
    );
    /** @type {Events} the first Inf, NaN and all-zero steps of the run shown */
    this.events = {};
    /** @type {{ engine: string, computeMs: number, drawMs: number, config: BlowupConfig } | null} */
    this.lastTiming = null;
    /** @type {Trajectory | null} */
    this.trajectory = null;
    this.gpuFailed = false;
    /** @type {string | null} the size the auto engine timed, its pick and what it measured */
    this.autoKey = null;
    /** @type {'gpu' | 'cpu'} */
    this.autoEngine = 'cpu';
    this.autoNote = '';

    if (gpu.status !== 'ready') {
      /** @param {string} value */
      const option = (value) =>
        /** @type {HTMLOptionElement} */ (this.inputs.engine.querySelector(`option[value="${value}"]`));
      option('gpu').disabled = true;
      option('gpu').textContent = 'GPU (WebGPU unavailable)';
      option('auto').disabled = true;
      this.inputs.engine.value = 'cpu';
    } else {
      const f = gpu.float;
      $('blowup-float-note').textContent =
        `This GPU ${f.subnormals === 'flush' ? 'flushes subnormals to zero, so runs reach all-zeros a few steps sooner than IEEE float32 on a CPU' : 'keeps subnormals, like IEEE float32 on a CPU'}.`;
    }

    for (const input of Object.values(this.inputs)) {
      input.addEventListener('input', () => this.changed(input));
    }
    $('blowup-preset-overflow').addEventListener('click', () =>
      this.preset({ n: 50, steps: 50, scale: 1, init: 'normal', seed: 1 }),
    );
    $('blowup-preset-underflow').addEventListener('click', () =>
      this.preset({ n: 50, steps: 50, scale: 0.01, init: 'normal', seed: 1 }),
    );
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
    /** @type {uPlot.Options} */
    const opts = {
      ...sizeOf($('blowup-chart'), 400),
      scales: { x: { time: false }, y: { range: Y_RANGE } },
      series: [
        { label: 'step' },
        { label: 'log10 ‖x‖', stroke: themed('--accent'), width: 2.5, points: { show: false } },
        {
          label: 'expected (scale·√n per step)',
          stroke: themed('--expected'),
          width: 1.5,
          dash: [8, 6],
          points: { show: false },
        },
      ],
      axes: axes('step t', 'log10 of the norm of x'),
      hooks: { draw: [(u) => drawGuides(u, this.events)] },
      legend: { live: false },
    };
    return followScheme(new uPlot(opts, [[0], [null], [null]], $('blowup-chart')));
  }

  /** @param {HTMLInputElement | HTMLSelectElement} input */
  changed(input) {
    if (input === this.inputs.scale) this.exactScale = null;
    if (input === this.inputs.n) this.exactScale = null;
    this.syncLabels();
    this.schedule();
  }

  /**
   * Settings at once (a preset, a link), then one run.
   * @param {Partial<Record<'n' | 'steps' | 'scale' | 'init' | 'seed' | 'engine', string | number>>} values
   */
  preset(values) {
    for (const [key, value] of /** @type {[keyof BlowupView['inputs'], string | number][]} */ (
      Object.entries(values)
    )) {
      if (key === 'scale') {
        this.inputs.scale.value = String(Math.log10(Number(value)));
        this.exactScale = Number(value);
      } else {
        this.inputs[key].value = String(value);
      }
    }
    this.syncLabels();
    this.schedule();
  }

  /** The scale of W: the exact one a preset asked for, or the slider's. */
  scale() {
    return this.exactScale ?? 10 ** Number(this.inputs.scale.value);
  }

  /** Update the printed values and move the 1/√n mark under the scale slider. */
  syncLabels() {
    const n = Number(this.inputs.n.value);
    $('blowup-n-value').textContent = String(n);
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

  /**
   * The settings, or an error message naming the bad field.
   * @returns {{ config: BlowupConfig, error?: undefined } | { error: string, config?: undefined }}
   */
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
   * @param {BlowupConfig} config
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

  /**
   * @param {BlowupConfig} config
   * @param {Trajectory} t
   */
  show(config, t) {
    const steps = t.stats.map((_, i) => i);
    const norms = t.stats.map((s) => s.log10_norm);
    this.events = { inf: t.first_inf, nan: t.first_nan, zero: t.first_all_zero };
    this.chart.setData([steps, norms, t.expected_log10_norm]);
    $('blowup-verdict').textContent = t.verdict;
    /**
     * @param {string} id
     * @param {number | null} v
     */
    const show = (id, v) => {
      $(id).textContent = v == null ? '—' : `step ${v}`;
    };
    show('blowup-first-inf', t.first_inf);
    show('blowup-first-nan', t.first_nan);
    show('blowup-first-zero', t.first_all_zero);
    const factor = config.scale * Math.sqrt(config.n);
    $('blowup-growth').textContent = `×${factor.toPrecision(3)}`;
    this.trajectory = t;
  }

  /**
   * What this tab can export: its chart.
   * @returns {Exportable[]}
   */
  exportables() {
    return [
      {
        id: 'blowup',
        what: 'the blow-up chart',
        at: $('blowup-chart'),
        title: () => {
          const c = this.lastTiming?.config;
          return c
            ? `Blow-up lab: log10 ‖x‖ per step — n = ${c.n}, scale ${formatScale(c.scale)}, ${c.init}, seed ${c.seed}`
            : 'Blow-up lab: log10 ‖x‖ per step';
        },
        chart: () => this.chart,
        decorate: (d) => svgGuides(d, this.events),
      },
    ];
  }
}
