// The Classes panel's pure parts: how a value finds its class (as src/data/labels.rs does), the
// label choice each edit makes, the dropped classes listed, and the counts line.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allClasses,
  classOfValue,
  countsLine,
  sameChoice,
  withFoldCase,
  withTrained,
  withValueClass,
} from '../../www/trainer/classes.js';

const NONE = { fold_case: false, merge: [], drop: [], positive: null };

test('a value trains as itself, its merge target, or its folded self', () => {
  assert.equal(classOfValue(NONE, 'Pos'), 'Pos');
  assert.equal(classOfValue({ ...NONE, fold_case: true }, 'Pos'), 'pos');
  assert.equal(classOfValue({ ...NONE, merge: [['meh', ' neutral ']] }, 'meh'), 'neutral');
  // Merge keys are folded values: "MEH" finds "meh" only when case is folded.
  const folded = { ...NONE, fold_case: true, merge: [['meh', 'neutral']] };
  assert.equal(classOfValue(folded, 'MEH'), 'neutral');
  assert.equal(classOfValue({ ...folded, fold_case: false }, 'MEH'), 'MEH');
});

test('typing a class merges or renames; its own name or nothing undoes or keeps', () => {
  const merged = withValueClass(NONE, 'meh', 'neutral');
  assert.deepEqual(merged.merge, [['meh', 'neutral']]);
  const renamed = withValueClass(merged, 'meh', 'so-so');
  assert.deepEqual(renamed.merge, [['meh', 'so-so']], 'one entry per value');
  assert.deepEqual(withValueClass(renamed, 'meh', 'meh').merge, [], 'back to itself');
  assert.equal(withValueClass(renamed, 'meh', '   '), renamed, 'an empty name changes nothing');
  assert.deepEqual(withValueClass({ ...NONE, fold_case: true }, 'MEH', 'neutral').merge, [['meh', 'neutral']]);
  assert.deepEqual(NONE.merge, [], 'the old choice is not changed');
});

test('drop and train again; fold case keeps merges working', () => {
  const dropped = withTrained(NONE, 'spam', false);
  assert.deepEqual(dropped.drop, ['spam']);
  assert.deepEqual(withTrained(withTrained(dropped, 'spam', false), 'spam', true).drop, []);
  const folded = withFoldCase(
    {
      ...NONE,
      merge: [
        ['Meh', 'neutral'],
        ['MEH', 'bad'],
      ],
    },
    true,
  );
  assert.deepEqual(folded, { ...NONE, fold_case: true, merge: [['meh', 'neutral']] });
  assert.equal(withFoldCase(folded, false).fold_case, false);
});

/** A preview as Rust sends it (only the fields the panel reads). */
const preview = {
  rows: 12357,
  classes: [
    { name: 'neg', rows: 4000 },
    { name: 'neutral', rows: 2000 },
    { name: 'pos', rows: 6345 },
  ],
  values: [
    { value: 'pos', rows: 6345, first_line: 2, class: 'pos' },
    { value: 'neg', rows: 4000, first_line: 3, class: 'neg' },
    { value: 'meh', rows: 2000, first_line: 4, class: 'neutral' },
    { value: 'spam', rows: 8, first_line: 9, class: null },
    { value: 'ad', rows: 4, first_line: 11, class: null },
  ],
  dropped: 12,
  empty_labels: 12,
  empty_texts: 0,
  choice: {
    fold_case: false,
    merge: [
      ['meh', 'neutral'],
      ['ad', 'spam'],
    ],
    drop: ['spam'],
    positive: null,
  },
};

test('the classes table lists the dropped classes after the trained ones', () => {
  assert.deepEqual(allClasses(preview), [
    { name: 'neg', rows: 4000, trained: true },
    { name: 'neutral', rows: 2000, trained: true },
    { name: 'pos', rows: 6345, trained: true },
    { name: 'spam', rows: 12, trained: false },
  ]);
});

test('the counts line names every class and what was left out', () => {
  assert.equal(
    countsLine(preview),
    '12,357 rows — 3 classes: neg 4,000 · neutral 2,000 · pos 6,345; 12 rows of dropped classes left out; 12 rows with an empty label skipped',
  );
  assert.equal(
    countsLine({ ...preview, rows: 1, classes: [{ name: 'a', rows: 1 }], dropped: 0, empty_labels: 1, empty_texts: 1 }),
    '1 row — 1 class: a 1; 1 row with an empty label skipped; 1 empty text',
  );
});

test("a kept run's label choice is recognised whatever the order of its lists", () => {
  const a = {
    fold_case: true,
    merge: [
      ['a', 'x'],
      ['b', 'y'],
    ],
    drop: ['p', 'q'],
    positive: null,
  };
  const b = {
    fold_case: true,
    merge: [
      ['b', 'y '],
      ['a', 'x'],
    ],
    drop: ['q', 'p'],
    positive: null,
  };
  assert.ok(sameChoice(a, b));
  assert.ok(!sameChoice(a, { ...b, fold_case: false }));
  assert.ok(!sameChoice(a, { ...b, drop: ['p'] }));
  assert.ok(!sameChoice(a, { ...b, positive: 'x' }));
  assert.ok(
    !sameChoice(a, {
      ...b,
      merge: [
        ['a', 'y'],
        ['b', 'x'],
      ],
    }),
  );
});
