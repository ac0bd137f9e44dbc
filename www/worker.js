// The training worker. It owns the wasm TrainerSession and the training loop; the page sends
// typed messages and gets progress back, so the page never waits on the GPU.
//
// page → worker: init {preferGpu} · probe · load-csv {bytes, columns} · start {request} · pause · resume
//                · stop · predict {text} · save · load-model {bytes} · self-test
// worker → page: loading {loaded, total} · ready {device} · probe {times} · preview {preview, ms} · started {summary, ms} · progress {report, ms}
//                · paused · finished {report} · stopped {best} · prediction {prediction}
//                · saved {bytes} · model-loaded {info} · self-test {result} · error {where, message}
//                · panic {message}

import init, * as wasm from './pkg/lstm_lab_trainer.js';
import { nameAdapter } from './adapter.js';
import { BUILD, assetUrl, compileWasm, fetchWithProgress } from './assets.js';

const post = (message, transfer = []) => self.postMessage(message, transfer);
self.lstmLabPanic = (message) => post({ type: 'panic', message });

let session = null;
let state = 'idle'; // idle | running | paused | stopping
let looping = false;

const errorText = (e) => e?.message ?? String(e);

/** Let queued messages (pause, stop) in between steps. */
const yieldToMessages = () => new Promise((resume) => setTimeout(resume, 0));

async function loop() {
  if (looping) return;
  looping = true;
  try {
    while (state === 'running') {
      const t0 = performance.now();
      const report = await session.step();
      post({ type: 'progress', report, ms: performance.now() - t0 });
      if (report.kind === 'finished') {
        state = 'idle';
        post({ type: 'finished', report });
        return;
      }
      await yieldToMessages();
    }
    if (state === 'stopping') {
      const best = session.stop();
      state = 'idle';
      post({ type: 'stopped', best });
    } else if (state === 'paused') {
      post({ type: 'paused' });
    }
  } catch (e) {
    state = 'idle';
    post({ type: 'error', where: 'train', message: errorText(e), hasModel: session.hasModel() });
  } finally {
    looping = false;
  }
}

const handlers = {
  async init({ preferGpu }) {
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
    post({ type: 'loading', compiled: true });
    await init({ module_or_path: module });
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
      // When the columns were not found, send the file's header so the user can pick them.
      let headers = null;
      if (/^no (text|label) column/.test(errorText(e))) {
        try {
          headers = wasm.csvHeaders(data);
        } catch {
          headers = null;
        }
      }
      post({ type: 'error', where: 'data', message: errorText(e), headers });
      return;
    }
    post({ type: 'preview', preview, ms: performance.now() - t0 });
  },
  start({ request }) {
    const t0 = performance.now();
    const summary = session.start(request);
    post({ type: 'started', summary, ms: performance.now() - t0 });
    state = 'running';
    loop();
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
};

const where = { init: 'load', probe: 'probe', 'load-csv': 'data', start: 'train', predict: 'predict', save: 'model', 'load-model': 'model', 'self-test': 'self-test' };

self.onmessage = async ({ data }) => {
  const handler = handlers[data.type];
  if (!handler) {
    post({ type: 'error', where: 'worker', message: `unknown message ${data.type}` });
    return;
  }
  try {
    await handler(data);
  } catch (e) {
    post({ type: 'error', where: where[data.type] ?? 'worker', message: errorText(e) });
  }
};
