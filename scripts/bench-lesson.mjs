// Wall time of the Compare panel's lesson ("does the LSTM beat a plain RNN?": four models, five
// epochs each on the built-in sample) in headless Chromium on the CPU engine, with the page's
// default number of CPU workers, against the built site (dist/, from scripts/build). Prints the
// seconds from Start comparison to "Comparison done", the workers, and the table's rows.
//
//   node scripts/bench-lesson.mjs [--workers N]

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--workers');
const workers = i > 0 ? process.argv[i + 1] : null;

const server = await startServer({ root: join(ROOT, 'dist'), base: '/lstm-lab/demo/', cache: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  page.on('pageerror', (e) => console.error('page error:', String(e)));
  await page.goto(`${server.url}#trainer`);
  await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
    timeout: 300_000,
  });
  await page.click('#trainer-compare-lesson');
  await page.selectOption('#trainer-device', 'cpu');
  if (workers) await page.fill('#trainer-workers', workers);
  await page.waitForFunction(() => !document.getElementById('trainer-compare-start').disabled, null, {
    timeout: 300_000,
  });
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const used = await page.inputValue('#trainer-workers');
  console.log(`CPU engine, ${used} worker(s) (the browser reports ${cores} cores); starting the lesson`);
  const t0 = Date.now();
  await page.click('#trainer-compare-start');
  let last = '';
  for (;;) {
    const status = await page.textContent('#trainer-compare-status');
    if (/^Comparison (done|stopped)/.test(status)) break;
    if (status !== last) console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${status}`);
    last = status;
    await page.waitForTimeout(2000);
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log(`${await page.textContent('#trainer-compare-status')}`);
  console.log(`wall time: ${seconds.toFixed(1)} s`);
  const rows = await page
    .locator('#trainer-compare-table tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent).join(' | ')));
  console.log('model | best valid. acc. | epochs | parameters | s / epoch');
  for (const r of rows) console.log(r);
  await page.screenshot({ path: join(ROOT, 'test-artifacts', 'bench-lesson.png'), fullPage: false });
} finally {
  await browser.close();
  server.close?.();
}
