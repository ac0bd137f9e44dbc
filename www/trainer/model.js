// @ts-check
// The trained (or loaded) model: predict any text, showing which words the model read; save
// it; load a model file; hand it to "Inside the model".

import { $ } from '../lib/dom.js';
import { saveFile } from '../lib/download.js';
import { int } from '../lib/format.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./protocol.js').Prediction} Prediction */
/** @typedef {import('./protocol.js').ModelInfo} ModelInfo */

const MODEL_FILE = 'lstm-lab-model.lstmlab';

/** @param {TrainerView} view */
export function predict(view) {
  const text = $('trainer-predict-text').value;
  if (!text.trim()) {
    $('trainer-prediction').textContent = 'Type some text first.';
    return;
  }
  view.send({ type: 'predict', text });
}

/**
 * The verdict, its probability as a meter, and the text's words: read, unknown or cut.
 * @param {TrainerView} view
 * @param {Prediction} p
 */
export function showPrediction(view, p) {
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
  view.bump();
}

/**
 * The model file the worker saved, downloaded.
 * @param {TrainerView} view
 * @param {Uint8Array} bytes
 */
export function saved(view, bytes) {
  saveFile(bytes, MODEL_FILE);
  $('trainer-model-status').textContent = `Saved ${MODEL_FILE} (${(bytes.byteLength / 1e6).toFixed(2)} MB).`;
  view.bump();
}

/**
 * The model file and its validation reviews, handed to "Inside the model" (which it opens).
 * @param {TrainerView} view
 * @param {Uint8Array} bytes
 * @param {unknown} examples
 */
export function handedInside(view, bytes, examples) {
  $('trainer-model-status').textContent = 'The model and its validation reviews are in “Inside the model”.';
  view.lookInside(bytes, 'the model from the Trainer tab', examples);
  location.hash = '#inside';
}

/**
 * A model file loaded (a file, or the kept run's): what it is, and it can predict now.
 * @param {TrainerView} view
 * @param {ModelInfo} i
 */
export function modelLoaded(view, i) {
  view.hasModel = true;
  view.clear('trainer-model-error');
  const accuracy =
    i.valid_accuracy != null ? `, validation accuracy ${i.valid_accuracy.toFixed(4)} (epoch ${i.epoch})` : '';
  $('trainer-model-status').textContent =
    `Loaded ${view.modelName}: vocabulary ${int.format(i.vocab)}, embedding ${i.embed}, hidden ${i.hidden}, ${i.maxlen} words per review${accuracy}.`;
  view.setState(view.state === 'running' || view.state === 'paused' ? view.state : 'ready');
  view.bump();
}

/**
 * A model file the worker could not read (or save).
 * @param {TrainerView} view
 * @param {string} message
 */
export function modelFailed(view, message) {
  view.fail(
    'trainer-model-error',
    `${view.modelName ?? 'Model'}: ${message}.${view.hasModel ? ' The current model is still loaded.' : ''}`,
  );
}
