// Lessons (www/lessons/): the built-in lesson walked end to end by keyboard (each question
// answered and revealed, each action done and detected, progress restored after a reload), a
// teacher's file with mistakes, a link to step 7, presenter mode with a clicker at a projector's
// 1280×720, a phone, offline, and axe. Screenshots in test-artifacts/lessons-*.png.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parseLesson } from '../../www/lessons/format.js';
import { browserTest } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const BUILT_IN = parseLesson(await readFile(new URL('../../www/lessons/lstm-post.md', import.meta.url), 'utf8')).lesson;
const N = BUILT_IN.steps.length;

async function axe(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      rule: v.id,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
  assert.deepEqual(violations, [], `axe, ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

/** Focus an element (as Tab would reach it) and press keys on it. */
async function keys(page, selector, ...presses) {
  await page.focus(selector);
  for (const key of presses) await page.keyboard.press(key);
}

const stepShown = (page, n) =>
  page.waitForFunction((k) => document.body.dataset.lessonStep === String(k), n, { timeout: 240_000 });

/** What the student does at each step of the built-in lesson, by keyboard only. */
const ACTIONS = {
  'Multiply fifty times': (page) => keys(page, '#blowup-steps', ...Array(20).fill('ArrowLeft')),
  'Scale them down': async (page) => {
    await page.focus('#lesson-heading');
    await page.keyboard.press('z');
  },
  // From 0.01 (log10 −2) up to ≈ 0.14 (log10 −0.85): 115 steps of 0.01.
  "The knife's edge": (page) => keys(page, '#blowup-scale', ...Array(115).fill('ArrowRight')),
  'Gradients through time: RNN against LSTM': (page) =>
    keys(page, '#gradflow-forget-bias', ...Array(20).fill('ArrowRight')),
  'The cell state is a conveyor belt': (page) => keys(page, '#stepper-diagram', 'End'),
  'The forget gate': (page) => keys(page, '#stepper-diagram', 'ArrowRight', 'ArrowRight'),
  'The input gate and the candidate': (page) => keys(page, '#stepper-diagram', ...Array(3).fill('ArrowRight')),
  'France … French': (page) => keys(page, '#stepper-diagram', ...Array(4).fill('ArrowRight')),
  'The output gate': (page) => keys(page, '#stepper-diagram', ...Array(8).fill('ArrowRight')),
  "The post's first mistake: a sigmoid candidate": (page) => keys(page, '#stepper-diagram', 'c', 'End'),
  "The post's second mistake: a ReLU on the output": (page) => keys(page, '#stepper-post-output', 'Space'),
  'From text to numbers': async (page) => {
    // The settings take their limits from the trainer's module: typed once it has loaded.
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
      timeout: 300_000,
    });
    await keys(page, '#trainer-maxlen', 'Control+A', '6', '4', 'Tab');
  },
  'Train it': async (page) => {
    await page.waitForFunction(() => !document.getElementById('trainer-start').disabled, null, { timeout: 300_000 });
    await keys(page, '#trainer-start', 'Enter');
  },
  'Inside a trained model': async (page) => {
    await page.waitForFunction(() => document.getElementById('inside-example').options.length > 1, null, {
      timeout: 120_000,
    });
    await keys(page, '#inside-example', 'ArrowDown');
  },
};

/** Answer the step's question by keyboard: the right answer, or (wrong) a wrong one. */
async function answer(page, question, { wrong = false } = {}) {
  if (question.kind === 'choice') {
    const k = question.choices.findIndex((c) => c.correct === !wrong);
    await keys(page, `#lesson-choice-${k + 1}`, 'Space');
  } else {
    const target = wrong ? question.max : (question.correct[0] + question.correct[1]) / 2;
    const presses = Math.round((target - question.min) / question.step);
    await keys(page, '#lesson-guess', 'Home', ...Array(presses).fill('ArrowRight'));
  }
  await keys(page, '#lesson-check', 'Enter');
  const reveal = page.locator('#lesson-reveal');
  await reveal.waitFor({ state: 'visible' });
  assert.equal(await reveal.getAttribute('data-correct'), String(!wrong));
  const text = await reveal.innerText();
  assert.match(text, wrong ? /^Not quite: the answer is / : /^Right: /);
  assert.ok(text.includes(question.answer.slice(0, 30).replace(/[`*]/g, '')), `the explanation shows: ${text}`);
  return text;
}

browserTest(
  'the built-in lesson, walked end to end by keyboard: questions, actions, a reload',
  async (app) => {
    const page = app.page;
    await keys(page, '#lessons-open', 'Enter');
    await page.locator('#lessons-dialog').waitFor({ state: 'visible' });
    await keys(page, '#lesson-builtin', 'Enter');
    const detectMs = [];
    for (let n = 1; n <= N; n++) {
      const step = BUILT_IN.steps[n - 1];
      await stepShown(page, n);
      assert.equal(await app.text('#lesson-count'), `Step ${n} of ${N}:`);
      assert.equal(await app.text('#lesson-step-title'), step.title.replace(/[`*]/g, ''));
      await page.waitForFunction(
        (k) => document.getElementById('lesson-announce').textContent.startsWith(`Step ${k} of `),
        n,
      );
      // The address holds the lesson and the step (a reload or Copy link comes back here).
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('lesson'), 'lessons/lstm-post.md');
      assert.equal(url.searchParams.get('step'), String(n));
      assert.equal(url.hash, `#${step.view.split('#')[1]}`);
      if (step.question) {
        assert.match(await app.text('#lesson-task'), /answer the question first/);
        const wrong = n === 2; // one wrong answer, to see its reveal too
        await answer(page, step.question, { wrong });
      }
      // The view alone does not do the step's action: the tick means the student did it.
      await page.waitForTimeout(1000);
      assert.equal(await page.getAttribute('#lesson-task', 'data-done'), 'false', `step ${n} ticked by its view`);
      if (n === 1) await app.screenshot('lessons-step-1-revealed');
      const t0 = Date.now();
      await ACTIONS[step.title](page);
      await page.waitForFunction(() => document.getElementById('lesson-task').dataset.done === 'true', null, {
        timeout: step.title === 'Train it' ? 420_000 : 60_000,
      });
      detectMs.push(Date.now() - t0);
      await page.waitForFunction(() => document.getElementById('lesson-announce').textContent.startsWith('Done: '));
      assert.match(await app.text('#lesson-task-status'), /✓ Done:/);
      if (n === 8) await app.screenshot('lessons-step-8-france');
      if (n === 7) {
        // A reload comes back to step 7 with its tick and its answers.
        await page.reload();
        await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
        await stepShown(page, 7);
        assert.equal(await page.getAttribute('#lesson-task', 'data-done'), 'true');
        await keys(page, '#lesson-prev', 'Enter');
        await stepShown(page, 6);
        assert.equal(await page.getAttribute('#lesson-task', 'data-done'), 'true');
        assert.equal(await page.getAttribute('#lesson-reveal', 'data-correct'), 'true');
        assert.equal(await page.isDisabled('#lesson-choice-1'), true, 'an answer given stays given');
        await keys(page, '#lesson-next', 'Enter');
        await stepShown(page, 7);
      }
      if (n < N) await keys(page, '#lesson-next', 'Enter');
    }
    const questions = BUILT_IN.steps.filter((s) => s.question).length;
    assert.equal(
      await app.text('#lesson-progress'),
      `${N} of ${N} tasks done · ${questions - 1} of ${questions} answers right · the last step`,
    );
    assert.equal(await page.isDisabled('#lesson-next'), true);
    console.log(`actions detected, ms after the last key: ${detectMs.join(' ')}`);
    await app.screenshot('lessons-done');
  },
  { timeout: 900_000 },
);

