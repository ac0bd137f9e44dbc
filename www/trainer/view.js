// @ts-check
// The Trainer view: data in, settings, live training curves, prediction, save/load. All the
// work happens in the training worker (worker.js); the view sends the messages of protocol.js
// and draws what comes back. This file holds the view's state and its state machine. With the
// first view come only the controls (controls.js), the settings form (settings.js) and the
// empty charts (curves.js); the parts load with the tab (parts.js, through `later`):
//
//   boot.js      the trainer's module: the worker started, its download, its device
//   data.js      data in: a file, the sample, the column chooser, the preview
//   memory.js    the memory the settings need     engine.js  timing the GPU against the CPU
//   run.js       a run: start, pause, stop, progress, epochs (clock.js: the time left)
//   model.js     prediction, save, load, "Look inside"
//   crash.js     a crashed worker and its restart
//   restore.js   the last run, kept in this browser, restored or resumed
//   messages.js  the worker's messages, each to its part
//   exports.js   what the tab exports

import { $ } from '../lib/dom.js';
import { whenShown } from '../lib/tabs.js';
import { setupCompare } from './compare.js';
import { wireControls } from './controls.js';
import { makeCharts } from './curves.js';
import { trainerExportables } from './exports.js';
import { applyArchSchema, applySchema, formArchName, formFrom, presetsOf, readFields } from './settings.js';

/** @typedef {import('./protocol.js').WorkerInput} WorkerInput */
/** @typedef {import('./protocol.js').WorkerOutput} WorkerOutput */
/** @typedef {import('./protocol.js').EpochReport} EpochReport */
/** @typedef {import('./protocol.js').RunSettings} RunSettings */
/** @typedef {import('./settings.js').RunSchema} RunSchema */
/** @typedef {import('./settings.js').RunForm} RunForm */
/** @typedef {import('./settings.js').ArchInfo} ArchInfo */
/** @typedef {import('../export/menu.js').Exportable} Exportable */

/**
 * What the view knows of the tab's state, shown as `#trainer[data-state]`: the worker is
 * starting, ready, reading a file, training (or paused), or crashed.
 * @typedef {'starting' | 'ready' | 'loading' | 'running' | 'paused' | 'crashed'} TrainerState
 */

/**
 * A file whose bytes the worker reads: `columns` and `hash` once read (what a kept run
 * records of its data, to recognise the file when it is chosen again).
 * @typedef {{ name: string, bytes: ArrayBuffer, sample?: boolean, columns?: { text: string, label: string }, hash?: Promise<string> }} DataSource
 */

/**
 * The run on screen: `batches` are [fractional epoch, loss, accuracy] per training batch;
 * `epochMs` each epoch's time beside `epochs`; `done`/`total` steps (`first`: done when it
 * started, for a resumed run); `kept`: its best model is kept in this browser; `classes`: its
 * classes' names by class id.
 * @typedef {{ batches: number[][], epochs: EpochReport[], epochMs: number[], total: number, done: number, first: number, kept?: boolean, classes?: string[] }} Run
 */

/**
 * The last run as IndexedDB keeps it (runstore.js).
 * @typedef {object} SavedRun
 * @property {1} version
 * @property {number} savedAt
 * @property {RunSettings} [settings]
 * @property {{ data: RunSettings['data'], train: RunSettings['train'], device: 'gpu' | 'cpu' }} [request]  kept by an earlier version of the page
 * @property {number} [workers]  beside `request`
 * @property {{ name: string, size: number, sample: boolean, columns: { text: string, label: string }, hash?: string, choice?: import('./protocol.js').Preview['choice'] }} data
 *   `choice`: the classes the run trained on (absent in runs kept before classes: the file's own)
 * @property {EpochReport[]} epochs
 * @property {number[]} epochMs
 * @property {number[][]} batches
 * @property {ArrayBuffer | Uint8Array} best  the best epoch's model file
 * @property {ArrayBuffer | Uint8Array | null} last  the last epoch's, when it is not the best
 */

