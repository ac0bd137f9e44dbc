// @ts-check
// The messages between the page and the training worker, in one place: every message either
// side sends is one member of WorkerInput (page → worker), WorkerOutput (worker → page) or,
// between a training worker and its replica workers, ReplicaInput / ReplicaOutput. Both sides
// type their `postMessage` calls and their handlers with these, so `tsc` (js_checks) catches a
// renamed field or a message one side no longer understands.
//
// Objects that Rust builds (previews, reports, estimates) keep Rust's snake_case field names:
// they are serde's output, passed through unchanged.

// ------------------------------------------------------------------ what Rust sends along

/**
 * A whole run's settings (`RunSettings` in src/settings.rs): the page's module builds them from
 * the form (`runFromForm`), checked; the trainer's module trains with them.
 * @typedef {object} RunSettings
 * @property {{ vocab: number, maxlen: number, train_fraction: number, seed: number, drop_duplicates?: boolean }} data
 * @property {{ embed: number, hidden: number, batch: number, lr: number, epochs: number, seed: number, kernel: string, arch?: import('./settings.js').Architecture }} train
 *   `arch`: the model's cell, readout and variants (absent: the post's LSTM with pooling)
 * @property {'gpu' | 'cpu'} engine  where it trains
 * @property {number} workers  CPU workers sharing every batch (the engine `cpu`)
 */

/**
 * The columns to read from a CSV; `no_header`: the first row is data, the columns are `column N`.
 * @typedef {{ text: string, label: string, no_header?: boolean }} Columns
 */

/**
 * One epoch's losses and accuracies (`EpochReport` in src/classifier/record.rs).
 * @typedef {object} EpochReport
 * @property {number} epoch  from 1
 * @property {number} train_loss
 * @property {number} train_accuracy
 * @property {number} valid_loss
 * @property {number} valid_accuracy
 * @property {boolean} is_best  the best validation accuracy so far (its model is kept)
 * @property {number} [valid_macro_f1]  the mean of the classes' F1 (absent in runs kept before classes)
 * @property {ClassScore[]} [valid_per_class]  by class id
 * @property {{ k: number, counts: number[] }} [confusion]  counts[truth * k + predicted], validation rows
 */

/**
 * One class's validation scores (`ClassScore` in src/classifier/metrics.rs).
 * @typedef {{ precision: number, recall: number, f1: number, support: number }} ClassScore
 */

/**
 * Validation texts of one confusion-matrix cell (`CellRows` in src/web/trainer.rs): `total` in
 * the cell, at most the limit asked for in `rows`.
 * @typedef {{ truth: string, predicted: string, total: number, rows: { line: number, text: string }[] }} CellRows
 */

/**
 * What one training step did (`StepReport` in src/trainer/train.rs).
 * @typedef {{ kind: 'batch', epoch: number, batch: number, batches: number, rows: number, loss: number, accuracy: number, done: number, total: number }
 *   | { kind: 'validation', epoch: number, rows_done: number, rows: number, done: number, total: number }
 *   | { kind: 'epoch', report: EpochReport, done: number, total: number }
 *   | { kind: 'finished', best_epoch: number | null, best_accuracy: number | null, done?: undefined }} StepReport
 */

/**
 * A loaded CSV, before training (`Preview` in src/data/preview.rs).
 * @typedef {object} Preview
 * @property {number} rows  rows with a label (those of dropped classes included)
 * @property {{ name: string, rows: number }[]} classes  by class id; with two, the second is the positive one
 * @property {{ value: string, rows: number, first_line: number, class: string | null }[]} values  the label column's values
 * @property {number} dropped  rows of dropped classes
 * @property {number} empty_labels  rows skipped for an empty label
 * @property {{ fold_case: boolean, merge: [string, string][], drop: string[], positive: string | null }} choice
 * @property {string | null} problem  why training is refused until classes are merged or dropped
 * @property {string[]} headers
 * @property {string} text_column
 * @property {string} label_column
 * @property {number} empty_texts
 * @property {{ line: number, text: string, label: string | null }[]} sample  the first rows
 */

/**
 * Validation scores (`Scores` in src/data/baseline.rs).
 * @typedef {{ accuracy: number, macro_f1: number }} Scores
 */