browserTest('a teacher’s lesson file with three mistakes gets three messages, and opens once fixed', async (app) => {
  const page = app.page;
  const broken = [
    '---',
    'title: My lesson',
    '---',
    '## Blow it up',
    'view: ?blowup.scale=1#blowp',
    'do: blowup.first-inf = none',
    '',
    '## Step it',
    'view: ?stepper.preset=france#stepper',
    'do: stepper.tt >= 7',
    '',
    '### Predict: Where is France stored?',
    '- [ ] at I',
    '- [ ] at France',
    'Answer: At France.',
  ].join('\n');
  await page.click('#lessons-open');
  await page.setInputFiles('#lesson-file', {
    name: 'my-lesson.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from(broken),
  });
  await page.locator('#lesson-errors').waitFor({ state: 'visible' });
  assert.equal(await app.text('#lesson-errors-title'), 'my-lesson.md has 3 problems; fix them and open it again:');
  const items = await page.locator('#lesson-errors-list li').allInnerTexts();
  assert.equal(items.length, 3);
  assert.match(items[0], /^my-lesson\.md, line 5, step 1 \(“Blow it up”\), field “view”: no tab “#blowp”/);
  assert.match(items[1], /^my-lesson\.md, line 10, step 2 \(“Step it”\), field “do”: no reading “stepper\.tt”/);
  assert.match(items[2], /^my-lesson\.md, line 12, step 2 \(“Step it”\), field “choices”: no choice is marked right/);
  assert.equal(await page.locator('#lesson').isVisible(), false, 'nothing opened');
  await app.screenshot('lessons-three-errors');
  await axe(page, 'the errors of a lesson file');

  // Fixed, it opens at its step 1, and its link (file:) reopens it after a reload on this machine.
  const fixed = broken
    .replace('#blowp', '#blowup')
    .replace('stepper.tt', 'stepper.t')
    .replace('- [ ] at France', '- [x] at France');
  await page.setInputFiles('#lesson-file', {
    name: 'my-lesson.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from(fixed),
  });
  await stepShown(page, 1);
  assert.equal(await app.text('#lesson-name'), 'My lesson');
  await page.click('#lesson-next');
  await stepShown(page, 2);
  assert.equal(new URL(page.url()).searchParams.get('lesson'), 'file:my-lesson.md');
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
  await stepShown(page, 2);
  assert.equal(await page.inputValue('#stepper-preset'), 'france');

  // A lesson address that is not there, or not on this site: a message, nothing breaks.
  await page.click('#lesson-close');
  await page.click('#lessons-open');
  await page.fill('#lesson-url', 'lessons/nope.md');
  await page.click('#lesson-url-open');
  await page.locator('#lesson-errors').waitFor({ state: 'visible' });
  assert.match(
    await app.text('#lesson-errors'),
    /Could not open the lesson lessons\/nope\.md\.\s+the server answered 404/,
  );
  await page.fill('#lesson-url', 'https://example.org/lesson.md');
  await page.click('#lesson-url-open');
  await page.waitForFunction(() =>
    /cannot be opened by address/.test(document.getElementById('lesson-errors-title').textContent),
  );
});

browserTest(
  'a lesson opened by link at step 7 shows step 7 with its view',
  async (app) => {
    const page = app.page;
    await stepShown(page, 7);
    assert.equal(await app.text('#lesson-count'), `Step 7 of ${N}:`);
    assert.equal(await app.text('#lesson-step-title'), BUILT_IN.steps[6].title);
    assert.equal(await page.inputValue('#stepper-preset'), 'write');
    assert.equal(await page.isVisible('#stepper'), true);
    assert.equal(await page.locator('#link-notes').isVisible(), false, 'lesson and step are keys of the page');
    await axe(page, 'the lesson panel at step 7');
    // A step that does not exist opens the nearest, with a note.
    await page.goto(`${app.url}?lesson=lessons/lstm-post.md&step=99`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
    await stepShown(page, N);
    assert.match(await app.text('#link-notes-list'), new RegExp(`this lesson has steps 1 to ${N}`));
  },
  { hash: '?lesson=lessons/lstm-post.md&step=7' },
);

browserTest(
  'presenter mode at 1280×720: the stepper’s diagram and controls on the first screen; a clicker moves steps',
  async (app) => {
    const page = app.page;
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${app.url}?present=1&stepper.preset=france#stepper`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
    const box = async (sel) => page.locator(sel).boundingBox();
    for (const sel of ['#stepper-diagram', '#stepper-step', '#stepper-t', '#stepper-speed']) {
      const b = await box(sel);
      assert.ok(b.y >= 0 && b.y + b.height <= 720, `${sel} on the first screen: ${JSON.stringify(b)}`);
    }
    // The speed slider stays on its label's row.
    const [label, slider] = [await box('label[for="stepper-speed"]'), await box('#stepper-speed')];
    assert.ok(Math.abs(label.y + label.height / 2 - (slider.y + slider.height / 2)) < 12, 'speed beside its label');
    assert.ok(slider.x > label.x);
    await app.screenshot('lessons-presenter-1280x720-stepper');

    // A lesson in presenter mode: PageDown and PageUp move between steps, and the step's view
    // keeps presenter mode.
    await page.click('#lessons-open');
    await page.click('#lesson-builtin');
    await stepShown(page, 1);
    await page.focus('#lesson-heading');
    await page.keyboard.press('PageDown');
    await stepShown(page, 2);
    await page.keyboard.press('PageDown');
    await stepShown(page, 3);
    await page.keyboard.press('PageUp');
    await stepShown(page, 2);
    assert.equal(await page.evaluate(() => document.body.classList.contains('presenter')), true);
    assert.equal(new URL(page.url()).searchParams.get('present'), '1');
    const chart = await box('#blowup-chart');
    const panel = await box('#lesson');
    assert.ok(chart.x + chart.width <= panel.x + 1, 'the panel does not cover the chart');
    await app.screenshot('lessons-presenter-lesson');
    await axe(page, 'a lesson in presenter mode');
  },
);

browserTest('on a phone the lesson is a sheet under the lab, folded to its navigation', async (app) => {
  const page = app.page;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${app.url}?lesson=lessons/lstm-post.md&step=8`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
  await stepShown(page, 8);
  const panel = await page.locator('#lesson').boundingBox();
  assert.ok(panel.y > 844 * 0.4 && panel.height <= 844 * 0.56, `a sheet at the bottom: ${JSON.stringify(panel)}`);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'no sideways scroll');
  await app.screenshot('lessons-phone');
  await page.click('#lesson-fold');
  assert.equal(await page.isVisible('#lesson-body'), false);
  assert.equal(await page.isVisible('#lesson-next'), true);
  await axe(page, 'a folded lesson on a phone');
});

browserTest(
  'after one visit a lesson opens offline',
  async (app) => {
    const page = app.page;
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    await page.context().setOffline(true);
    await page.goto(`${app.url}?lesson=lessons/lstm-post.md&step=5`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 240_000 });
    await stepShown(page, 5);
    assert.equal(await app.text('#lesson-step-title'), BUILT_IN.steps[4].title);
    await page.context().setOffline(false);
  },
  { serviceWorkers: 'allow' },
);
