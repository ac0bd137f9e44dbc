// The training worker. It owns the wasm TrainerSession and the training loop; the page sends
// typed messages and gets progress back, so the page never waits on the GPU.
//
// page → worker: init {preferGpu} · probe · load-csv {bytes, columns} · start {request, workers, resume?} · pause
//                · resume · stop · predict {text} · save · look-inside · load-model {bytes} · self-test
//                · estimate {key, request, workers} · memory · crash-for-test (a testing hook)
// lead → replica (the same script, see startReplicas): replica-init {id, module, data, weights}
//                · replica-work {id, kind, rows, batchRows, weights?}; replica → lead: replica-reply {id, ok, result | message}
// worker → page: loading {loaded, total} · ready {device} · probe {times} · preview {preview, ms} · started {summary, ms} · progress {report, ms}
//                · paused · finished {report} · stopped {best} · prediction {prediction}
//                · saved {bytes} · inside {bytes, examples} · model-loaded {info} · self-test {result} · error {where, message}
//                · panic {message} · estimate {key, estimate} · memory {usage} · checkpoint {report, best, last}
//                · crashed {message} (the module trapped: this worker is unusable, the page starts another)

import init, * as wasm from './pkg/lstm_lab_trainer.js';
import { nameAdapter } from './adapter.js';
import { BUILD, assetUrl, compileWasm, fetchWithProgress, wasmSimdSupported } from './assets.js';

const post = (message, transfer = []) => self.postMessage(message, transfer);
self.lstmLabPanic = (message) => post({ type: 'panic', message });

let session = null;
/** The trainer module's exports (its memory, for `memory`). */
let exports = null;
let state = 'idle'; // idle | running | paused | stopping
let looping = false;
/** The compiled trainer module, handed to replica workers so they need not fetch it again. */
let trainerModule = null;

// ------------------------------------------------------------ data-parallel CPU training
// A wasm module without threads runs on one core, so a CPU run on N workers starts N − 1
// replicas of this same script. Each step the lead (this worker, with the TrainerSession)
// plans the batch into N shards, computes its own while the replicas compute theirs, sums the
// gradients and takes one optimiser step (src/data_parallel.rs).

/** Replica workers of the current run: `{worker, calls: Map<id, {resolve, reject}>}`. */
let replicas = [];
let nextCall = 0;
/** Whether the replicas lack the current weights (true after every optimiser step). */
let replicaWeightsStale = true;
/** In a replica worker: its ReplicaSession. */
let replica = null;

function callReplica(r, message, transfer = []) {
  return new Promise((resolve, reject) => {
    const id = nextCall++;
    r.calls.set(id, { resolve, reject });
    r.worker.postMessage({ ...message, id }, transfer);
  });
}

async function startReplicas(count) {
  stopReplicas();
  if (count < 1) return;
  const data = session.replicaData();
  const weights = await session.flatWeights();
  const started = [];
  for (let k = 0; k < count; k++) {
    const r = { worker: new Worker(new URL(import.meta.url), { type: 'module' }), calls: new Map() };
    r.worker.onmessage = ({ data: m }) => {
      const call = r.calls.get(m.id);
      if (!call) return;
      r.calls.delete(m.id);
      if (m.ok) call.resolve(m.result);
      else call.reject(new Error(`worker ${k + 2}: ${m.message}`));
    };
    r.worker.onerror = (e) => {
      e.preventDefault?.();
      for (const call of r.calls.values()) call.reject(new Error(`worker ${k + 2} failed: ${e.message ?? 'unknown error'}`));
      r.calls.clear();
    };
    started.push(r);
  }
  replicas = started;
  try {
    await Promise.all(replicas.map((r) => callReplica(r, { type: 'replica-init', module: trainerModule, data, weights })));
  } catch (e) {
    stopReplicas();
    throw new Error(`could not start ${count} more training workers: ${errorText(e)}`);
  }
  replicaWeightsStale = false;
}

function stopReplicas() {
  for (const r of replicas) {
    for (const call of r.calls.values()) call.reject(new Error('the run ended'));
    r.worker.terminate();
  }
  replicas = [];
}

/** One unit of work over the lead and every replica; resolves to a StepReport like `step()`. */
async function parallelStep() {
  const plan = session.plan(replicas.length + 1);
  if (plan.kind === 'done') return session.step();
  const batchRows = plan.batch_rows ?? 0;
  const weights = replicaWeightsStale ? await session.flatWeights() : null;
  const jobs = replicas.map((r, k) =>
    callReplica(r, { type: 'replica-work', kind: plan.kind, rows: Uint32Array.from(plan.shards[k + 1]), batchRows, weights }),
  );
  replicaWeightsStale = false;
  const own = await session.shardWork(plan.kind, Uint32Array.from(plan.shards[0]), batchRows);
  const parts = [own, ...(await Promise.all(jobs))];
  const report = await session.finishStep(plan.kind, parts);
  if (plan.kind === 'train') replicaWeightsStale = true;
  return report;
}

