// Page-load benchmark of the built site (dist/, from scripts/build), cold cache, in headless
// Chromium: bytes transferred and time until the first view is interactive (every section
// drawn: `performance.mark('lstm-lab:first-view-ready')`), then bytes and time from opening the
// Trainer tab until its worker has loaded the trainer's module and started
// (`lstm-lab:trainer-boot` → `lstm-lab:trainer-ready`). On loopback and on a simulated link
// (DevTools network throttling). Then "Inside the model": the pretrained model from the click
// to its gate view drawn, and the gate view alone (compute + draw, median of 5). Prints a table
// and writes test-artifacts/bench-load.md.
//
//   node scripts/bench-load.mjs [--runs 3] [--mbit 10] [--rtt 40] [--baseline DIR]
//
// --baseline DIR: also measure another build of the page (e.g. an older commit's www/, with
// .gz files beside its files) to the first view, in the same run.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('--runs', 3));
const mbit = Number(arg('--mbit', 10));
const rttMs = Number(arg('--rtt', 40));
const baselineRoot = arg('--baseline', null);
const FLAGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const build = JSON.parse(
  await readFile(join(ROOT, 'dist', 'build.json'), 'utf8').catch(() => {
    throw new Error('dist/ is not built: run scripts/build first');
  }),
);
const server = await startServer({ root: join(ROOT, 'dist'), base: '/lstm-lab/', cache: true });
const baselineServer = baselineRoot ? await startServer({ root: baselineRoot, base: '/lstm-lab/', cache: true }) : null;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });

const links = [
  { name: 'loopback', conditions: null },
  {
    name: `${mbit} Mbit/s, ${rttMs} ms RTT`,
    conditions: {
      offline: false,
      latency: rttMs,
      downloadThroughput: (mbit * 1e6) / 8,
      uploadThroughput: (mbit * 1e6) / 16,
    },
  },
];

async function measure(link, url = server.url, firstViewOnly = false) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (link.conditions) await cdp.send('Network.emulateNetworkConditions', link.conditions);
  // Bytes on the wire (headers + encoded body) per finished request, page and worker alike.
  const transfers = [];
  context.on('requestfinished', async (request) => {
    const sizes = await request.sizes().catch(() => null);
    if (sizes)
      transfers.push({ url: request.url(), at: Date.now(), bytes: sizes.responseHeadersSize + sizes.responseBodySize });
  });
  await page.goto(url);
  // A build without the mark (an older commit) is timed when the poll sees it ready.
  const firstViewMs = await (
    await page.waitForFunction(
      () =>
        document.body.dataset.ready === 'true' &&
        (performance.getEntriesByName('lstm-lab:first-view-ready')[0]?.startTime ?? performance.now()),
      null,
      { timeout: 300_000, polling: 10 },
    )
  ).jsonValue();
  await new Promise((r) => setTimeout(r, 300)); // let the last requestfinished events arrive
  const firstView = transfers.splice(0);
  const sum = (list) => list.reduce((t, x) => t + x.bytes, 0);
  if (firstViewOnly) {
    await context.close();
    return { firstViewMs, firstViewBytes: sum(firstView), firstViewRequests: firstView.length };
  }
  // "Inside the model" with the pretrained model: download, load, inspect, draw; then the gate
  // view alone for the default review (128 positions × 100 units), median of 5.
  await page.click('#tab-inside');
  const clicked = await page.evaluate(() => performance.now());
  await page.click('#inside-pretrained');
  const insideAt = await (
    await page.waitForFunction(() => document.body.dataset.insideReady && performance.now(), null, {
      timeout: 300_000,
      polling: 10,
    })
  ).jsonValue();
  const gateView = await page.evaluate(() => {
    const inside = globalThis.lstmLab.inside;
    const times = [];
    for (let k = 0; k < 5; k++) {
      inside.run();
      times.push(inside.timing.computeMs + inside.timing.drawMs);
    }
    return times.sort((a, b) => a - b)[2];
  });
  await new Promise((r) => setTimeout(r, 300));
  const inside = transfers.splice(0);
  await page.click('#tab-trainer');
  await page.waitForFunction(() => performance.getEntriesByName('lstm-lab:trainer-ready').length > 0, null, {
    timeout: 300_000,
  });
  const trainerMs = await page.evaluate(
    () =>
      performance.getEntriesByName('lstm-lab:trainer-ready')[0].startTime -
      performance.getEntriesByName('lstm-lab:trainer-boot')[0].startTime,
  );
  await new Promise((r) => setTimeout(r, 300));
  const trainer = transfers.splice(0);
  await context.close();
  return {
    firstViewMs,
    firstViewBytes: sum(firstView),
    firstViewRequests: firstView.length,
    trainerMs,
    trainerBytes: sum(trainer),
    trainerRequests: trainer.length,
    insideMs: insideAt - clicked,
    insideSinceOpenMs: insideAt,
    insideBytes: sum(inside),
    gateViewMs: gateView,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kB = (n) => `${(n / 1024).toFixed(0)} kB`;
const lines = [
  `Page load of dist/ (build ${build.id}), cold cache, headless Chromium ${browser.version()}, median of ${runs}`,
  '',
  '| link | first view: bytes (requests) | first view interactive | trainer tab: bytes (requests) | trainer ready after opening its tab | pretrained model: bytes | its gate view drawn: after the click (since opening the page) | gate view, 128 × 100 |',
  '|---|---|---|---|---|---|---|---|',
];
for (const link of links) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await measure(link));
  const m = (key) => median(results.map((r) => r[key]));
  lines.push(
    `| ${link.name} | ${kB(m('firstViewBytes'))} (${m('firstViewRequests')}) | ${(m('firstViewMs') / 1000).toFixed(2)} s | ${kB(m('trainerBytes'))} (${m('trainerRequests')}) | ${(m('trainerMs') / 1000).toFixed(2)} s` +
      ` | ${kB(m('insideBytes'))} | ${(m('insideMs') / 1000).toFixed(2)} s (${(m('insideSinceOpenMs') / 1000).toFixed(2)} s) | ${m('gateViewMs').toFixed(1)} ms |`,
  );
  console.log(lines.at(-1));
  if (baselineServer) {
    const base = [];
    for (let i = 0; i < runs; i++) base.push(await measure(link, baselineServer.url, true));
    const b = (key) => median(base.map((r) => r[key]));
    lines.push(
      `| ${link.name}, baseline ${baselineRoot} | ${kB(b('firstViewBytes'))} (${b('firstViewRequests')}) | ${(b('firstViewMs') / 1000).toFixed(2)} s | – | – | – | – | – |`,
    );
    console.log(lines.at(-1));
  }
}
await browser.close();
await server.close();
await baselineServer?.close();
const table = lines.join('\n');
console.log(`\n${table}`);
await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
await writeFile(join(ROOT, 'test-artifacts', 'bench-load.md'), `${table}\n`);
process.exit(0);
