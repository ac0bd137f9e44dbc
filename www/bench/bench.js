// Training-step benchmark, driven by scripts/bench.mjs (or by hand from the console).
// The same model everywhere: Embedding(3000, 100) → LSTM(100) → [mean ‖ max over time] →
// Dense(1), binary cross-entropy on the logit, Adam(1e-3).

import { nameAdapter } from '../lib/adapter.js';
import { assetUrl } from '../lib/assets.js';
import init, * as wasm from '../trainer/wasm.js';

const VOCAB = 3000;
const EMBED = 100;
const HIDDEN = 100;
const log = (line) => {
  document.getElementById('bench-log').textContent += `${line}\n`;
};

// Count every compute dispatch the page issues, whoever issues it.
let dispatches = 0;
const pass = globalThis.GPUComputePassEncoder?.prototype;
if (pass) {
  for (const name of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
    const original = pass[name];
    pass[name] = function (...args) {
      dispatches += 1;
      return original.apply(this, args);
    };
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Time `steps` calls of `step` after one warm-up call (pipeline compilation). */
async function timeSteps(step, steps, budgetMs) {
  dispatches = 0;
  let t0 = performance.now();
  await step();
  const warmupMs = performance.now() - t0;
  if (warmupMs * (steps + 1) > budgetMs) {
    return {
      skipped: `the warm-up step took ${(warmupMs / 1000).toFixed(1)} s; ${steps} more would pass the ${budgetMs / 1000} s budget`,
      warmupMs,
    };
  }
  const times = [];
  let perStep = 0;
  for (let i = 0; i < steps; i++) {
    dispatches = 0;
    t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
    perStep = dispatches;
  }
  return { warmupMs, times, medianMs: median(times), dispatchesPerStep: pass ? perStep : null };
}

let session = null;
let adapter = null;

async function lstmLabSession() {
  if (!session) {
    await init({ module_or_path: assetUrl('trainerWasm') });
    session = await wasm.TrainerSession.create(true);
    const status = session.deviceStatus();
    if (!status.gpu) throw new Error(`no WebGPU for LSTM Lab: ${status.reason}`);
    await nameAdapter(status.gpu);
    adapter = `${status.gpu.name} (${status.gpu.backend})`;
  }
  return session;
}

/** Reviews of `words` random tokens from 5000 possible words, so the vocabulary fills up. */
function syntheticCsv(rows, words) {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const lines = ['review,sentiment'];
  for (let r = 0; r < rows; r++) {
    const text = Array.from({ length: words }, () => `w${next() % 5000}`).join(' ');
    lines.push(`${text},${r % 2 ? 'positive' : 'negative'}`);
  }
  return new TextEncoder().encode(lines.join('\n'));
}

async function benchLstmLab(impl, batch, seq, steps, budgetMs) {
  const s = await lstmLabSession();
  s.loadCsv(syntheticCsv(batch * (steps + 3), seq), null);
  s.start({
    data: { vocab: VOCAB, maxlen: seq, train_fraction: 0.99, seed: 1 },
    train: { embed: EMBED, hidden: HIDDEN, batch, lr: 1e-3, epochs: 1, seed: 1, kernel: impl },
    engine: 'gpu',
    workers: 1,
  });
  return timeSteps(() => s.step(), steps, budgetMs);
}

/**
 * The Trainer's CPU path as the page runs it: the training worker (www/trainer/worker.js) with
 * `workers` workers (1: the worker alone; more: it starts replicas and shards each batch). Times
 * are the worker's own per-step times, reported with each step.
 */
async function benchCpuWorkers(kernel, workers, batch, seq, steps, budgetMs, arch = {}) {
  const worker = new Worker(new URL('../trainer/worker.js', import.meta.url), { type: 'module' });
  const inbox = [];
  let wake = null;
  worker.onmessage = ({ data }) => {
    inbox.push(data);
    wake?.();
  };
  const next = async (type) => {
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const [m] = inbox.splice(i, 1);
        if (m.type === 'error') throw new Error(`${m.where}: ${m.message}`);
        return m;
      }
      await new Promise((resolve) => (wake = resolve));
    }
  };
  try {
    worker.postMessage({ type: 'init', preferGpu: false });
    await next('ready');
    const bytes = syntheticCsv(batch * (steps + 3), seq);
    worker.postMessage({ type: 'load-csv', bytes: bytes.buffer, columns: null }, [bytes.buffer]);
    await next('preview');
    worker.postMessage({
      type: 'start',
      settings: {
        data: { vocab: VOCAB, maxlen: seq, train_fraction: 0.99, seed: 1 },
        train: { embed: EMBED, hidden: HIDDEN, batch, lr: 1e-3, epochs: 1, seed: 1, kernel, arch },
        engine: 'cpu',
        workers,
      },
    });
    await next('started');
    const warmupMs = (await next('progress')).ms;
    if (warmupMs * (steps + 1) > budgetMs) {
      return {
        skipped: `the warm-up step took ${(warmupMs / 1000).toFixed(1)} s; ${steps} more would pass the ${budgetMs / 1000} s budget`,
        warmupMs,
      };
    }
    const times = [];
    while (times.length < steps) times.push((await next('progress')).ms);
    return { warmupMs, times, medianMs: median(times), dispatchesPerStep: null };
  } finally {
    worker.terminate();
  }
}

