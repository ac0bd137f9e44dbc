// The page's small shared helpers: durations and scales as the page writes them, the coalescing
// of runs while a slider moves, and the colour maps.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coalescing } from '../../www/lib/coalesce.js';
import { diverging, heatColor, inkOn, sequential } from '../../www/lib/colors.js';
import { ago, duration, formatScale } from '../../www/lib/format.js';

test('durations: seconds, then minutes and seconds, then hours and minutes', () => {
  assert.equal(duration(0), '0 s');
  assert.equal(duration(1499), '1 s');
  assert.equal(duration(59_499), '59 s');
  assert.equal(duration(59_500), '1 min 0 s');
  assert.equal(duration(3 * 60_000 + 5_000), '3 min 5 s');
  assert.equal(duration(3_600_000 - 1), '1 h 0 min');
  assert.equal(duration(2 * 3_600_000 + 14 * 60_000 + 59_000), '2 h 14 min');
});

test('ago: the nearest unit, in words', () => {
  const now = 1_000_000_000_000;
  assert.equal(ago(now - 5_000, now), '5 seconds ago');
  assert.equal(ago(now - 12 * 60_000, now), '12 minutes ago');
  assert.equal(ago(now - 3 * 3_600_000, now), '3 hours ago');
  assert.equal(ago(now - 86_400_000, now), 'yesterday');
});

test('scales: three significant digits, exponent form below 0.01', () => {
  assert.equal(formatScale(1), '1');
  assert.equal(formatScale(1 / Math.sqrt(50)), '0.141');
  assert.equal(formatScale(0.01), '0.01');
  assert.equal(formatScale(0.001), '1.00e-3');
  assert.equal(formatScale(12.3456), '12.3');
});

test('coalescing: one run at a time; calls during a run fold into one more, with the newest settings', async () => {
  const seen = [];
  const busy = [];
  let setting = 0;
  let release;
  const run = async () => {
    seen.push(setting);
    await new Promise((r) => {
      release = r;
    });
  };
  const schedule = coalescing(run, (b) => busy.push(b));
  const first = schedule();
  setting = 1;
  schedule();
  setting = 2;
  const third = schedule();
  assert.equal(third, first, 'a call during a run waits on the same work');
  assert.deepEqual(seen, [0]);
  release();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(seen, [0, 2], 'the calls during the run made one more run, with the newest setting');
  release();
  await first;
  assert.deepEqual(busy, [true, false], 'busy once for the whole burst');
  const again = schedule();
  assert.notEqual(again, first, 'after the burst a call starts afresh');
  release();
  await again;
  assert.deepEqual(seen, [0, 2, 2]);
});

test('colour maps: clamped, white at zero, the ends at their colours', () => {
  assert.equal(heatColor(0), 'rgb(255,255,255)');
  assert.equal(heatColor(1), 'rgb(255,0,0)');
  assert.equal(heatColor(-1), 'rgb(0,0,255)');
  assert.equal(heatColor(7), heatColor(1), 'clamped');
  assert.deepEqual(diverging(0), [255, 255, 255]);
  assert.deepEqual(diverging(1), [31, 95, 191]);
  assert.deepEqual(diverging(-2), [214, 110, 20]);
  assert.deepEqual(sequential(-1), [255, 255, 255]);
  assert.deepEqual(sequential(1), [20, 65, 145]);
});

test('ink on a colour: black on light, white on dark, whichever contrasts more', () => {
  assert.equal(inkOn([255, 255, 255]), '#000');
  assert.equal(inkOn([31, 95, 191]), '#fff');
  assert.equal(inkOn([214, 110, 20]), '#000');
  assert.equal(inkOn([0, 0, 0]), '#fff');
});