/**
 * One finding of the data check; `fix` sets a setting's `field` (or `drop_duplicates`) to `value`.
 * @typedef {{ kind: string, level: 'ok' | 'warn' | 'info', text: string, lines: number[], fix: { field: string, value: number, label: string } | null }} Finding
 */

/**
 * The data check and the baseline (`DataCheck` in src/data/check.rs).
 * @typedef {object} DataCheck
 * @property {number} rows
 * @property {{ name: string, rows: number }[]} classes
 * @property {number} train_rows
 * @property {number} valid_rows
 * @property {number} maxlen
 * @property {number} cut_texts
 * @property {number} cut_words
 * @property {number} total_ids
 * @property {number} keep_whole_length
 * @property {number} vocab
 * @property {number} words
 * @property {number} out_of_vocabulary
 * @property {number} vocab_for_coverage
 * @property {{ copies: number, texts: number, conflicting: number, across_split: number, dropped: number, lines: number[] }} duplicates
 * @property {number} short_texts
 * @property {number[]} short_lines
 * @property {string} majority_class
 * @property {Scores} majority  always answering the majority class
 * @property {Scores} baseline  naive Bayes over the same words
 * @property {Finding[]} findings
 */

/**
 * A run's data, tokenised, and the run it starts (`RunSummary` in src/web/trainer.rs); `workers`
 * is added by the worker.
 * @typedef {object} RunSummary
 * @property {number} train_rows
 * @property {number} valid_rows
 * @property {number} words
 * @property {string[]} top_words
 * @property {number} truncated  share of reviews cut to maxlen
 * @property {number} mean_ids
 * @property {number} total_steps
 * @property {number} done_steps  already done (a resumed run)
 * @property {'gpu' | 'cpu'} engine
 * @property {string[]} classes  by class id
 * @property {number[]} valid_class_rows
 * @property {number} majority_accuracy  always answering the most common class
 * @property {number} parameters  the model's trained parameters
 * @property {number} [workers]
 */

/**
 * The memory a run needs (`Estimate` in src/budget.rs; the page shows `summary` or `problem`).
 * @typedef {{ summary: string, problem: string | null, gpu_bytes: number, wasm_bytes: number }} MemoryEstimate
 */

/**
 * @typedef {{ name: string, backend: string, device_type?: string, driver?: string }} AdapterReport
 * @typedef {{ max_storage_buffer_binding_size: number, max_buffer_size: number }} GpuLimits
 * @typedef {{ gpu: AdapterReport | null, reason: string | null, limits: GpuLimits | null }} DeviceStatus
 */

/**
 * One small training step timed on each engine (`gpu` is null when the GPU failed it; `error` says why).
 * @typedef {{ warmupMs: number, stepMs: number }} EngineTime
 * @typedef {{ cpu: EngineTime | null, gpu: EngineTime | null, error?: string }} EngineTimes
 */

/**
 * A prediction and the words the model read (`Prediction` in src/trainer/predict.rs).
 * @typedef {object} Prediction
 * @property {number} probability  two classes: P(positive class); more: the predicted class's
 * @property {string} label  the predicted class
 * @property {{ class: string, probability: number }[]} classes  most probable first
 * @property {{ word: string, id: number | null, used: boolean }[]} tokens
 * @property {number} used
 * @property {number} maxlen
 */

/**
 * @typedef {{ vocab: number, embed: number, hidden: number, maxlen: number, words: number, valid_accuracy: number | null, epoch: number | null, classes: string[] }} ModelInfo
 */

/**
 * A model file's bytes, as a file gives them or as the worker sent them.
 * @typedef {ArrayBuffer | Uint8Array} Bytes
 */

/**
 * A saved run to go on with: its model files and its epochs so far.
 * @typedef {{ best: Bytes, last: Bytes | null, history: EpochReport[] }} Resume
 */

// ------------------------------------------------------------------ page → worker

/**
 * A text to open in "Inside the model" with the model (a confusion cell's), and its true class.
 * @typedef {{ text: string, truth: string }} InsideFocus
 */

