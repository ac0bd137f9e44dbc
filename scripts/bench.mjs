// Browser training benchmark: LSTM Lab (fused, reference) against TensorFlow.js (webgpu, wasm)
// in one headless Chromium on this machine. Prints a table and writes test-artifacts/bench.md.
//
//   node scripts/bench.mjs [--budget 600] [--configs 32x32,128x128|none]
//                          [--impls fused,reference,cpu-reference,cpu,cpu-workers,tfjs-webgpu,tfjs-wasm]
//                          (also cpu-gru, cpu-rnn: the GRU or plain RNN in the LSTM's place)
//
// fused and reference train on WebGPU; the cpu-* are the page's CPU path in its training worker
// (burn's CPU backend inside the wasm module): cpu-reference with burn's ops (the old path),
// cpu the fused CPU LSTM, cpu-workers the same on one worker per core; tfjs-* are TensorFlow.js
// 4.22 on its webgpu and wasm backends.

import { existsSync } from 'node:fs';
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
const configArg = arg('--configs', '32x32,128x128');
const configs = configArg === 'none' ? [] : configArg.split(',').map((c) => c.split('x').map(Number));
const impls = arg('--impls', 'fused,reference,cpu-reference,cpu,cpu-workers,tfjs-webgpu,tfjs-wasm').split(',');
const FLAGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const server = await startServer({ root: join(ROOT, 'www') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
// The Blow-up lab's redraw: compute (GPU or CPU) + chart, n = 50, T = 50, scale slider moved.
const blowup = {};
{
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  for (const engine of ['gpu', 'cpu']) {
    blowup[engine] = await page.evaluate(async (engine) => {
      const lab = globalThis.lstmLab.blowup;
      const set = (id, v) => {
        const el = document.getElementById(id);
        el.value = String(v);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      };
      set('blowup-engine', engine);
      await lab.schedule();
      const samples = [];
      for (let i = 0; i < 11; i++) {
        set('blowup-scale', (-1 + i * 0.1).toFixed(2));
        await lab.schedule();
        samples.push(lab.lastTiming);
      }
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      return { computeMs: median(samples.map((t) => t.computeMs)), drawMs: median(samples.map((t) => t.drawMs)) };
    }, engine);
    console.log(
      `Blow-up redraw (n=50, T=50) on the ${engine.toUpperCase()}: compute ${blowup[engine].computeMs.toFixed(1)} ms + draw ${blowup[engine].drawMs.toFixed(1)} ms (median of 11)`,
    );
  }
  await page.close();
}

/** The CSV read + tokenise time (issue 26: ≤ 1.5 s), and where it goes (medians of `data.runs`). */
function dataLine(d) {
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const ms = (x) => `${x.toFixed(0)} ms`;
  return (
    `CSV read + tokenise ${s(d.readMs + d.prepare_ms)} (read ${s(d.readMs)}: unpack ${ms(d.unpack_ms)} + parse ${ms(d.parse_ms)} + preview ${ms(d.preview_ms)}; ` +
    `split + fit + encode ${s(d.prepare_ms)}, of which fit ≈ ${ms(d.fit_ms)}); Start with a CPU model ${s(d.prepareMs)}; ` +
    `the data check ${s(d.check_ms)} (median of ${d.runs})`
  );
}

let data = null;
if (existsSync(join(ROOT, 'www', 'vendor', 'bench', 'imdb_50k.csv.gz'))) {
  const page = await browser.newPage();
  await page.goto(`${server.url}bench/bench.html`);
  await page.waitForFunction(() => globalThis.benchReady === true);
  data = await page.evaluate(() => globalThis.runDataBench('../vendor/bench/imdb_50k.csv.gz'));
  console.log(dataLine(data));
  await page.close();
}
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
      await page.goto(`${server.url}bench/bench.html`);
      await page.waitForFunction(() => globalThis.benchReady === true);
      page.setDefaultTimeout(budgetS * 1000 + 60_000);
      result = await Promise.race([
        page.evaluate((c) => globalThis.runBench(c), { impl, batch, seq, steps, budgetMs: budgetS * 1000 }),
        new Promise((resolve) =>
          setTimeout(
            () => resolve({ impl, batch, seq, skipped: `no step finished within the ${budgetS} s budget` }),
            budgetS * 1000 + 30_000,
          ),
        ),
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
// The CPU path against its baseline in this run.
const cpuLines = [];
for (const [batch, seq] of configs) {
  const get = (impl) => results.find((r) => r.impl === impl && r.batch === batch && r.seq === seq && !r.skipped);
  const base = get('cpu-reference');
  for (const impl of ['cpu', 'cpu-workers']) {
    const r = get(impl);
    if (r && base)
      cpuLines.push(
        `- ${batch}×${seq}: ${impl} ${fmt(r.medianMs)} ms/step, ${(base.medianMs / r.medianMs).toFixed(2)}× faster than cpu-reference (${fmt(base.medianMs)} ms)`,
      );
  }
}
// The GRU and the plain RNN in the LSTM's place (one worker each), per step and per parameter of
// the recurrent layer (G·H·(E + H + 2), G = 4, 3, 1 at E = H = 100): the issue's goal is ≤ 1×.
const layerParameters = { cpu: 4 * 100 * 202, 'cpu-gru': 3 * 100 * 202, 'cpu-rnn': 100 * 202 };
for (const [batch, seq] of configs) {
  const get = (impl) => results.find((r) => r.impl === impl && r.batch === batch && r.seq === seq && !r.skipped);
  const lstm = get('cpu');
  for (const impl of ['cpu-gru', 'cpu-rnn']) {
    const r = get(impl);
    if (r && lstm) {
      const perParameter = r.medianMs / layerParameters[impl] / (lstm.medianMs / layerParameters.cpu);
      cpuLines.push(
        `- ${batch}×${seq}: ${impl} ${fmt(r.medianMs)} ms/step against the LSTM's ${fmt(lstm.medianMs)}: ${perParameter.toFixed(2)}× the LSTM's time per recurrent parameter`,
      );
    }
  }
}
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
      : `| ${r.batch}×${r.seq} | ${r.impl}${r.note ? ` (${r.note})` : ''} | ${fmt(r.medianMs)} | ${fmt(r.reviewsPerSecond, 1)} | ${fmt(r.dispatchesPerStep)} | ${fmt(r.dispatchesPerTimeStep, 1)} |`,
  );
}
lines.push('', ...cpuLines, '');
for (const [engine, t] of Object.entries(blowup)) {
  lines.push(
    `Blow-up lab redraw, n = 50, T = 50, on the ${engine.toUpperCase()}: ${t.computeMs.toFixed(1)} ms compute + ${t.drawMs.toFixed(1)} ms chart (median of 11 slider moves; target < 16 ms).`,
  );
}
lines.push('');
if (data) {
  lines.push(
    `Full IMDB CSV (${(data.bytes / 1e6).toFixed(1)} MB gzipped, ${data.rows} rows) in the page: ${dataLine(data)}`,
    '',
  );
}
// What one more time step costs, whatever the fixed cost of a step (embedding, loss, Adam…).
const measured = (impl) => results.filter((r) => r.impl === impl && !r.skipped && r.dispatchesPerStep != null);
for (const impl of impls) {
  const runs = measured(impl).sort((a, b) => a.seq - b.seq);
  if (runs.length >= 2 && runs.at(-1).seq > runs[0].seq) {
    const [a, b] = [runs[0], runs.at(-1)];
    const marginal = (b.dispatchesPerStep - a.dispatchesPerStep) / (b.seq - a.seq);
    lines.push(
      `- ${impl}: ${marginal.toFixed(1)} dispatches per additional time step (forward + backward), from the ${a.seq}- and ${b.seq}-step runs`,
    );
  }
}
for (const [batch, seq] of configs) {
  const get = (impl) => results.find((r) => r.impl === impl && r.batch === batch && r.seq === seq && !r.skipped);
  const fused = get('fused');
  if (!fused) continue;
  const ratio = (other, label) => {
    if (!other) return;
    const r = other.medianMs / fused.medianMs;
    lines.push(
      `- ${batch}×${seq}: fused is ${(r >= 1 ? r : 1 / r).toFixed(2)}× ${r >= 1 ? 'faster' : 'slower'} than ${label}`,
    );
  };
  ratio(get('reference'), 'the reference path');
  ratio(get('cpu'), 'LSTM Lab on the CPU (wasm, one worker)');
  ratio(get('tfjs-webgpu'), 'TensorFlow.js webgpu (same adapter)');
  ratio(get('tfjs-wasm'), 'TensorFlow.js wasm');
}
// The user's view: the fastest way each library trains on this machine.
for (const [batch, seq] of configs) {
  const runs = results.filter((r) => r.batch === batch && r.seq === seq && !r.skipped);
  const best = (prefix) => runs.filter((r) => prefix(r.impl)).sort((a, b) => a.medianMs - b.medianMs)[0];
  const ours = best((impl) => !impl.startsWith('tfjs'));
  const theirs = best((impl) => impl.startsWith('tfjs'));
  if (ours && theirs) {
    lines.push(
      `- ${batch}×${seq}: fastest LSTM Lab (${ours.impl}, ${fmt(ours.medianMs)} ms) vs fastest TensorFlow.js (${theirs.impl}, ${fmt(theirs.medianMs)} ms): ${(theirs.medianMs / ours.medianMs).toFixed(2)}× (above 1: LSTM Lab faster)`,
    );
  }
}
const table = lines.join('\n');
console.log(`\n${table}`);
await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
await writeFile(join(ROOT, 'test-artifacts', 'bench.md'), `${table}\n`);
await writeFile(join(ROOT, 'test-artifacts', 'bench.json'), JSON.stringify(results, null, 1));
