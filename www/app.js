// Page shell: load the wasm module, find a GPU, start each section.

import init, * as wasm from './pkg/lstm_lab.js';
import { setupTabs } from './tabs.js';
import { nameAdapter } from './adapter.js';
import { BlowupView } from './blowup.js';
import { StepperView } from './stepper.js';
import { GradFlowView } from './gradflow.js';
import { TrainerView } from './trainer.js';

const appStatus = document.getElementById('app-status');
const panicBanner = document.getElementById('panic-banner');
const adapterStatus = document.getElementById('adapter-status');

function showProblem(message) {
  panicBanner.textContent = message;
  panicBanner.hidden = false;
}

// A Rust panic is a bug in LSTM Lab; the module calls this before the panic unwinds into JS.
globalThis.lstmLabPanic = (message) =>
  showProblem(`Internal error (please report it): ${message}. Reload the page to start again.`);
window.addEventListener('unhandledrejection', (e) => showProblem(`Unexpected error: ${e.reason?.message ?? e.reason}`));

/** Ask for WebGPU; resolve to {status: 'ready', adapter, float} or {status: 'unavailable', reason}. */
async function findGpu(lab) {
  if (!('gpu' in navigator)) {
    return { status: 'unavailable', reason: 'this browser offers no WebGPU (navigator.gpu is missing)' };
  }
  try {
    return await lab.initGpu();
  } catch (e) {
    return { status: 'unavailable', reason: String(e.message ?? e) };
  }
}

function showAdapter(gpu) {
  if (gpu.status === 'ready') {
    const a = gpu.adapter;
    adapterStatus.textContent = `GPU: ${a.name} (${a.backend})`;
    adapterStatus.title = `${a.device_type} · ${a.driver}`;
    adapterStatus.className = 'adapter gpu';
  } else {
    adapterStatus.textContent = `CPU fallback: ${gpu.reason}`;
    adapterStatus.className = 'adapter cpu';
  }
}

async function main() {
  setupTabs();
  // Compiled once here and handed to the training worker, which would otherwise fetch and
  // compile the same 30 MB again.
  let module;
  try {
    module = await WebAssembly.compileStreaming(fetch(new URL('./pkg/lstm_lab_bg.wasm', import.meta.url)));
    await init({ module_or_path: module });
  } catch (e) {
    appStatus.textContent = `Could not load the WebAssembly module: ${e.message ?? e}`;
    appStatus.classList.add('error');
    return;
  }
  document.getElementById('app-version').textContent = wasm.version();
  appStatus.textContent = 'Looking for a GPU…';
  const lab = new wasm.BlowupLab();
  const gpu = await findGpu(lab);
  if (gpu.status === 'ready') await nameAdapter(gpu.adapter);
  showAdapter(gpu);
  const app = {
    gpu,
    blowup: new BlowupView(lab, gpu),
    stepper: new StepperView(wasm),
    gradflow: new GradFlowView(wasm),
    trainer: new TrainerView(gpu.status === 'ready', module),
  };
  globalThis.lstmLab = app;
  await Promise.all([app.blowup.ready, app.gradflow.ready]);
  appStatus.hidden = true;
  document.body.dataset.ready = 'true';
}

main();
