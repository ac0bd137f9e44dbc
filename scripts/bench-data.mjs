// Data in (issue 26: reading + splitting + tokenising the IMDB CSV in the page ≤ 1.5 s), in
// headless Chromium, median of --runs:
//  1. the trainer's stages on the bench page (www/bench/, `runDataBench`): unpack, parse,
//     preview, split + fit + encode, the data check, each timed by the wasm module itself;
//  2. the Trainer as a user meets it in the built site (dist/): the file chosen (.csv.gz, then
//     the same file unpacked, .csv) → its preview ("read in", and the time from the file input's
//     change to the preview on screen), the data check ("checked in"), and Start on the CPU
//     ("Tokenised in": split, fit, encode, the model and the workers).
// Prints a table and writes test-artifacts/bench-data.md.
//
//   node scripts/bench-data.mjs [--csv ../shared/data/imdb_50k.csv.gz] [--runs 3] [--only stages|page]
//
// Needs www/pkg and dist/ built (scripts/bench data does both) and the dataset.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { openTrainer } from './bench-page.mjs';
import { startServer } from './serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const csv = arg('--csv', join(ROOT, '..', 'shared', 'data', 'imdb_50k.csv.gz'));
const runs = Number(arg('--runs', 3));
const only = arg('--only', null);
const FLAGS = ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update'];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

const gz = await readFile(csv);
const plain = gunzipSync(gz);
// (Playwright hands a file over 50 MB to the page only from a path.)
const plainPath = join(tmpdir(), basename(csv).replace(/\.gz$/, ''));
await writeFile(plainPath, plain);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
const lines = [
  `Data in, ${basename(csv)} (${(gz.length / 1e6).toFixed(1)} MB, ${(plain.length / 1e6).toFixed(1)} MB unpacked), headless Chromium ${browser.version()}, median of ${runs}`,
  '',
];

// 1. Stages, on the bench page (served from www/, where scripts/bench data copies the file).
if (only !== 'page') {
  const server = await startServer({ root: join(ROOT, 'www') });
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e}`));
  await page.goto(`${server.url}bench/bench.html`);
  await page.waitForFunction(() => globalThis.benchReady === true);
  const d = await page.evaluate((n) => globalThis.runDataBench('../vendor/bench/imdb_50k.csv.gz', n), runs);
  await page.close();
  await server.close();
  const ms = (x) => `${x.toFixed(0)} ms`;
  lines.push(
    "| stage (the wasm module's clock) | time |",
    '|---|---|',
    `| unpack (gzip) | ${ms(d.unpack_ms)} |`,
    `| parse (CSV → texts, lines, labels) | ${ms(d.parse_ms)} |`,
    `| preview | ${ms(d.preview_ms)} |`,
    `| **read** (\`loadCsv\`, as the page calls it) | **${s(d.readMs)}** |`,
    `| split + fit + encode (\`prepare\`) | ${ms(d.prepare_ms)} |`,
    `| of which fitting the tokenizer, about | ${ms(d.fit_ms)} |`,
    `| **read + tokenise** | **${s(d.readMs + d.prepare_ms)}** |`,
    `| Start (\`start\`: prepare, summary, a CPU model) | ${s(d.prepareMs)} |`,
    `| the data check (its own split/fit/encode, lengths, naive Bayes) | ${s(d.check_ms)} |`,
    '',
  );
  console.log(lines.join('\n'));
}

// 2. The Trainer, as a user: built site, file input, the page's own numbers.
if (only === 'stages') {
  await browser.close();
  process.exit(0);
}
const server = await startServer({ root: join(ROOT, 'dist'), base: '/lstm-lab/', cache: true });
const number = (text, pattern) => Number(text.match(pattern)?.[1] ?? Number.NaN) * 1000;
const results = { gz: [], csv: [] };
for (let r = 0; r < runs; r++) {
  for (const [kind, path] of [
    ['gz', csv],
    ['csv', plainPath],
  ]) {
    const page = await openTrainer(browser, server.url);
    // From the input's change event to the preview's counts on screen, on the page's clock.
    await page.evaluate(() => {
      const input = document.getElementById('trainer-file');
      input.addEventListener('change', () => {
        globalThis.benchChosen = performance.now();
        const counts = document.getElementById('trainer-counts');
        new MutationObserver((_, observer) => {
          if (/read in/.test(counts.textContent)) {
            globalThis.benchShown = performance.now();
            observer.disconnect();
          }
        }).observe(counts, { childList: true, characterData: true, subtree: true });
      });
    });
    await page.setInputFiles('#trainer-file', path);
    await page.waitForFunction(() => globalThis.benchShown, null, { timeout: 300_000 });
    const counts = await page.textContent('#trainer-counts');
    await page.waitForFunction(() => document.getElementById('trainer-check').dataset.state === 'done', null, {
      timeout: 300_000,
    });
    const check = await page.textContent('#trainer-check-status');
    await page.click('#trainer-preset-post');
    // (Without WebGPU, as here, the page trains on the CPU and the choice is disabled.)
    if (await page.isEnabled('#trainer-device')) await page.selectOption('#trainer-device', 'cpu');
    await page.click('#trainer-start');
    await page.waitForFunction(
      () => /Tokenised in/.test(document.getElementById('trainer-prepared').textContent),
      null,
      {
        timeout: 300_000,
      },
    );
    const prepared = await page.textContent('#trainer-prepared');
    results[kind].push({
      shownMs: await page.evaluate(() => globalThis.benchShown - globalThis.benchChosen),
      readMs: number(counts, /read in ([\d.]+) s/),
      checkMs: number(check, /checked in ([\d.]+) s/),
      tokenisedMs: number(prepared, /Tokenised in ([\d.]+) s/),
      workers: Number(prepared.match(/with (\d+) worker/)?.[1] ?? 0),
    });
    console.log(kind, JSON.stringify(results[kind].at(-1)));
    await page.close();
  }
}
await browser.close();
await server.close();
lines.push(
  '| file chosen | change → preview on screen | "read in" (worker) | "checked in" | "Tokenised in" (Start, CPU) | read + tokenise ("read in" + "Tokenised in") |',
  '|---|---|---|---|---|---|',
);
for (const [kind, list] of Object.entries(results)) {
  const m = (key) => median(list.map((x) => x[key]));
  lines.push(
    `| .${kind === 'gz' ? 'csv.gz' : 'csv'} | ${s(m('shownMs'))} | ${s(m('readMs'))} | ${s(m('checkMs'))} | ${s(m('tokenisedMs'))} (${list[0].workers} workers) | ${s(median(list.map((x) => x.readMs + x.tokenisedMs)))} |`,
  );
}
const table = lines.join('\n');
console.log(`\n${table}`);
await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
await writeFile(join(ROOT, 'test-artifacts', 'bench-data.md'), `${table}\n`);
process.exit(0);
