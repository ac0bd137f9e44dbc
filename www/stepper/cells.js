// @ts-check
// The Cell stepper's other cells: the chooser (LSTM, GRU, plain RNN; link `stepper.cell`), each
// cell's preset menu, and while a GRU or plain RNN is chosen its diagram, equations, every
// unit's values, the charts over time and a few lines for the class read from the run. The LSTM's
// own parts stay in view.js; the view asks this part first (`active`) and hands over.

import { themed } from '../lib/charts.js';
import { $ } from '../lib/dom.js';
import { buildDiagram } from './diagram.js';
import { buildCellDiagram, renderCellDiagram } from './diagram-cells.js';
import { cellAnnouncement, cellEquationsHtml, classText } from './explain-cells.js';
import { CELL_GATES } from './format.js';

/** @typedef {import('./format.js').CellName} CellName */
/** @typedef {import('../lib/page-wasm.js').CellRun} CellRun */
/** @typedef {import('./weights.js').Row} Row */

/** The LSTM's own controls (its forget gate, the post's two mistakes), hidden for other cells. */
const LSTM_ONLY = [
  'label[for="stepper-forget-bias"]',
  '#stepper-forget-bias',
  'label:has(> #stepper-compare)',
  'label:has(> #stepper-post-output)',
  '#stepper-compare-explain',
  '#stepper-post-output-explain',
];

/** @type {Record<CellName, string>} */
const LABELS = { lstm: 'LSTM', gru: 'GRU', rnn: 'plain RNN' };

/** What the section's opening paragraph says of each cell (the LSTM's is the page's own). */
const LEDES = {
  gru:
    'Two gates read the input <var>x<sub>t</sub></var> and the previous state <var>h<sub>t−1</sub></var>. ' +
    'The <strong>update</strong> gate <var>z</var> decides how much of the old state to keep (<var>z</var> = 1 ' +
    'copies it), the <strong>reset</strong> gate <var>r</var> how much of it the <strong>candidate</strong> ' +
    '<var>n</var> may look at. The new state is a mix, (1 − <var>z</var>)·<var>n</var> + <var>z</var>·<var>h</var>: ' +
    'like the LSTM’s cell state, what is kept is only multiplied by a gate. Use ← → and space to step.',
  rnn:
    'No gates: the new state is tanh(<var>W</var>·<var>x</var> + <var>U</var>·<var>h</var> + <var>b</var>) at ' +
    'every step. Whatever the state held is multiplied by <var>U</var> and squashed by tanh each step, and so ' +
    'is the gradient on its way back: that is why a plain RNN forgets, and why it cannot learn from far ' +
    'back. Use ← → and space to step.',
};

/** The first chart's heading and the third's, per cell (the LSTM's are the page's own). */
const CHART_TITLES = {
  gru: ['How much reaches the last state: log₁₀ ‖∂h<sub>T</sub>/∂h<sub>t</sub>‖', 'Gates of the unit shown'],
  rnn: ['How much reaches the last state: log₁₀ ‖∂h<sub>T</sub>/∂h<sub>t</sub>‖', 'h and tanh′ of the unit shown'],
};

/**
 * A chart's heading (the export menu may sit between them).
 * @param {string} chartId
 */
const heading = (chartId) => $(chartId).parentElement?.querySelector('h4');

export class CellsPart {
  /** @param {import('./view.js').StepperView} view */
  constructor(view) {
    this.view = view;
    /** @type {CellName} */
    this.cell = 'lstm';
    /** @type {import('./diagram-cells.js').CellDiagram | null} */
    this.diagram = null;
    /** The page's own texts, put back when the LSTM returns. */
    this.lstmTexts = {
      title: $('stepper').querySelector('h2')?.innerHTML ?? '',
      lede: $('stepper').querySelector('.lede')?.innerHTML ?? '',
      chartC: heading('stepper-chart-c')?.innerHTML ?? '',
      chartGates: heading('stepper-chart-gates')?.innerHTML ?? '',
      diagram: $('stepper-diagram').getAttribute('aria-label') ?? '',
    };
    $('stepper-cell').addEventListener('change', () => this.choose(/** @type {CellName} */ ($('stepper-cell').value)));
    this.fillPresets();
  }

  /** Whether a GRU or plain RNN is shown (this part draws it), not the LSTM. */
  get active() {
    return this.cell !== 'lstm';
  }

  /** The preset menu for the cell chosen. */
  fillPresets() {
    const select = /** @type {HTMLSelectElement} */ ($('stepper-preset'));
    select.replaceChildren(...this.view.wasm.stepperPresets(this.cell).map((p) => new Option(p.name, p.id)));
  }

  /**
   * Another cell from the chooser: its first preset.
   * @param {CellName} cell
   */
  choose(cell) {
    this.set(cell);
    this.view.loadPreset(/** @type {HTMLSelectElement} */ ($('stepper-preset')).value);
  }

  /**
   * A link's `stepper.cell`: an unknown one keeps the LSTM, with a note.
   * @param {string} cell
   * @param {string[]} notes
   */
  applyLink(cell, notes) {
    if (!(cell in CELL_GATES)) {
      notes.push(`Cell stepper: no cell “${cell}” (lstm, gru or rnn); showing the LSTM.`);
      cell = 'lstm';
    }
    this.set(/** @type {CellName} */ (cell));
  }

