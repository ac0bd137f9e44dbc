// The view in the link: a value from a shared link is made fit for its control (clamped, put on
// its steps, or left out), each time with a note; the stepper's edited weights as text and back.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTROLS, clampTo, fit, MAX_TEXT, parseAt } from '../../www/classroom/controls.js';
import {
  capNotes,
  firstValues,
  LINK_TEXT_MAX,
  MAX_NAMED,
  MAX_NOTES,
  MAX_SHOWN,
  shown,
  unknownNote,
} from '../../www/classroom/linktext.js';
import { applyWeightEdits, weightEdits } from '../../www/stepper/weights.js';

/** Stand-ins for the page's controls: only what `fit` reads. */
const number = (min, max, step = '1', value = '0') => ({ tagName: 'INPUT', type: 'number', min, max, step, value });
const checkbox = () => ({ tagName: 'INPUT', type: 'checkbox', value: 'on' });
const select = (...options) => ({
  tagName: 'SELECT',
  value: options[0].value,
  options: options.map((o) => ({ disabled: false, textContent: o.value, ...o })),
  selectedOptions: [{ textContent: options[0].textContent ?? options[0].value }],
});
const text = () => ({ tagName: 'TEXTAREA', type: 'textarea', value: '' });

test('numbers are clamped to the control’s range, with a note naming it', () => {
  const notes = [];
  assert.equal(fit(number('2', '256'), '999', notes, 'Matrix size n'), '256');
  assert.equal(fit(number('2', '256'), '-5', notes, 'Matrix size n'), '2');
  assert.deepEqual(notes, [
    'Matrix size n: 999 is outside 2 to 256; using 256.',
    'Matrix size n: -5 is outside 2 to 256; using 2.',
  ]);
});

test('numbers go on the control’s steps, without float noise', () => {
  const notes = [];
  assert.equal(fit(number('0.01', '0.99', '0.01'), '0.3', notes, 'Training share'), '0.3');
  assert.deepEqual(notes, [], 'a value on the grid has no note');
  assert.equal(fit(number('-3', '1', '0.01'), '0.123', notes, 'Scale'), '0.12');
  assert.deepEqual(notes, ['Scale: 0.123 is not on its steps; using 0.12.']);
  // step="any" keeps the value as it is; an empty min or max is no bound.
  assert.equal(fit(number('0', '1e30', 'any'), '0.00123', [], 'lr'), '0.00123');
  assert.equal(fit(number('', '', '1'), '-12345', [], 'x'), '-12345');
});

test('a value that is not a number is left out, the control kept', () => {
  const notes = [];
  assert.equal(fit(number('1', '10', '1', '4'), 'lots', notes, 'Epochs'), null);
  assert.equal(fit(number('1', '10', '1', '4'), '  ', notes, 'Epochs'), null);
  assert.equal(fit(number('1', '10', '1', '4'), 'Infinity', notes, 'Epochs'), null);
  assert.deepEqual(notes, [
    'Epochs: “lots” is not a number; kept 4.',
    'Epochs: “  ” is not a number; kept 4.',
    'Epochs: “Infinity” is not a number; kept 4.',
  ]);
});

test('checkboxes take 1/0, true/false, on/off, yes/no', () => {
  const notes = [];
  for (const yes of ['1', 'true', 'on', 'yes']) assert.equal(fit(checkbox(), yes, notes, 'c'), true);
  for (const no of ['0', 'false', 'off', 'no', '']) assert.equal(fit(checkbox(), no, notes, 'c'), false);
  assert.deepEqual(notes, []);
  assert.equal(fit(checkbox(), 'maybe', notes, 'Clip'), null);
  assert.deepEqual(notes, ['Clip: “maybe” is neither 1 nor 0; left as it was.']);
});

