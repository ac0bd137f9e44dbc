// @ts-check
// Inside the model for any number of classes: the verdict in the model's class names, the
// validation reviews' true and predicted classes, and PyTorch's files picked together (the
// model, vocab.json and, for named classes, labels.json). Pure functions (tests/unit/).

import { escapeHtml } from '../lib/format.js';

/**
 * The class a listed review was predicted as: its `predicted`, or — in the shipped model's list,
 * written before classes — from P(positive class) as a two-class model decides (≥ 0.5).
 * @param {{ probability: number, predicted?: string }} example
 * @param {string[]} classes  by class id; with two, the second is the positive one
 */
export function predictedOf(example, classes) {
  if (example.predicted != null) return example.predicted;
  return example.probability >= 0.5 ? classes[1] : classes[0];
}

/**
 * A listed review as its option reads: `pos (P(pos) 0.912), truly neg: the first words…`.
 * @param {{ text: string, probability: number, label: string, predicted?: string }} example
 * @param {string[]} classes
 */
export function exampleOption(example, classes) {
  const words = example.text
    .replace(/<br\s*\/?>/g, ' ')
    .split(/\s+/)
    .slice(0, 9)
    .join(' ');
  const predicted = predictedOf(example, classes);
  // Two classes: the probability is P(positive class); more: the predicted class's.
  const of = classes.length === 2 ? classes[1] : predicted;
  return `${predicted} (P(${of}) ${example.probability.toFixed(3)}), truly ${example.label}: ${words}…`;
}

/**
 * The verdict line. Two classes: `pos · P(pos) = 0.9123 · logit 2.345` as for the post's model;
 * more: the predicted class and its probability, then whose logit the shares below split.
 * `truth`: the review's true class, when it came from a list.
 * @param {{ probability: number, logit: number, class: number, probabilities: number[], predicted: number }} x
 * @param {string[]} classes
 * @param {string | null} truth
 * @param {(v: number) => string} fmt  how the page writes a logit
 */
export function verdictHtml(x, classes, truth, fmt) {
  const predicted = classes[x.predicted] ?? String(x.predicted);
  const span = (/** @type {string} */ name) => `<span class="label-${escapeHtml(name)}">${escapeHtml(name)}</span>`;
  const wrong = truth !== null && truth !== predicted ? ' (the model is wrong)' : '';
  const truly = truth !== null ? ` · truly ${span(truth)}${wrong}` : '';
  if (classes.length <= 2) {
    return `${span(predicted)} · P(${escapeHtml(classes[1] ?? 'positive')}) = ${x.probability.toFixed(4)} · logit ${fmt(x.logit)}${truly}`;
  }
  const split = classes[x.class] ?? String(x.class);
  return (
    `${span(predicted)} · P(${escapeHtml(predicted)}) = ${x.probabilities[x.predicted].toFixed(4)}` +
    ` · the shares below are of ${escapeHtml(split)}'s logit ${fmt(x.logit)} (P = ${x.probability.toFixed(4)})${truly}`
  );
}

/**
 * What the words' colours mean for the logit being split.
 * @param {{ class: number }} x
 * @param {string[]} classes
 */
export function colourKey(x, classes) {
  if (classes.length <= 2) {
    return `Blue pushes towards ${classes[1] ?? 'positive'}, orange towards ${classes[0] ?? 'negative'}`;
  }
  const name = classes[x.class] ?? String(x.class);
  return `Blue raises ${name}'s logit, orange lowers it`;
}

/**
 * PyTorch's files, picked together: a `.safetensors` model, `vocab.json` and optionally
 * `labels.json` (the class names by class id).
 * @template {{ name: string }} F
 * @param {F[]} files
 * @returns {{ model: F, vocab: F, labels: F | null } | { error: string }}
 */
export function pickTorchFiles(files) {
  const names = files.map((f) => f.name).join(', ');
  const model = files.filter((f) => f.name.endsWith('.safetensors'));
  const labels = files.filter((f) => /(^|[^a-z])labels\.json$/i.test(f.name));
  const vocab = files.filter((f) => f.name.endsWith('.json') && !labels.includes(f));
  if (files.length > 3 || model.length !== 1 || vocab.length !== 1 || labels.length > 1) {
    return {
      error: `Pick the files at once: a .safetensors file, vocab.json and, for a model with named classes, labels.json (got ${names}).`,
    };
  }
  return { model: model[0], vocab: vocab[0], labels: labels[0] ?? null };
}