export class TrainerView {
  /**
   * @param {{ gpuAvailable: boolean, gpuReason?: string | null, lookInside: (bytes: Uint8Array, source: string, examples: unknown, focus?: import('./protocol.js').InsideFocus, sample?: Uint8Array) => void, schema: RunSchema, check: (form: RunForm) => RunSettings, arch: { parse: (name: string) => ArchInfo, describe: (arch: import('./settings.js').Architecture) => ArchInfo } }} options
   *   `gpuReason`: why the page found no WebGPU (shown when the trainer runs on the CPU);
   *   `lookInside`: hands a model to "Inside the model"; `schema` and `check`: the page module's
   *   `runSettings()` and `runFromForm` (src/settings.rs); `arch`: the module's `parseArch` and
   *   `describeArch` (src/web/settings.rs).
   */
  constructor({ gpuAvailable, gpuReason = null, lookInside, schema, check, arch }) {
    this.section = $('trainer');
    /** The form's fields, defaults, limits and presets (set on the inputs here, before a link reads them). */
    this.schema = schema;
    this.presets = presetsOf(schema);
    this.check = check;
    this.arch = arch;
    applySchema(schema);
    applyArchSchema(schema);
    this.gpuAvailable = gpuAvailable;
    this.gpuReason = gpuReason;
    this.lookInside = lookInside;
    // One CPU worker per core by default (at most 8: past that the gradients' traffic grows
    // faster than the shares shrink); the user may lower it to leave room for other work.
    this.cores = navigator.hardwareConcurrency || 1;
    $('trainer-workers').value = String(Math.min(this.cores, 8));
    $('trainer-workers-hint').textContent =
      `On the CPU each worker trains a share of every batch on its own core; this device reports ${this.cores} core${this.cores === 1 ? '' : 's'}.`;
    /** Goes up with every change a test may wait for (`#trainer[data-revision]`). */
    this.revision = 0;

    // ---- the worker (boot.js)
    /** @type {Worker | null} started, with the trainer's module, when the tab is first shown */
    this.worker = null;
    this.workerReady = false;
    /** @type {WorkerInput[]} messages sent before the worker was ready */
    this.queue = [];
    /** This browser can never run the trainer (no wasm SIMD). */
    this.unsupported = false;
    /** @type {import('./protocol.js').AdapterReport | null} the worker's GPU, once ready */
    this.gpu = null;
    /** @type {import('./protocol.js').GpuLimits | null} */
    this.limits = null;
    /** @type {Promise<void>} resolves when the worker is first ready */
    this.ready = new Promise((resolve) => {
      this.resolveReady = resolve;
    });

    // ---- data (data.js)
    /** @type {DataSource | null} the file whose data the worker holds */
    this.loaded = null;
    /** @type {DataSource | null} the file being read (or that failed) */
    this.pending = null;
    this.loadedNoHeader = false;
    this.pendingNoHeader = false;
    /** @type {string[] | null} the first row of a file whose columns were not found */
    this.firstRow = null;
    this.hasData = false;
    /** @type {import('./protocol.js').Preview | null} for the preview's CSV export */
    this.preview = null;
    // ---- the data check (check.js): the one on screen, and what it was asked for
    /** @type {import('./protocol.js').DataCheck | null} */
    this.dataCheck = null;
    /** @type {string | null} */
    this.checkKey = null;
    /** @type {import('./protocol.js').Preview | null} */
    this.checkFor = null;
    /** The Classes panel's inputs have their listeners (classes.js). */
    this.classesWired = false;

    // ---- the engine and the memory (engine.js, memory.js)
    this.deviceChosenByUser = false;
    this.probing = false;
    this.startAfterProbe = false;
    /** @type {import('./protocol.js').EngineTimes | null} */
    this.engineTimes = null;
    /** @type {{ key: string, estimate: import('./protocol.js').MemoryEstimate } | null} for the settings shown */
    this.estimate = null;
    this.estimateTimer = 0;

    // ---- the run (run.js, curves.js)
    /** @type {RunSettings | null} the settings of the run on screen */
    this.settings = null;
    /** @type {Run | null} */
    this.run = null;
    /** @type {SavedRun | null} a kept run this run continues */
    this.resuming = null;
    /** @type {import('./run.js').RunLog | null} */
    this.runLog = null;
    /** @type {import('./clock.js').RunClock | null} */
    this.runClock = null;
    this.hasModel = false;
    /** @type {import('../lib/uplot.js').default | null} */
    this.lossChart = null;
    /** @type {import('../lib/uplot.js').default | null} */
    this.accChart = null;
    this.chartsPending = false;
    /** @type {EpochReport | null} the epoch whose per-class table and confusion matrix are shown (confusion.js) */
    this.resultsEpoch = null;
    /** @type {import('./protocol.js').CellRows | null} the confusion cell whose texts are listed */
    this.cell = null;
    this.resultsWired = false;

    // ---- models, the kept run, testing hooks (model.js, restore.js, messages.js)
    /** @type {string | null} the model file being loaded, for its messages */
    this.modelName = null;
    /** @type {SavedRun | null} */
    this.savedRun = null;
    /** @type {IDBValidKey | null} the key of the kept run offered (this tab's, or a closed tab's) */
    this.savedRunKey = null;
    /** @type {IDBValidKey | null} a closed tab's run this tab resumed: deleted when this tab keeps its own */
    this.resumedKey = null;
    /** @type {SavedRun | null} a kept run to resume once its data is loaded again */
    this.pendingResume = null;
    /** @type {unknown} the worker's `memory` answer (a testing hook) */
    this.memory = null;
    /** @type {unknown} the fused kernels' self-test on this GPU (the browser tests ask for it) */
    this.selfTest = null;

    /** @type {typeof import('./parts.js') | null} the parts, once loaded */
    this.parts = null;
    /** @type {Promise<typeof import('./parts.js')> | null} */
    this.loadingParts = null;

    /** @type {TrainerState} */
    this.state = 'starting';
    this.setState('starting');
    makeCharts(this);
    wireControls(this);
    for (const id of ['trainer-arch-cell', 'trainer-arch-readout', 'trainer-variants-list'])
      $(id).addEventListener('change', () => this.archChanged());
    this.archChanged();
    /** @type {import('./compare.js').Comparison | null} the comparison under way (or last run) */
    this.comparison = null;
    this.compare = setupCompare(this);
    // Started when the tab is first shown; shown again after a failed load, it tries again
    // (after a crash the user restarts it: the restart reloads the data).
    new MutationObserver(() => {
      if (!this.section.hidden && !this.worker && this.state !== 'crashed') this.boot();
    }).observe(this.section, { attributes: true, attributeFilter: ['hidden'] });
    if (!this.section.hidden) this.boot();
  }

