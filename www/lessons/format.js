// @ts-check
// A lesson file: Markdown with a small front matter, written by a teacher in a text editor.
//
//   ---
//   title: LSTMs, following the post
//   ---
//   ## Multiply fifty times            ← a step: its title
//   view: ?blowup.scale=1#blowup       ← fields, right under the title: the lab's view (a link),
//   do: blowup.first-inf != none       ←   the action to detect, and how to ask for it
//   task: Press “randn, like the post”.
//   Text of the step (paragraphs, **bold**, *italics*, `code`, [links](…), - lists).
//   ### Predict: Where does the norm overflow?   ← a question, asked before the task shows
//   - [ ] step 3
//   - [x] around step 20
//   Answer: why (one paragraph, shown once the student has answered)
//
// Pure: `parseLesson` never throws; it returns the lesson and every problem it found, each
// naming the line, the step and the field, so a teacher can fix them all in one go.

import { parseAction, TABS } from './actions.js';

/** @typedef {import('./actions.js').Action} Action */
/** @typedef {{ kind: 'choice', prompt: string, choices: { text: string, correct: boolean }[], answer: string, line: number }} ChoiceQuestion */
/** @typedef {{ kind: 'slider', prompt: string, min: number, max: number, step: number, correct: [number, number], answer: string, line: number }} SliderQuestion */
/** @typedef {ChoiceQuestion | SliderQuestion} Question */
/**
 * @typedef {object} Step
 * @property {string} title
 * @property {number} line        where its `##` is (1-based)
 * @property {string | null} view  the query and hash of a link of the lab (`?…#stepper`)
 * @property {Action | null} action
 * @property {string} task         what the student is asked to do (shown with the tick)
 * @property {string[]} text       the step's Markdown, as lines
 * @property {Question | null} question
 */
/** @typedef {{ title: string, about: string, steps: Step[] }} Lesson */
/** @typedef {{ line: number, step: number | null, field: string | null, message: string }} LessonError */

const STEP_FIELDS = ['view', 'do', 'task'];
const FRONT_FIELDS = ['title', 'about'];
/** Link keys outside the sections (see classroom/urlstate.js and presenter.js). */
const PAGE_KEYS = ['present', 'hide'];
export const MAX_STEPS = 100;

/**
 * A problem as one sentence: where (file, line, step, field), then what.
 * @param {LessonError} e
 * @param {string} source  the file's name or address
 * @param {Step[]} [steps]
 */
export function describeError(e, source, steps = []) {
  const where = [`${source}, line ${e.line}`];
  if (e.step != null) {
    const title = steps[e.step - 1]?.title;
    where.push(`step ${e.step}${title ? ` (“${title}”)` : ''}`);
  }
  if (e.field) where.push(`field “${e.field}”`);
  return `${where.join(', ')}: ${e.message}`;
}

/**
 * The query and hash of a lab link, from what a teacher pasted: a whole address (Copy link's),
 * `?…#tab`, `?…` or `#tab`. Returns an error message instead when it is not one.
 * @param {string} raw
 * @returns {{ view: string } | { error: string }}
 */
export function parseView(raw) {
  let text = raw.trim();
  if (/^https?:\/\//i.test(text)) {
    const url = URL.canParse(text) ? new URL(text) : null;
    if (!url) return { error: `“${raw}” is not an address` };
    text = `${url.search}${url.hash}`;
  }
  if (!text.startsWith('?') && !text.startsWith('#')) {
    return { error: `“${raw}” is not a link of the lab: write it as ?key=value…#tab (Copy link gives one)` };
  }
  const hashAt = text.indexOf('#');
  const query = hashAt < 0 ? text : text.slice(0, hashAt);
  const tab = hashAt < 0 ? '' : text.slice(hashAt + 1);
  if (tab && !TABS.includes(tab)) return { error: `no tab “#${tab}”; the tabs are #${TABS.join(', #')}` };
  const params = new URLSearchParams(query);
  for (const key of params.keys()) {
    const section = key.split('.')[0];
    if (key === 'lesson' || key === 'step') return { error: `a step's view cannot open another lesson (“${key}”)` };
    if (!PAGE_KEYS.includes(key) && (!key.includes('.') || !['gradflow', ...TABS].includes(section))) {
      return { error: `“${key}” is not a key of a lab link (they are section.name, e.g. stepper.t)` };
    }
  }
  return { view: text };
}

/**
 * A number from a lesson (`0.14`, `-2`, `1e-3`); NaN when it is not one.
 * @param {string} s
 */
const number = (s) => (/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(s) ? Number(s) : Number.NaN);

