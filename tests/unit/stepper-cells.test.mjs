// The stepper's GRU and plain RNN without a browser: weights edited by gate letter (r, z, n; h)
// land in the right rows and travel in a link, and the class text reads its numbers from the run.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classText, ratioText, rowParts } from '../../www/stepper/explain-cells.js';
import { gatesOf } from '../../www/stepper/format.js';
import { applyWeightEdits, setWeight, weightEdits, weightRows } from '../../www/stepper/weights.js';

/** E inputs, H units, `rows` rows per unit, every weight numbered so a row is recognisable. */
function setup(E, H, rows) {
  const n = (len, start) => Array.from({ length: len }, (_, i) => start + i);
  return {
    weights: {
      input: E,
      hidden: H,
      weight_ih: n(rows * H * E, 0),
      weight_hh: n(rows * H * H, 1000),
      bias_ih: n(rows * H, 2000),
      bias_hh: Array(rows * H).fill(0.5),
    },
    h0: Array(H).fill(0),
    c0: Array(H).fill(0),
  };
}

test('the rows of each cell are read from the weights’ size', () => {
  assert.deepEqual(gatesOf(setup(2, 3, 4).weights), ['i', 'f', 'g', 'o']);
  assert.deepEqual(gatesOf(setup(2, 3, 3).weights), ['r', 'z', 'n']);
  assert.deepEqual(gatesOf(setup(2, 3, 1).weights), ['h']);
  const rows = weightRows(setup(2, 3, 3).weights);
  assert.deepEqual(
    rows.map(([name]) => name),
    ['r1', 'r2', 'r3', 'z1', 'z2', 'z3', 'n1', 'n2', 'n3'],
  );
  // z, unit 2 is row 1·3 + 1 = 4: inputs 8, 9; hidden 1012…1014; bias 2004 + 0.5.
  assert.deepEqual(rows[4][1], [8, 9, 1012, 1013, 1014, 2004.5]);
});

test('a GRU’s and an RNN’s edits go to their rows and round-trip through the link text', () => {
  const ref = setup(2, 3, 3);
  const gru = structuredClone(ref);
  setWeight(gru.weights, 'n', 2, 4, -7); // n, unit 3, hidden column 3: row 8, weight_hh[8·3 + 2]
  assert.equal(gru.weights.weight_hh[26], -7);
  setWeight(gru.weights, 'z', 0, 5, 1.5); // the bias: bias_ih moves so the sum is 1.5
  assert.equal(gru.weights.bias_ih[3] + gru.weights.bias_hh[3], 1.5);
  const text = weightEdits(gru, ref);
  assert.equal(text, 'z-0-5:1.5,n-2-4:-7');
  const back = structuredClone(ref);
  assert.deepEqual(applyWeightEdits(back, text), []);
  assert.deepEqual(back.weights, gru.weights);
  // An LSTM's letter on a GRU is refused, not written into some other row.
  assert.deepEqual(applyWeightEdits(back, 'f-0-0:9,h-0-0:9'), ['f-0-0:9', 'h-0-0:9']);
  const rnn = setup(1, 2, 1);
  assert.deepEqual(applyWeightEdits(rnn, 'h-1-3:4'), []);
  assert.equal(rnn.weights.bias_ih[1] + rnn.weights.bias_hh[1], 4);
});

test('the equations’ parts and the class text come from the weights and the run', () => {
  const s = setup(2, 2, 3);
  // z (block 1), unit 1 = row 3: W·x = 6·1 + 7·2, U·h = 1006·0.5 + 1007·(−1).
  const p = rowParts(s.weights, 1, 1, [1, 2], [0.5, -1]);
  assert.deepEqual(p, { wx: 20, uh: 503 - 1007, bx: 2003, bh: 0.5 });
  assert.equal(ratioText(0.42), '0.42');
  assert.equal(ratioText(3.14e-7), '3.1 × 10⁻⁷');
  assert.equal(ratioText(2e-12), '2.0 × 10⁻¹²');
  const run = {
    cell: 'gru',
    encoded: { tokens: ['a', 'b'], inputs: [[0], [1]] },
    steps: [
      { r: [0, 0], z: [0.2, 0.9], n: [0, 0], h: [0, 0] },
      { r: [0, 0], z: [0.4, 0.7], n: [0, 0], h: [0, 0] },
    ],
    gradient: [3e-5, 1.5],
  };
  const text = classText(/** @type {any} */ (run), 1);
  assert.match(text, /<b id="stepper-cell-reach">2\.0 × 10⁻⁵<\/b>/);
  assert.match(text, /<b id="stepper-cell-kept">0\.800<\/b>/);
  const rnn = { ...run, cell: 'rnn', steps: [{ h: [0.5] }, { h: [-1] }] };
  assert.match(classText(/** @type {any} */ (rnn), 0), /<b id="stepper-cell-slope">0\.375<\/b>/);
});
