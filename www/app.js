// Page shell: load the first view's wasm module, find a GPU, start each section. The trainer's
// much larger module is loaded by the training worker when the Trainer tab is opened.

import init, * as wasm from './pkg/lstm_lab_page.js';
import { BUILD, assetUrl, compileWasm, fetchWithProgress } from './assets.js';
import { setupTabs } from './tabs.js';
import { nameAdapter } from './adapter.js';
import { BlowupView } from './blowup.js';
import { StepperView } from './stepper.js';
import { GradFlowView } from './gradflow.js';
import { TrainerView } from './trainer.js';
import { InsideView } from './inside.js';
import { LinkState } from './urlstate.js';
import { Presenter } from './presenter.js';
import { setupExports } from './export.js';

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

/** Load the first view's module; on failure show why, with a button that tries again. */
async function loadModule() {
  const loadError = document.getElementById('app-load-error');
  for (;;) {
    appStatus.hidden = false;
    appStatus.textContent = 'Loading the WebAssembly module…';
    try {
      const response = await fetchWithProgress(assetUrl('pageWasm'), BUILD.assets.pageWasm.bytes, (loaded, total) => {
        appStatus.textContent = `Loading the WebAssembly module… ${kb(loaded)}${total ? ` of ${kb(total)}` : ''}`;
      });
      await init({ module_or_path: await compileWasm(response) });
      loadError.hidden = true;
      return;
    } catch (e) {
      appStatus.hidden = true;
      document.getElementById('app-load-error-text').textContent =
        `Could not load the page's WebAssembly module: ${e.message ?? e}. ` +
        (navigator.onLine === false ? 'This browser is offline. ' : '') +
        'Check the connection and try again.';
      loadError.hidden = false;
      document.body.dataset.loadError = 'true';
      await new Promise((retry) => document.getElementById('app-load-retry').addEventListener('click', retry, { once: true }));
      delete document.body.dataset.loadError;
    }
  }
}

const kb = (bytes) => `${Math.round(bytes / 1024).toLocaleString('en')} kB`;

/** In a built site (dist/), a service worker keeps the page working offline after one visit. */
function registerServiceWorker() {
  if (!BUILD.built || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url)).catch((e) => {
    console.warn(`no offline support: the service worker did not register (${e.message ?? e})`);
  });
}

async function main() {
  setupTabs();
  // Enter in a settings field must not submit (and reload) the page.
  for (const form of document.querySelectorAll('form')) form.addEventListener('submit', (e) => e.preventDefault());
  await loadModule();
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
    trainer: new TrainerView(gpu.status === 'ready', gpu.reason),
    inside: new InsideView(wasm),
  };
  globalThis.lstmLab = app;
  setupExports(app);
  await Promise.all([app.blowup.ready, app.gradflow.ready]);
  // The view a link asks for (see urlstate.js), then every later change goes into the address.
  const presenter = new Presenter();
  app.link = new LinkState(app, wasm, { presenter });
  presenter.link = app.link;
  if (location.search) await app.link.apply(new URLSearchParams(location.search));
  app.link.follow();
  // A link's settings may have started new runs: ready means they are on screen.
  await Promise.all([
    document.getElementById('blowup').dataset.busy === 'true' && app.blowup.schedule(),
    document.getElementById('stepper').dataset.gradflowBusy === 'true' && app.gradflow.schedule(),
  ]);
  appStatus.hidden = true;
  document.body.dataset.ready = 'true';
  performance.mark('lstm-lab:first-view-ready'); // read by scripts/bench-load.mjs
  // After the first view is up, so its caching never competes with the page's own downloads.
  registerServiceWorker();
}

main();
