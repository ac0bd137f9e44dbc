// @ts-check
// Gradient flow, under the Cell stepper: ‖∂L/∂h_t‖ per step for a vanilla RNN and an LSTM of the
// same size, by the CPU reference backward passes in float64 (src/gradflow.rs), on a log scale.
// Its own view (app.gradflow), in the stepper's tab.

import { axes, followScheme, sizeOf, themed } from '../lib/charts.js';
import { coalescing } from '../lib/coalesce.js';
import { $ } from '../lib/dom.js';
import uPlot from '../lib/uplot.js';

/** @typedef {typeof import('../lib/page-wasm.js')} PageWasm */
/** @typedef {import('../lib/page-wasm.js').GradientFlow} GradientFlow */
/** @typedef {import('../lib/page-wasm.js').GradientFlowConfig} GradientFlowConfig */
/** @typedef {import('../export/menu.js').Exportable} Exportable */

const HEIGHT = 380;

export class GradFlowView {
  /** @param {PageWasm} wasm */
  constructor(wasm) {
    this.wasm = wasm;
    this.section = $('stepper');
    this.revision = 0;
    /** @type {GradientFlowConfig | null} what the chart shows, for an export's title */
    this.lastConfig = null;
    /** @type {GradientFlow | null} */
    this.flow = null;
    this.schedule = coalescing(
      () => this.runOnce(),
      (busy) => (this.section.dataset.gradflowBusy = String(busy)),
    );
    const inputs = [
      'gradflow-steps',
      'gradflow-hidden',
      'gradflow-scale',
      'gradflow-forget-bias',
      'gradflow-clip',
      'gradflow-clip-value',
      'gradflow-seed',
    ];
    for (const id of inputs) $(id).addEventListener('input', () => this.schedule());
    const el = $('gradflow-chart');
    this.chart = followScheme(
      new uPlot(
        {
          ...sizeOf(el, HEIGHT),
          scales: { x: { time: false }, y: { distr: 3 } },
          series: [
            { label: 't' },
            { label: 'RNN ‖∂L/∂h_t‖', stroke: themed('--inf'), width: 2.5, points: { show: false } },
            { label: 'LSTM ‖∂L/∂h_t‖', stroke: themed('--accent'), width: 2.5, points: { show: false } },
            {
              label: 'LSTM ‖∂L/∂c_t‖ (cell path)',
              stroke: themed('--zero'),
              width: 1.5,
              dash: [6, 4],
              points: { show: false },
            },
          ],
          axes: logAxes(),
          legend: { live: false },
        },
        [[1], [null], [null], [null]],
        el,
      ),
    );
    new ResizeObserver(() => this.chart.setSize(sizeOf(el, HEIGHT))).observe(el);
    this.ready = this.schedule();
  }

  /**
   * The settings (their printed values updated), or what is wrong with the seed.
   * @returns {{ config: GradientFlowConfig, error?: undefined } | { error: string, config?: undefined }}
   */
  readConfig() {
    /** @param {string} id */
    const num = (id) => Number($(id).value);
    $('gradflow-steps-value').textContent = $('gradflow-steps').value;
    $('gradflow-hidden-value').textContent = $('gradflow-hidden').value;
    $('gradflow-scale-value').textContent = num('gradflow-scale').toFixed(2);
    $('gradflow-forget-bias-value').textContent = num('gradflow-forget-bias').toFixed(1);
    const seed = num('gradflow-seed');
    if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
      return { error: `Seed must be a whole number from 0 to 4294967295 (got “${$('gradflow-seed').value}”).` };
    }
    const clip = $('gradflow-clip').checked ? num('gradflow-clip-value') : null;
    return {
      config: {
        steps: num('gradflow-steps'),
        hidden: num('gradflow-hidden'),
        weight_scale: num('gradflow-scale'),
        forget_bias: num('gradflow-forget-bias'),
        clip,
        seed,
      },
    };
  }

  async runOnce() {
    const error = $('gradflow-error');
    const { config, error: message } = this.readConfig();
    if (message) {
      error.textContent = message;
      error.hidden = false;
      return;
    }
    let flow;
    try {
      flow = await this.wasm.gradientFlow(config);
    } catch (e) {
      error.textContent = e.message ?? String(e);
      error.hidden = false;
      return;
    }
    error.hidden = true;
    this.lastConfig = config;
    // A log axis cannot show 0: a gradient that underflowed float32 is drawn as a gap.
    /** @param {number[]} v */
    const positive = (v) => v.map((x) => (x > 0 ? x : null));
    const ts = flow.rnn.map((_, i) => i + 1);
    this.chart.setData([ts, positive(flow.rnn), positive(flow.lstm_h), positive(flow.lstm_c)]);
    this.flow = flow;
    $('gradflow-summary').textContent = summary(flow);
    const clip =
      config.clip == null
        ? 'No clipping.'
        : `Clipping to ${config.clip}: the RNN's curve is multiplied by ${flow.rnn_clip_factor.toPrecision(3)}, the LSTM's by ${flow.lstm_clip_factor.toPrecision(3)} — clipping tames an explosion, but it scales every step alike, so it cannot bring back a vanished gradient.`;
    $('gradflow-detail').textContent =
      `Parameter gradient norm before clipping: RNN ${flow.rnn_param_norm.toPrecision(3)}, LSTM ${flow.lstm_param_norm.toPrecision(3)}. ${clip}`;
    this.revision += 1;
    this.section.dataset.gradflowRevision = String(this.revision);
  }

  /**
   * What this part can export: its chart.
   * @returns {Exportable[]}
   */
  exportables() {
    return [
      {
        id: 'gradflow',
        what: 'the gradient-flow chart',
        at: $('gradflow-chart'),
        title: () => {
          const c = this.lastConfig;
          return c
            ? `Gradient flow: ‖∂L/∂h_t‖, T = ${c.steps}, H = ${c.hidden}, scale ${c.weight_scale}, forget bias ${c.forget_bias}${c.clip == null ? '' : `, clipped to ${c.clip}`}`
            : 'Gradient flow: ‖∂L/∂h_t‖ per step';
        },
        chart: () => this.chart,
      },
    ];
  }
}

/** @returns {uPlot.Axis[]} */
function logAxes() {
  const [x, y] = axes('step t (the loss reads step T)', 'gradient norm (log scale)');
  // uPlot prints tiny values as "0"; powers of ten read better.
  y.values = (_u, splits) =>
    splits.map((v) => {
      const e = Math.log10(v);
      return v == null || Math.abs(e - Math.round(e)) > 1e-6 ? '' : `1e${Math.round(e)}`;
    });
  y.size = 60;
  return [x, y];
}

/**
 * What the chart says at t = 1, in one sentence.
 * @param {GradientFlow} flow
 */
export function summary(flow) {
  const rnn = flow.rnn[0];
  const lstm = flow.lstm_h[0];
  const last = flow.rnn.length;
  if (rnn === 0) return `At t = 1 the RNN's gradient underflowed to exactly 0; the LSTM's is ${lstm.toExponential(2)}.`;
  const orders = Math.log10(lstm / rnn);
  if (orders >= 1)
    return `At t = 1, ${last - 1} steps before the loss, the LSTM's gradient is 10^${orders.toFixed(1)} times the RNN's.`;
  if (orders <= -1)
    return `At t = 1 the RNN's gradient is 10^${(-orders).toFixed(1)} times the LSTM's: it is exploding.`;
  return `At t = 1 both gradients are of the same size (ratio ${(lstm / rnn).toFixed(2)}).`;
}
