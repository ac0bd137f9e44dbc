// The Trainer's pure parts: reading the settings form into what the page's module checks, the time a run still
// needs, the engine the timing picks, and the worker protocol's error routing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeLeft } from '../../www/trainer/clock.js';
import { fasterEngine } from '../../www/trainer/engine.js';
import { estimateKey } from '../../www/trainer/memory.js';
import { ERROR_WHERE } from '../../www/trainer/protocol.js';
import { comparisonProblem, recordProblem } from '../../www/trainer/runrecord.js';
import { fieldsOf, formFrom, presetsOf, settingsOfRecord } from '../../www/trainer/settings.js';

const NUMBER_FIELDS = ['vocab', 'maxlen', 'embed', 'hidden', 'batch', 'lr', 'epochs', 'split', 'seed', 'workers'];
const LABELS = Object.fromEntries(NUMBER_FIELDS.map((k) => [k, `label of ${k}`]));
const POST = {
  vocab: 3000,
  maxlen: 128,
  embed: 100,
  hidden: 100,
  batch: 128,
  lr: 0.001,
  epochs: 5,
  split: 0.5,
  seed: 1,
};
const postFields = () => ({
  ...Object.fromEntries(Object.entries(POST).map(([k, v]) => [k, String(v)])),
  kernel: 'fused',
  device: 'cpu',
  workers: '4',
});

test('the form becomes what the page’s module checks', () => {
  const { form, error } = formFrom(postFields(), LABELS);
  assert.equal(error, undefined);
  assert.deepEqual(form, { fields: Object.entries({ ...POST, workers: 4 }), engine: 'cpu', kernel: 'fused' });
  assert.equal(formFrom({ ...postFields(), device: 'gpu' }, LABELS).form.engine, 'gpu');
});

test('a setting that is not a number is refused by its label', () => {
  for (const bad of ['', '  ', 'ten', 'NaN', 'Infinity']) {
    const fields = { ...postFields(), batch: bad };
    assert.deepEqual(formFrom(fields, LABELS), { error: 'label of batch must be a number.' }, `batch “${bad}”`);
  }
  // The limits (whole numbers, 1–16 workers, …) are the module's to check: src/settings.rs.
  assert.deepEqual(formFrom({ ...postFields(), workers: '17' }, LABELS).form.fields.at(-1), ['workers', 17]);
});

test('a kept run’s settings go back into the form as they were', () => {
  const settings = {
    data: { vocab: 3000, maxlen: 128, train_fraction: 0.8, seed: 1 },
    train: { embed: 100, hidden: 100, batch: 128, lr: 0.003, epochs: 5, seed: 1, kernel: 'reference' },
    engine: 'gpu',
    workers: 1,
  };
  const fields = fieldsOf(settings);
  assert.equal(fields.lr, '0.003');
  assert.equal(fields.split, '0.8');
  assert.equal(fields.kernel, 'reference');
  assert.equal(fields.drop_duplicates, '', 'the post keeps its duplicates');
  const dropped = { ...settings, data: { ...settings.data, drop_duplicates: true } };
  assert.equal(fieldsOf(dropped).drop_duplicates, 'on');
  const again = formFrom({ ...fields, device: 'cpu', workers: '4' }, LABELS).form;
  assert.deepEqual(Object.fromEntries(again.fields), { ...POST, lr: 0.003, split: 0.8, workers: 4 });
});

test('a run kept by an earlier version of the page reads as today’s settings', () => {
  const data = { vocab: 2000, maxlen: 64, train_fraction: 0.5, seed: 1 };
  const train = { embed: 32, hidden: 32, batch: 64, lr: 0.003, epochs: 1, seed: 1, kernel: 'fused' };
  assert.deepEqual(settingsOfRecord({ request: { data, train, device: 'cpu' }, workers: 3 }), {
    data,
    train,
    engine: 'cpu',
    workers: 3,
  });
  assert.equal(settingsOfRecord({ request: { data, train, device: 'gpu' } }).workers, 1);
  const today = { data, train, engine: 'gpu', workers: 1 };
  assert.equal(settingsOfRecord({ settings: today }), today);
});

test('presets read as fields by name', () => {
  const schema = {
    defaults: null,
    fields: [],
    presets: [
      [
        'post',
        [
          ['vocab', 3000],
          ['lr', 0.001],
        ],
      ],
      ['quick', []],
    ],
  };
  assert.deepEqual(presetsOf(schema), { post: { vocab: 3000, lr: 0.001 }, quick: {} });
});

