// Browser training benchmark: LSTM Lab (fused, reference) against TensorFlow.js (webgpu, wasm)
// in one headless Chromium on this machine. Prints a table and writes test-artifacts/bench.md.
//
//   node scripts/bench.mjs [--budget 600] [--configs 32x32,128x128] [--impls fused,reference,tfjs-webgpu,tfjs-wasm]

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const budgetS = Number(arg('--budget', 600));
const configs = arg('--configs', '32x32,128x128').split(',').map((c) => c.split('x').map(Number));
const impls = arg('--impls', 'fused,reference,tfjs-webgpu,tfjs-wasm').split(',');
const FLAGS = ['--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const server = await startServer({ root: join(ROOT, 'www') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
const results = [];
for (const [batch, seq] of configs) {
  const steps = batch * seq > 4096 ? 3 : 5;
  for (const impl of impls) {
    // A fresh page per run: a run that passes its budget is cut off by closing the page.
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e}`));
    process.stdout.write(`${impl.padEnd(12)} ${batch}×${seq} … `);
    let result;
    try {
      await page.goto(server.url + 'bench.html');
      await page.waitForFunction(() => globalThis.benchReady === true);
      page.setDefaultTimeout(budgetS * 1000 + 60_000);
      result = await Promise.race([
        page.evaluate((c) => globalThis.runBench(c), { impl, batch, seq, steps, budgetMs: budgetS * 1000 }),
        new Promise((resolve) => setTimeout(() => resolve({ impl, batch, seq, skipped: `no step finished within the ${budgetS} s budget` }), budgetS * 1000 + 30_000)),
      ]);
    } catch (e) {
      result = { impl, batch, seq, skipped: `failed: ${e.message.split('\n')[0]}` };
    }
    await page.close().catch(() => {});
    results.push(result);
    console.log(result.skipped ? `skipped: ${result.skipped}` : `${result.medianMs.toFixed(0)} ms/step`);
  }
}
await browser.close();
await server.close();

const fmt = (v, digits = 0) => (v == null ? '—' : v.toFixed(digits));
const adapter = results.find((r) => r.adapter)?.adapter ?? 'unknown adapter';
const lines = [
  `Chromium (headless), WebGPU adapter: ${adapter}; ${process.env.BENCH_MACHINE ?? 'this machine'}`,
  '',
  '| model step | implementation | ms/step (median) | reviews/s | dispatches/step | dispatches per time step |',
  '|---|---|---|---|---|---|',
];
for (const r of results) {
  lines.push(
    r.skipped
      ? `| ${r.batch}×${r.seq} | ${r.impl} | skipped: ${r.skipped} | | | |`
      : `| ${r.batch}×${r.seq} | ${r.impl} | ${fmt(r.medianMs)} | ${fmt(r.reviewsPerSecond, 1)} | ${fmt(r.dispatchesPerStep)} | ${fmt(r.dispatchesPerTimeStep, 1)} |`,
  );
}
lines.push('');
for (const [batch, seq] of configs) {
  const get = (impl) => results.find((r) => r.impl === impl && r.batch === batch && r.seq === seq && !r.skipped);
  const fused = get('fused');
  if (!fused) continue;
  const ratio = (other, label) => other && lines.push(`- ${batch}×${seq}: fused is ${(other.medianMs / fused.medianMs).toFixed(2)}× faster than ${label}`);
  ratio(get('reference'), 'the reference path');
  ratio(get('tfjs-webgpu'), 'TensorFlow.js webgpu (same adapter)');
  ratio(get('tfjs-wasm'), 'TensorFlow.js wasm');
}
const table = lines.join('\n');
console.log('\n' + table);
await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
await writeFile(join(ROOT, 'test-artifacts', 'bench.md'), table + '\n');
await writeFile(join(ROOT, 'test-artifacts', 'bench.json'), JSON.stringify(results, null, 1));