  /**
   * Run `action` with the parts: now when they are loaded (so a worker's messages are handled
   * in order, at once), else once they are.
   * @param {(parts: typeof import('./parts.js')) => unknown} action
   */
  later(action) {
    if (this.parts) {
      action(this.parts);
      return;
    }
    this.loadingParts ??= import('./parts.js').then((parts) => {
      this.parts = parts;
      // The run an earlier visit kept is offered with the parts (they come with the tab).
      parts.offerRestore(this);
      parts.offerComparison(this); // and the comparison it kept
      return parts;
    });
    this.loadingParts.then(action, (e) => {
      // Offline before a visit cached them, or a server error: try again on the next use.
      this.loadingParts = null;
      this.moduleFailed(`the trainer's scripts did not load (${e.message ?? e})`);
    });
  }

  /**
   * Start the worker, which downloads and compiles the trainer's module (once; again after a
   * failure or a crash). The panel says so at once; the worker starts once the parts are in.
   */
  boot() {
    if (this.worker || this.unsupported || this.section.dataset.module === 'loading') return;
    performance.mark('lstm-lab:trainer-boot'); // read by scripts/bench-load.mjs
    this.section.dataset.module = 'loading';
    $('trainer-module').hidden = false;
    $('trainer-module-error').hidden = true;
    $('trainer-module-retry').hidden = true;
    $('trainer-module-status').textContent = 'Loading the trainer…';
    $('trainer-module-progress').removeAttribute('value');
    this.later((p) => p.startWorker(this));
  }