test('a select takes one of its enabled options only', () => {
  const device = () =>
    select(
      { value: 'gpu', textContent: 'GPU (WebGPU)', disabled: true },
      { value: 'cpu', textContent: 'CPU (WebAssembly)' },
    );
  const notes = [];
  assert.equal(fit(device(), 'cpu', notes, 'Compute on'), 'cpu');
  assert.equal(fit(device(), 'gpu', notes, 'Compute on'), null);
  assert.equal(fit(device(), 'tpu', notes, 'Compute on'), null);
  assert.deepEqual(notes, [
    'Compute on: “GPU (WebGPU)” is not available here; kept “GPU (WebGPU)”.',
    'Compute on: no choice “tpu”; kept “GPU (WebGPU)”.',
  ]);
});

test('text is cut to its first MAX_TEXT characters', () => {
  const notes = [];
  assert.equal(fit(text(), 'a short review', notes, 'Text'), 'a short review');
  const long = 'x'.repeat(MAX_TEXT + 5);
  assert.equal(fit(text(), long, notes, 'Text'), 'x'.repeat(MAX_TEXT));
  assert.deepEqual(notes, ['Text: the text was cut to its first 20,000 characters.']);
});

test('a step or unit from 1 is clamped to the sequence; not a number reads as 1', () => {
  assert.deepEqual(clampTo('7', 12), { value: 7, changed: false });
  assert.deepEqual(clampTo('40', 12), { value: 12, changed: true });
  assert.deepEqual(clampTo('0', 12), { value: 1, changed: true });
  assert.deepEqual(clampTo('2.6', 12), { value: 3, changed: true });
  assert.deepEqual(clampTo('seven', 12), { value: 1, changed: true });
});

test('Inside the model’s cursor `position.unit` is clamped to the map, with a note', () => {
  assert.deepEqual(parseAt('5.3', 128, 100), { position: 4, unit: 2, note: null });
  const far = parseAt('500.0', 128, 100);
  assert.deepEqual([far.position, far.unit], [127, 0]);
  assert.equal(
    far.note,
    'Inside the model: position 500, unit 0 is outside the map (128 positions, 100 units); using 128, 1.',
  );
});

test('the link’s key names stay as shared links use them', () => {
  // Links in the wild carry these: renaming one breaks them.
  assert.deepEqual(Object.keys(CONTROLS.trainer), [
    'vocab',
    'maxlen',
    'embed',
    'hidden',
    'batch',
    'lr',
    'epochs',
    'split',
    'seed',
    'kernel',
    'cell',
    'readout',
    'workers',
    'predict',
  ]);
  assert.deepEqual(Object.keys(CONTROLS.gradflow), ['steps', 'hidden', 'scale', 'fb', 'clip', 'clipAt', 'seed']);
  assert.equal(CONTROLS.blowup.engine, 'blowup-engine');
});

/** A 2-input, 2-unit cell with distinct weights: weight_ih[row·E + j] = row + j/10. */
function setup() {
  const E = 2;
  const H = 2;
  const rows = 4 * H;
  return {
    weights: {
      input: E,
      hidden: H,
      weight_ih: Array.from({ length: rows * E }, (_, k) => Math.floor(k / E) + (k % E) / 10),
      weight_hh: Array.from({ length: rows * H }, (_, k) => -(Math.floor(k / H) + (k % H) / 10)),
      bias_ih: Array.from({ length: rows }, (_, r) => r / 100),
      bias_hh: Array.from({ length: rows }, () => 0.5),
    },
    h0: [0, 0],
    c0: [0, 0],
    sequence: 'a b',
    note: '',
  };
}

