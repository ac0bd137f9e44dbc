// @ts-check
// Gradient through time per word, in Inside the model: ‖∂logit/∂x_t‖ for every word the model
// read (x_t its embedding), by every path and through the recurrence only (the pooling shortcut
// cut), on a log scale, by backpropagation on the page's reference cell in float64
// (src/classifier/gradient.rs). One chart per model, side by side with a second model on one
// shared scale; the words underlined by their gradient; a text with the live numbers.

import { axes, followScheme, sizeOf, themed } from '../lib/charts.js';
import { $ } from '../lib/dom.js';
import uPlot from '../lib/uplot.js';
import { gradientSummary } from './gradient-text.js';
import { SecondModel } from './second.js';

/** @typedef {import('../lib/page-wasm.js').ModelSession} ModelSession */
/** @typedef {import('../lib/page-wasm.js').TextGradients} TextGradients */
/** @typedef {import('../export/menu.js').Exportable} Exportable */
/** @typedef {import('./gradient-text.js').ModelGradients} ModelGradients */

const HEIGHT = 260;

/** What one chart shows: its model, and the gradients of the text. */
/** @typedef {{ source: string, result: TextGradients, ms: number }} Shown */

export class GradientView {
  /** @param {import('./view.js').InsideView} inside */
  constructor(inside) {
    this.inside = inside;
    this.second = new SecondModel(inside.wasm, () => this.run());
    /** @type {Shown[]} the models shown, first the Inside view's */
    this.shown = [];
    /** @type {[number, number]} the y range both charts share */
    this.range = [1e-8, 1];
    /** @type {(uPlot | null)[]} */
    this.charts = [null, null];
    this.card = $('inside-grad-card');
    $('inside-grad-underline').addEventListener('change', () => this.underline());
    for (const k of [0, 1]) {
      const el = $(`inside-grad-chart-${k + 1}`);
      new ResizeObserver(() => this.charts[k]?.setSize(sizeOf(el, HEIGHT))).observe(el);
    }
  }

  /** Gradients of the Inside view's text for each model, then the charts, words and text. */
  run() {
    const inside = this.inside;
    if (!inside.session) return;
    this.card.hidden = false;
    const text = $('inside-text').value;
    const chosen = $('inside-class').value;
    const models = [{ session: inside.session, source: inside.source }];
    if (this.second.session) models.push({ session: this.second.session, source: this.second.source });
    const error = $('inside-grad-error');
    error.hidden = true;
    /** @type {Shown[]} */
    const shown = [];
    for (const m of models) {
      // The class asked for, where the model has it (a second model may have other classes).
      const classes = m.session.info().classes.length;
      const klass = chosen !== '' && Number(chosen) < classes ? Number(chosen) : undefined;
      const start = performance.now();
      try {
        const result = m.session.gradients(text, klass);
        shown.push({ source: m.source, result, ms: performance.now() - start });
      } catch (e) {
        error.textContent = `Gradients (${m.source}): ${e.message ?? e}`;
        error.hidden = false;
      }
    }
    this.shown = shown;
    this.draw();
    this.underline();
    const described = shown.map((s) => this.described(s));
    $('inside-grad-text').textContent = shown.length ? gradientSummary(described) : '';
    $('inside-grad-timing').textContent = shown
      .map((s) => `${s.source}: ${s.result.gradients.steps} positions in ${s.ms.toFixed(1)} ms`)
      .join(' · ');
    this.card.dataset.gradReady = String(Date.now());
  }

  /**
   * One model's numbers as the summary reads them.
   * @param {Shown} s
   * @returns {ModelGradients}
   */
  described(s) {
    const g = s.result.gradients;
    return {
      label: s.source,
      cell: s.result.cell,
      readout: s.result.readout,
      first: s.result.padding,
      last: g.steps - 1,
      all: g.inputAll,
      recurrent: g.inputRecurrent,
    };
  }

  /**
   * A chart's data: x = the word's number among those read, then both flavours (a log axis
   * cannot show 0: an exact zero is a gap).
   * @param {Shown} s
   * @returns {uPlot.AlignedData}
   */
  static data(s) {
    const { padding, gradients: g } = s.result;
    const from = padding; // the words only: the padding before them is the same for every review
    /** @param {Float64Array} v */
    const words = (v) => Array.from(v.subarray(from), (x) => (x > 0 ? x : null));
    const xs = Array.from({ length: g.steps - from }, (_, k) => k + 1);
    return [xs, words(g.inputAll), words(g.inputRecurrent)];
  }