  /**
   * The module (or the tab's own scripts) did not load: a retry button, unless this browser can
   * never run it.
   * @param {string} message
   * @param {{ unsupported?: boolean }} [options]
   */
  moduleFailed(message, { unsupported = false } = {}) {
    this.unsupported = unsupported;
    this.worker?.terminate();
    this.worker = null;
    this.section.dataset.module = 'failed';
    $('trainer-module-progress').value = 0;
    $('trainer-device-status').textContent = 'The trainer is not loaded.';
    const offline = navigator.onLine === false ? ' This browser is offline.' : '';
    $('trainer-module-status').textContent = 'The trainer could not be loaded.';
    $('trainer-module-error').textContent = unsupported
      ? `The trainer cannot run here: ${message}. The Blow-up lab and the Cell stepper work in this browser.`
      : `Could not load the trainer: ${message}.${offline} The rest of the page still works; try again when the connection is back.`;
    $('trainer-module-error').hidden = false;
    $('trainer-module-retry').hidden = unsupported;
    $('trainer-module-progress').hidden = unsupported;
    if (unsupported) {
      // Nothing here can ever run: no control should look as if it would.
      for (const id of ['trainer-file', 'trainer-sample', 'trainer-load']) $(id).disabled = true;
      $('trainer-status').textContent = 'The trainer cannot run in this browser.';
    }
    this.bump();
  }

  /**
   * Send the worker a message (queued, and the worker started, while it is not ready).
   * @param {WorkerInput} message
   */
  send(message) {
    if (this.workerReady) {
      this.worker.postMessage(message);
    } else {
      this.queue.push(message);
      this.boot();
    }
  }

  /**
   * A message from the worker.
   * @param {WorkerOutput} message
   */
  receive(message) {
    this.later((p) => p.receive(this, message));
  }

  /**
   * The worker died (an uncaught error, a trap).
   * @param {string} message
   */
  crashed(message) {
    this.later((p) => p.crashed(this, message));
  }

  /**
   * The download's progress (a method, so a test can watch what the page shows).
   * @param {Extract<WorkerOutput, { type: 'loading' }>} m
   */
  moduleLoading(m) {
    this.later((p) => p.moduleLoading(this, m));
  }

  /** Start a run with the settings shown (refused when they cannot fit). */
  start() {
    this.later((p) => p.start(this));
  }

  /** @param {TrainerState} state */
  setState(state) {
    this.state = state;
    this.section.dataset.state = state;
    const running = state === 'running' || state === 'paused';
    const crashed = state === 'crashed';
    // Classes that cannot be trained on (preview.problem) refuse Start until they are fixed.
    $('trainer-start').disabled = !(state === 'ready' && this.hasData && !this.preview?.problem);
    $('trainer-classes').disabled = running || crashed;
    $('trainer-pause').disabled = !running;
    $('trainer-stop').disabled = !running;
    $('trainer-pause').textContent = state === 'paused' ? '▶ Resume' : 'Pause';
    for (const { field } of this.schema.fields) {
      if (field !== 'workers') $(`trainer-${field}`).disabled = running;
    }
    $('trainer-device').disabled = running || !this.gpu;
    $('trainer-workers').disabled = running || $('trainer-device').value !== 'cpu';
    // Timing the engines while a run trains would time the run's competition, not the engine.
    $('trainer-engine-remeasure').disabled = running || this.probing || !this.gpu;
    $('trainer-kernel').disabled = running;
    $('trainer-arch-cell').disabled = running;
    $('trainer-arch-readout').disabled = running;
    $('trainer-variants').disabled = running || $('trainer-arch-cell').value !== 'lstm';
    this.compare?.setState(state);
    // A crashed worker takes nothing until it is restarted (the restart reloads the data).
    $('trainer-sample').disabled = running || this.unsupported || crashed;
    $('trainer-file').disabled = running || this.unsupported || crashed;
    $('trainer-load').disabled = this.unsupported || crashed;
    for (const id of ['trainer-restore-model', 'trainer-restore-resume']) $(id).disabled = running || crashed;
    $('trainer-predict').disabled = !this.hasModel || running;
    $('trainer-save').disabled = !this.hasModel || running;
    $('trainer-inside').disabled = !this.hasModel || running;
  }