test('edited weights round-trip through the link’s text', () => {
  const ref = setup();
  const edited = setup();
  assert.equal(weightEdits(edited, ref), null, 'nothing edited: no key');
  // Gate f (rows H…2H−1), unit 1: the input column 0, the hidden column E + 1, the bias E + H.
  const bad = applyWeightEdits(edited, 'f-1-0:2.5,f-1-3:-0.25,f-1-4:1,c0-1:0.75');
  assert.deepEqual(bad, []);
  assert.equal(edited.weights.weight_ih[3 * 2 + 0], 2.5);
  assert.equal(edited.weights.weight_hh[3 * 2 + 1], -0.25);
  assert.equal(edited.weights.bias_ih[3] + edited.weights.bias_hh[3], 1, 'the bias as shown is bias_ih + bias_hh');
  assert.equal(edited.c0[1], 0.75);
  assert.equal(weightEdits(edited, ref), 'f-1-0:2.5,f-1-3:-0.25,f-1-4:1,c0-1:0.75');
});

test('entries that cannot be used are returned; the others are applied', () => {
  const s = setup();
  const bad = applyWeightEdits(s, 'i-0-0:1,x-0-0:1,i-2-0:1,i-0-5:1,i-0-1:abc,h0-9:1,h0-1:2,junk');
  assert.deepEqual(bad, ['x-0-0:1', 'i-2-0:1', 'i-0-5:1', 'i-0-1:abc', 'h0-9:1', 'junk']);
  assert.equal(s.weights.weight_ih[0], 1);
  assert.equal(s.h0[1], 2);
});

// ------------------------------------------------------------------ hostile links (issue 24)

test('names from a link are shown with control characters escaped, and cut', () => {
  assert.equal(shown('a\u0000b\u001bc\u007f\u2028'), 'a\\u{0}b\\u{1b}c\\u{7f}\\u{2028}');
  assert.equal(shown('x'.repeat(100)), `${'x'.repeat(MAX_SHOWN)}…`);
  assert.equal(shown('plain “text”'), 'plain “text”');
});

test('a link’s values are read into a Map: prototype names are keys like any other', () => {
  const asked = firstValues(new URLSearchParams('__proto__=1&constructor=2&toString=3&a=4&a=5'));
  assert.equal(asked.get('__proto__'), '1');
  assert.equal(asked.get('constructor'), '2');
  assert.equal(asked.get('toString'), '3');
  assert.equal(asked.get('a'), '4', 'the first value of a repeated key, as URLSearchParams.get');
  assert.equal(asked.get('hasOwnProperty'), undefined);
  assert.equal(asked.size, 4);
});

test('unknown names make one note that counts them and quotes the first few', () => {
  assert.equal(unknownNote([], 'a setting'), null);
  assert.equal(unknownNote(['__proto__'], 'a setting'), '“__proto__” is not a setting; ignored.');
  const many = Array.from({ length: 100_000 }, (_, i) => `k${i}`);
  const started = performance.now();
  const note = unknownNote(many, 'a setting of this page');
  assert.ok(performance.now() - started < 500, 'in well under a second');
  assert.equal(
    note,
    `100,000 names are not a setting of this page; ignored: “k0”, “k1”, “k2”, “k3”, “k4” and ${(100_000 - MAX_NAMED).toLocaleString('en')} more.`,
  );
  assert.match(unknownNote(['a\u0007', 'b'], 'x'), /“a\\u\{7\}”, “b”/);
});

test('notes are capped, the last line counting the rest', () => {
  const notes = Array.from({ length: 30 }, (_, i) => `note ${i}`);
  const capped = capNotes(notes);
  assert.equal(capped.length, MAX_NOTES);
  assert.equal(capped[MAX_NOTES - 2], `note ${MAX_NOTES - 2}`);
  assert.equal(capped.at(-1), `… and ${30 - MAX_NOTES + 1} more notes.`);
  assert.deepEqual(capNotes(['a', 'b']), ['a', 'b']);
  assert.ok(LINK_TEXT_MAX >= 200 && LINK_TEXT_MAX <= 1000, 'a few hundred characters');
});

test('a value quoted in a note has its control characters escaped', () => {
  const notes = [];
  fit(number('1', '10', '1', '4'), '\u001b[31mred', notes, 'Epochs');
  assert.deepEqual(notes, ['Epochs: “\\u{1b}[31mred” is not a number; kept 4.']);
});
