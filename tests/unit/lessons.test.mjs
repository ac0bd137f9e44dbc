// Lessons without a browser: the file format and its messages, the actions a step detects, the
// Markdown a step's text uses, and the progress kept on the student's machine.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { holds, meets, parseAction } from '../../www/lessons/actions.js';
import { describeError, parseLesson, parseView } from '../../www/lessons/format.js';
import { blocks, safeHref, spans } from '../../www/lessons/markdown.js';
import { loadProgress, saveProgress } from '../../www/lessons/progress.js';

const BUILT_IN = await readFile(new URL('../../www/lessons/lstm-post.md', import.meta.url), 'utf8');

/** The messages a teacher would see for `text`. */
function messages(text, source = 'my-lesson.md') {
  const { lesson, errors } = parseLesson(text);
  return errors.map((e) => describeError(e, source, lesson.steps));
}

test('the built-in lesson reads without a problem: 12–15 steps, each a view and an action', () => {
  const { lesson, errors } = parseLesson(BUILT_IN);
  assert.deepEqual(errors, []);
  assert.equal(lesson.title, 'LSTMs, following the post');
  assert.ok(lesson.steps.length >= 12 && lesson.steps.length <= 15, `${lesson.steps.length} steps`);
  for (const [k, step] of lesson.steps.entries()) {
    assert.ok(step.view, `step ${k + 1} has a view`);
    assert.ok(step.action, `step ${k + 1} has an action`);
    assert.ok(step.task, `step ${k + 1} says what to do`);
    assert.ok(step.text.length, `step ${k + 1} has text`);
  }
  const questions = lesson.steps.filter((s) => s.question).map((s) => s.question);
  assert.ok(questions.length >= 8, `${questions.length} questions`);
  assert.ok(questions.some((q) => q.kind === 'slider'));
  for (const q of questions) assert.ok(q.answer.length > 80, `“${q.prompt}” is explained in a paragraph`);
  // The tabs it visits: all four.
  const tabs = new Set(lesson.steps.map((s) => s.view.split('#')[1]));
  assert.deepEqual([...tabs].sort(), ['blowup', 'inside', 'stepper', 'trainer']);
});

test('a step reads its fields, text, question and a multi-line answer', () => {
  const { lesson, errors } = parseLesson(
    [
      '---',
      'title: Gates',
      '---',
      'What this lesson is about.',
      '',
      '## The forget gate',
      'view: https://example.org/lab/?stepper.preset=forget#stepper',
      'do: stepper.t >= 3 and stepper.f < 0.1',
      '',
      'Text with **bold**.',
      '',
      '### Predict: What does c hold?',
      '- [ ] the sum',
      '- [x] only the last input',
      'Answer: Because f is',
      'nearly zero.',
    ].join('\r\n'),
  );
  assert.deepEqual(errors, []);
  assert.equal(lesson.about, 'What this lesson is about.');
  const [step] = lesson.steps;
  assert.equal(step.view, '?stepper.preset=forget#stepper');
  assert.deepEqual(step.action.conditions, [
    { name: 'stepper.t', op: '>=', value: '3' },
    { name: 'stepper.f', op: '<', value: '0.1' },
  ]);
  assert.equal(step.task, 'stepper.t ≥ 3 and stepper.f < 0.1');
  assert.deepEqual(step.text, ['Text with **bold**.']);
  assert.deepEqual(
    step.question.choices.map((c) => c.correct),
    [false, true],
  );
  assert.equal(step.question.answer, 'Because f is nearly zero.');
});

test('a slider question reads its range, step and the range counted right', () => {
  const { lesson, errors } = parseLesson(
    '---\ntitle: T\n---\n## S\nview: #blowup\n### Predict: Where?\nslider: 0.01 .. 1 step 0.01\ncorrect: 0.11 .. 0.17\nAnswer: There.\n',
  );
  assert.deepEqual(errors, []);
  const q = lesson.steps[0].question;
  assert.deepEqual([q.kind, q.min, q.max, q.step, q.correct], ['slider', 0.01, 1, 0.01, [0.11, 0.17]]);
});

