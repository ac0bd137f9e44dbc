// @ts-check
// Every control of the Trainer tab and what it does. Wired with the first view, so a link's
// settings and a user's first click are never missed; what a control starts runs in the parts
// (parts.js), loaded with the tab (`view.later`).

import { $ } from '../lib/dom.js';
import { modelFileProblem } from '../lib/filecheck.js';
import { applySettings } from './settings.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {Event & { target: HTMLInputElement }} InputEvent */

/** @param {TrainerView} view */
export function wireControls(view) {
  // The trainer's module.
  $('trainer-module-retry').addEventListener('click', () => view.boot());

  // Data in: a file chosen or dropped, the sample, the columns.
  $('trainer-file').addEventListener('change', (/** @type {InputEvent} */ e) => {
    const file = e.target.files[0];
    if (file) view.later((p) => p.readFile(view, file));
  });
  const drop = $('trainer-drop');
  drop.addEventListener('dragover', (/** @type {DragEvent} */ e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (/** @type {DragEvent} */ e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) view.later((p) => p.readFile(view, file));
  });
  $('trainer-sample').addEventListener('click', () => view.loadSample());
  // The data check's option: the check runs again with it (and Start uses it).
  $('trainer-drop-duplicates').addEventListener('change', () => view.scheduleEstimate());
  /**
   * The columns chosen in two selects.
   * @param {string} text
   * @param {string} label
   */
  const columns = (text, label) => ({ text: $(text).value, label: $(label).value });
  // Columns of the loaded file, or of a file whose columns were not found.
  for (const id of ['trainer-text-column', 'trainer-label-column']) {
    $(id).addEventListener('change', () => {
      if (!view.loaded) return;
      const chosen = { ...columns('trainer-text-column', 'trainer-label-column'), no_header: view.loadedNoHeader };
      view.later((p) => p.parse(view, view.loaded, chosen));
    });
  }
  $('trainer-choose-apply').addEventListener('click', () => {
    const chosen = {
      ...columns('trainer-choose-text', 'trainer-choose-label'),
      no_header: $('trainer-choose-no-header').checked,
    };
    view.later((p) => p.parse(view, view.pending, chosen));
  });
  $('trainer-choose-no-header').addEventListener('change', (/** @type {InputEvent} */ e) => {
    const noHeader = e.target.checked;
    view.later((p) => p.chooseColumns(view, view.firstRow, { noHeader }));
  });

  // Settings, and the memory they need (estimated once the worker is up).
  for (const preset of ['post', 'quick', 'lesson']) {
    $(`trainer-preset-${preset}`).addEventListener('click', () => applySettings(view, view.presets[preset]));
  }
  for (const name of [...view.schema.fields.map((f) => f.field), 'device', 'kernel']) {
    for (const event of ['input', 'change'])
      $(`trainer-${name}`).addEventListener(event, () => view.scheduleEstimate());
  }
  // The engine: a user's choice (or a link's) is kept over the timing's.
  $('trainer-device').addEventListener('change', () => {
    view.deviceChosenByUser = true;
    view.setState(view.state);
  });
  $('trainer-engine-remeasure').addEventListener('click', () => view.later((p) => p.probeEngines(view, true)));

  // The run.
  $('trainer-start').addEventListener('click', () => view.start());
  $('trainer-pause').addEventListener('click', () => view.later((p) => p.togglePause(view)));
  $('trainer-stop').addEventListener('click', () => {
    view.send({ type: 'stop' });
    $('trainer-status').textContent = 'Stopping after the current step…';
  });

  // The model: predict, save, look inside, load.
  $('trainer-predict').addEventListener('click', () => view.later((p) => p.predict(view)));
  $('trainer-predict-text').addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) view.later((p) => p.predict(view));
  });
  $('trainer-save').addEventListener('click', () => view.send({ type: 'save' }));
  // The same bytes, handed to the "Inside the model" tab instead of downloaded.
  $('trainer-inside').addEventListener('click', () => {
    $('trainer-model-status').textContent = 'Scoring the validation reviews for “Inside the model”…';
    view.send({ type: 'look-inside' });
  });
  $('trainer-load').addEventListener('change', async (/** @type {InputEvent} */ e) => {
    const file = e.target.files[0];
    if (!file) return;
    e.target.value = '';
    // The header's declared shapes against the file's size, before the file is read.
    const problem = await modelFileProblem(file);
    if (problem) {
      view.fail('trainer-model-error', `${file.name}: ${problem}.`);
      return;
    }
    view.modelName = file.name;
    view.send({ type: 'load-model', bytes: await file.arrayBuffer() });
  });

  // A crashed worker, and the last run kept in this browser.
  $('trainer-restart').addEventListener('click', () => view.later((p) => p.restart(view)));
  $('trainer-restore-model').addEventListener('click', () => view.later((p) => p.restoreModel(view)));
  $('trainer-restore-resume').addEventListener('click', () => view.later((p) => p.resumeSaved(view)));
  $('trainer-restore-discard').addEventListener('click', () => view.later((p) => p.discardSaved(view)));
}
