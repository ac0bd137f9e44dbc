// The Trainer's pure parts: reading the settings form into a run's request, the time a run still
// needs, the engine the timing picks, and the worker protocol's error routing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeLeft } from '../../www/trainer/clock.js';
import { fasterEngine } from '../../www/trainer/engine.js';
import { estimateKey } from '../../www/trainer/memory.js';
import { ERROR_WHERE } from '../../www/trainer/protocol.js';
import { fieldsOf, PRESETS, SETTINGS, settingsFrom } from '../../www/trainer/settings.js';

const LABELS = Object.fromEntries(SETTINGS.map((k) => [k, `label of ${k}`]));
const postFields = () => ({
  ...Object.fromEntries(Object.entries(PRESETS.post).map(([k, v]) => [k, String(v)])),
  kernel: 'fused',
  device: 'cpu',
  workers: '4',
});

test('the form becomes the request the trainer’s module reads', () => {
  const { request, workers, error } = settingsFrom(postFields(), LABELS);
  assert.equal(error, undefined);
  assert.equal(workers, 4);
  assert.deepEqual(request, {
    data: { vocab: 3000, maxlen: 128, train_fraction: 0.5, seed: 1 },
    train: { embed: 100, hidden: 100, batch: 128, lr: 0.001, epochs: 5, seed: 1, kernel: 'fused' },
    device: 'cpu',
  });
});

test('a setting that is not a number is refused by its label', () => {
  for (const bad of ['', '  ', 'ten', 'NaN', 'Infinity']) {
    const fields = { ...postFields(), batch: bad };
    assert.deepEqual(settingsFrom(fields, LABELS), { error: 'label of batch must be a number.' }, `batch “${bad}”`);
  }
});

test('CPU workers must be a whole number from 1 to 16', () => {
  for (const workers of ['0', '17', '2.5', 'x']) {
    assert.deepEqual(settingsFrom({ ...postFields(), workers }, LABELS), {
      error: 'CPU workers must be a whole number from 1 to 16.',
    });
  }
  assert.equal(settingsFrom({ ...postFields(), workers: '16' }, LABELS).workers, 16);
});

test('a kept run’s request goes back into the form as it was', () => {
  const { request } = settingsFrom({ ...postFields(), lr: '0.003', split: '0.8' }, LABELS);
  const fields = fieldsOf(request);
  assert.equal(fields.lr, '0.003');
  assert.equal(fields.split, '0.8');
  assert.equal(fields.kernel, 'fused');
  const again = settingsFrom({ ...fields, device: 'cpu', workers: '4' }, LABELS);
  assert.deepEqual(again.request, request);
});

test('an estimate answers exactly the request and workers it was asked for', () => {
  const { request } = settingsFrom(postFields(), LABELS);
  assert.equal(estimateKey(request, 4), estimateKey(structuredClone(request), 4));
  assert.notEqual(estimateKey(request, 4), estimateKey(request, 2));
  assert.notEqual(estimateKey(request, 4), estimateKey({ ...request, device: 'gpu' }, 4));
});

test('the time left counts training and validation steps at their own pace', () => {
  // 5 epochs of 10 training batches and 4 validation batches: 70 steps. After 12 training
  // steps (100 ms each) and 4 validation steps (20 ms each).
  const clock = {
    trainRows: 0,
    trainMs: 1200,
    trainSteps: 12,
    trainBatches: 10,
    validMs: 80,
    validSteps: 4,
    started: 0,
    resumedEpochs: 0,
  };
  assert.equal(timeLeft(clock, { total: 70, first: 0 }, 5), 38 * 100 + 16 * 20);
  // Before any validation step, one is guessed at a third of a training step.
  const early = { ...clock, validMs: 0, validSteps: 0 };
  assert.equal(timeLeft(early, { total: 70, first: 0 }, 5), 38 * 100 + 20 * (100 / 3));
  // A run resumed after 2 epochs trains and validates only the other 3.
  const resumed = { ...clock, resumedEpochs: 2, trainSteps: 0, trainMs: 0, validSteps: 0, validMs: 0 };
  assert.equal(
    timeLeft({ ...resumed, trainMs: 100, trainSteps: 1 }, { total: 70, first: 28, done: 29 }, 5),
    29 * 100 + 12 * (100 / 3),
  );
});

test('the engine: the GPU when it trained the step no slower, else the CPU', () => {
  assert.equal(fasterEngine({ gpu: { warmupMs: 0, stepMs: 40 }, cpu: { warmupMs: 0, stepMs: 90 } }), 'gpu');
  assert.equal(fasterEngine({ gpu: { warmupMs: 0, stepMs: 90 }, cpu: { warmupMs: 0, stepMs: 90 } }), 'gpu');
  assert.equal(fasterEngine({ gpu: { warmupMs: 0, stepMs: 91 }, cpu: { warmupMs: 0, stepMs: 90 } }), 'cpu');
  assert.equal(fasterEngine({ gpu: null, cpu: { warmupMs: 0, stepMs: 90 }, error: 'lost device' }), 'cpu');
});

test('a failed request is reported where the page made it', () => {
  assert.equal(ERROR_WHERE.init, 'load');
  assert.equal(ERROR_WHERE['load-csv'], 'data');
  assert.equal(ERROR_WHERE['load-model'], 'model');
  assert.equal(ERROR_WHERE.save, 'model');
  assert.equal(ERROR_WHERE.pause, undefined, 'pause cannot fail: the worker falls back to `worker`');
});