  draw() {
    const data = this.shown.map(GradientView.data);
    const values = data.flatMap(([, a, b]) => [...a, ...b]).filter((v) => v != null && v > 0);
    if (values.length) {
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      this.range = [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
    }
    $('inside-grad-pair').classList.toggle('side-by-side', this.shown.length === 2);
    for (const k of [0, 1]) {
      const box = $(`inside-grad-box-${k + 1}`);
      const s = this.shown[k];
      box.hidden = !s;
      if (!s) {
        this.charts[k]?.destroy();
        this.charts[k] = null;
        continue;
      }
      $(`inside-grad-title-${k + 1}`).textContent = `${s.source}: ${s.result.cell}, ${s.result.readout}`;
      const el = $(`inside-grad-chart-${k + 1}`);
      this.charts[k]?.destroy();
      const chart = followScheme(new uPlot(this.options(el), data[k], el));
      // Both charts on one scale, whole decades, so two models compare by eye.
      chart.setScale('y', { min: this.range[0], max: this.range[1] });
      this.charts[k] = chart;
    }
  }

  /**
   * @param {HTMLElement} el
   * @returns {uPlot.Options}
   */
  options(el) {
    const [x, y] = axes('word (1 = the first word read)', '‖∂logit/∂x_t‖ (log)');
    // uPlot prints tiny values as "0"; powers of ten read better.
    y.values = (_u, splits) =>
      splits.map((v) => {
        const e = Math.log10(v);
        // uPlot passes null for the splits it leaves unlabelled.
        return v == null || Math.abs(e - Math.round(e)) > 1e-6 ? '' : `1e${Math.round(e)}`;
      });
    y.size = 60;
    return {
      ...sizeOf(el, HEIGHT),
      scales: { x: { time: false }, y: { distr: 3 } },
      series: [
        { label: 'word' },
        { label: 'every path', stroke: themed('--accent'), width: 2.5, points: { show: false } },
        {
          label: 'through the recurrence only',
          stroke: themed('--inf'),
          width: 2,
          dash: [8, 4],
          points: { show: false },
        },
      ],
      axes: [x, y],
      legend: { live: false },
    };
  }

  /** The words (the Inside view's spans) underlined by the first model's gradient, on a log scale. */
  underline() {
    const flavour = $('inside-grad-underline').value;
    const s = this.shown[0];
    const spans = /** @type {NodeListOf<HTMLElement>} */ (
      document.querySelectorAll('#inside-words .token.used[data-position]')
    );
    const g =
      s && flavour !== 'none'
        ? flavour === 'all'
          ? s.result.gradients.inputAll
          : s.result.gradients.inputRecurrent
        : null;
    const read = g ? [...spans].map((span) => g[Number(span.dataset.position)]).filter((v) => v > 0) : [];
    const [lo, hi] = read.length ? [Math.log10(Math.min(...read)), Math.log10(Math.max(...read))] : [0, 0];
    for (const span of spans) {
      const v = g?.[Number(span.dataset.position)];
      if (!g || !(v > 0)) {
        span.style.textDecoration = '';
        delete span.dataset.gradient;
        continue;
      }
      // 1 px for the smallest gradient in the review, 6 px for the largest.
      const width = hi > lo ? 1 + (5 * (Math.log10(v) - lo)) / (hi - lo) : 3;
      span.style.textDecoration = `underline ${width.toFixed(1)}px`;
      span.style.textUnderlineOffset = '4px';
      span.dataset.gradient = String(v);
    }
  }

  /**
   * Each chart, as PNG, SVG and CSV.
   * @returns {Exportable[]}
   */
  exportables() {
    return [0, 1].map((k) => ({
      id: `inside-grad-${k + 1}`,
      what: k ? 'the second model’s gradient chart' : 'the gradient chart',
      at: $(`inside-grad-chart-${k + 1}`),
      available: () => !!this.charts[k],
      title: () => {
        const s = this.shown[k];
        return s ? `‖∂logit/∂x_t‖ per word: ${s.source} (${s.result.cell}, ${s.result.readout})` : '';
      },
      chart: () => this.charts[k],
    }));
  }
}