test('an estimate answers exactly the settings it was asked for', () => {
  const settings = {
    data: { vocab: 3000, maxlen: 128, train_fraction: 0.5, seed: 1 },
    train: { embed: 100, hidden: 100, batch: 128, lr: 0.001, epochs: 5, seed: 1, kernel: 'fused' },
    engine: 'cpu',
    workers: 4,
  };
  assert.equal(estimateKey(settings), estimateKey(structuredClone(settings)));
  assert.notEqual(estimateKey(settings), estimateKey({ ...settings, workers: 2 }));
  assert.notEqual(estimateKey(settings), estimateKey({ ...settings, engine: 'gpu' }));
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

// ------------------------------------------------------------------ a kept run that does not parse

const keptRun = () => ({
  version: 1,
  savedAt: 1_700_000_000_000,
  settings: { data: {}, train: { epochs: 3 }, engine: 'cpu', workers: 1 },
  data: { name: 'reviews.csv', size: 1234, sample: false, columns: { text: 'review', label: 'sentiment' } },
  epochs: [{ epoch: 1, train_loss: 0.6, train_accuracy: 0.6, valid_loss: 0.6, valid_accuracy: 0.61, is_best: true }],
  epochMs: [1000],
  batches: [[1, 0.6]],
  best: new Uint8Array([1, 2, 3]),
  last: null,
});

test('a kept run is checked field by field before it is shown', () => {
  assert.equal(recordProblem(keptRun()), null);
  // The earlier page's record ({request, workers}) still reads.
  const { settings, ...old } = keptRun();
  assert.equal(recordProblem({ ...old, request: { data: {}, train: { epochs: 3 }, device: 'cpu' }, workers: 2 }), null);
  const broken = [
    [null, 'it is not a run record'],
    ['garbage', 'it is not a run record'],
    [{ ...keptRun(), version: 7 }, 'it was kept by another version of this page (version 7)'],
    [{ ...keptRun(), settings: undefined }, 'its settings are missing'],
    [{ ...keptRun(), data: { name: 5 } }, 'its data file’s name and size are missing'],
    [{ ...keptRun(), epochs: [] }, 'its epochs are missing'],
    [{ ...keptRun(), epochs: [{ epoch: 1 }] }, 'its epochs are unreadable'],
    [{ ...keptRun(), epochMs: 'x' }, 'its curves are missing'],
    [{ ...keptRun(), best: 'AAAA' }, 'its model is missing'],
    [{ ...keptRun(), last: {} }, 'its last epoch’s model is unreadable'],
    [{ ...keptRun(), savedAt: 'yesterday' }, 'its date is missing'],
  ];
  for (const [record, problem] of broken) assert.equal(recordProblem(record), problem, JSON.stringify(record));
});

test('a kept comparison is drawn only when every field the Compare panel reads is there', () => {
  const entrant = (name, status) => ({
    name,
    status,
    parameters: 1234,
    epochs: [{ epoch: 1, valid_accuracy: 0.7 }],
    epochMs: [1500],
    batches: [
      [0.5, 0.69, 0.5],
      [1, 0.6, null],
    ],
  });
  const kept = () => ({
    version: 1,
    savedAt: 1_700_000_000_000,
    settings: { data: {}, train: { epochs: 2 }, engine: 'cpu', workers: 1 },
    entrants: [entrant('lstm/pool', 'done'), { ...entrant('rnn/pool', 'training'), epochs: [], epochMs: [] }],
  });
  assert.equal(comparisonProblem(kept()), null);
  const broken = [
    [null, 'it is not a comparison record'],
    [[], 'it is not a comparison record'],
    [{ ...kept(), version: 2 }, 'it was kept by another version of this page (version 2)'],
    [{ ...kept(), settings: { train: {} } }, 'its settings are missing'],
    [{ ...kept(), savedAt: 'yesterday' }, 'its date is missing'],
    [{ ...kept(), entrants: [entrant('lstm/pool', 'done')] }, 'its models are missing'],
    [{ ...kept(), entrants: 'lstm/pool,rnn/pool' }, 'its models are missing'],
    [
      { ...kept(), entrants: [entrant('a', 'done'), entrant('b', 'exploded')] },
      'a model’s name or status is unreadable',
    ],
    [
      { ...kept(), entrants: [entrant('a', 'done'), { ...entrant('b', 'done'), parameters: -1 }] },
      'b: its parameter count is unreadable',
    ],
    [
      { ...kept(), entrants: [entrant('a', 'done'), { ...entrant('b', 'done'), batches: null }] },
      'b: its curves are missing',
    ],
    [
      { ...kept(), entrants: [entrant('a', 'done'), { ...entrant('b', 'done'), epochs: [{ epoch: 1 }] }] },
      'b: its epochs are unreadable',
    ],
    [
      { ...kept(), entrants: [entrant('a', 'done'), { ...entrant('b', 'done'), epochMs: ['1 s'] }] },
      'b: its epoch times are unreadable',
    ],
    [
      { ...kept(), entrants: [entrant('a', 'done'), { ...entrant('b', 'done'), batches: [[1, 'x']] }] },
      'b: its loss curve is unreadable',
    ],
  ];
  for (const [record, problem] of broken) assert.equal(comparisonProblem(record), problem, JSON.stringify(record));
});
