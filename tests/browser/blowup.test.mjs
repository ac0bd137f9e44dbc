// The Blow-up lab as a user drives it: presets, sliders, engines, bad input, no WebGPU.

import assert from 'node:assert/strict';
import { browserTest, settled, setValue } from './harness.mjs';

const step = async (app, id) => {
  const text = await app.text(id);
  return text === '—' ? null : Number(text.replace('step ', ''));
};

async function events(app) {
  return {
    inf: await step(app, '#blowup-first-inf'),
    nan: await step(app, '#blowup-first-nan'),
    zero: await step(app, '#blowup-first-zero'),
    verdict: await app.text('#blowup-verdict'),
  };
}

async function press(app, id) {
  const before = await settled(app.page, 'blowup');
  await app.page.click(id);
  return settled(app.page, 'blowup', { after: before });
}

async function useEngine(app, engine) {
  const before = await settled(app.page, 'blowup');
  await setValue(app.page, '#blowup-engine', engine);
  await settled(app.page, 'blowup', { after: before });
}

browserTest("the post's two experiments on WebGPU: overflow to NaN, underflow to zeros", async (app) => {
  const adapter = await app.text('#adapter-status');
  assert.match(adapter, /^GPU: /, `expected a WebGPU adapter, page says: ${adapter}`);
  assert.equal(await app.page.inputValue('#blowup-engine'), 'auto');
  assert.match(
    await app.text('#blowup-timing'),
    /Auto picked the (GPU|CPU) for 50×50: GPU [0-9.]+ ms, CPU [0-9.]+ ms\./,
  );
  await useEngine(app, 'gpu');

  await press(app, '#blowup-preset-overflow');
  const gpu = await events(app);
  console.log('overflow preset on the GPU:', gpu);
  assert.ok(gpu.inf >= 40 && gpu.inf <= 49, `first Inf at ${gpu.inf}`);
  assert.ok(gpu.nan > gpu.inf, `first NaN ${gpu.nan} after first Inf ${gpu.inf}`);
  assert.match(gpu.verdict, new RegExp(`^Overflowed at step ${gpu.inf}`));
  console.log('timing:', await app.text('#blowup-timing'));
  await app.screenshot('blowup-overflow-gpu');

  await useEngine(app, 'cpu');
  const cpu = await events(app);
  assert.ok(Math.abs(cpu.inf - gpu.inf) <= 1, `CPU first Inf ${cpu.inf} vs GPU ${gpu.inf}`);
  assert.ok(Math.abs(cpu.nan - gpu.nan) <= 1, `CPU first NaN ${cpu.nan} vs GPU ${gpu.nan}`);

  await press(app, '#blowup-preset-underflow');
  const cpuZero = await events(app);
  assert.equal(cpuZero.inf, null);
  assert.ok(cpuZero.zero >= 35 && cpuZero.zero <= 49, `CPU all-zero at ${cpuZero.zero}`);
  assert.match(cpuZero.verdict, /^Underflowed: from step \d+ every entry is exactly 0/);

  await useEngine(app, 'gpu');
  const gpuZero = await events(app);
  const flushes = (await app.text('#blowup-float-note')).includes('flushes');
  console.log('underflow preset: GPU', gpuZero.zero, 'CPU', cpuZero.zero, flushes ? '(GPU flushes subnormals)' : '');
  if (flushes) {
    assert.ok(gpuZero.zero <= cpuZero.zero + 1 && gpuZero.zero >= cpuZero.zero - 8, `GPU ${gpuZero.zero}`);
  } else {
    assert.ok(Math.abs(gpuZero.zero - cpuZero.zero) <= 1, `GPU ${gpuZero.zero} vs CPU ${cpuZero.zero}`);
  }
  await app.screenshot('blowup-underflow-gpu');
});

