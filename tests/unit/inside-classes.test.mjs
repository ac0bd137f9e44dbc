// Inside the model's class helpers: the verdict in class names, the reviews' predicted class
// (derived for the shipped list, which predates classes), PyTorch's files picked together.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colourKey, exampleOption, pickTorchFiles, predictedOf, verdictHtml } from '../../www/inside/classes.js';

const fmt = (/** @type {number} */ v) => v.toFixed(3);
const strip = (/** @type {string} */ html) => html.replace(/<[^>]+>/g, '');

test('two classes: the post verdict, with the class names', () => {
  const x = { probability: 0.25, logit: -1.0986, class: 1, probabilities: [0.75, 0.25], predicted: 0 };
  assert.equal(
    strip(verdictHtml(x, ['negative', 'positive'], null, fmt)),
    'negative · P(positive) = 0.2500 · logit -1.099',
  );
  assert.equal(
    strip(verdictHtml(x, ['ham', 'spam'], 'spam', fmt)),
    'ham · P(spam) = 0.2500 · logit -1.099 · truly spam (the model is wrong)',
  );
  assert.equal(strip(verdictHtml(x, ['ham', 'spam'], 'ham', fmt)), 'ham · P(spam) = 0.2500 · logit -1.099 · truly ham');
});

test('more classes: the predicted one, and whose logit is split', () => {
  const x = { probability: 0.2, logit: 0.5, class: 0, probabilities: [0.2, 0.7, 0.1], predicted: 1 };
  assert.equal(
    strip(verdictHtml(x, ['neg', 'neutral', 'pos'], 'neg', fmt)),
    "neutral · P(neutral) = 0.7000 · the shares below are of neg's logit 0.500 (P = 0.2000) · truly neg (the model is wrong)",
  );
  assert.match(verdictHtml(x, ['<b>', 'x', 'y'], null, fmt), /&lt;b&gt;/, 'names are escaped');
});

test('listed reviews say their true and predicted class', () => {
  const shipped = { text: 'a  fine<br />film', probability: 0.62, label: 'negative' };
  assert.equal(predictedOf(shipped, ['negative', 'positive']), 'positive');
  assert.equal(predictedOf({ ...shipped, probability: 0.49 }, ['negative', 'positive']), 'negative');
  assert.equal(
    exampleOption(shipped, ['negative', 'positive']),
    'positive (P(positive) 0.620), truly negative: a fine film…',
  );
  const k = { text: 'meh', probability: 0.5, label: '3', predicted: '4' };
  assert.equal(exampleOption(k, ['1', '2', '3', '4', '5']), '4 (P(4) 0.500), truly 3: meh…');
});

test('PyTorch files: model and vocab, labels.json optional, anything else named', () => {
  const f = (/** @type {string} */ name) => ({ name });
  const two = pickTorchFiles([f('vocab.json'), f('model.safetensors')]);
  assert.deepEqual(two, { model: f('model.safetensors'), vocab: f('vocab.json'), labels: null });
  const three = pickTorchFiles([f('labels.json'), f('vocab.json'), f('m.safetensors')]);
  assert.deepEqual(three, { model: f('m.safetensors'), vocab: f('vocab.json'), labels: f('labels.json') });
  for (const files of [
    [f('vocab.json')],
    [f('labels.json'), f('m.safetensors')],
    [f('a.json'), f('b.json'), f('m.safetensors')],
  ]) {
    const picked = pickTorchFiles(files);
    assert.ok('error' in picked);
    assert.match(picked.error, /^Pick the files at once: .*\(got .*\)\.$/);
  }
});

test("the colours' key names the classes", () => {
  assert.equal(
    colourKey({ class: 1 }, ['negative', 'positive']),
    'Blue pushes towards positive, orange towards negative',
  );
  assert.equal(colourKey({ class: 2 }, ['a', 'b', 'c']), "Blue raises c's logit, orange lowers it");
});
