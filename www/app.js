// @ts-check
// Page shell: load the first view's wasm module, find a GPU, start each section and wire them
// together (a view never imports another: what one hands to another goes through here). The
// trainer's much larger module is loaded by the training worker when the Trainer tab is opened.

import { BlowupView } from './blowup/view.js';
import { Presenter } from './classroom/presenter.js';
import { LinkState } from './classroom/urlstate.js';
import { setupExports } from './export/menu.js';
import { InsideView } from './inside/view.js';
import { Lessons } from './lessons/launcher.js';
import { nameAdapter } from './lib/adapter.js';
import { assetUrl, BUILD, compileWasm, fetchWithProgress, keepPageModule } from './lib/assets.js';
import { $ } from './lib/dom.js';
import { setupOffline } from './lib/offline.js';
import init, * as wasm from './lib/page-wasm.js';
import { setupTabs } from './lib/tabs.js';
import { registerServiceWorker } from './lib/update.js';
import { GradFlowView } from './stepper/gradflow.js';
import { StepperView } from './stepper/view.js';
import { TrainerView } from './trainer/view.js';

/** @typedef {import('./lib/page-wasm.js').GpuReport} GpuReport */

const appStatus = $('app-status');
const panicBanner = $('panic-banner');
const adapterStatus = $('adapter-status');

/** @param {string} message */
function showProblem(message) {
  panicBanner.textContent = message;
  panicBanner.hidden = false;
}

// A Rust panic is a bug in LSTM Lab; the module calls this before the panic unwinds into JS.
globalThis.lstmLabPanic = (message) =>
  showProblem(`Internal error (please report it): ${message}. Reload the page to start again.`);
window.addEventListener('unhandledrejection', (e) => showProblem(`Unexpected error: ${e.reason?.message ?? e.reason}`));

/**
 * Ask for WebGPU; resolve to {status: 'ready', adapter, float} or {status: 'unavailable', reason}.
 * @param {wasm.BlowupLab} lab
 * @returns {Promise<GpuReport>}
 */
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

/** @param {GpuReport} gpu */
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
  const loadError = $('app-load-error');
  for (;;) {
    appStatus.hidden = false;
    appStatus.textContent = 'Loading the WebAssembly module…';
    try {
      const response = await fetchWithProgress(assetUrl('pageWasm'), BUILD.assets.pageWasm.bytes, (loaded, total) => {
        appStatus.textContent = `Loading the WebAssembly module… ${kb(loaded)}${total ? ` of ${kb(total)}` : ''}`;
      });
      const module = await compileWasm(response);
      await init({ module_or_path: module });
      keepPageModule(module);
      loadError.hidden = true;
      return;
    } catch (e) {
      appStatus.hidden = true;
      $('app-load-error-text').textContent =
        `Could not load the page's WebAssembly module: ${e.message ?? e}. ` +
        (navigator.onLine === false ? 'This browser is offline. ' : '') +
        'Check the connection and try again.';
      loadError.hidden = false;
      document.body.dataset.loadError = 'true';
      await new Promise((retry) => $('app-load-retry').addEventListener('click', retry, { once: true }));
      delete document.body.dataset.loadError;
    }
  }
}

/** @param {number} bytes */
const kb = (bytes) => `${Math.round(bytes / 1024).toLocaleString('en')} kB`;

async function main() {
  setupTabs();
  // Enter in a settings field must not submit (and reload) the page.
  for (const form of document.querySelectorAll('form')) form.addEventListener('submit', (e) => e.preventDefault());
  await loadModule();
  $('app-version').textContent = wasm.version();
  appStatus.textContent = 'Looking for a GPU…';
  const lab = new wasm.BlowupLab();
  const gpu = await findGpu(lab);
  if (gpu.status === 'ready') await nameAdapter(gpu.adapter);
  showAdapter(gpu);
  const blowup = new BlowupView(lab, gpu);
  const stepper = new StepperView(wasm);
  const gradflow = new GradFlowView(wasm);
  // The Trainer hands its model to Inside the model ("Look inside →"), which hands a review to
  // the Cell stepper ("Step this review").
  /** @type {InsideView} */
  let inside = null;
  const trainer = new TrainerView({
    gpuAvailable: gpu.status === 'ready',
    gpuReason: gpu.reason,
    schema: wasm.runSettings(),
    check: (form) => wasm.runFromForm(form),
    arch: { parse: (name) => wasm.parseArch(name), describe: (arch) => wasm.describeArch(arch) },
    lookInside: (bytes, source, examples, focus, sample) => inside.loadBytes(bytes, source, examples, focus, sample),
  });
  inside = new InsideView(wasm, { openStepper: (setup, options) => stepper.loadSetup(setup, options) });
  /** @type {LinkState | null} */
  const link = null;
  /** @type {Lessons | null} */
  const lessonsPart = null;
  const app = { gpu, blowup, stepper, gradflow, trainer, inside, link, lessons: lessonsPart };
  globalThis.lstmLab = app; // for the browser tests and the benchmarks
  setupExports([blowup, stepper, gradflow, trainer, inside]);
  await Promise.all([app.blowup.ready, app.gradflow.ready]);
  // The view a link asks for (see classroom/urlstate.js), then every later change goes into the address.
  const presenter = new Presenter({ stepper });
  const lessons = new Lessons(app);
  app.link = new LinkState(app, wasm, { presenter, lessons });
  presenter.link = app.link;
  app.lessons = lessons;
  lessons.remember(new URLSearchParams(location.search));
  if (location.search) await app.link.apply(new URLSearchParams(location.search));
  app.link.follow();
  // A link's settings may have started new runs: ready means they are on screen.
  await Promise.all([
    $('blowup').dataset.busy === 'true' && app.blowup.schedule(),
    $('stepper').dataset.gradflowBusy === 'true' && app.gradflow.schedule(),
  ]);
  appStatus.hidden = true;
  document.body.dataset.ready = 'true';
  performance.mark('lstm-lab:first-view-ready'); // read by scripts/bench-load.mjs
  // A lesson in the link (`?lesson=lessons/x.md&step=7`) opens over the view that is ready.
  lessons.start();
  // After the first view is up, so its caching never competes with the page's own downloads.
  // In a built site (dist/), a service worker keeps the page working offline after one visit.
  setupOffline(registerServiceWorker());
}

main();
