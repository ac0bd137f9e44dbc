// @ts-check
// The training worker. It owns the wasm TrainerSession and the training loop; the page sends
// the messages of protocol.js and gets progress back, so the page never waits on the GPU. On the
// CPU it may start replicas of itself (replicas.js); in a replica, only `replica-*` messages
// arrive.

import { nameAdapter } from '../lib/adapter.js';
import { assetUrl, BUILD, compileWasm, fetchWithProgress, wasmSimdSupported } from '../lib/assets.js';
import { ERROR_WHERE } from './protocol.js';
import { errorText, Replicas } from './replicas.js';
import init, * as wasm from './wasm.js';

/** @typedef {import('./protocol.js').WorkerInput} WorkerInput */
/** @typedef {import('./protocol.js').WorkerOutput} WorkerOutput */
/** @typedef {import('./protocol.js').ReplicaInput} ReplicaInput */
/** @typedef {import('./protocol.js').ReplicaOutput} ReplicaOutput */
/** @typedef {import('./protocol.js').EngineTimes} EngineTimes */

/** This worker's global scope (the DOM's types describe a window, not a worker). */
const scope =
  /** @type {{ postMessage(message: unknown, transfer: Transferable[]): void, onmessage: ((e: MessageEvent) => void) | null, lstmLabPanic?: (message: string) => void }} */ (
    /** @type {unknown} */ (self)
  );

/**
 * @param {WorkerOutput | ReplicaOutput} message
 * @param {Transferable[]} [transfer]
 */
const post = (message, transfer = []) => scope.postMessage(message, transfer);
// A Rust panic calls this before it unwinds into JS (see src/web/mod.rs).
scope.lstmLabPanic = (message) => post({ type: 'panic', message });

/** @type {wasm.TrainerSession | null} */
let session = null;
/** @type {{ memory: WebAssembly.Memory } | null} the trainer module's exports (its memory, for `memory`) */
let exports = null;
/** @type {'idle' | 'running' | 'paused' | 'stopping'} */
let state = 'idle';
let looping = false;
/** @type {WebAssembly.Module | null} the compiled trainer module, handed to replica workers so they need not fetch it again */
let trainerModule = null;
const replicas = new Replicas(new URL(import.meta.url));
/** @type {wasm.ReplicaSession | null} in a replica worker: its ReplicaSession */
let replica = null;

/**
 * A trap (a panic, or memory that could not grow) leaves the Rust state half-changed: nothing
 * more can run in this module. Tell the page, which replaces this worker.
 * @param {unknown} e
 */
function trapped(e) {
  if (!(e instanceof WebAssembly.RuntimeError)) return false;
  post({ type: 'crashed', message: `the trainer's WebAssembly stopped (${errorText(e)})` });
  return true;
}

/** Let queued messages (pause, stop) in between steps. */
const yieldToMessages = () => new Promise((resume) => setTimeout(resume, 0));

async function loop() {
  if (looping) return;
  looping = true;
  try {
    while (state === 'running') {
      const t0 = performance.now();
      const report = replicas.count ? await replicas.step(session) : await session.step();
      post({ type: 'progress', report, ms: performance.now() - t0 });
      if (report.kind === 'epoch') {
        // What a reload must not lose: the page keeps it (IndexedDB).
        const saved = await session.checkpoint();
        if (saved) {
          const transfer = [saved.best.buffer, ...(saved.last ? [saved.last.buffer] : [])];
          post({ type: 'checkpoint', report: report.report, best: saved.best, last: saved.last }, transfer);
        }
      }
      if (report.kind === 'finished') {
        replicas.stop();
        state = 'idle';
        post({ type: 'finished', report });
        return;
      }
      await yieldToMessages();
    }
    // The loop ran while a message changed the state (see `pause` and `stop`).
    const now = /** @type {typeof state} */ (state);
    if (now === 'stopping') {
      replicas.stop();
      const best = session.stop();
      state = 'idle';
      post({ type: 'stopped', best });
    } else if (now === 'paused') {
      post({ type: 'paused' });
    }
  } catch (e) {
    replicas.stop();
    state = 'idle';
    if (!trapped(e)) post({ type: 'error', where: 'train', message: errorText(e), hasModel: session.hasModel() });
  } finally {
    looping = false;
  }
}