/**
 * Every message the page sends the training worker.
 * @typedef {{ type: 'init', preferGpu: boolean }
 *   | { type: 'probe' }
 *   | { type: 'load-csv', bytes: ArrayBuffer, columns: Columns | null }
 *   | { type: 'relabel', choice: Preview['choice'] }
 *   | { type: 'start', settings: RunSettings, resume?: Resume }
 *   | { type: 'pause' }
 *   | { type: 'resume' }
 *   | { type: 'stop' }
 *   | { type: 'predict', text: string }
 *   | { type: 'save' }
 *   | { type: 'look-inside', focus?: InsideFocus }
 *   | { type: 'confusion-cell', truth: number, predicted: number, limit: number }
 *   | { type: 'load-model', bytes: Bytes }
 *   | { type: 'self-test' }
 *   | { type: 'estimate', key: string, settings: RunSettings }
 *   | { type: 'check', key: string, data: RunSettings['data'] }
 *   | { type: 'memory' }} WorkerInput
 */

// ------------------------------------------------------------------ worker → page

/**
 * Which request an error answers (the page shows it there).
 * @typedef {'load' | 'probe' | 'data' | 'check' | 'classes' | 'cell' | 'start' | 'estimate' | 'predict' | 'model' | 'self-test' | 'train' | 'worker'} ErrorWhere
 */

/**
 * Every message the training worker sends the page.
 * @typedef {{ type: 'loading', loaded?: number, total?: number | null, compiled?: boolean }
 *   | { type: 'ready', device: DeviceStatus }
 *   | { type: 'probe', times: EngineTimes }
 *   | { type: 'preview', preview: Preview, ms: number }
 *   | { type: 'relabeled', preview: Preview }
 *   | { type: 'started', summary: RunSummary, ms: number }
 *   | { type: 'progress', report: StepReport, ms: number }
 *   | { type: 'paused' }
 *   | { type: 'finished', report: StepReport & { kind: 'finished' } }
 *   | { type: 'stopped', best: EpochReport | null }
 *   | { type: 'prediction', prediction: Prediction }
 *   | { type: 'saved', bytes: Uint8Array }
 *   | { type: 'inside', bytes: Uint8Array, examples: unknown, focus?: InsideFocus, sample: Uint8Array }
 *   | { type: 'cell', cell: CellRows }
 *   | { type: 'model-loaded', info: ModelInfo }
 *   | { type: 'self-test', result: unknown }
 *   | { type: 'estimate', key: string, estimate: MemoryEstimate }
 *   | { type: 'check', key: string, check: DataCheck, ms: number }
 *   | { type: 'memory', usage: { heap: number, gpu: unknown, wasmMemory: number } }
 *   | { type: 'checkpoint', report: EpochReport, best: Uint8Array, last: Uint8Array | null }
 *   | ErrorOutput
 *   | { type: 'panic', message: string }
 *   | { type: 'crashed', message: string }} WorkerOutput
 */

/**
 * A request that failed. `headers` (with `kind`, the data error's kind): the file's header row,
 * when the columns were not found, for the column chooser; `unsupported`: this browser can
 * never load the trainer; `hasModel`: training stopped with a usable model.
 * @typedef {{ type: 'error', where: ErrorWhere, message: string, hasModel?: boolean, headers?: string[] | null, kind?: string | null, unsupported?: boolean }} ErrorOutput
 */

// ------------------------------------------------------------------ lead worker ↔ replica workers

/**
 * What a training worker asks its replicas (data-parallel CPU training). `id` pairs the answer
 * with its call.
 * @typedef {{ type: 'replica-init', id: number, module: WebAssembly.Module, data: unknown, weights: Float32Array }
 *   | { type: 'replica-work', id: number, kind: 'train' | 'validate', rows: Uint32Array, batchRows: number, weights: Float32Array | null }} ReplicaInput
 */

/**
 * A replica's answer to one call.
 * @typedef {{ type: 'replica-reply', id: number, ok: true, result: any } | { type: 'replica-reply', id: number, ok: false, message: string }} ReplicaOutput
 */

/**
 * Where each request's failure is reported to the page (the worker's catch-all uses it).
 * @type {Partial<Record<(WorkerInput | ReplicaInput)['type'], ErrorWhere>>}
 */
export const ERROR_WHERE = {
  init: 'load',
  probe: 'probe',
  'load-csv': 'data',
  check: 'check',
  relabel: 'classes',
  start: 'start',
  estimate: 'estimate',
  predict: 'predict',
  save: 'model',
  'look-inside': 'model',
  'confusion-cell': 'cell',
  'load-model': 'model',
  'self-test': 'self-test',
};