async function benchTfjs(backend, batch, seq, steps, budgetMs) {
  const tf = globalThis.tf;
  if (backend === 'wasm') tf.wasm.setWasmPaths(new URL('../vendor/tfjs/', import.meta.url).href);
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js has no ${backend} backend here`);
  await tf.ready();
  if (backend === 'webgpu') adapter ??= 'WebGPU';
  const input = tf.input({ shape: [seq], dtype: 'int32' });
  // TF.js's wasm backend has no UnsortedSegmentSum, the embedding's gradient: there the
  // embedding is frozen, which spares TF.js that work (noted in the results).
  const embedded = tf.layers
    .embedding({ inputDim: VOCAB, outputDim: EMBED, trainable: backend !== 'wasm' })
    .apply(input);
  // Keras' default recurrent activation is hard-sigmoid; the post's LSTM uses the sigmoid.
  const sequence = tf.layers
    .lstm({ units: HIDDEN, returnSequences: true, recurrentActivation: 'sigmoid' })
    .apply(embedded);
  const pooled = tf.layers
    .concatenate()
    .apply([tf.layers.globalAveragePooling1d().apply(sequence), tf.layers.globalMaxPooling1d().apply(sequence)]);
  const logit = tf.layers.dense({ units: 1 }).apply(pooled);
  const model = tf.model({ inputs: input, outputs: logit });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: (y, z) => tf.losses.sigmoidCrossEntropy(y, z) });
  const x = tf.randomUniform([batch, seq], 0, VOCAB, 'int32');
  const y = tf.cast(tf.randomUniform([batch, 1], 0, 2, 'int32'), 'float32');
  try {
    // trainOnBatch resolves after reading the loss back: a full step, like LSTM Lab's.
    return await timeSteps(() => model.trainOnBatch(x, y), steps, budgetMs);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

/**
 * One measurement. impl: fused | reference (WebGPU) | cpu | cpu-reference (the fused CPU LSTM or
 * burn's ops, in the training worker, one worker) | cpu-gru | cpu-rnn (the same model with the
 * fused CPU GRU or plain RNN in the LSTM's place, one worker) | cpu-workers (fused, one worker per
 * core) | tfjs-webgpu | tfjs-wasm.
 */
globalThis.runBench = async ({ impl, batch, seq, steps = 5, budgetMs = 600_000 }) => {
  log(`${impl} ${batch}×${seq}: running…`);
  const cores = navigator.hardwareConcurrency || 1;
  const result =
    impl === 'fused' || impl === 'reference'
      ? await benchLstmLab(impl, batch, seq, steps, budgetMs)
      : impl === 'cpu'
        ? await benchCpuWorkers('fused', 1, batch, seq, steps, budgetMs)
        : impl === 'cpu-reference'
          ? await benchCpuWorkers('reference', 1, batch, seq, steps, budgetMs)
          : impl === 'cpu-gru' || impl === 'cpu-rnn'
            ? await benchCpuWorkers('fused', 1, batch, seq, steps, budgetMs, { cell: impl.slice(4) })
            : impl === 'cpu-workers'
              ? await benchCpuWorkers('fused', cores, batch, seq, steps, budgetMs)
              : await benchTfjs(impl.replace('tfjs-', ''), batch, seq, steps, budgetMs);
  if (impl === 'cpu-workers') result.note = `${cores} workers`;
  const out = { impl, batch, seq, steps, adapter, ...result };
  if (impl === 'tfjs-wasm') out.note = 'embedding frozen (no UnsortedSegmentSum kernel in the wasm backend)';
  if (!result.skipped) {
    out.reviewsPerSecond = (batch * 1000) / result.medianMs;
    if (impl === 'tfjs-wasm' || impl.startsWith('cpu')) out.dispatchesPerStep = null; // on the CPU: nothing to count
    out.dispatchesPerTimeStep = out.dispatchesPerStep == null ? null : out.dispatchesPerStep / seq;
  }
  log(JSON.stringify(out));
  return out;
};

/**
 * Read and tokenise a whole CSV as the Trainer does (e.g. the 66 MB IMDB file, gzipped), `runs`
 * times, on a CPU session (no WebGPU needed): `loadCsv` (what the page shows as "read in"),
 * `start` with the post's data settings (split, fit, encode, and a CPU model), and the trainer's
 * own clock over each stage (`dataStages`: unpack, parse, preview, the data check, split + fit +
 * encode). Medians.
 */
globalThis.runDataBench = async (url, runs = 3) => {
  await init({ module_or_path: assetUrl('trainerWasm') });
  const s = await wasm.TrainerSession.create(false);
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const data = { vocab: VOCAB, maxlen: 128, train_fraction: 0.5, seed: 1 };
  const samples = [];
  let preview = null;
  let summary = null;
  for (let r = 0; r < runs; r++) {
    let t0 = performance.now();
    preview = s.loadCsv(bytes, null);
    const readMs = performance.now() - t0;
    t0 = performance.now();
    summary = s.start({
      data,
      train: { embed: EMBED, hidden: HIDDEN, batch: 128, lr: 1e-3, epochs: 5, seed: 1, kernel: 'fused' },
      engine: 'cpu',
      workers: 1,
    });
    const prepareMs = performance.now() - t0;
    samples.push({ readMs, prepareMs, ...wasm.dataStages(bytes, data) });
  }
  const out = {
    url,
    bytes: bytes.length,
    rows: preview.rows,
    runs,
    train: summary.train_rows,
    valid: summary.valid_rows,
  };
  for (const key of Object.keys(samples[0])) {
    if (typeof samples[0][key] === 'number') out[key] = median(samples.map((x) => x[key]));
  }
  log(JSON.stringify(out));
  return out;
};

globalThis.benchReady = true;
