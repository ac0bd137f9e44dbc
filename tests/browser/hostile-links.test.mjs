// Links as a hostile or careless user makes them (issue 24): keys named like JavaScript's own
// properties, 100,000 unknown keys, control characters, a review too long for a link. Each ends in
// a specific note, the rest of the link applied, and the page ready within 5 s of the visit.

import assert from 'node:assert/strict';
import { browserTest } from './harness.mjs';

/** Milliseconds from the start of navigation to the first view being ready. */
const readyAfter = (page) =>
  page.evaluate(() => performance.getEntriesByName('lstm-lab:first-view-ready')[0]?.startTime ?? Infinity);

/** The notes the link left, once shown. */
async function notesOf(page) {
  await page.locator('#link-notes').waitFor();
  return page.locator('#link-notes-list li').allInnerTexts();
}

/** The page still answers: a click on a preset redraws the Blow-up lab. */
async function responsive(page) {
  const rev = await page.evaluate(() => Number(document.getElementById('blowup').dataset.revision));
  await page.click('#tab-blowup');
  await page.click('#blowup-preset-overflow');
  await page.waitForFunction((r) => Number(document.getElementById('blowup').dataset.revision) > r, rev, {
    timeout: 5_000,
  });
}

browserTest(
  'a link with keys named like JavaScript’s own properties applies the rest, with one plain note each',
  async (app) => {
    const page = app.page;
    const ms = await readyAfter(page);
    assert.ok(ms < 5_000, `ready ${Math.round(ms)} ms after the visit`);
    const notes = await notesOf(page);
    const all = notes.join('\n');
    assert.match(all, /hide: 2 names are not a control “hide” can hide; ignored: “__proto__”, “constructor”\./);
    assert.match(all, /3 names are not a setting of this page; ignored: “__proto__”, “toString”, “hasOwnProperty”\./);
    assert.match(all, /Cell stepper: no preset “constructor”; showing/);
    assert.doesNotMatch(all, /TypeError|undefined|is not a function|Cannot read/);
    // The rest of the link applied: the hidden control, the step, presenter mode.
    assert.equal(await page.evaluate(() => document.body.classList.contains('presenter')), true);
    assert.equal(await page.locator('#stepper-weights').isVisible(), false);
    assert.equal(await app.text('#stepper-t-value'), '2');
    await app.screenshot('hostile-link-prototype-keys');
    await responsive(page);
  },
  {
    hash: '?present=1&hide=__proto__,constructor,stepper.weights&__proto__=x&toString=1&hasOwnProperty=2&stepper.preset=constructor&stepper.t=2#stepper',
  },
);

browserTest(
  'Inside the model: a review list named `constructor` or `__proto__` is no list',
  async (app) => {
    const page = app.page;
    await page.waitForFunction(() => document.body.dataset.insideModel, null, { timeout: 60_000 });
    const notes = await notesOf(page);
    assert.ok(
      notes.some((n) => n === 'Inside the model: no list “constructor” (misclassified, confident, borderline).'),
      notes.join('\n'),
    );
    assert.notEqual(await page.inputValue('#inside-text'), 'undefined');
    assert.equal(await page.inputValue('#inside-text'), 'a fine film');
  },
  { hash: '?inside.model=pretrained&inside.example=constructor.1&inside.text=a%20fine%20film#inside' },
);

const MANY = 100_000;

browserTest(
  'a link with 100,000 unknown keys is ready within 5 s, with one note that counts them',
  async (app) => {
    const page = app.page;
    const ms = await readyAfter(page);
    assert.ok(ms < 5_000, `ready ${Math.round(ms)} ms after the visit`);
    const notes = await notesOf(page);
    assert.ok(notes.length <= 12, `${notes.length} notes`);
    assert.match(
      notes.join('\n'),
      /100,000 names are not a setting of this page; ignored: “k0”, “k1”, “k2”, “k3”, “k4” and 99,995 more\./,
    );
    assert.equal(await page.inputValue('#blowup-n'), '40', 'the known key among them applied');
    // The address keeps only what the page uses.
    assert.equal(new URL(page.url()).search, '?blowup.n=40');
    await responsive(page);
  },
  {
    hash: `?${Array.from({ length: MANY }, (_, i) => `k${i}=1`).join('&')}&blowup.n=40`,
    // An 800 kB request line is past the test server's header limit (Node's 16 KiB): the page is
    // fetched by its path alone, as a host that ignores the query serves it.
    setup: async (app) => {
      await app.page.route(
        (url) => url.search.length > 100_000,
        async (route) => {
          const url = new URL(route.request().url());
          url.search = '';
          await route.fulfill({ response: await route.fetch({ url: url.href }) });
        },
      );
    },
  },
);

browserTest(
  'control characters in a link are shown escaped in the notes, never raw',
  async (app) => {
    const page = app.page;
    const notes = await notesOf(page);
    const all = notes.join('\n');
    assert.match(all, /Cell stepper: no preset “\\u\{1b\}\[31mred\\u\{0\}”/);
    assert.match(all, /Matrix size n: “\\u\{7\}\\u\{8\}” is not a number/);
    assert.match(all, /“a\\u\{a\}b” is not a setting of this page/);
    const raw = [...all].filter((c) => c !== '\n' && (c < ' ' || c === '\u007f'));
    assert.deepEqual(raw, [], 'no raw control character in the notes');
    await responsive(page);
  },
  { hash: '?stepper.preset=%1B%5B31mred%00&blowup.n=%07%08&a%0Ab=1' },
);

browserTest('a review longer than a link keeps is left out of it, and the Copy-link box says so', async (app) => {
  const page = app.page;
  await page.click('#tab-stepper');
  const long = 'the film was long and so is this review '.repeat(30); // 1,200 characters
  await page.fill('#stepper-sequence', long);
  await page.locator('#stepper-sequence').dispatchEvent('change');
  await page.click('#copy-link');
  await page.waitForFunction(() => document.getElementById('copy-link-text').value !== '');
  const link = await page.inputValue('#copy-link-text');
  assert.equal(new URL(link).searchParams.get('stepper.sequence'), null);
  assert.ok(link.length < 400, `${link.length} characters`);
  assert.match(
    await app.text('#copy-link-status'),
    /the Cell stepper’s sequence \(1,200 characters; a link keeps texts up to 400: paste it after opening\)/,
  );
  // A short text still travels.
  await page.fill('#stepper-sequence', 'short and sweet');
  await page.locator('#stepper-sequence').dispatchEvent('change');
  await page.click('#copy-link');
  await page.waitForFunction(() => document.getElementById('copy-link-text').value.includes('short'));
  assert.equal(
    new URL(await page.inputValue('#copy-link-text')).searchParams.get('stepper.sequence'),
    'short and sweet',
  );
});
