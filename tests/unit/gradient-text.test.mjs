// The gradient view's text: ratios as people read them, and sentences whose numbers come from
// the values given (www/inside/gradient-text.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstOverLast, gradientSummary, ratioText } from '../../www/inside/gradient-text.js';

test('ratios: plain near 1, a power of ten far from it', () => {
  assert.equal(ratioText(0.4213), '0.42');
  assert.equal(ratioText(3.14), '3.1');
  assert.equal(ratioText(2.345e-6), '2.3 × 10⁻⁶');
  assert.equal(ratioText(1.5e12), '1.5 × 10¹²');
  assert.equal(ratioText(0.00999), '1.0 × 10⁻²');
  assert.equal(ratioText(0), '0');
});

const pooled = {
  label: 'the LSTM',
  cell: 'LSTM',
  readout: 'mean ‖ max pooling',
  first: 2,
  last: 5,
  all: [9, 9, 0.5, 0.6, 0.8, 1],
  recurrent: [9, 9, 1e-4, 1e-3, 0.1, 1],
};

test('one pooled model: the first word against the last, both ways, and the shortcut named', () => {
  assert.deepEqual(firstOverLast(pooled), { all: 0.5, recurrent: 1e-4 });
  assert.equal(
    gradientSummary([pooled]),
    'the LSTM (LSTM, mean ‖ max pooling): Through the recurrence only, the first of its 4 words has 1.0 × 10⁻⁴ of ' +
      "the last word's gradient; by every path it has 0.50: pooling hands each word a direct path to the verdict.",
  );
});

test('a last-state model has one path; two models are compared through the recurrence', () => {
  const rnn = {
    label: 'the RNN',
    cell: 'plain RNN',
    readout: 'last state',
    first: 0,
    last: 3,
    all: [2e-8, 1e-5, 0.01, 2],
    recurrent: [2e-8, 1e-5, 0.01, 2],
  };
  const text = gradientSummary([rnn, pooled]);
  assert.match(
    text,
    /^the RNN \(plain RNN, last state\): .* has 1\.0 × 10⁻⁸ of the last word's gradient; read at its last state/,
  );
  assert.match(text, /the first word keeps 1\.0 × 10⁴ times more of its gradient in the LSTM than in the RNN\.$/);
  const single = { ...pooled, first: 5 };
  assert.equal(firstOverLast(single), null);
  assert.match(gradientSummary([single]), /one word the model reads/);
  assert.match(gradientSummary([{ ...pooled, first: 6 }]), /none of the review's words is in the model's vocabulary/);
});
