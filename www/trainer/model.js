// @ts-check
// The trained (or loaded) model: predict any text, showing which words the model read; save
// it; load a model file; hand it to "Inside the model".

import { $ } from '../lib/dom.js';
import { saveFile } from '../lib/download.js';
import { escapeHtml, int } from '../lib/format.js';

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
  $('trainer-prediction').innerHTML =
    `<p class="verdict">${predictionVerdict(p)}</p>${predictionBars(p)}` +
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

/** Classes shown as bars in a prediction over more than two classes. */
export const TOP_CLASSES = 5;

/**
 * The verdict line: the predicted class and its probability. Two classes: P(the positive class)
 * as the post shows it, whichever class won.
 * @param {Prediction} p
 */
export function predictionVerdict(p) {
  const label = `<span id="trainer-label" class="label-${escapeHtml(p.label)}">${escapeHtml(p.label)}</span>`;
  const shown = p.classes.length === 2 ? positiveClass(p) : p.label;
  return `${label} — P(${escapeHtml(shown)}) = <span id="trainer-probability">${p.probability.toFixed(4)}</span>`;
}

/**
 * The positive class of a two-class prediction (the one `probability` is of).
 * @param {Prediction} p
 */
function positiveClass(p) {
  // `probability` is P(positive): the predicted class is the positive one when it is ≥ 0.5.
  const other = p.classes.find((c) => c.class !== p.label)?.class ?? '';
  return p.probability >= 0.5 ? p.label : other;
}

/**
 * Two classes: one meter, P(positive) between the two names. More: a bar per top class.
 * @param {Prediction} p
 */
export function predictionBars(p) {
  if (p.classes.length === 2) {
    const positive = positiveClass(p);
    const negative = p.classes.find((c) => c.class !== positive)?.class ?? '';
    const pct = (p.probability * 100).toFixed(1);
    return (
      `<div class="meter" role="img" aria-label="${pct} % ${escapeHtml(positive)}"><div style="width:${pct}%"></div></div>` +
      `<p class="hint meter-ends"><span>${escapeHtml(negative)}</span> <span>${escapeHtml(positive)}</span></p>`
    );
  }
  const top = p.classes.slice(0, TOP_CLASSES);
  const rest = p.classes.length - top.length;
  const rows = top
    .map((c) => {
      const pct = (c.probability * 100).toFixed(1);
      return (
        `<li><span class="class-name">${escapeHtml(c.class)}</span>` +
        `<span class="meter" role="img" aria-label="${pct} %"><span style="width:${pct}%"></span></span> <span>${pct} %</span></li>`
      );
    })
    .join('');
  return (
    `<ol id="trainer-top-classes" class="top-classes" aria-label="The most probable classes">${rows}</ol>` +
    (rest > 0
      ? `<p class="hint">and ${rest} more class${rest === 1 ? '' : 'es'} below ${(top[top.length - 1].probability * 100).toFixed(1)} %</p>`
      : '')
  );
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
 * @param {import('./protocol.js').InsideFocus} [focus]  a text to open there (a confusion cell's)
 * @param {Uint8Array} [sample]  1,000 validation reviews, tokenised, for gate surgery's accuracy
 */
export function handedInside(view, bytes, examples, focus, sample) {
  $('trainer-model-status').textContent = 'The model and its validation reviews are in “Inside the model”.';
  view.lookInside(bytes, 'the model from the Trainer tab', examples, focus, sample);
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
    `Loaded ${view.modelName}: vocabulary ${int.format(i.vocab)}, embedding ${i.embed}, hidden ${i.hidden}, ${i.maxlen} words per review${accuracy}; ` +
    `${i.classes.length} classes: ${i.classes.join(', ')}.`;
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
