// The Trainer view: data in, settings, live training curves, prediction, save/load. All the
// work happens in worker.js; this file only sends typed messages and draws what comes back.

import uPlot from './vendor/uPlot.esm.js';
import { axes, followScheme, sizeOf, themed } from './charts.js';
import { assetUrl } from './assets.js';
import { whenShown } from './tabs.js';
import { discardRun, fingerprint, loadRun, saveRun } from './runstore.js';

const $ = (id) => document.getElementById(id);
const SETTINGS = ['vocab', 'maxlen', 'embed', 'hidden', 'batch', 'lr', 'epochs', 'split', 'seed'];
const PRESETS = {
  post: { vocab: 3000, maxlen: 128, embed: 100, hidden: 100, batch: 128, lr: 0.001, epochs: 5, split: 0.5, seed: 1 },
  quick: { vocab: 2000, maxlen: 64, embed: 32, hidden: 32, batch: 64, lr: 0.003, epochs: 1, split: 0.5, seed: 1 },
};
const int = new Intl.NumberFormat('en');

function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export class TrainerView {
  /** `gpuReason`: why the page found no WebGPU (shown when the trainer runs on the CPU). */
  constructor(gpuAvailable, gpuReason = null) {
    this.section = $('trainer');
    // One CPU worker per core by default (at most 8: past that the gradients' traffic grows
    // faster than the shares shrink); the user may lower it to leave room for other work.
    this.cores = navigator.hardwareConcurrency || 1;
    $('trainer-workers').value = String(Math.min(this.cores, 8));
    $('trainer-workers-hint').textContent = `On the CPU each worker trains a share of every batch on its own core; this device reports ${this.cores} core${this.cores === 1 ? '' : 's'}.`;
    this.revision = 0;
    this.loaded = null; // { name, bytes } of the file whose data the worker holds
    this.pending = null; // the file being read (or that failed)
    this.gpuAvailable = gpuAvailable;
    this.gpuReason = gpuReason;
    this.worker = null; // started, with the trainer's module, when the tab is first shown
    this.workerReady = false;
    this.queue = []; // messages sent before the worker was ready
    this.setState('starting');
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
    // Started when the tab is first shown; shown again after a failed load, it tries again
    // (after a crash the user restarts it: the restart reloads the data).
    new MutationObserver(() => {
      if (!this.section.hidden && !this.worker && this.state !== 'crashed') this.boot();
    }).observe(this.section, { attributes: true, attributeFilter: ['hidden'] });
    if (!this.section.hidden) this.boot();
    $('trainer-module-retry').addEventListener('click', () => this.boot());

    $('trainer-file').addEventListener('change', (e) => e.target.files[0] && this.readFile(e.target.files[0]));
    const drop = $('trainer-drop');
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      const file = e.dataTransfer.files[0];
      if (file) this.readFile(file);
    });
    $('trainer-sample').addEventListener('click', () => this.loadSample());
    // Columns of the loaded file, or of a file whose columns were not found.
    const columns = (text, label) => ({ text: $(text).value, label: $(label).value });
    for (const id of ['trainer-text-column', 'trainer-label-column']) {
      $(id).addEventListener(
        'change',
        () => this.loaded && this.parse(this.loaded, { ...columns('trainer-text-column', 'trainer-label-column'), no_header: Boolean(this.loadedNoHeader) }),
      );
    }
    $('trainer-choose-apply').addEventListener('click', () =>
      this.parse(this.pending, { ...columns('trainer-choose-text', 'trainer-choose-label'), no_header: $('trainer-choose-no-header').checked }),
    );
    $('trainer-choose-no-header').addEventListener('change', (e) => this.chooseColumns(this.firstRow, { noHeader: e.target.checked }));
    $('trainer-preset-post').addEventListener('click', () => this.applyPreset(PRESETS.post));
    $('trainer-preset-quick').addEventListener('click', () => this.applyPreset(PRESETS.quick));
    $('trainer-device').addEventListener('change', () => {
      this.deviceChosenByUser = true;
      this.setState(this.state);
    });
    $('trainer-engine-remeasure').addEventListener('click', () => this.probeEngines(true));
    $('trainer-start').addEventListener('click', () => this.start());
    $('trainer-pause').addEventListener('click', () => this.togglePause());
    $('trainer-stop').addEventListener('click', () => {
      this.send({ type: 'stop' });
      $('trainer-status').textContent = 'Stopping after the current step…';
    });
    $('trainer-predict').addEventListener('click', () => this.predict());
    $('trainer-predict-text').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.predict();
    });
    $('trainer-save').addEventListener('click', () => this.send({ type: 'save' }));
    // The same bytes, handed to the "Inside the model" tab instead of downloaded.
    $('trainer-inside').addEventListener('click', () => {
      $('trainer-model-status').textContent = 'Scoring the validation reviews for “Inside the model”…';
      this.send({ type: 'look-inside' });
    });
    $('trainer-load').addEventListener('change', async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      this.modelName = file.name;
      this.send({ type: 'load-model', bytes: await file.arrayBuffer() });
      e.target.value = '';
    });
    this.makeCharts();

    // The memory the settings need, estimated by the worker (src/budget.rs) as they change.
    for (const name of [...SETTINGS, 'device', 'kernel', 'workers']) {
      for (const event of ['input', 'change']) $(`trainer-${name}`).addEventListener(event, () => this.scheduleEstimate());
    }
    $('trainer-restart').addEventListener('click', () => this.restart());
    $('trainer-restore-model').addEventListener('click', () => this.restoreModel());
    $('trainer-restore-resume').addEventListener('click', () => this.resumeSaved());
    $('trainer-restore-discard').addEventListener('click', () => this.discardSaved());
    this.offerRestore();
  }

  send(message) {
    if (this.workerReady) {
      this.worker.postMessage(message);
    } else {
      this.queue.push(message);
      this.boot();
    }
  }

  // ---------------------------------------------------------------- the trainer's module

  /** Start the worker, which downloads and compiles the trainer's module (once; again after a failure). */
  boot() {
    if (this.worker || this.unsupported) return;
    performance.mark('lstm-lab:trainer-boot'); // read by scripts/bench-load.mjs
    this.section.dataset.module = 'loading';
    $('trainer-module').hidden = false;
    $('trainer-module-error').hidden = true;
    $('trainer-module-retry').hidden = true;
    $('trainer-module-status').textContent = 'Loading the trainer…';
    $('trainer-module-progress').removeAttribute('value');
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = ({ data }) => this.receive(data);
    // A worker script that cannot load (offline, a missing file) fires only this event.
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      if (this.workerReady) this.crashed(e.message ?? 'an unknown error');
      else this.moduleFailed(`the training worker did not start${e.message ? ` (${e.message})` : ''}`);
    };
    this.worker.postMessage({ type: 'init', preferGpu: this.gpuAvailable });
  }

  moduleLoading({ loaded, total, compiled }) {
    const bar = $('trainer-module-progress');
    const mb = (n) => (n / 1048576).toFixed(1);
    if (compiled) {
      bar.value = 1;
      $('trainer-module-status').textContent = 'Starting the trainer…';
    } else if (total) {
      bar.value = Math.min(loaded / total, 1);
      $('trainer-module-status').textContent = `Loading the trainer: ${mb(loaded)} of ${mb(total)} MB`;
    } else {
      bar.removeAttribute('value');
      $('trainer-module-status').textContent = `Loading the trainer: ${mb(loaded)} MB`;
    }
  }

  /** The module did not load: a retry button, unless this browser can never run it. */
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

  setState(state) {
    this.state = state;
    this.section.dataset.state = state;
    const running = state === 'running' || state === 'paused';
    $('trainer-start').disabled = !(state === 'ready' && this.hasData);
    $('trainer-pause').disabled = !running;
    $('trainer-stop').disabled = !running;
    $('trainer-pause').textContent = state === 'paused' ? '▶ Resume' : 'Pause';
    for (const name of SETTINGS) $(`trainer-${name}`).disabled = running;
    $('trainer-device').disabled = running || !this.gpu;
    $('trainer-workers').disabled = running || $('trainer-device').value !== 'cpu';
    // Timing the engines while a run trains would time the run's competition, not the engine.
    $('trainer-engine-remeasure').disabled = running || this.probing || !this.gpu;
    $('trainer-kernel').disabled = running;
    // A crashed worker takes nothing until it is restarted (the restart reloads the data).
    const crashed = state === 'crashed';
    $('trainer-sample').disabled = running || this.unsupported || crashed;
    $('trainer-file').disabled = running || this.unsupported || crashed;
    $('trainer-load').disabled = this.unsupported || crashed;
    for (const id of ['trainer-restore-model', 'trainer-restore-resume']) $(id).disabled = running || crashed;
    $('trainer-predict').disabled = !this.hasModel || running;
    $('trainer-save').disabled = !this.hasModel || running;
    $('trainer-inside').disabled = !this.hasModel || running;
  }

  bump() {
    this.revision += 1;
    this.section.dataset.revision = String(this.revision);
  }

  fail(id, message) {
    $(id).textContent = message;
    $(id).hidden = false;
    this.bump();
  }

  clear(id) {
    $(id).hidden = true;
  }

  // ---------------------------------------------------------------- data

  async readFile(file) {
    this.parse({ name: file.name, bytes: await file.arrayBuffer() }, null);
    $('trainer-file').value = '';
  }

  async loadSample(columns = null) {
    $('trainer-status').textContent = 'Fetching the built-in sample…';
    try {
      const response = await fetch(assetUrl('sample'));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.parse({ name: 'imdb-sample.csv.gz', bytes: await response.arrayBuffer(), sample: true }, columns);
    } catch (e) {
      this.fail('trainer-data-error', `Could not fetch the sample: ${e.message}`);
    }
  }

  parse(source, columns) {
    this.pending = source;
    this.pendingNoHeader = Boolean(columns?.no_header);
    $('trainer-status').textContent = `Reading ${source.name}…`;
    this.section.dataset.state = 'loading';
    // Copied, not transferred: a column change re-sends the same bytes.
    this.send({ type: 'load-csv', bytes: source.bytes, columns });
  }

  /**
   * The column chooser over the file's first row: its names, or — for a file without a header
   * row — `column 1`, `column 2`, … each shown with its value in that first row.
   */
  chooseColumns(firstRow, { noHeader = false } = {}) {
    this.firstRow = firstRow;
    $('trainer-choose-file').textContent = this.pending.name;
    $('trainer-choose-no-header').checked = noHeader;
    const short = (s) => (s.length > 32 ? `${s.slice(0, 32)}…` : s);
    for (const [id, guess] of [['trainer-choose-text', 0], ['trainer-choose-label', firstRow.length - 1]]) {
      const options = firstRow.map((h, i) => (noHeader ? new Option(`column ${i + 1}: “${short(h)}”`, `column ${i + 1}`) : new Option(h, h)));
      $(id).replaceChildren(...options);
      $(id).selectedIndex = guess;
    }
    $('trainer-column-chooser').hidden = false;
  }

  showPreview(p, ms) {
    this.clear('trainer-data-error');
    $('trainer-column-chooser').hidden = true;
    this.loaded = this.pending;
    this.loadedNoHeader = this.pendingNoHeader;
    // What a saved run records of its data, to recognise the file when it is chosen again.
    this.loaded.columns = { text: p.text_column, label: p.label_column };
    this.loaded.hash ??= fingerprint(this.loaded.bytes);
    this.hasData = true;
    this.preview = p; // for the preview's CSV export
    $('trainer-preview').hidden = false;
    $('trainer-counts').textContent = `${this.pending.name}: ${int.format(p.rows)} reviews — ${int.format(p.positive)} positive, ${int.format(p.negative)} negative${p.empty_texts ? `, ${p.empty_texts} empty` : ''} (read in ${(ms / 1000).toFixed(2)} s)`;
    for (const [id, chosen] of [['trainer-text-column', p.text_column], ['trainer-label-column', p.label_column]]) {
      const select = $(id);
      select.replaceChildren(...p.headers.map((h) => new Option(h, h)));
      select.value = chosen;
    }
    const rows = p.sample.map((r) => `<tr><td>${r.line}</td><td>${escape(r.text)}</td><td class="label-${r.label}">${r.label}</td></tr>`).join('');
    $('trainer-preview-table').innerHTML = `<caption>First rows</caption><thead><tr><th>line</th><th>${escape(p.text_column)}</th><th>${escape(p.label_column)}</th></tr></thead><tbody>${rows}</tbody>`;
    $('trainer-status').textContent = 'Ready: choose the settings and press Start.';
    this.setState(this.state === 'starting' ? 'starting' : 'ready');
    this.scheduleEstimate();
    this.bump();
    if (this.pendingResume) this.resumeWhenDataMatches();
  }

  // ---------------------------------------------------------------- settings and run

  applyPreset(values) {
    for (const [k, v] of Object.entries(values)) $(`trainer-${k}`).value = String(v);
    this.scheduleEstimate();
  }

  readSettings() {
    const v = Object.fromEntries(SETTINGS.map((k) => [k, Number($(`trainer-${k}`).value)]));
    for (const k of SETTINGS) {
      if ($(`trainer-${k}`).value.trim() === '' || !Number.isFinite(v[k])) {
        return { error: `${$(`trainer-${k}`).labels[0].textContent} must be a number.` };
      }
    }
    const workers = Number($('trainer-workers').value);
    if (!Number.isInteger(workers) || workers < 1 || workers > 16) {
      return { error: 'CPU workers must be a whole number from 1 to 16.' };
    }
    return {
      workers,
      request: {
        data: { vocab: v.vocab, maxlen: v.maxlen, train_fraction: v.split, seed: v.seed },
        train: { embed: v.embed, hidden: v.hidden, batch: v.batch, lr: v.lr, epochs: v.epochs, seed: v.seed, kernel: $('trainer-kernel').value },
        device: $('trainer-device').value,
      },
    };
  }

  start() {
    if (this.probing && !this.deviceChosenByUser) {
      // The engine is about to be chosen by measurement: start on the winner.
      this.startAfterProbe = true;
      $('trainer-status').textContent = 'Starts as soon as the engine timing is done…';
      return;
    }
    const { request, workers, error } = this.readSettings();
    if (error) {
      this.fail('trainer-error', error);
      return;
    }
    // Settings that cannot fit are refused here, with what to lower (the worker checks again).
    const estimate = this.estimate?.key === estimateKey(request, workers) ? this.estimate.estimate : null;
    if (estimate?.problem) {
      this.notStarted(estimate.problem);
      return;
    }
    this.clear('trainer-error');
    this.request = request;
    this.resuming = null;
    this.pendingResume = null; // a new run instead
    $('trainer-status').textContent = 'Tokenising…';
    this.send({ type: 'start', request, workers });
  }

  notStarted(message) {
    this.fail('trainer-error', `Not started: ${message}.`);
    $('trainer-status').textContent = 'Not started: see why below the buttons.';
  }

  // ---------------------------------------------------------------- memory estimate

  /** Ask the worker what the settings need, once typing pauses. */
  scheduleEstimate() {
    clearTimeout(this.estimateTimer);
    this.estimateTimer = setTimeout(() => this.requestEstimate(), 150);
  }

  requestEstimate() {
    // Never boots the worker: it is estimated when the worker is ready.
    if (!this.workerReady) return;
    const { request, workers, error } = this.readSettings();
    if (error) {
      this.showEstimate(null, null);
      return;
    }
    this.send({ type: 'estimate', key: estimateKey(request, workers), request, workers });
  }

  showEstimate(key, estimate) {
    const el = $('trainer-memory');
    this.estimate = estimate ? { key, estimate } : null;
    el.classList.toggle('too-big', Boolean(estimate?.problem));
    if (!estimate) el.textContent = 'Memory: not estimated (a setting is not a number).';
    else if (estimate.problem) el.textContent = `Too big for this device: ${estimate.problem}.`;
    else el.textContent = `Memory: ${estimate.summary}${this.hasData ? '' : ' (and the data, once loaded)'}.`;
    this.bump();
  }

  togglePause() {
    if (this.state === 'running') {
      this.send({ type: 'pause' });
      $('trainer-status').textContent = 'Pausing after the current step…';
    } else if (this.state === 'paused') {
      this.send({ type: 'resume' });
      this.setState('running');
      this.runClock.resumed = performance.now();
    }
  }

  started(summary, ms) {
    const saved = this.resuming; // a saved run this one continues, or null
    // epochMs: each epoch's time, beside `epochs` (the table's CSV export; the saved log).
    const epochMs = saved ? [...saved.epochMs] : [];
    this.run = { batches: saved ? [...saved.batches] : [], epochs: [], epochMs, total: summary.total_steps, done: summary.done_steps, first: summary.done_steps };
    this.runLog = {
      request: this.request,
      data: { name: this.loaded.name, size: this.loaded.bytes.byteLength, sample: this.loaded.sample === true, columns: this.loaded.columns },
      hash: this.loaded.hash,
      epochMs,
    };
    this.runClock = { trainRows: 0, trainMs: 0, trainSteps: 0, validMs: 0, validSteps: 0, trainBatches: 0, started: performance.now(), resumedEpochs: saved ? saved.epochs.length : 0 };
    $('trainer-epochs-table').hidden = true;
    $('trainer-epochs-table').querySelector('tbody').replaceChildren();
    if (saved) saved.epochs.forEach((r, i) => this.addEpochRow(r, saved.epochMs[i]));
    this.run.epochs = saved ? [...saved.epochs] : [];
    $('trainer-restore').hidden = true;
    $('trainer-prepared').textContent =
      `Tokenised in ${(ms / 1000).toFixed(2)} s: ${int.format(summary.train_rows)} training and ${int.format(summary.valid_rows)} validation reviews; ` +
      `${int.format(summary.words)} words kept (most frequent: ${summary.top_words.slice(0, 12).join(', ')} …); ` +
      `on average ${summary.mean_ids.toFixed(0)} known words per review, ≈${Math.round(summary.truncated * 100)} % cut to the last ${this.request.data.maxlen}. ` +
      (summary.device === 'cpu'
        ? `Training on the CPU with ${summary.workers} worker${summary.workers === 1 ? '' : 's'} (this device reports ${this.cores} cores).`
        : 'Training on the GPU.') +
      (saved ? ` Resumed after epoch ${saved.epochs.length} from the saved weights; the optimiser (Adam's moments) starts again.` : '');
    this.hasModel = false;
    this.setState('running');
    this.updateCharts();
  }

  progress(report, ms) {
    const run = this.run;
    if (report.kind === 'batch') {
      run.batches.push([report.epoch - 1 + report.batch / report.batches, report.loss, report.accuracy]);
      this.runClock.trainRows += report.rows;
      this.runClock.trainMs += ms;
      this.runClock.trainSteps += 1;
      this.runClock.trainBatches = report.batches;
    } else {
      // A validation batch (the last one of an epoch reports the epoch).
      this.runClock.validMs += ms;
      this.runClock.validSteps += 1;
    }
    if (report.kind === 'epoch') {
      const r = report.report;
      run.epochs.push(r);
      const epochMs = performance.now() - (this.runClock.epochStart ?? this.runClock.started);
      run.epochMs.push(epochMs); // the same array as this.runLog.epochMs
      this.addEpochRow(r, epochMs);
      this.runClock.epochStart = performance.now();
    }
    if (report.done !== undefined) run.done = report.done;
    const fraction = run.done / run.total;
    $('trainer-progress').value = fraction;
    const left = this.timeLeft(run);
    const speed = this.runClock.trainRows / (this.runClock.trainMs / 1000);
    const where =
      report.kind === 'batch'
        ? `Epoch ${report.epoch} of ${this.request.train.epochs} · batch ${report.batch} of ${report.batches} · loss ${report.loss.toFixed(3)}`
        : report.kind === 'validation'
          ? `Epoch ${report.epoch}: validating ${int.format(report.rows_done)} of ${int.format(report.rows)}`
          : report.kind === 'epoch'
            ? `Epoch ${report.report.epoch} done: validation accuracy ${report.report.valid_accuracy.toFixed(3)}`
            : 'Finishing…';
    $('trainer-status').textContent = `${where} · ${Number.isFinite(speed) ? int.format(Math.round(speed)) : '–'} reviews/s · about ${duration(left)} left`;
    if (report.kind !== 'validation') this.scheduleCharts();
    this.bump();
  }

  /**
   * Redraw the curves at most once a frame: a small run on the CPU reports hundreds of batches
   * a second, and a redraw per batch (each over every point so far) left the page no time for
   * clicks (measured: Pause and Stop stopped responding).
   */
  scheduleCharts() {
    if (this.chartsPending) return;
    this.chartsPending = true;
    requestAnimationFrame(() => {
      this.chartsPending = false;
      this.updateCharts();
    });
  }

  addEpochRow(r, ms) {
    const table = $('trainer-epochs-table');
    table.hidden = false;
    const row = document.createElement('tr');
    row.id = `trainer-epoch-${r.epoch}`;
    row.innerHTML = `<td>${r.epoch}${r.is_best ? ' ★' : ''}</td><td>${r.train_loss.toFixed(4)}</td><td>${r.train_accuracy.toFixed(4)}</td><td>${r.valid_loss.toFixed(4)}</td><td>${r.valid_accuracy.toFixed(4)}</td><td>${duration(ms)}</td>`;
    table.querySelector('tbody').appendChild(row);
  }

  done(message) {
    this.hasModel = true;
    this.setState('ready');
    $('trainer-progress').value = Math.max($('trainer-progress').value, 0);
    $('trainer-status').textContent = message;
    $('trainer-model-status').textContent = 'The model from this run is ready to save.';
    this.bump();
  }

  // ---------------------------------------------------------------- charts

  makeCharts() {
    const make = (id, yLabel, range) => {
      const el = $(id);
      const chart = followScheme(new uPlot(
        {
          ...sizeOf(el, 240),
          scales: { x: { time: false }, y: range ? { range } : {} },
          series: [
            { label: 'epoch' },
            { label: 'per batch', stroke: themed('--series-7'), width: 1, points: { show: false } },
            { label: 'train (epoch)', stroke: themed('--series-1'), width: 2, points: { show: true, size: 8 } },
            { label: 'validation (epoch)', stroke: themed('--series-2'), width: 2, points: { show: true, size: 8 } },
          ],
          axes: axes('epoch', yLabel),
          legend: { live: false },
        },
        [[0], [null], [null], [null]],
        el,
      ));
      new ResizeObserver(() => chart.setSize(sizeOf(el, 240))).observe(el);
      return chart;
    };
    this.lossChart = make('trainer-chart-loss', 'loss');
    this.accChart = make('trainer-chart-acc', 'accuracy', [0, 1]);
  }

  updateCharts() {
    const { batches, epochs } = this.run;
    const series = (col, train, valid) =>
      uPlot.join([
        [batches.map((b) => b[0]), batches.map((b) => b[col])],
        [epochs.map((e) => e.epoch), epochs.map((e) => e[train]), epochs.map((e) => e[valid])],
      ]);
    this.lossChart.setData(batches.length ? series(1, 'train_loss', 'valid_loss') : [[0], [null], [null], [null]]);
    this.accChart.setData(batches.length ? series(2, 'train_accuracy', 'valid_accuracy') : [[0], [null], [null], [null]]);
  }

  // ---------------------------------------------------------------- predict, save, load

  predict() {
    const text = $('trainer-predict-text').value;
    if (!text.trim()) {
      $('trainer-prediction').textContent = 'Type some text first.';
      return;
    }
    this.send({ type: 'predict', text });
  }

  showPrediction(p) {
    const pct = (p.probability * 100).toFixed(1);
    $('trainer-prediction').innerHTML =
      `<p class="verdict"><span id="trainer-label" class="label-${p.label}">${p.label}</span> — P(positive) = <span id="trainer-probability">${p.probability.toFixed(4)}</span></p>` +
      `<div class="meter" role="img" aria-label="${pct} % positive"><div style="width:${pct}%"></div></div>` +
      `<p class="hint">The model read ${p.used} of ${p.maxlen} words; <s>struck</s> words are not in the vocabulary, faded ones were cut (only the last ${p.maxlen} known words count).</p>`;
    $('trainer-tokens').replaceChildren(
      ...p.tokens.map((t) => {
        const span = document.createElement('span');
        span.className = `token ${t.id == null ? 'unknown' : t.used ? 'used' : 'cut'}`;
        span.textContent = t.word;
        span.title = t.id == null ? 'not in the vocabulary' : `id ${t.id}${t.used ? '' : ' (cut: too far from the end)'}`;
        return span;
      }),
    );
    this.bump();
  }

  download(bytes) {
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'lstm-lab-model.lstmlab';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    $('trainer-model-status').textContent = `Saved lstm-lab-model.lstmlab (${(bytes.byteLength / 1e6).toFixed(2)} MB).`;
    this.bump();
  }

  /**
   * Milliseconds still to go. Training and validation steps are timed apart: a validation batch
   * (forward only) costs a fraction of a training batch, so one average over both misleads.
   */
  timeLeft(run) {
    const c = this.runClock;
    const trainPer = c.trainMs / Math.max(c.trainSteps, 1);
    // Before the first validation batch, guess forward-only at a third of a training step.
    const validPer = c.validSteps ? c.validMs / c.validSteps : trainPer / 3;
    // A resumed run counts only the epochs it trains itself.
    const trainTotal = (this.request.train.epochs - c.resumedEpochs) * c.trainBatches;
    const validLeft = run.total - run.first - trainTotal - c.validSteps;
    return Math.max(trainTotal - c.trainSteps, 0) * trainPer + Math.max(validLeft, 0) * validPer;
  }

  // ---------------------------------------------------------------- choosing the engine

  /** Run `action` once the Trainer tab is visible (now, if it is). */
  whenShown(action) {
    whenShown(this.section, action);
  }

  engineKey() {
    return `lstm-lab.engine-probe:${this.gpu.name}|${this.gpu.backend}`;
  }

  /**
   * Time one small training step on each engine (in the worker, in the background) and train
   * on the faster. The result is remembered per adapter, so it is measured once.
   */
  probeEngines(again) {
    if (this.probing) return;
    const remembered = again ? null : readJson(localStorage, this.engineKey());
    if (remembered?.cpu && 'gpu' in remembered) {
      this.probed(remembered, true);
      return;
    }
    this.probing = true;
    this.section.dataset.engineProbe = 'running';
    this.setState(this.state);
    $('trainer-device-status').textContent =
      `Training worker on GPU: ${this.gpu.name} (${this.gpu.backend}). Timing one small training step on the GPU and on the CPU to train on the faster…`;
    this.send({ type: 'probe' });
  }

  probed(times, remembered) {
    this.probing = false;
    this.section.dataset.engineProbe = 'done';
    if (!remembered && !times.error) {
      try {
        localStorage.setItem(this.engineKey(), JSON.stringify(times));
      } catch {
        // Storage full or refused: measured again next time.
      }
    }
    const gpuMs = times.gpu?.stepMs;
    const cpuMs = times.cpu?.stepMs;
    const faster = gpuMs != null && (cpuMs == null || gpuMs <= cpuMs) ? 'gpu' : 'cpu';
    this.engineTimes = times;
    const ms = (t) => (t == null ? 'failed' : `${int.format(Math.round(t))} ms`);
    const ratio = gpuMs && cpuMs ? Math.max(gpuMs, cpuMs) / Math.min(gpuMs, cpuMs) : null;
    const why = times.error
      ? `timing failed (${times.error}), so training runs on the ${faster.toUpperCase()}`
      : `training on the ${faster.toUpperCase()}${ratio ? `, ${ratio.toFixed(1)}× faster here` : ''}`;
    $('trainer-device-status').textContent =
      `Training worker on GPU: ${this.gpu.name} (${this.gpu.backend}). One training step (batch 32 × 32 words, the post's layer sizes): ` +
      `GPU ${ms(gpuMs)}, CPU (WebAssembly) ${ms(cpuMs)}${remembered ? ' (measured on an earlier visit)' : ''} — ${why}.`;
    $('trainer-engine-times').textContent = `GPU ${ms(gpuMs)} · CPU ${ms(cpuMs)}`;
    if (!this.deviceChosenByUser && this.state !== 'running' && this.state !== 'paused') {
      $('trainer-device').value = faster;
    }
    this.setState(this.state);
    this.scheduleEstimate();
    this.bump();
    if (this.startAfterProbe) {
      this.startAfterProbe = false;
      this.start();
    }
  }

  // ---------------------------------------------------------------- a crashed worker

  /** The worker died (an uncaught error, a trap): say so; a restart keeps the data. */
  crashed(message) {
    this.worker?.terminate(); // its replica workers go with it
    this.worker = null;
    this.workerReady = false;
    this.queue = [];
    this.probing = false;
    this.startAfterProbe = false;
    this.hasModel = false;
    const wasTraining = this.state === 'running' || this.state === 'paused';
    const kept = wasTraining && this.run?.kept;
    this.setState('crashed');
    $('trainer-crash-text').textContent =
      `The training worker stopped: ${message}.` +
      (wasTraining ? ` The run ended with it${kept ? '; the best model of its finished epochs is kept in this browser' : ''}.` : '') +
      ` Restarting loads the trainer again${this.loaded ? ` with the same data (${this.loaded.name})` : ''} and keeps the settings.`;
    $('trainer-crash').hidden = false;
    $('trainer-status').textContent = 'The trainer stopped.';
    $('trainer-model-status').textContent = 'No model: it was in the stopped worker.';
    this.bump();
  }

  restart() {
    $('trainer-crash').hidden = true;
    this.setState('starting');
    this.boot();
    // Queued until the new worker is ready: the same bytes and columns as before.
    if (this.loaded) this.parse(this.loaded, this.loaded.columns);
    this.offerRestore();
    this.bump();
  }

  // ---------------------------------------------------------------- the last run, kept in this browser

  /** After each epoch: the run's log and model files, so a reload or a closed tab loses nothing. */
  async keepRun({ report, best, last }) {
    const log = this.runLog;
    const record = {
      version: 1,
      savedAt: Date.now(),
      request: log.request,
      data: { ...log.data },
      epochs: [...this.run.epochs],
      epochMs: [...log.epochMs],
      batches: [...this.run.batches],
      best,
      last,
    };
    try {
      record.data.hash = await log.hash;
      await saveRun(record);
      this.savedRun = record;
      this.run.kept = true;
      $('trainer-model-status').textContent = `Kept in this browser after epoch ${report.epoch}: the best model so far and this run's log (a reload loses nothing).`;
    } catch (e) {
      $('trainer-model-status').textContent = `Could not keep the run in this browser (${e.message ?? e}); download the model when it is done.`;
    }
    this.bump();
  }

  /** Offer the run kept by an earlier visit (or before a crash). */
  async offerRestore() {
    let record;
    try {
      record = await loadRun();
    } catch {
      return; // no storage here: nothing was kept either
    }
    if (!record || record.version !== 1) return;
    this.savedRun = record;
    const epochs = record.epochs.length;
    const total = record.request.train.epochs;
    const best = bestEpoch(record.epochs);
    $('trainer-restore-text').textContent =
      `Your last run (${record.data.name}, epoch ${epochs} of ${total}, validation accuracy ${best.valid_accuracy.toFixed(2)}, ${ago(record.savedAt)})`;
    $('trainer-restore-resume').hidden = epochs >= total;
    $('trainer-restore-note').hidden = epochs >= total;
    $('trainer-restore-error').hidden = true;
    $('trainer-restore').hidden = false;
    this.bump();
  }

  /** Load the kept model (as "Load a model file…" does) and show the run's curves and epochs. */
  restoreModel() {
    const record = this.savedRun;
    this.modelName = "your last run's model";
    this.send({ type: 'load-model', bytes: record.best.slice(0) });
    this.applyRequest(record.request); // its settings, as the log shows them
    this.showLog(record);
    $('trainer-restore').hidden = true;
  }

  showLog(record) {
    this.run = { batches: [...record.batches], epochs: [...record.epochs], epochMs: [...record.epochMs], total: 0, done: 0, first: 0 };
    $('trainer-epochs-table').querySelector('tbody').replaceChildren();
    record.epochs.forEach((r, i) => this.addEpochRow(r, record.epochMs[i]));
    this.updateCharts();
    $('trainer-status').textContent = `Restored your last run: ${record.epochs.length} of ${record.request.train.epochs} epochs.`;
    this.bump();
  }

  /** Go on training the kept run, once its data is loaded again. */
  resumeSaved() {
    this.pendingResume = this.savedRun;
    const data = this.pendingResume.data;
    $('trainer-restore-error').hidden = true;
    if (this.loaded && this.loaded.name === data.name && this.loaded.bytes.byteLength === data.size) {
      this.resumeWhenDataMatches();
    } else if (data.sample) {
      this.loadSample(data.columns);
    } else {
      this.fail('trainer-restore-error', `Choose ${data.name} (${int.format(data.size)} bytes) again to resume: its data is not kept in this browser.`);
      $('trainer-status').textContent = `Waiting for ${data.name}…`;
    }
  }

  /** The loaded data is (or is not) what the kept run trained on: resume, or say why not. */
  async resumeWhenDataMatches() {
    const record = this.pendingResume;
    const loaded = this.loaded;
    const same = loaded.name === record.data.name && loaded.bytes.byteLength === record.data.size && (await loaded.hash) === record.data.hash;
    if (!same) {
      // Still waiting: the next file loaded is checked again.
      this.fail('trainer-restore-error', `${loaded.name} is not the file your last run trained on (${record.data.name}, ${int.format(record.data.size)} bytes, the same contents): choose that file to resume.`);
      return;
    }
    const columns = record.data.columns;
    if (loaded.columns.text !== columns.text || loaded.columns.label !== columns.label) {
      this.parse(loaded, columns); // the run's columns; resumes once they are read
      return;
    }
    this.pendingResume = null;
    this.applyRequest(record.request);
    const { request, workers } = this.readSettings();
    this.request = request;
    this.resuming = record;
    this.clear('trainer-error');
    $('trainer-status').textContent = 'Tokenising…';
    this.send({ type: 'start', request, workers, resume: { best: record.best.slice(0), last: record.last?.slice(0) ?? null, history: record.epochs } });
  }

  /** Put a run's settings in the form (the engine and the workers stay as chosen here). */
  applyRequest(r) {
    const values = { vocab: r.data.vocab, maxlen: r.data.maxlen, split: r.data.train_fraction, seed: r.data.seed, embed: r.train.embed, hidden: r.train.hidden, batch: r.train.batch, lr: r.train.lr, epochs: r.train.epochs };
    for (const [k, v] of Object.entries(values)) $(`trainer-${k}`).value = String(v);
    $('trainer-kernel').value = r.train.kernel;
    this.scheduleEstimate();
  }

  async discardSaved() {
    // Gone from the page at once; the stored copy follows.
    this.savedRun = null;
    $('trainer-restore').hidden = true;
    try {
      await discardRun();
    } catch {
      // Nothing kept, or no storage: nothing to discard.
    }
    this.bump();
  }

  // ---------------------------------------------------------------- messages from the worker

  receive(m) {
    switch (m.type) {
      case 'loading':
        this.moduleLoading(m);
        break;
      case 'ready': {
        this.workerReady = true;
        performance.mark('lstm-lab:trainer-ready');
        this.section.dataset.module = 'ready';
        $('trainer-module').hidden = true;
        for (const message of this.queue.splice(0)) this.worker.postMessage(message);
        this.gpu = m.device.gpu;
        if (this.gpu) {
          $('trainer-device-status').textContent = `Training worker on GPU: ${this.gpu.name} (${this.gpu.backend}).`;
          this.whenShown(() => this.probeEngines(false));
        } else {
          $('trainer-device-status').textContent = `Training worker on the CPU: ${this.gpuAvailable ? m.device.reason : (this.gpuReason ?? m.device.reason)}.`;
          $('trainer-device').value = 'cpu';
          $('trainer-device').querySelector('option[value="gpu"]').disabled = true;
        }
        this.limits = m.device.limits;
        this.setState('ready');
        this.resolveReady();
        this.scheduleEstimate();
        break;
      }
      case 'estimate': {
        // Answers to settings since changed are dropped.
        const { request, workers } = this.readSettings();
        if (m.key === estimateKey(request, workers)) this.showEstimate(m.key, m.estimate);
        break;
      }
      case 'memory':
        this.memory = m.usage;
        this.bump();
        break;
      case 'checkpoint':
        this.keepRun(m);
        break;
      case 'crashed':
        this.crashed(m.message);
        break;
      case 'probe':
        this.probed(m.times, false);
        break;
      case 'preview':
        this.showPreview(m.preview, m.ms);
        break;
      case 'started':
        this.started(m.summary, m.ms);
        break;
      case 'progress':
        this.progress(m.report, m.ms);
        break;
      case 'paused':
        this.setState('paused');
        $('trainer-status').textContent = 'Paused. Resume to go on, or stop to keep the best model so far.';
        this.bump();
        break;
      case 'finished': {
        const r = m.report;
        this.done(r.best_epoch ? `Done: best validation accuracy ${r.best_accuracy.toFixed(4)} (epoch ${r.best_epoch}); that model is kept.` : 'Done.');
        break;
      }
      case 'stopped':
        this.done(m.best ? `Stopped. Kept the model of epoch ${m.best.epoch} (validation accuracy ${m.best.valid_accuracy.toFixed(4)}).` : 'Stopped before the first validation; kept the current model.');
        break;
      case 'prediction':
        this.showPrediction(m.prediction);
        break;
      case 'saved':
        this.download(m.bytes);
        break;
      case 'inside':
        $('trainer-model-status').textContent = 'The model and its validation reviews are in “Inside the model”.';
        globalThis.lstmLab.inside.loadBytes(m.bytes, 'the model from the Trainer tab', m.examples);
        location.hash = '#inside';
        break;
      case 'model-loaded': {
        const i = m.info;
        this.hasModel = true;
        this.clear('trainer-model-error');
        $('trainer-model-status').textContent = `Loaded ${this.modelName}: vocabulary ${int.format(i.vocab)}, embedding ${i.embed}, hidden ${i.hidden}, ${i.maxlen} words per review${i.valid_accuracy != null ? `, validation accuracy ${i.valid_accuracy.toFixed(4)} (epoch ${i.epoch})` : ''}.`;
        this.setState(this.state === 'running' || this.state === 'paused' ? this.state : 'ready');
        this.bump();
        break;
      }
      case 'self-test':
        // The fused kernels against burn's reference ops on this GPU (used by the browser tests).
        this.selfTest = m.result;
        this.bump();
        break;
      case 'error':
        this.error(m);
        break;
      case 'panic':
        globalThis.lstmLabPanic?.(`in the training worker: ${m.message}`);
        break;
    }
  }

  error({ where, message, hasModel, headers, unsupported, kind }) {
    if (where === 'start') {
      this.setState('ready');
      this.notStarted(message);
    } else if (where === 'estimate') {
      $('trainer-memory').textContent = `Memory: not estimated (${message}).`;
      this.bump();
    } else if (where === 'load') {
      this.moduleFailed(message, { unsupported });
    } else if (where === 'data') {
      if (headers) this.chooseColumns(headers, { noHeader: kind === 'no-header' || (kind !== 'missing-column' && $('trainer-choose-no-header').checked) });
      else $('trainer-column-chooser').hidden = true;
      this.fail('trainer-data-error', `${this.pending.name}: ${message}.${this.hasData ? ' The previous data is still loaded.' : ''}`);
      $('trainer-status').textContent = this.hasData ? 'Ready: the previous data is still loaded.' : 'Load data to begin.';
      this.section.dataset.state = this.state;
    } else if (where === 'model') {
      this.fail('trainer-model-error', `${this.modelName ?? 'Model'}: ${message}.${this.hasModel ? ' The current model is still loaded.' : ''}`);
    } else if (where === 'self-test') {
      this.selfTest = { error: message };
      this.bump();
    } else if (where === 'probe') {
      // A GPU that fails a small training step is no engine to train on.
      this.probed({ cpu: null, gpu: null, error: message }, false);
    } else if (where === 'predict') {
      $('trainer-prediction').textContent = message;
      this.bump();
    } else {
      if (hasModel) this.hasModel = true;
      this.setState('ready');
      this.fail('trainer-error', message);
      $('trainer-status').textContent = 'Training stopped.';
    }
  }
}

/** The best epoch as the trainer keeps it: the first with the highest validation accuracy. */
function bestEpoch(epochs) {
  return epochs.reduce((best, r) => (!best || r.valid_accuracy > best.valid_accuracy ? r : best), null);
}

/** "12 minutes ago". */
function ago(time) {
  const s = Math.round((Date.now() - time) / 1000);
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  if (s < 60) return rtf.format(-s, 'second');
  if (s < 3600) return rtf.format(-Math.round(s / 60), 'minute');
  if (s < 86400) return rtf.format(-Math.round(s / 3600), 'hour');
  return rtf.format(-Math.round(s / 86400), 'day');
}

function estimateKey(request, workers) {
  return JSON.stringify([request, workers]);
}

function readJson(storage, key) {
  try {
    return JSON.parse(storage.getItem(key));
  } catch {
    return null;
  }
}

function escape(s) {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}