  /** Mark a change on `#trainer[data-revision]`. */
  bump() {
    this.revision += 1;
    this.section.dataset.revision = String(this.revision);
  }

  /**
   * Show `message` in the error element `id`.
   * @param {string} id
   * @param {string} message
   */
  fail(id, message) {
    $(id).textContent = message;
    $(id).hidden = false;
    this.bump();
  }

  /** @param {string} id */
  clear(id) {
    $(id).hidden = true;
  }

  /**
   * The settings in the form as a run's, checked by the page's module, or what is wrong with
   * them (its message names the setting and its limits).
   * @returns {{ settings: RunSettings, error?: undefined } | { error: string, settings?: undefined }}
   */
  readSettings() {
    const { fields, labels } = readFields(this.schema.fields);
    const { form, error } = formFrom(fields, labels);
    if (error) return { error };
    try {
      form.arch = this.arch.parse(formArchName()).arch;
      const settings = this.check(form);
      // Not a number field: the data check's "drop duplicates" (absent when off, as before).
      if ($('trainer-drop-duplicates').checked) settings.data.drop_duplicates = true;
      return { settings };
    } catch (e) {
      const message = String(e.message ?? e);
      return { error: `${message[0].toUpperCase()}${message.slice(1)}.` };
    }
  }

  /**
   * The model the form shows: its variants only for the LSTM, and why the fused kernels do not
   * run it (beside Start), if they do not.
   */
  archChanged() {
    const lstm = $('trainer-arch-cell').value === 'lstm';
    $('trainer-variants').disabled = !lstm || this.state === 'running' || this.state === 'paused';
    $('trainer-variants-hint').textContent = lstm
      ? "(switches on the LSTM's gates)"
      : `(only for the LSTM: the ${$('trainer-arch-cell').selectedOptions[0]?.textContent ?? 'cell'} has none of its gates)`;
    const note = $('trainer-arch-note');
    try {
      const info = this.arch.parse(formArchName());
      const reason = info.unfused;
      note.textContent = reason ? `Model ${info.name}: ${reason} (slower than the fused kernels).` : '';
      note.hidden = !reason;
    } catch (e) {
      note.textContent = String(e.message ?? e);
      note.hidden = false;
    }
    this.scheduleEstimate();
  }

  /**
   * Show a run's model in the form (a kept run's, a link's).
   * @param {import('./settings.js').Architecture} arch  absent parts: the post's
   */
  setArch(arch) {
    const info = this.arch.describe(arch ?? {});
    $('trainer-arch-cell').value = info.cell;
    $('trainer-arch-readout').value = info.readout;
    for (const box of document.querySelectorAll('#trainer-variants-list input[data-switch]')) {
      const b = /** @type {HTMLInputElement} */ (box);
      b.checked = info.switches.includes(b.dataset.switch);
    }
    this.archChanged();
  }

  /**
   * Ask the worker for the memory the settings need, once typing pauses. Never boots the
   * worker: the settings are estimated when it is ready.
   */
  scheduleEstimate() {
    clearTimeout(this.estimateTimer);
    this.estimateTimer = setTimeout(() => {
      if (this.workerReady) this.later((p) => p.requestEstimate(this));
    }, 150);
  }

  /**
   * A row of the epochs table (the a11y test adds one by hand).
   * @param {EpochReport} r
   * @param {number} ms
   */
  addEpochRow(r, ms) {
    this.later((p) => p.addEpochRow(r, ms));
  }

  /**
   * Run `action` once the Trainer tab is visible (now, if it is).
   * @param {() => void} action
   */
  whenShown(action) {
    whenShown(this.section, action);
  }

  /** Fetch the built-in sample and read it (the sample button, a link's `trainer.data=sample`). */
  loadSample() {
    this.later((p) => p.loadSample(this));
  }

  /**
   * What this tab can export: the two charts, the epochs and the data preview.
   * @returns {Exportable[]}
   */
  exportables() {
    return trainerExportables(this);
  }
}
