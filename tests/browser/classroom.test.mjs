// The classroom: one link opens the exact view (every section's controls, the step, the unit,
// edited weights, the chosen review), back and forward walk through changes, a bad link is
// clamped with a note, presenter mode and the controls a teacher hides travel in the link, and a
// whole lesson works from the keyboard alone.

import assert from 'node:assert/strict';
import { browserTest, settled, setValue } from './harness.mjs';

/** Open `url` in a fresh browser context (no state shared with the page that made the link). */
async function openFresh(app, url, { viewport = { width: 1400, height: 1000 } } = {}) {
  const context = await app.context.browser().newContext({ viewport, serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
  return { page, context, errors };
}

/** Wait until the address has taken in the latest change. */
async function linked(page, after) {
  await page.waitForFunction((rev) => Number(document.body.dataset.linkRevision ?? 0) > rev, after);
  return page.evaluate(() => Number(document.body.dataset.linkRevision));
}
const linkRevision = (page) => page.evaluate(() => Number(document.body.dataset.linkRevision ?? 0));

async function copyLink(page) {
  await page.click('#copy-link');
  await page.waitForFunction(() => document.getElementById('copy-link-text').value !== '');
  return page.inputValue('#copy-link-text');
}

/** What a student would compare: every control's value and the numbers each section shows. */
async function snapshot(page) {
  return page.evaluate(() => {
    const values = {};
    for (const el of document.querySelectorAll('main input, main select, main textarea')) {
      if (!el.id || el.type === 'file') continue;
      values[el.id] = el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value;
    }
    const text = (id) => document.getElementById(id)?.textContent ?? null;
    const lab = globalThis.lstmLab;
    return {
      values,
      tab: document.querySelector('[role="tab"][aria-selected="true"]').id,
      blowup: {
        verdict: text('blowup-verdict'),
        zero: text('blowup-first-zero'),
        nan: text('blowup-first-nan'),
        data: JSON.stringify(lab.blowup.chart.data),
      },
      stepper: {
        t: text('stepper-t-value'),
        equations: text('stepper-equations'),
        run: JSON.stringify(lab.stepper.run),
        unit: lab.stepper.unit,
      },
      gradflow: { summary: text('gradflow-summary'), data: JSON.stringify(lab.gradflow.chart.data) },
      presenter: document.body.classList.contains('presenter'),
    };
  });
}

browserTest('a copied link opens the same view: every section, the step, the unit, an edited weight', async (app) => {
  const page = app.page;
  // Blow-up lab: the post's ×0.01 preset at n = 30, seed 7, on the CPU. (Chosen, not left to
  // "auto", which times both engines: on a loaded machine the two pages can pick differently,
  // and the GPU's float32 sums differ from the CPU's in the last bits, enough to move the step
  // where the product underflows.)
  const rev = await page.evaluate(() => Number(document.getElementById('blowup').dataset.revision));
  await page.selectOption('#blowup-engine', 'cpu');
  await page.click('#blowup-preset-underflow');
  await setValue(page, '#blowup-n', 30);
  await setValue(page, '#blowup-seed', 7);
  await settled(page, 'blowup', { after: rev });
  // Cell stepper: France → French at step 7, unit 2, an edited weight, the post's cell beside.
  await page.click('#tab-stepper');
  await page.selectOption('#stepper-preset', 'france');
  await page.locator('#stepper-diagram').focus();
  for (let i = 1; i < 7; i++) await page.keyboard.press('ArrowRight');
  await page.fill('#stepper-hidden-size', '2');
  await page.locator('#stepper-hidden-size').dispatchEvent('change');
  await page.selectOption('#stepper-unit', { value: '1' });
  await page.fill('#stepper-weight-i-0-0', '2.5');
  await page.locator('#stepper-weight-i-0-0').dispatchEvent('change');
  await page.check('#stepper-compare');
  await setValue(page, '#gradflow-steps', 80);
  await setValue(page, '#gradflow-scale', 1.5);
  // Trainer settings (the module need not be loaded for them to travel): the lesson preset sets
  // every field of a run to the module's lesson values and leaves the CPU workers as the device
  // gave them; then two edits on top.
  const workers = await page.inputValue('#trainer-workers');
  // (The Trainer tab is hidden here: a click from the script, as a user's would reach it.)
  await page.evaluate(() => document.getElementById('trainer-preset-lesson').click());
  const { lesson, post } = await page.evaluate(() => globalThis.lstmLab.trainer.presets);
  const runFields = ['vocab', 'maxlen', 'embed', 'hidden', 'batch', 'lr', 'epochs', 'split', 'seed'];
  assert.deepEqual(Object.keys(lesson).sort(), [...runFields].sort());
  for (const field of runFields) assert.equal(Number(await page.inputValue(`#trainer-${field}`)), lesson[field], field);
  assert.equal(await page.inputValue('#trainer-workers'), workers);
  assert.ok(
    lesson.hidden < post.hidden && lesson.embed < post.embed,
    'the lesson trains a smaller model than the post',
  );
  await setValue(page, '#trainer-epochs', 3);
  await setValue(page, '#trainer-lr', 0.002);
  await setValue(page, '#trainer-predict-text', 'a link for the class, & friends = 100%');
  await page.waitForFunction(() => document.getElementById('stepper').dataset.gradflowBusy === 'false');
  assert.equal(await app.text('#stepper-t-value'), '7');

  const link = await copyLink(page);
  assert.ok(link.startsWith(app.url), link);
  assert.match(link, /#stepper$/);
  const url = new URL(link);
  assert.equal(url.searchParams.get('stepper.preset'), 'france');
  assert.equal(url.searchParams.get('stepper.t'), '7');
  assert.equal(url.searchParams.get('stepper.unit'), '2');
  assert.equal(url.searchParams.get('stepper.hidden'), '2');
  assert.equal(url.searchParams.get('stepper.w'), 'i-0-0:2.5');
  assert.equal(url.searchParams.get('blowup.scale'), '0.01');
  assert.equal(url.searchParams.get('blowup.engine'), 'cpu', 'the engine travels: the class sees the same numbers');
  assert.equal(url.searchParams.get('trainer.epochs'), '3');
  // The lesson's fields travel, the ones equal to the post's defaults stay out.
  for (const field of runFields.filter((f) => f !== 'epochs' && f !== 'lr')) {
    const want = lesson[field] === post[field] ? null : String(lesson[field]);
    assert.equal(url.searchParams.get(`trainer.${field}`), want, field);
  }
  assert.equal(url.searchParams.get('blowup.steps'), null, 'defaults stay out of the link');
  const before = await snapshot(page);

  const fresh = await openFresh(app, link);
  try {
    const after = await snapshot(fresh.page);
    assert.deepEqual(after.values, before.values);
    assert.deepEqual(after.stepper, before.stepper);
    assert.deepEqual(after.blowup, before.blowup);
    assert.deepEqual(after.gradflow, before.gradflow);
    assert.equal(after.tab, 'tab-stepper');
    assert.equal(await fresh.page.locator('#link-notes').isVisible(), false, 'a clean link leaves no notes');
    assert.equal(await fresh.page.inputValue('#stepper-weight-i-0-0'), '2.5');
    assert.deepEqual(fresh.errors, []);
  } finally {
    await fresh.context.close();
  }
});

browserTest('back and forward walk through the changes', async (app) => {
  const page = app.page;
  let link = await linkRevision(page);
  let rev = await page.evaluate(() => Number(document.getElementById('blowup').dataset.revision));
  await setValue(page, '#blowup-n', 60);
  rev = await settled(page, 'blowup', { after: rev });
  link = await linked(page, link);
  await setValue(page, '#blowup-scale', -2);
  rev = await settled(page, 'blowup', { after: rev });
  link = await linked(page, link);
  assert.deepEqual(
    [...new URL(page.url()).searchParams],
    [
      ['blowup.n', '60'],
      ['blowup.scale', '0.01'],
    ],
  );
  const zeros = await app.text('#blowup-first-zero');
  assert.notEqual(zeros, '—');

  await page.goBack();
  rev = await settled(page, 'blowup', { after: rev });
  assert.equal(await page.inputValue('#blowup-n'), '60');
  assert.equal(await app.text('#blowup-scale-value'), '1');
  assert.equal(await app.text('#blowup-first-zero'), '—');
  await page.goBack();
  rev = await settled(page, 'blowup', { after: rev });
  assert.equal(await page.inputValue('#blowup-n'), '50');
  assert.equal(new URL(page.url()).search, '');
  await page.goForward();
  await page.goForward();
  await settled(page, 'blowup', { after: rev });
  assert.equal(await page.inputValue('#blowup-n'), '60');
  assert.equal(await app.text('#blowup-first-zero'), zeros);
});

browserTest(
  'a link with impossible values is clamped, with a note for each',
  async (app) => {
    const page = app.page;
    await page.locator('#link-notes').waitFor();
    const notes = await page.locator('#link-notes-list li').allInnerTexts();
    const all = notes.join('\n');
    assert.match(all, /Matrix size n: 9999 is outside 2 to 256; using 256/);
    assert.match(all, /Steps T: “abc” is not a number/);
    assert.match(all, /no preset “nope”/);
    assert.match(all, /step 999 is outside the sequence/);
    assert.match(all, /“foo” is not a setting/);
    assert.match(all, /Compute on: no choice “quantum”/);
    assert.match(all, /weights: 2 entries could not be used/);
    assert.match(all, /Scale of W: “-1” is not a positive number/);
    assert.equal(await page.inputValue('#blowup-n'), '256');
    assert.equal(await page.inputValue('#blowup-steps'), '50');
    const T = Number(await app.text('#stepper-t-max'));
    assert.equal(await app.text('#stepper-t-value'), String(T));
    // The address now says what is shown.
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('blowup.n'), '256');
    assert.equal(url.searchParams.get('foo'), null);
    await page.click('#link-notes-close');
    assert.equal(await page.locator('#link-notes').isVisible(), false);
  },
  {
    hash: '?blowup.n=9999&blowup.steps=abc&blowup.engine=quantum&blowup.scale=-1&stepper.preset=nope&stepper.t=999&stepper.w=x-1-1:2,i-0-0:zz&foo=1',
  },
);

browserTest(
  'presenter mode and the hidden controls travel in the link; the teacher changes them',
  async (app) => {
    const page = app.page;
    assert.equal(await page.evaluate(() => document.body.classList.contains('presenter')), true);
    const size = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
    assert.equal(size, '24px');
    assert.equal(await page.locator('#blowup-seed').isVisible(), false);
    assert.equal(await page.locator('label[for="blowup-seed"]').isVisible(), false);
    assert.equal(await page.locator('#blowup-n').isVisible(), true);
    assert.match(await app.text('#presenter-hidden-count'), /2 controls are hidden/);
    await page.click('#tab-stepper');
    assert.equal(await page.locator('#stepper-weights').isVisible(), false);
    // The diagram is as large as the first screen allows (docs/lessons.md, presenter mode): the
    // full width of the page's content, or half the screen's height when that binds first.
    const [width, height, mainWidth, screenHeight] = await page.evaluate(() => {
      const r = document.getElementById('stepper-diagram').getBoundingClientRect();
      return [r.width, r.height, document.querySelector('main').clientWidth, innerHeight];
    });
    assert.ok(
      width > 0.8 * mainWidth || height >= 0.49 * screenHeight,
      `diagram ${width}×${height} px in ${mainWidth} px of content, a screen ${screenHeight} px high`,
    );

    // The teacher unticks one more control.
    const link = await linkRevision(page);
    await page.click('#presenter-controls');
    await page.uncheck('#show-blowup-engine');
    await page.click('#presenter-panel-done');
    await linked(page, link);
    assert.equal(new URL(page.url()).searchParams.get('hide'), 'blowup.engine,blowup.seed,stepper.weights');
    await app.screenshot('classroom-presenter-stepper');
    await page.click('#presenter-toggle');
    assert.equal(await page.evaluate(() => document.body.classList.contains('presenter')), false);
    await page.click('#presenter-show-all');
    assert.equal(await page.locator('#stepper-weights').isVisible(), true);
  },
  { hash: '?present=1&hide=blowup.seed,stepper.weights' },
);

browserTest('a lesson from the keyboard alone: a preset, steps, a weight, shortcuts', async (app) => {
  const page = app.page;
  const kb = page.keyboard;
  await kb.press('?');
  assert.equal(await page.locator('#shortcuts').isVisible(), true);
  await kb.press('Escape');
  assert.equal(await page.locator('#shortcuts').isVisible(), false);
  // The Blow-up lab's overflow preset by its key.
  const rev = await page.evaluate(() => Number(document.getElementById('blowup').dataset.revision));
  await kb.press('z');
  await settled(page, 'blowup', { after: rev });
  assert.match(await app.text('#blowup-first-zero'), /step \d+/);
  // To the stepper; the preset menu by Tab; a preset by arrow keys.
  await kb.press('2');
  assert.equal(await page.locator('#stepper').isVisible(), true);
  await page.locator('#tab-stepper').focus();
  let guard = 0;
  while (!(await page.evaluate(() => document.activeElement?.id === 'stepper-preset')) && guard++ < 40)
    await kb.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'stepper-preset');
  const first = await page.inputValue('#stepper-preset');
  await kb.press('ArrowDown');
  const chosen = await page.inputValue('#stepper-preset');
  assert.notEqual(chosen, first);
  // Steps: → three times from the page (focus leaves the menu first), then Home and End.
  await page.evaluate(() => document.activeElement.blur());
  for (let i = 0; i < 3; i++) await kb.press('ArrowRight');
  assert.equal(await app.text('#stepper-t-value'), '4');
  await kb.press('End');
  assert.equal(await app.text('#stepper-t-value'), await app.text('#stepper-t-max'));
  await kb.press('Home');
  assert.equal(await app.text('#stepper-t-value'), '1');
  // The next unit, if there is one, then a weight typed into the table after Tab.
  const H = await page.locator('#stepper-unit option').count();
  await kb.press('u');
  assert.equal(await page.inputValue('#stepper-unit'), String(1 % H));
  const before = await app.text('#stepper-value-h-0');
  const weight = page.locator('#stepper-weight-o-0-0');
  guard = 0;
  await page.locator('#stepper-unit').focus();
  while (!(await weight.evaluate((el) => el === document.activeElement)) && guard++ < 200) await kb.press('Tab');
  await kb.press('Control+A');
  await kb.type('-3');
  await kb.press('Tab');
  assert.notEqual(await app.text('#stepper-value-h-0'), before);
  // The focus ring is visible on the control that has focus.
  const outline = await page.evaluate(
    () =>
      getComputedStyle(document.activeElement).outlineStyle +
      ' ' +
      document.activeElement.id +
      ' ' +
      document.activeElement.tagName,
  );
  assert.doesNotMatch(outline, /^none/);
  // …and the address keeps the edit.
  await page.waitForFunction(() => /o-0-0:-3/.test(new URL(location.href).searchParams.get('stepper.w') ?? ''));
});

browserTest(
  'Inside the model: the pretrained model, a chosen review and the cursor in a link; the trained cell in the stepper too',
  async (app) => {
    const page = app.page;
    await page.click('#tab-inside');
    await page.click('#inside-pretrained');
    await page.locator('#inside-examples').waitFor();
    await page.selectOption('#inside-example-kind', 'misclassified');
    await page.selectOption('#inside-example', '1');
    await page.check('input[name="inside-q"][value="f"]');
    await page.locator('#inside-heatmap').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowDown');
    const readout = await page.evaluate(() => ({ ...document.getElementById('inside-readout').dataset }));
    let link = await copyLink(page);
    let url = new URL(link);
    assert.equal(url.searchParams.get('inside.model'), 'pretrained');
    assert.equal(url.searchParams.get('inside.example'), 'misclassified.2');
    assert.equal(url.searchParams.get('inside.q'), 'f');
    assert.equal(url.searchParams.get('inside.text'), null, 'a picked review travels as its place in the list');
    let fresh = await openFresh(app, link);
    try {
      await fresh.page.waitForFunction(() => document.getElementById('inside-readout').dataset.position !== undefined);
      assert.deepEqual(
        await fresh.page.evaluate(() => ({ ...document.getElementById('inside-readout').dataset })),
        readout,
      );
      assert.equal(await fresh.page.inputValue('#inside-text'), await page.inputValue('#inside-text'));
      assert.equal(await fresh.page.textContent('#inside-verdict'), await page.textContent('#inside-verdict'));
      assert.equal(await fresh.page.isChecked('input[name="inside-q"][value="f"]'), true);
    } finally {
      await fresh.context.close();
    }

    // The trained cell in the stepper, one step on.
    await page.click('#inside-open-stepper');
    await page.locator('#stepper').waitFor();
    await page.click('#stepper-step');
    const stepper = await page.evaluate(() => ({
      t: document.getElementById('stepper-t-value').textContent,
      eq: document.getElementById('stepper-equations').textContent,
      unit: lstmLab.stepper.unit,
    }));
    link = await copyLink(page);
    url = new URL(link);
    assert.equal(url.searchParams.get('stepper.preset'), 'inside');
    fresh = await openFresh(app, link);
    try {
      const got = await fresh.page.evaluate(() => ({
        t: document.getElementById('stepper-t-value').textContent,
        eq: document.getElementById('stepper-equations').textContent,
        unit: lstmLab.stepper.unit,
      }));
      assert.deepEqual(got, stepper);
      assert.match(
        await fresh.page.locator('#stepper-preset option:checked').innerText(),
        /Trained model: the pretrained IMDB model/,
      );
    } finally {
      await fresh.context.close();
    }
  },
);