/**
 * `a .. b` (or `a..b`, `a to b`) as two numbers, the smaller first; null when not.
 * @param {string} s
 * @returns {[number, number] | null}
 */
export function parseRange(s) {
  const m = s.match(/^\s*(\S+)\s*(?:\.\.|\bto\b)\s*(\S+)\s*$/);
  if (!m) return null;
  const a = number(m[1]);
  const b = number(m[2]);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return a <= b ? [a, b] : [b, a];
}

/**
 * Read a lesson. Line endings, a byte-order mark and trailing spaces do not matter.
 * @param {string} text
 * @returns {{ lesson: Lesson, errors: LessonError[] }}
 */
export function parseLesson(text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  /** @type {LessonError[]} */
  const errors = [];
  /** @type {Lesson} */
  const lesson = { title: '', about: '', steps: [] };
  let i = 0;
  // The front matter: `---`, `key: value` lines, `---`.
  while (i < lines.length && !lines[i].trim()) i++;
  if (lines[i]?.trim() === '---') {
    const start = i + 1;
    const end = lines.findIndex((l, k) => k >= start && l.trim() === '---');
    if (end < 0) {
      errors.push({
        line: i + 1,
        step: null,
        field: null,
        message: 'the front matter opened with --- is never closed',
      });
      i = lines.length;
    } else {
      for (let k = start; k < end; k++) {
        const line = lines[k].trim();
        if (!line || line.startsWith('#')) continue;
        const m = line.match(/^([A-Za-z][\w-]*)\s*:\s*(.*)$/);
        const at = { line: k + 1, step: /** @type {number | null} */ (null) };
        if (!m) errors.push({ ...at, field: null, message: `“${line}” is not a “key: value” line` });
        else if (!FRONT_FIELDS.includes(m[1].toLowerCase())) {
          errors.push({
            ...at,
            field: m[1],
            message: `unknown field; the front matter knows ${FRONT_FIELDS.join(', ')}`,
          });
        } else lesson[/** @type {'title' | 'about'} */ (m[1].toLowerCase())] = m[2].trim();
      }
      i = end + 1;
    }
  }
  if (!lesson.title) {
    errors.push({ line: 1, step: null, field: 'title', message: 'missing: start the file with ---, title: …, ---' });
  }
  /** @type {Step | null} */
  let step = null;
  // In a step: 'fields' right under the title, then 'text', then its question.
  let part = 'fields';
  for (; i < lines.length; i++) {
    const raw = lines[i].replace(/\s+$/, '');
    const at = () => ({ line: i + 1, step: lesson.steps.length });
    const heading = raw.match(/^(#{1,3})\s+(.*)$/);
    if (heading && heading[1] === '##') {
      step = { title: heading[2].trim(), line: i + 1, view: null, action: null, task: '', text: [], question: null };
      lesson.steps.push(step);
      part = 'fields';
      continue;
    }
    if (!step) {
      if (raw.trim()) lesson.about = lesson.about ? `${lesson.about} ${raw.trim()}` : raw.trim();
      continue;
    }
    if (heading && heading[1] === '###') {
      const q = heading[2].match(/^predict\s*:\s*(.*)$/i);
      if (!q) {
        step.text.push(raw);
        continue;
      }
      if (step.question)
        errors.push({ ...at(), field: 'question', message: 'a step asks one question; this is its second' });
      step.question = { kind: 'choice', prompt: q[1].trim(), choices: [], answer: '', line: i + 1 };
      part = 'question';
      continue;
    }
    if (part === 'fields') {
      const field = raw.match(/^([a-z][\w-]*)\s*:\s*(.*)$/);
      if (field) {
        readStepField(step, field[1], field[2].trim(), at(), errors);
        continue;
      }
      if (!raw.trim()) continue;
      part = 'text';
    }
    if (part === 'text') {
      step.text.push(raw);
      continue;
    }
    readQuestionLine(step, raw, at(), errors);
    // An answer paragraph runs on until a blank line.
    if (/^answer\s*:/i.test(raw.trim())) {
      while (i + 1 < lines.length && lines[i + 1].trim() && !/^#{1,3}\s/.test(lines[i + 1])) {
        step.question.answer += ` ${lines[++i].trim()}`;
      }
    }
  }
  for (const [k, s] of lesson.steps.entries()) checkStep(s, k + 1, errors);
  if (!lesson.steps.length) {
    errors.push({
      line: lines.length,
      step: null,
      field: null,
      message: 'no steps: each step starts with a “## Title” line',
    });
  } else if (lesson.steps.length > MAX_STEPS) {
    errors.push({
      line: lesson.steps[MAX_STEPS].line,
      step: MAX_STEPS + 1,
      field: null,
      message: `a lesson has at most ${MAX_STEPS} steps`,
    });
  }
  for (const s of lesson.steps) {
    while (s.text.length && !s.text.at(-1).trim()) s.text.pop();
  }
  return { lesson, errors: errors.sort((a, b) => a.line - b.line) };
}

/**
 * @param {Step} step
 * @param {string} name
 * @param {string} value
 * @param {{ line: number, step: number }} at
 * @param {LessonError[]} errors
 */
function readStepField(step, name, value, at, errors) {
  /** @param {string} message */
  const fail = (message) => errors.push({ ...at, field: name, message });
  if (!STEP_FIELDS.includes(name)) return fail(`unknown field; a step knows ${STEP_FIELDS.join(', ')}`);
  if (!value) return fail('empty');
  if (name === 'view') {
    const v = parseView(value);
    if ('error' in v) fail(v.error);
    else step.view = v.view;
  } else if (name === 'do') {
    const a = parseAction(value);
    if ('error' in a) fail(a.error);
    else step.action = a;
  } else step.task = value;
}

/**
 * One line of a question: a choice (`- [ ]`, `- [x]`), a slider's fields, or its answer.
 * @param {Step} step
 * @param {string} raw
 * @param {{ line: number, step: number }} at
 * @param {LessonError[]} errors
 */
function readQuestionLine(step, raw, at, errors) {
  const q = step.question;
  const line = raw.trim();
  if (!line) return;
  const choice = line.match(/^[-*]\s*\[( |x|X)\]\s*(.*)$/);
  const field = line.match(/^([a-z]+)\s*:\s*(.*)$/i);
  if (choice && q.kind === 'choice') {
    q.choices.push({ text: choice[2].trim(), correct: choice[1] !== ' ' });
  } else if (field && field[1].toLowerCase() === 'answer') {
    q.answer = field[2].trim();
  } else if (field && ['slider', 'correct'].includes(field[1].toLowerCase())) {
    const name = field[1].toLowerCase();
    const range = parseRange(field[2].replace(/\bstep\s+\S+$/i, ''));
    if (!range) {
      errors.push({ ...at, field: name, message: `“${field[2]}” is not a range; write it as 0.05 .. 0.5` });
      return;
    }
    if (q.kind === 'choice') {
      if (q.choices.length) {
        errors.push({ ...at, field: name, message: 'a question has choices or a slider, not both' });
        return;
      }
      Object.assign(q, { kind: 'slider', min: 0, max: 1, step: 0, correct: null });
      delete q.choices;
    }
    const s = /** @type {SliderQuestion} */ (q);
    if (name === 'slider') {
      [s.min, s.max] = range;
      const by = field[2].match(/\bstep\s+(\S+)$/i);
      s.step = by ? number(by[1]) : (s.max - s.min) / 100;
      if (!(s.step > 0) || s.min === s.max) {
        errors.push({ ...at, field: name, message: 'the slider needs two different ends and a step above 0' });
      }
    } else s.correct = range;
  } else {
    errors.push({
      ...at,
      field: 'question',
      message: `“${line}” is neither a choice (- [ ] or - [x]), slider:, correct: nor Answer:`,
    });
  }
}

/**
 * What a step must have, once all of it is read.
 * @param {Step} step
 * @param {number} n
 * @param {LessonError[]} errors
 */
function checkStep(step, n, errors) {
  const at = { line: step.line, step: n };
  if (!step.title) errors.push({ ...at, field: 'title', message: 'the ## line has no title' });
  if (step.action && !step.task) step.task = step.action.describe;
  const q = step.question;
  if (!q) return;
  const qat = { line: q.line, step: n };
  if (!q.prompt) errors.push({ ...qat, field: 'question', message: 'write the question after “### Predict:”' });
  if (!q.answer)
    errors.push({ ...qat, field: 'answer', message: 'missing: add “Answer: …”, the paragraph shown once answered' });
  if (q.kind === 'choice') {
    if (q.choices.length < 2)
      errors.push({ ...qat, field: 'choices', message: 'a question needs two choices or more (- [ ] …)' });
    else if (!q.choices.some((c) => c.correct)) {
      errors.push({ ...qat, field: 'choices', message: 'no choice is marked right: mark it - [x]' });
    }
  } else if (!q.correct) {
    errors.push({ ...qat, field: 'correct', message: 'missing: the range counted right, e.g. correct: 0.1 .. 0.2' });
  } else if (q.correct[0] < q.min || q.correct[1] > q.max) {
    errors.push({
      ...qat,
      field: 'correct',
      message: `${q.correct.join(' .. ')} is not inside the slider's ${q.min} .. ${q.max}`,
    });
  }
}
