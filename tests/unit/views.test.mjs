// What the views compute without the page: the Cell stepper's equations and its sentence for
// screen readers, and the geometry and colours of Inside the model's heatmap.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bandColors, geometry, legendHtml, rangeOf } from '../../www/inside/heatmap.js';
import { announcement, equationsHtml, gateParts } from '../../www/stepper/explain.js';

/** One input, one unit: every weight 0.5 except the forget gate's bias 1. */
const weights = {
  input: 1,
  hidden: 1,
  weight_ih: [0.5, 0.5, 0.5, 0.5],
  weight_hh: [0.5, 0.5, 0.5, 0.5],
  bias_ih: [0, 1, 0, 0],
  bias_hh: [0, 0, 0, 0],
};
const step = {
  pre: { i: [0.6], f: [1.6], g: [0.6], o: [0.6] },
  act: { i: [0.646], f: [0.832], g: [0.537], o: [-0.4] },
  c: [0.5],
  h: [-0.0002],
  tanh_c: [0.462],
};

test('a gate’s pre-activation in its parts: W·x, U·h, b', () => {
  assert.deepEqual(gateParts(weights, 'f', 0, [1], [0.2]), { wx: 0.5, uh: 0.1, b: 1 });
  assert.deepEqual(gateParts(weights, 'i', 0, [-2], [0]), { wx: -1, uh: 0, b: 0 });
});

test('the equations show the numbers, −0.000 as 0.000, and the post’s cell when asked', () => {
  const html = equationsHtml({ step, prev: { c: [0.1], h: [0.2] }, x: [1], weights, t: 3, k: 0 });
  assert.ok(html.startsWith('<h3>Step 3, unit 1</h3>'));
  assert.match(
    html,
    /<var>f<\/var> = σ\(W·x \+ U·h \+ b\) = σ\(0\.500 \+ 0\.100 \+ 1\.000\) = σ\(1\.600\) = <b data-value="f">0\.832<\/b>/,
  );
  assert.match(html, /<b data-value="h">0\.000<\/b>/, 'a tiny negative shows as 0.000');
  assert.doesNotMatch(html, /the post/);
  const post = equationsHtml(
    { step, prev: { c: [0.1], h: [0.2] }, x: [1], weights, t: 3, k: 0 },
    { post: { act: { g: [0.646] }, c: [0.9] }, y: { pre: -0.3, y: 0 } },
  );
  assert.match(post, /\(the post: σ\(0\.600\) = 0\.646\)/);
  assert.match(post, /\(the post: 0\.900\)/);
  assert.match(post, /id="stepper-eq-y"/);
});

test('one sentence per step for screen readers: word or input, two decimals, the unit', () => {
  assert.equal(
    announcement(step, 3, 'france', 0),
    "Step 3, word 'france': i 0.65, f 0.83, g 0.54, o −0.40, c 0.50, h −0.00 (unit 1)",
  );
  assert.match(announcement(step, 1, '0.5', 0), /^Step 1, input '0\.5': /);
});

test('the heatmap: padding in a narrow band, words at equal width, rows sized to fit', () => {
  const g = geometry({ steps: 10, hidden: 4 }, 6, 800, false);
  const widths = g.columns.map((c) => c.w);
  assert.deepEqual(widths.slice(0, 6), [2, 2, 2, 2, 2, 2], 'padding 2 px each');
  assert.ok(
    widths.slice(6).every((w) => w === 28),
    'words as wide as allowed',
  );
  assert.equal(g.columns[6].x, g.left + 12, 'words start after the padding');
  assert.equal(g.ch, 8);
  assert.equal(g.labels, 64, 'columns wide enough to write the words');
  assert.equal(g.height, g.top + 8 * 4 + 2);
  const full = geometry({ steps: 10, hidden: 4 }, 6, 800, true);
  assert.ok(
    full.columns.every((c) => c.w === full.columns[0].w),
    'padding at full width',
  );
});

test('the heatmap’s colours: c scaled to its largest |c|, padding grey in the band', () => {
  const i = { name: 'i', label: 'input gate i', range: [0, 1], about: '' };
  const c = { name: 'c', label: 'cell state c', range: null, about: '' };
  assert.deepEqual(rangeOf(i, [0.2, 0.9]), [0, 1]);
  assert.deepEqual(rangeOf(c, [0.5, -3, 2]), [-3, 3]);
  const x = { steps: 3, word_contribution: [0.1, -0.5, 0.25] };
  const band = bandColors(x, 1);
  assert.deepEqual(band[0], [170, 170, 170]);
  assert.deepEqual(band[1], [214, 110, 20], 'the largest share against: full orange');
  assert.match(
    legendHtml(c, [-3, 3]),
    /^<b>cell state c<\/b>: .* −3\.00 · .* 0 · .* \+3\.00 \(scaled to the largest \|c\| of this review\)$/,
  );
});