const errorText = (e) => e?.message ?? String(e);

/**
 * A trap (a panic, or memory that could not grow) leaves the Rust state half-changed: nothing
 * more can run in this module. Tell the page, which replaces this worker.
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
      const report = replicas.length ? await parallelStep() : await session.step();
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
        stopReplicas();
        state = 'idle';
        post({ type: 'finished', report });
        return;
      }
      await yieldToMessages();
    }
    if (state === 'stopping') {
      stopReplicas();
      const best = session.stop();
      state = 'idle';
      post({ type: 'stopped', best });
    } else if (state === 'paused') {
      post({ type: 'paused' });
    }
  } catch (e) {
    stopReplicas();
    state = 'idle';
    if (!trapped(e)) post({ type: 'error', where: 'train', message: errorText(e), hasModel: session.hasModel() });
  } finally {
    looping = false;
  }
}

const handlers = {
  async init({ preferGpu }) {
    if (!wasmSimdSupported()) {
      // Downloading 2 MB that cannot compile would only end in a cryptic CompileError.
      const message = "this browser's WebAssembly has no SIMD, which the trainer needs (Chrome 91, Firefox 89, Safari 16.4 and later have it)";
      post({ type: 'error', where: 'load', unsupported: true, message });
      return;
    }
    // The trainer's module is only needed here, so only the worker downloads it, reporting
    // progress at most every 50 ms (a message per network chunk would flood the page).
    let last = 0;
    const response = await fetchWithProgress(assetUrl('trainerWasm'), BUILD.assets.trainerWasm.bytes, (loaded, total) => {
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
  /** A new run, or (`resume`: `{best, last, history}` of a saved run) the rest of one. */
  async start({ request, workers = 1, resume = null }) {
    const t0 = performance.now();
    stopReplicas();
    // Replicas only help the CPU engine (a GPU is one device, whoever drives it).
    const count = request.device === 'cpu' ? Math.max(1, Math.min(64, Math.floor(workers))) : 1;
    const summary = resume
      ? session.resume(request, count, resume.last ? new Uint8Array(resume.last) : null, new Uint8Array(resume.best), resume.history)
      : session.start(request, count);
    await startReplicas(summary.device === 'cpu' ? count - 1 : 0);
    summary.workers = summary.device === 'cpu' ? count : 1;
    post({ type: 'started', summary, ms: performance.now() - t0 });
    state = 'running';
    loop();
  },
  // ---- in a replica worker (started by a lead, see startReplicas)
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
  async 'look-inside'() {
    const bytes = await session.save();
    const examples = await session.examples(12);
    post({ type: 'inside', bytes, examples }, [bytes.buffer]);
  },
  /** One warm-up and one timed training step on each engine: `probe {times: {cpu, gpu}}`. */
  async probe() {
    const times = {};
    for (const engine of ['cpu', 'gpu']) {
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
  /** The memory a run with these settings needs (`key` is echoed so the page drops stale answers). */
  estimate({ key, request, workers }) {
    post({ type: 'estimate', key, estimate: session.memoryEstimate(request, workers) });
  },
  /** What this worker holds now (for the tests' leak check): Rust's heap, the GPU pool, the wasm memory. */
  memory() {
    post({ type: 'memory', usage: { ...session.memoryUsage(), wasmMemory: exports.memory.buffer.byteLength } });
  },
  /**
   * Testing hook: an uncaught error, as a crashing worker gives, or (`trap`) the error a trapping
   * module throws into the call that trapped. Either way the page must offer a restart.
   */
  'crash-for-test'({ trap = false }) {
    if (trap) throw new WebAssembly.RuntimeError('unreachable (a test asked for a trap)');
    setTimeout(() => {
      throw new Error('the training worker crashed (a test asked it to)');
    });
  },
};

const where = { init: 'load', probe: 'probe', 'load-csv': 'data', start: 'start', estimate: 'estimate', predict: 'predict', save: 'model', 'look-inside': 'model', 'load-model': 'model', 'self-test': 'self-test' };

self.onmessage = async ({ data }) => {
  const handler = handlers[data.type];
  if (!handler) {
    post({ type: 'error', where: 'worker', message: `unknown message ${data.type}` });
    return;
  }
  try {
    await handler(data);
  } catch (e) {
    if (!trapped(e)) post({ type: 'error', where: where[data.type] ?? 'worker', message: errorText(e) });
  }
};