  /**
   * Show `cell`'s chooser value, presets, diagram and headings (no run yet).
   * @param {CellName} cell
   */
  set(cell) {
    $('stepper-cell').value = cell;
    if (cell === this.cell) return;
    this.cell = cell;
    this.fillPresets();
    // (`display`, not `hidden`: the form's labels have a display of their own, and the LSTM's
    // view keeps deciding when its explanations are hidden.)
    for (const selector of LSTM_ONLY) {
      const el = /** @type {HTMLElement | null} */ ($('stepper').querySelector(selector));
      if (el) el.style.display = this.active ? 'none' : '';
    }
    const svg = /** @type {SVGSVGElement} */ (/** @type {unknown} */ ($('stepper-diagram')));
    const [h2, lede, chartC, chartGates] = [
      $('stepper').querySelector('h2'),
      $('stepper').querySelector('.lede'),
      heading('stepper-chart-c'),
      heading('stepper-chart-gates'),
    ];
    if (cell === 'lstm') {
      this.diagram = null;
      svg.replaceChildren();
      this.view.diagram = buildDiagram(svg);
      svg.setAttribute('aria-label', this.lstmTexts.diagram);
      if (h2) h2.innerHTML = this.lstmTexts.title;
      if (lede) lede.innerHTML = this.lstmTexts.lede;
      if (chartC) chartC.innerHTML = this.lstmTexts.chartC;
      if (chartGates) chartGates.innerHTML = this.lstmTexts.chartGates;
      $('stepper-cell-look').hidden = true;
      return;
    }
    this.diagram = buildCellDiagram(svg, cell);
    svg.setAttribute('aria-label', `The ${LABELS[cell]} cell with this step’s values; press the arrow keys to step`);
    if (h2) h2.textContent = `Cell stepper: one ${LABELS[cell]} cell, one step at a time`;
    if (lede) lede.innerHTML = LEDES[cell];
    if (chartC) chartC.innerHTML = CHART_TITLES[cell][0];
    if (chartGates) chartGates.innerHTML = CHART_TITLES[cell][1];
    $('stepper-cell-look').hidden = false;
  }

  /** The view's run, as this cell's. */
  get run() {
    return /** @type {CellRun} */ (/** @type {unknown} */ (this.view.run));
  }

  /** This step of the GRU or plain RNN: diagram, equations, every unit, the class text. */
  render() {
    const view = this.view;
    const { t, unit: k } = view;
    const run = this.run;
    const step = run.steps[t - 1];
    const hPrev = t > 1 ? run.steps[t - 2].h : view.base.h0;
    const x = run.encoded.inputs[t - 1];
    const token = run.encoded.tokens[t - 1];
    const cell = /** @type {'gru' | 'rnn'} */ (this.cell);
    if (this.diagram) renderCellDiagram(this.diagram, step, hPrev, x, token, k);
    $('stepper-equations').innerHTML = cellEquationsHtml(cell, { step, hPrev, x, weights: view.weights, t, k });
    view.renderValues();
    $('stepper-announce').textContent = cellAnnouncement(cell, step, t, token, k);
    $('stepper-cell-look').innerHTML = classText(run, k);
    for (const chart of Object.values(view.charts)) chart.redraw();
    view.revision += 1;
    view.section.dataset.revision = String(view.revision);
  }

  /**
   * Every unit at this step as [name, values]: r, z, n, h of a GRU; the pre-activation and h of a
   * plain RNN.
   * @returns {Row[]}
   */
  unitRows() {
    const step = this.run.steps[this.view.t - 1];
    const names = this.cell === 'gru' ? ['r', 'z', 'n', 'h'] : ['pre', 'h'];
    return names.map((name) => /** @type {Row} */ ([name, step[name]]));
  }

  /** The charts over time: the gradient back through time, h per unit, the unit's gates. */
  updateCharts() {
    const { charts, base, unit: k } = this.view;
    const run = this.run;
    const T = run.steps.length;
    const ts = Array.from({ length: T }, (_, i) => i + 1);
    // log₁₀ so that 10⁻⁹ and 1 fit one chart (0 would be −∞: drawn as a gap).
    const log = run.gradient.map((g) => (g > 0 ? Math.log10(g) : null));
    charts.c.set(ts, [/** @type {number[]} */ (log)], [{ label: 'log₁₀ ‖∂h_T/∂h_t‖' }], { axis: 'log₁₀ norm' });
    const H = base.weights.hidden;
    charts.h.set(
      ts,
      Array.from({ length: H }, (_, u) => run.steps.map((s) => s.h[u])),
      Array.from({ length: H }, (_, u) => ({ label: `h${u + 1}` })),
    );
    /** @type {[string, string, (s: import('../lib/page-wasm.js').CellRunStep) => number][]} */
    const lines =
      this.cell === 'gru'
        ? [
            ['r', '--gate-f', (s) => s.r[k]],
            ['z', '--gate-i', (s) => s.z[k]],
            ['n', '--gate-g', (s) => s.n[k]],
          ]
        : [
            ['h', '--gate-o', (s) => s.h[k]],
            ['tanh′ = 1 − h²', '--gate-i', (s) => 1 - s.h[k] ** 2],
          ];
    charts.gates.set(
      ts,
      lines.map(([, , value]) => run.steps.map(value)),
      lines.map(([name, colour]) => ({ label: name, stroke: themed(colour) })),
      { axis: this.cell === 'gru' ? 'gate' : 'value' },
    );
  }
}