/**
 * One handler per message type, each given its own message.
 * @type {{ [K in (WorkerInput | ReplicaInput)['type']]: (message: Extract<WorkerInput | ReplicaInput, { type: K }>) => unknown }}
 */
const handlers = {
  async init({ preferGpu }) {
    if (!wasmSimdSupported()) {
      // Downloading 2 MB that cannot compile would only end in a cryptic CompileError.
      const message =
        "this browser's WebAssembly has no SIMD, which the trainer needs (Chrome 91, Firefox 89, Safari 16.4 and later have it)";
      post({ type: 'error', where: 'load', unsupported: true, message });
      return;
    }
    // The trainer's module is only needed here, so only the worker downloads it, reporting
    // progress at most every 50 ms (a message per network chunk would flood the page).
    let last = 0;
    const url = assetUrl('trainerWasm');
    const response = await fetchWithProgress(url, BUILD.assets.trainerWasm.bytes, (loaded, total) => {
      const now = performance.now();
      if (now - last < 50 && loaded !== total) return;
      last = now;
      post({ type: 'loading', loaded, total });
    });
    const module = await compileWasm(response);
    trainerModule = module;
    post({ type: 'loading', compiled: true });
    exports = await init({ module_or_path: module });
    session = await wasm.TrainerSession.create(preferGpu);
    const device = session.deviceStatus();
    await nameAdapter(device.gpu);
    post({ type: 'ready', device });
  },
  'load-csv'({ bytes, columns }) {
    const t0 = performance.now();
    const data = new Uint8Array(bytes);
    let preview;
    try {
      preview = session.loadCsv(data, columns ?? null);
    } catch (e) {
      // When the columns were not found (or hold nothing), send the file's header so the user
      // can pick them. The kind comes from Rust's error type, not from the message's words.
      let headers = null;
      const kind = session.lastDataErrorKind();
      if (['missing-column', 'same-column', 'empty-texts', 'no-header'].includes(kind)) {
        try {
          headers = wasm.csvHeaders(data);
        } catch {
          headers = null;
        }
      }
      post({ type: 'error', where: 'data', message: errorText(e), headers, kind });
      return;
    }
    post({ type: 'preview', preview, ms: performance.now() - t0 });
  },
  /** The loaded data's classes again, with another label choice (the previous ones stay on failure). */
  relabel({ choice }) {
    post({ type: 'relabeled', preview: session.relabel(choice) });
  },
  /** A new run, or (`resume`: `{best, last, history}` of a saved run) the rest of one. */
  async start({ settings, resume = null }) {
    const t0 = performance.now();
    replicas.stop();
    const summary = resume
      ? session.resume(
          settings,
          resume.last ? new Uint8Array(resume.last) : null,
          new Uint8Array(resume.best),
          resume.history,
        )
      : session.start(settings);
    // Replicas only help the CPU engine (a GPU is one device, whoever drives it); the module
    // has checked the count against its limits.
    const count = summary.engine === 'cpu' ? settings.workers : 1;
    await replicas.start(count - 1, session, trainerModule);
    summary.workers = count;
    post({ type: 'started', summary, ms: performance.now() - t0 });
    state = 'running';
    loop();
  },
  // ---- in a replica worker (started by a lead, see replicas.js)
  async 'replica-init'({ id, module, data, weights }) {
    try {
      await init({ module_or_path: module });
      replica = wasm.ReplicaSession.create(data, weights);
      post({ type: 'replica-reply', id, ok: true, result: null });
    } catch (e) {
      post({ type: 'replica-reply', id, ok: false, message: errorText(e) });
    }
  },
  async 'replica-work'({ id, kind, rows, batchRows, weights }) {
    try {
      if (weights) replica.setWeights(weights);
      const result = await replica.work(kind, rows, batchRows);
      post({ type: 'replica-reply', id, ok: true, result }, result.grads ? [result.grads.buffer] : []);
    } catch (e) {
      post({ type: 'replica-reply', id, ok: false, message: errorText(e) });
    }
  },
  pause() {
    if (state === 'running') state = 'paused';
  },
  resume() {
    if (state === 'paused') {
      state = 'running';
      loop();
    }
  },
  stop() {
    if (state === 'running') {
      state = 'stopping'; // the loop stops after the current step
    } else if (state === 'paused') {
      state = 'stopping';
      loop();
    }
  },
  async predict({ text }) {
    post({ type: 'prediction', prediction: await session.predict(text) });
  },
  async save() {
    const bytes = await session.save();
    post({ type: 'saved', bytes }, [bytes.buffer]);
  },
  /** The model and the validation reviews worth looking inside, for "Inside the model". */
  async 'look-inside'({ focus }) {
    const bytes = await session.save();
    const examples = await session.examples(12);
    // 1,000 of the validation reviews, tokenised, for gate surgery's accuracy there.
    const sample = session.validationSample(1000);
    post({ type: 'inside', bytes, examples, focus, sample }, [bytes.buffer, sample.buffer]);
  },
  /** The validation texts behind one cell of the confusion matrix. */
  'confusion-cell'({ truth, predicted, limit }) {
    post({ type: 'cell', cell: session.confusionCell(truth, predicted, limit) });
  },
  /** One warm-up and one timed training step on each engine: `probe {times: {cpu, gpu}}`. */
  async probe() {
    /** @type {EngineTimes} */
    const times = { cpu: null, gpu: null };
    for (const engine of /** @type {const} */ (['cpu', 'gpu'])) {
      const probe = session.engineProbe(engine);
      try {
        let t0 = performance.now();
        await probe.step();
        const warmupMs = performance.now() - t0;
        t0 = performance.now();
        await probe.step();
        times[engine] = { warmupMs, stepMs: performance.now() - t0 };
      } catch (e) {
        if (engine === 'cpu') throw e;
        times.gpu = null;
        times.error = errorText(e);
      } finally {
        probe.free();
      }
    }
    post({ type: 'probe', times });
  },
  async 'self-test'() {
    post({ type: 'self-test', result: await session.fusedSelfTest() });
  },
  'load-model'({ bytes }) {
    post({ type: 'model-loaded', info: session.loadModel(new Uint8Array(bytes)) });
  },
  /** The data check and the baseline for these data settings (`key` is echoed, as for `estimate`). */
  check({ key, data }) {
    const t0 = performance.now();
    const check = session.dataCheck(data);
    post({ type: 'check', key, check, ms: performance.now() - t0 });
  },
  /** The memory a run with these settings needs (`key` is echoed so the page drops stale answers). */
  estimate({ key, settings }) {
    post({ type: 'estimate', key, estimate: session.memoryEstimate(settings) });
  },
  /** What this worker holds now (for the tests' leak check): Rust's heap, the GPU pool, the wasm memory. */
  memory() {
    post({ type: 'memory', usage: { ...session.memoryUsage(), wasmMemory: exports.memory.buffer.byteLength } });
  },
};

scope.onmessage = async (/** @type {MessageEvent<WorkerInput | ReplicaInput>} */ { data }) => {
  const handler = /** @type {((message: WorkerInput | ReplicaInput) => unknown) | undefined} */ (
    Object.hasOwn(handlers, data.type) ? handlers[data.type] : undefined
  );
  if (!handler) {
    post({ type: 'error', where: 'worker', message: `unknown message ${data.type}` });
    return;
  }
  try {
    await handler(data);
  } catch (e) {
    if (!trapped(e)) post({ type: 'error', where: ERROR_WHERE[data.type] ?? 'worker', message: errorText(e) });
  }
};