test('a teacher’s lesson with three errors gets three messages, each naming the line, step and field', () => {
  const got = messages(
    [
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
    ].join('\n'),
  );
  assert.deepEqual(got, [
    'my-lesson.md, line 5, step 1 (“Blow it up”), field “view”: no tab “#blowp”; the tabs are #blowup, #stepper, #trainer, #inside',
    'my-lesson.md, line 10, step 2 (“Step it”), field “do”: no reading “stepper.tt”; stepper has stepper.i, stepper.f, stepper.g, stepper.o, stepper.c, stepper.h, stepper.steps, stepper.cell, stepper.preset, stepper.sequence, stepper.input, stepper.hidden, stepper.w, stepper.fb, stepper.compare, stepper.post, stepper.speed, stepper.unit, stepper.t (see docs/lessons.md)',
    'my-lesson.md, line 12, step 2 (“Step it”), field “choices”: no choice is marked right: mark it - [x]',
  ]);
});

test('every other problem is named too', () => {
  const cases = [
    ['## S\nview: #blowup\n', /line 1, field “title”: missing/],
    ['---\ntitle: T\n', /line 1: the front matter opened with --- is never closed/],
    [
      '---\ntitle: T\nauthor: me\n---\n## S\n',
      /line 3, field “author”: unknown field; the front matter knows title, about/,
    ],
    ['---\ntitle: T\n---\nJust text.\n', /no steps: each step starts with a “## Title” line/],
    [
      '---\ntitle: T\n---\n## S\nveiw: #blowup\n',
      /line 5, step 1 \(“S”\), field “veiw”: unknown field; a step knows view, do, task/,
    ],
    ['---\ntitle: T\n---\n## S\nview: stepper\n', /field “view”: “stepper” is not a link of the lab/],
    ['---\ntitle: T\n---\n## S\nview: ?stepr.t=3#stepper\n', /“stepr.t” is not a key of a lab link/],
    ['---\ntitle: T\n---\n## S\nview: ?lesson=x.md\n', /cannot open another lesson/],
    ['---\ntitle: T\n---\n## S\ndo: open kitchen\n', /field “do”: “open kitchen”: no such tab/],
    ['---\ntitle: T\n---\n## S\ndo: stepper.t at 7\n', /is not “reading op value”/],
    ['---\ntitle: T\n---\n## S\ndo: stepper.t >= seven\n', />= compares numbers, and “seven” is not one/],
    ['---\ntitle: T\n---\n## S\ndo:\n', /field “do”: empty/],
    [
      '---\ntitle: T\n---\n## S\n### Predict: Q?\n- [x] a\nAnswer: b\n',
      /field “choices”: a question needs two choices or more/,
    ],
    ['---\ntitle: T\n---\n## S\n### Predict: Q?\n- [x] a\n- [ ] b\n', /field “answer”: missing/],
    ['---\ntitle: T\n---\n## S\n### Predict: Q?\nslider: 0 .. 1\nAnswer: b\n', /field “correct”: missing/],
    [
      '---\ntitle: T\n---\n## S\n### Predict: Q?\nslider: 0 .. 1\ncorrect: 2 .. 3\nAnswer: b\n',
      /2 \.\. 3 is not inside the slider's 0 \.\. 1/,
    ],
    [
      '---\ntitle: T\n---\n## S\n### Predict: Q?\nslider: low .. high\n',
      /field “slider”: “low \.\. high” is not a range/,
    ],
    ['---\ntitle: T\n---\n## S\n### Predict: Q?\nmaybe\n', /field “question”: “maybe” is neither a choice/],
    [
      '---\ntitle: T\n---\n## S\n### Predict: A?\n- [x] a\n- [ ] b\nAnswer: c\n### Predict: B?\n',
      /field “question”: a step asks one question; this is its second/,
    ],
  ];
  for (const [text, want] of cases) {
    const got = messages(text);
    assert.ok(
      got.some((m) => want.test(m)),
      `${JSON.stringify(text)}: wanted ${want}, got\n${got.join('\n')}`,
    );
  }
});

test('a view is the query and hash of any link of the lab', () => {
  assert.deepEqual(parseView('?stepper.t=7#stepper'), { view: '?stepper.t=7#stepper' });
  assert.deepEqual(parseView('#inside'), { view: '#inside' });
  assert.deepEqual(parseView('https://host/x/?present=1&blowup.n=20#blowup'), {
    view: '?present=1&blowup.n=20#blowup',
  });
  assert.ok('error' in parseView('https://host/x/?a=1'));
});

test('actions: conditions met as numbers, as text, and none for what the page does not show', () => {
  const action = parseAction('blowup.first-inf = none and blowup.steps <= 40');
  assert.ok(!('error' in action));
  const page = { 'blowup.first-inf': null, 'blowup.steps': '40' };
  assert.equal(
    holds(action, (n) => page[n]),
    true,
  );
  page['blowup.steps'] = '41';
  assert.equal(
    holds(action, (n) => page[n]),
    false,
  );
  page['blowup.steps'] = '30';
  page['blowup.first-inf'] = 43;
  assert.equal(
    holds(action, (n) => page[n]),
    false,
  );
  const c = (op, value) => ({ name: 'x', op, value });
  assert.equal(meets(c('=', '0.5'), '0.50'), true, 'numbers compare as numbers');
  assert.equal(meets(c('>', '0.9'), 0.91), true);
  assert.equal(meets(c('>', '0.9'), null), false, 'nothing shown is not a number');
  assert.equal(meets(c('!=', 'none'), 12), true);
  assert.equal(meets(c('=', 'france'), 'france'), true);
  assert.equal(meets(c('!=', 'france'), 'forget'), true);
  assert.equal(meets(c('<', '3'), 'abc'), false);
  const open = parseAction('open stepper');
  assert.deepEqual(open.conditions, [{ name: 'tab', op: '=', value: 'stepper' }]);
  assert.equal(open.describe, 'open the stepper tab');
});

test('a step’s Markdown: paragraphs, lists, inline marks, and only safe links', () => {
  assert.deepEqual(blocks(['One', 'line.', '', '- a', '- b *c*', '', 'Two.']), [
    { kind: 'p', spans: [{ kind: 'text', text: 'One line.' }] },
    {
      kind: 'ul',
      items: [
        [{ kind: 'text', text: 'a' }],
        [
          { kind: 'text', text: 'b ' },
          { kind: 'em', text: 'c' },
        ],
      ],
    },
    { kind: 'p', spans: [{ kind: 'text', text: 'Two.' }] },
  ]);
  assert.deepEqual(spans('**bold** `x*y` [post](https://e.org) 2 * 3 * 4'), [
    { kind: 'strong', text: 'bold' },
    { kind: 'text', text: ' ' },
    { kind: 'code', text: 'x*y' },
    { kind: 'text', text: ' ' },
    { kind: 'link', text: 'post', href: 'https://e.org' },
    { kind: 'text', text: ' 2 * 3 * 4' },
  ]);
  assert.equal(safeHref('?stepper.t=3#stepper'), true);
  assert.equal(safeHref('lessons/other.md'), true);
  assert.equal(safeHref('javascript:alert(1)'), false);
  assert.equal(safeHref('data:text/html,x'), false);
});

test('progress is kept per lesson and survives a broken store', () => {
  const store = new Map();
  const storage = {
    getItem: (k) => store.get(k) ?? null,
    setItem: (k, v) => store.set(k, v),
  };
  assert.deepEqual(loadProgress(storage, 'lessons/a.md'), { step: 1, done: [], answers: {} });
  saveProgress(storage, 'lessons/a.md', { step: 7, done: [1, 2], answers: { 1: { choice: 2, correct: true } } });
  assert.deepEqual(loadProgress(storage, 'lessons/a.md'), {
    step: 7,
    done: [1, 2],
    answers: { 1: { choice: 2, correct: true } },
  });
  assert.equal(loadProgress(storage, 'lessons/b.md').step, 1, 'another lesson starts at its step 1');
  store.set('lstm-lab.lesson:lessons/a.md', '{not json');
  assert.equal(loadProgress(storage, 'lessons/a.md').step, 1);
  store.set('lstm-lab.lesson:lessons/a.md', '{"step": -3, "done": [0, 2, "x"]}');
  assert.deepEqual(loadProgress(storage, 'lessons/a.md'), { step: 1, done: [2], answers: {} });
  const full = {
    setItem: () => {
      throw new Error('QuotaExceededError');
    },
  };
  assert.doesNotThrow(() => saveProgress(full, 'x', { step: 1, done: [], answers: {} }));
});