browserTest('sliders redraw the chart and move the critical-scale mark', async (app) => {
  const page = app.page;
  let rev = await settled(page, 'blowup');
  await setValue(page, '#blowup-n', 100);
  rev = await settled(page, 'blowup', { after: rev });
  assert.equal(await app.text('#blowup-n-value'), '100');
  assert.equal(await app.text('#blowup-critical'), '0.1');
  assert.equal(await app.text('#blowup-growth'), '×10.0');
  const mark100 = await page.locator('#blowup-critical-mark').boundingBox();

  await setValue(page, '#blowup-n', 4);
  rev = await settled(page, 'blowup', { after: rev });
  assert.equal(await app.text('#blowup-critical'), '0.5');
  const mark4 = await page.locator('#blowup-critical-mark').boundingBox();
  assert.ok(mark4.x > mark100.x, 'the 1/√n mark moves right as n shrinks');

  // Just below the critical scale nothing blows up within 50 steps; far above, it overflows.
  await setValue(page, '#blowup-scale', -0.4); // 0.398 < 0.5
  rev = await settled(page, 'blowup', { after: rev });
  assert.equal(await app.text('#blowup-scale-value'), '0.398');
  const calm = await events(app);
  assert.equal(calm.inf, null);
  assert.match(calm.verdict, /^Still finite after 50 steps/);

  await setValue(page, '#blowup-scale', 1); // 10
  await setValue(page, '#blowup-steps', 200);
  rev = await settled(page, 'blowup', { after: rev });
  const wild = await events(app);
  assert.ok(wild.inf !== null && wild.inf < 50, `scale 10, n 4 overflows early (${wild.inf})`);

  // Orthogonal matrices at the critical scale keep the norm exactly: nothing happens.
  await setValue(page, '#blowup-init', 'orthogonal');
  await page.click('#blowup-preset-critical');
  rev = await settled(page, 'blowup', { after: rev });
  const flat = await events(app);
  assert.equal(flat.inf, null);
  assert.equal(flat.zero, null);
  assert.equal(await app.text('#blowup-growth'), '×1.00');
  await app.screenshot('blowup-orthogonal-critical');
});

browserTest('a bad seed gets a clear message and the last chart stays', async (app) => {
  const page = app.page;
  const rev = await settled(page, 'blowup');
  const verdict = await app.text('#blowup-verdict');
  await setValue(page, '#blowup-seed', -3);
  await page.waitForSelector('#blowup-error:not([hidden])');
  assert.match(await app.text('#blowup-error'), /Seed must be a whole number from 0 to 4294967295 \(got “-3”\)/);
  assert.equal(await app.text('#blowup-verdict'), verdict);
  await setValue(page, '#blowup-seed', 7);
  await settled(page, 'blowup', { after: rev });
  assert.equal(await page.locator('#blowup-error').isHidden(), true);
});

browserTest('tabs work from the keyboard', async (app) => {
  const page = app.page;
  await page.focus('#tab-blowup');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#stepper').isVisible(), true);
  assert.equal(await page.locator('#blowup').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-stepper');
  await page.keyboard.press('End');
  assert.equal(await page.locator('#inside').isVisible(), true);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.locator('#trainer').isVisible(), true);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#blowup').isVisible(), true);
  assert.equal(new URL(page.url()).hash, '#blowup');
});

browserTest(
  'without WebGPU the page says so and computes on the CPU',
  async (app) => {
    const adapter = await app.text('#adapter-status');
    assert.match(adapter, /^CPU fallback: this browser offers no WebGPU/);
    assert.equal(await app.page.inputValue('#blowup-engine'), 'cpu');
    assert.equal(await app.page.locator('#blowup-engine option[value="gpu"]').isDisabled(), true);
    await press(app, '#blowup-preset-overflow');
    const e = await events(app);
    assert.ok(e.inf >= 40 && e.inf <= 49, `first Inf at ${e.inf}`);
    await app.screenshot('blowup-cpu-fallback');
  },
  { noWebGpu: true },
);
