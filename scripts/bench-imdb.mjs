// The post's whole run in the page, as a user does it: open the built site (dist/), upload the
// full IMDB file, keep the post's settings (the "The post's settings" preset), train on the CPU
// with N workers, and time it. Prints per epoch the validation accuracy and the seconds, and the
// total and the best validation accuracy; writes test-artifacts/bench-imdb[-PRESET].md.
// `--preset lesson --csv www/sample/imdb-sample.csv.gz` times the lesson preset on the sample
// (`--epochs` then overrides the preset's only when given).
//
//   node scripts/bench-imdb.mjs [--csv ../shared/data/imdb_50k.csv.gz] [--workers N] [--epochs 5] [--preset post] [--set field=value,…]
//
// Needs dist/ (scripts/build) and the dataset (not part of the repository).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { openTrainer } from './bench-page.mjs';
import { startServer } from './serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const csv = arg('--csv', join(ROOT, '..', 'shared', 'data', 'imdb_50k.csv.gz'));
const workers = arg('--workers', null);
const preset = arg('--preset', 'post');
// The post's run is 5 epochs; another preset keeps its own unless asked.
const epochsArg = arg('--epochs', preset === 'post' ? '5' : null);
const FLAGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const bytes = await readFile(csv);
const server = await startServer({ root: join(ROOT, 'dist'), base: '/lstm-lab/', cache: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
const page = await openTrainer(browser, server.url);
const revision = () => page.evaluate(() => Number(document.getElementById('trainer').dataset.revision ?? 0));
const before = await revision();
await page.setInputFiles('#trainer-file', { name: basename(csv), mimeType: 'application/gzip', buffer: bytes });
await page.waitForFunction((rev) => Number(document.getElementById('trainer').dataset.revision ?? 0) > rev, before, {
  timeout: 300_000,
});
console.log(await page.textContent('#trainer-counts'));
await page.click(`#trainer-preset-${preset}`);
if (epochsArg) await page.fill('#trainer-epochs', epochsArg);
// `--set maxlen=96,hidden=24`: fields changed on top of the preset (to try settings in the page).
for (const pair of (arg('--set', '') ?? '').split(',').filter(Boolean)) {
  const [field, value] = pair.split('=');
  await page.fill(`#trainer-${field}`, value);
}
const epochs = Number(await page.inputValue('#trainer-epochs'));
// This benchmark is about the CPU path (a software WebGPU adapter is far slower here).
await page.selectOption('#trainer-device', 'cpu');
if (workers) await page.fill('#trainer-workers', workers);
const t0 = Date.now();
await page.click('#trainer-start');
let shown = 0;
for (;;) {
  const done = await page
    .waitForFunction(() => /^Done/.test(document.getElementById('trainer-status').textContent), null, {
      timeout: 60_000,
    })
    .then(() => true)
    .catch(() => false);
  const epochsSoFar = await page.evaluate(() => globalThis.lstmLab.trainer.run?.epochs ?? []);
  for (const r of epochsSoFar.slice(shown)) {
    console.log(
      `epoch ${r.epoch}: validation accuracy ${r.valid_accuracy.toFixed(4)}, loss ${r.valid_loss.toFixed(4)} at ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  shown = epochsSoFar.length;
  if (done) break;
  if (await page.evaluate(() => !document.getElementById('trainer-error').hidden)) {
    throw new Error(await page.textContent('#trainer-error'));
  }
}
const totalS = (Date.now() - t0) / 1000;
const prepared = await page.textContent('#trainer-prepared');
// The page's own per-epoch table (epoch, losses, accuracies, macro-F1, the epoch's time), with
// its own header so the columns always match.
const rows = await page.$$eval('#trainer-epochs-table tbody tr', (trs) =>
  trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())),
);
const head = await page.$$eval('#trainer-epochs-table thead th', (ths) => ths.map((th) => th.textContent.trim()));
const table = [
  `| ${head.join(' | ')} |`,
  `|${head.map(() => '---|').join('')}`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const status = await page.textContent('#trainer-status');
const finished = await page.evaluate(() => globalThis.lstmLab.trainer.run?.epochs ?? []);
const best = Math.max(...finished.map((r) => r.valid_accuracy));
await browser.close();
await server.close();

const lines = [
  `Run in the page (${basename(csv)}, the ${preset} preset, ${epochs} epochs, CPU): ${totalS.toFixed(1)} s from Start to Done, best validation accuracy ${best.toFixed(4)}`,
  '',
  prepared,
  '',
  table,
  '',
  status,
];
console.log(`\n${lines.join('\n')}`);
await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
const artifact = preset === 'post' ? 'bench-imdb.md' : `bench-imdb-${preset}.md`;
await writeFile(join(ROOT, 'test-artifacts', artifact), `${lines.join('\n')}\n`);
