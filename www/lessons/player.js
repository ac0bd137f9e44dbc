// @ts-check
// The lesson player: a panel beside the lab (under it on a phone) that shows a step's text, opens
// the step's view (a link of the lab, applied by LinkState), asks its question and reveals the
// answer, and ticks the step's action when the lab shows it done. Progress is kept on the
// student's machine (progress.js). Keyboard only works throughout; each step and each tick is
// announced (aria-live); in presenter mode a clicker's PageDown/PageUp move between steps.

import { $ } from '../lib/dom.js';
import { holds } from './actions.js';
import { describeError, parseLesson } from './format.js';
import { plain, render } from './markdown.js';
import { fresh, loadProgress, saveProgress } from './progress.js';
import { pageReader } from './readings.js';

/** @typedef {import('./format.js').Lesson} Lesson */
/** @typedef {import('./format.js').Step} Step */
/** @typedef {import('./progress.js').Progress} Progress */

/** The lessons that ship with the page (www/lessons/). */
export const BUILT_IN = [{ path: 'lessons/lstm-post.md', title: 'LSTMs, following the post' }];
/** A lesson opened from a file is kept here, so a reload (or its link on this machine) reopens it. */
const FILE_KEY = 'lstm-lab.lesson-file';
const CHECK_MS = 300; // how often the step's action is looked for
const MAX_BYTES = 1_000_000; // a lesson is text a teacher wrote; anything larger is not one

const PANEL = `
  <div class="lesson-head">
    <p class="lesson-name" id="lesson-name"></p>
    <button type="button" id="lesson-fold" aria-expanded="true" aria-controls="lesson-body">Hide</button>
    <button type="button" id="lesson-close">Close lesson</button>
  </div>
  <div id="lesson-body" class="lesson-body">
    <h2 id="lesson-heading" tabindex="-1"><span id="lesson-count"></span> <span id="lesson-step-title"></span></h2>
    <div id="lesson-text" class="lesson-text"></div>
    <div id="lesson-question" class="lesson-question"></div>
    <p id="lesson-task" class="lesson-task" data-done="false"><span id="lesson-task-status" class="lesson-tick"></span>
      <span id="lesson-task-text"></span></p>
    <p id="lesson-progress" class="hint"></p>
  </div>
  <nav class="lesson-nav" aria-label="Lesson steps">
    <button type="button" id="lesson-prev">◀ Back</button>
    <label for="lesson-jump" class="visually-hidden">Go to step</label>
    <select id="lesson-jump"></select>
    <button type="button" id="lesson-next">Next ▶</button>
  </nav>
  <p id="lesson-announce" class="visually-hidden" aria-live="polite" aria-atomic="true"></p>`;

const DIALOG = `
  <h2 id="lessons-dialog-title">Lessons</h2>
  <p class="hint">A lesson walks through the lab one step at a time: each step opens a view, asks you
    to predict before it shows, and ticks what you do. Your progress stays on this computer.</p>
  <ul id="lessons-list" class="lessons-list"></ul>
  <p><label for="lesson-file">Open a lesson file (Markdown)</label>
    <input type="file" id="lesson-file" accept=".md,.markdown,.txt,text/markdown,text/plain"></p>
  <p><label for="lesson-url">Or its address on this site</label>
    <input type="text" id="lesson-url" placeholder="lessons/my-lesson.md" spellcheck="false">
    <button type="button" id="lesson-url-open">Open</button></p>
  <div id="lesson-errors" class="lesson-errors" role="alert" hidden>
    <p id="lesson-errors-title"></p>
    <ul id="lesson-errors-list"></ul>
  </div>
  <p class="hint">How to write one: <code>docs/lessons.md</code> in the source, with the built-in lesson as its example.</p>
  <p><button type="button" id="lessons-dialog-close">Close</button></p>`;

export class LessonPlayer {
  /** @param {any} app  the page's views and its LinkState (`app.link`) */
  constructor(app) {
    this.app = app;
    /** @type {Lesson | null} */
    this.lesson = null;
    /** the lesson's value in a link (`lessons/x.md`, `file:x.md`) and its key for progress */
    this.ref = '';
    /** @type {Progress} */
    this.progress = fresh();
    this.n = 1;
    this.entering = false;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    this.build();
  }

  // ------------------------------------------------------------------ the panel and the dialog

  build() {
    const panel = document.createElement('aside');
    panel.id = 'lesson';
    panel.className = 'lesson-panel';
    panel.setAttribute('aria-labelledby', 'lesson-name');
    panel.hidden = true;
    panel.innerHTML = PANEL; // static markup; a lesson's own text only ever goes in as text
    document.body.append(panel);
    const dialog = document.createElement('dialog');
    dialog.id = 'lessons-dialog';
    dialog.setAttribute('aria-labelledby', 'lessons-dialog-title');
    dialog.innerHTML = DIALOG;
    document.body.append(dialog);
    for (const { path, title } of BUILT_IN) {
      const li = document.createElement('li');
      const button = Object.assign(document.createElement('button'), {
        type: 'button',
        id: 'lesson-builtin',
        textContent: `Start “${title}”`,
      });
      button.addEventListener('click', () => this.openUrl(path));
      li.append(button);
      $('lessons-list').append(li);
    }
    $('lesson-file').addEventListener('change', (/** @type {Event} */ e) => {
      const file = /** @type {HTMLInputElement} */ (e.target).files?.[0];
      if (file) this.openFile(file);
    });
    $('lesson-url-open').addEventListener('click', () => this.openUrl($('lesson-url').value.trim()));
    $('lesson-url').addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
      if (e.key === 'Enter') this.openUrl($('lesson-url').value.trim());
    });
    $('lessons-dialog-close').addEventListener('click', () => dialog.close());
    $('lesson-prev').addEventListener('click', () => this.go(this.n - 1));
    $('lesson-next').addEventListener('click', () => this.go(this.n + 1));
    $('lesson-jump').addEventListener('change', () => this.go(Number($('lesson-jump').value)));
    $('lesson-close').addEventListener('click', () => this.close());
    $('lesson-fold').addEventListener('click', () => this.fold());
    // Before the page's own shortcuts (classroom/presenter.js), which step the stepper on PageDown.
    window.addEventListener('keydown', (e) => this.key(e), { capture: true });
  }

  choose() {
    $('lesson-errors').hidden = true;
    const dialog = $('lessons-dialog');
    if (!dialog.open) dialog.showModal();
  }

  /**
   * @param {string} title
   * @param {string[]} messages  one per problem, each naming where
   */
  showErrors(title, messages) {
    $('lesson-errors-title').textContent = title;
    $('lesson-errors-list').replaceChildren(
      ...messages.map((m) => Object.assign(document.createElement('li'), { textContent: m })),
    );
    $('lesson-errors').hidden = false;
    const dialog = $('lessons-dialog');
    if (!dialog.open) dialog.showModal();
  }

  // ------------------------------------------------------------------ opening a lesson

  /**
   * A lesson on this site, by its address relative to the page (`lessons/x.md`).
   * @param {string} path
   * @param {number | null} [step]
   */
  async openUrl(path, step = null) {
    if (!path)
      return this.showErrors('No address given.', ['Type the lesson file’s address, e.g. lessons/my-lesson.md.']);
    const url = URL.canParse(path, document.baseURI) ? new URL(path, document.baseURI) : null;
    if (!url || url.origin !== location.origin) {
      return this.showErrors(`“${path}” cannot be opened by address.`, [
        'Only lessons on this site open by address (a link cannot fetch from another site): download the file and open it with “Open a lesson file”.',
      ]);
    }
    let text;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`the server answered ${response.status} ${response.statusText}`.trim());
      text = await response.text();
    } catch (e) {
      return this.showErrors(`Could not open the lesson ${path}.`, [
        `${e.message ?? e}${navigator.onLine === false ? ' (this browser is offline)' : ''}.`,
      ]);
    }
    return this.openText(text, path, path, step);
  }

  /** @param {File} file */
  async openFile(file) {
    if (file.size > MAX_BYTES) {
      return this.showErrors(`${file.name} is not a lesson.`, [
        `${file.name}: ${file.size.toLocaleString('en')} bytes; a lesson file is text, under ${MAX_BYTES.toLocaleString('en')} bytes.`,
      ]);
    }
    const text = await file.text();
    const opened = await this.openText(text, file.name, `file:${file.name}`);
    if (opened) {
      try {
        localStorage.setItem(FILE_KEY, JSON.stringify({ name: file.name, text }));
      } catch {
        // Not kept (storage full or refused): the lesson works until the page is closed.
      }
    }
    $('lesson-file').value = '';
  }

  /**
   * What a link asked for (`lesson=…&step=…`).
   * @param {string} ref
   * @param {string | null} step
   */
  async openFromLink(ref, step) {
    const n = step != null && /^\d+$/.test(step) ? Number(step) : null;
    if (step != null && n == null) this.app.link?.showNotes([`step: “${step}” is not a step number; ignored.`]);
    if (!ref.startsWith('file:')) return this.openUrl(ref, n);
    const name = ref.slice(5);
    let kept = null;
    try {
      kept = JSON.parse(localStorage.getItem(FILE_KEY) ?? 'null');
    } catch {
      kept = null;
    }
    if (kept?.name === name && typeof kept.text === 'string') return this.openText(kept.text, name, ref, n);
    this.showErrors(`This link opens the lesson file ${name}, which is not on this computer.`, [
      `Open ${name} with “Open a lesson file” (a file cannot travel in a link; a lesson on the site can: ?lesson=lessons/…).`,
    ]);
  }

  /**
   * @param {string} text
   * @param {string} source  the name errors use
   * @param {string} ref     the lesson's value in a link
   * @param {number | null} [step]
   * @returns {Promise<boolean>} whether it opened
   */
  async openText(text, source, ref, step = null) {
    const { lesson, errors } = parseLesson(text);
    if (errors.length) {
      const count = errors.length === 1 ? 'a problem' : `${errors.length} problems`;
      this.showErrors(
        `${source} has ${count}; fix ${errors.length === 1 ? 'it' : 'them'} and open it again:`,
        errors.map((e) => describeError(e, source, lesson.steps)),
      );
      return false;
    }
    $('lessons-dialog').close();
    this.lesson = lesson;
    this.ref = ref;
    this.progress = loadProgress(localStorage, ref);
    $('lesson-name').textContent = plain(lesson.title);
    $('lesson-jump').replaceChildren(
      ...lesson.steps.map((s, k) =>
        Object.assign(document.createElement('option'), {
          value: String(k + 1),
          textContent: `${k + 1}. ${plain(s.title)}`,
        }),
      ),
    );
    $('lesson').hidden = false;
    document.body.classList.add('lesson-open');
    const N = lesson.steps.length;
    let n = step ?? this.progress.step;
    if (step != null && (step < 1 || step > N)) {
      this.app.link?.showNotes([
        `step: this lesson has steps 1 to ${N}; ${step} opens step ${Math.min(Math.max(step, 1), N)}.`,
      ]);
    }
    n = Math.min(Math.max(n, 1), N);
    await this.go(n, { force: true });
    $('lesson-heading').focus();
    return true;
  }

  close() {
    this.stopWatching();
    this.lesson = null;
    $('lesson').hidden = true;
    document.body.classList.remove('lesson-open');
    delete document.body.dataset.lessonStep;
    this.syncAddress();
    $('lessons-open').focus();
  }

  fold() {
    const open = $('lesson-fold').getAttribute('aria-expanded') !== 'true';
    $('lesson-fold').setAttribute('aria-expanded', String(open));
    $('lesson-fold').textContent = open ? 'Hide' : 'Show';
    $('lesson-body').hidden = !open;
    $('lesson').classList.toggle('folded', !open);
  }

  // ------------------------------------------------------------------ link keys

  /** @returns {Map<string, string | null>} */
  read() {
    return new Map([
      ['lesson', this.lesson ? this.ref : null],
      ['step', this.lesson ? String(this.n) : null],
    ]);
  }

  syncAddress() {
    const link = this.app.link;
    if (!link) return;
    history.replaceState(null, '', `${location.pathname}${link.query()}${location.hash}`);
    link.committed = location.search;
  }

  // ------------------------------------------------------------------ steps

  /** @returns {Step} */
  get step() {
    return this.lesson.steps[this.n - 1];
  }

  /**
   * @param {number} n  from 1
   * @param {{ force?: boolean }} [options]
   */
  async go(n, { force = false } = {}) {
    if (!this.lesson) return;
    const N = this.lesson.steps.length;
    if (n < 1 || n > N || (n === this.n && !force)) return;
    this.n = n;
    this.progress.step = n;
    saveProgress(localStorage, this.ref, this.progress);
    this.stopWatching();
    this.entering = true;
    this.show();
    try {
      await this.applyView(this.step.view);
    } finally {
      this.entering = false;
    }
    this.syncAddress();
    document.body.dataset.lessonStep = String(n);
    this.announce(
      `Step ${n} of ${N}: ${plain(this.step.title)}.${this.step.question && !this.answer() ? ' A question first.' : ''}`,
    );
    this.watch();
  }

  /**
   * Open a step's view: its link applied as the page applies any link, keeping presenter mode and
   * the controls students see (the room's choice, not the step's).
   * @param {string | null} view
   */
  async applyView(view) {
    const link = this.app.link;
    if (!view || !link) return;
    const hashAt = view.indexOf('#');
    const params = new URLSearchParams(hashAt < 0 ? view : view.slice(0, hashAt));
    const now = link.read();
    for (const key of ['present', 'hide']) {
      const v = now.get(key);
      if (!params.has(key) && v != null && v !== link.defaults.get(key)) params.set(key, v);
    }
    if (hashAt >= 0 && location.hash !== view.slice(hashAt)) {
      history.replaceState(null, '', `${location.pathname}${location.search}${view.slice(hashAt)}`);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    }
    await link.apply(params);
    // A view may start a computation: ticks are looked for once it is on screen.
    const { blowup, gradflow } = this.app;
    await Promise.all([
      $('blowup').dataset.busy === 'true' && blowup.schedule(),
      $('stepper').dataset.gradflowBusy === 'true' && gradflow.schedule(),
    ]);
  }

  /** The step on screen: title, text, question, task, navigation. */
  show() {
    const step = this.step;
    const N = this.lesson.steps.length;
    $('lesson-count').textContent = `Step ${this.n} of ${N}:`;
    $('lesson-step-title').textContent = plain(step.title);
    $('lesson-text').replaceChildren(...render(step.text));
    $('lesson-jump').value = String(this.n);
    $('lesson-prev').disabled = this.n === 1;
    $('lesson-next').disabled = this.n === N;
    this.showQuestion();
    this.showTask();
    this.showProgress();
  }

  answer() {
    return this.progress.answers[String(this.n)] ?? null;
  }

  showQuestion() {
    const box = $('lesson-question');
    const q = this.step.question;
    box.replaceChildren();
    box.hidden = !q;
    if (!q) return;
    const answered = this.answer();
    const set = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.append('Predict: ', ...render([q.prompt]).flatMap((p) => [...p.childNodes]));
    set.append(legend);
    if (q.kind === 'choice') {
      q.choices.forEach((c, k) => {
        const label = document.createElement('label');
        label.className = 'check';
        const radio = Object.assign(document.createElement('input'), {
          type: 'radio',
          name: 'lesson-choice',
          id: `lesson-choice-${k + 1}`,
          value: String(k),
          checked: answered?.choice === k,
          disabled: !!answered,
        });
        // One box for the choice's text, so its inline code stays in the line (the label is a flex row).
        const text = document.createElement('span');
        text.append(...render([c.text]).flatMap((p) => [...p.childNodes]));
        label.append(radio, text);
        set.append(label);
      });
    } else {
      const id = 'lesson-guess';
      const label = Object.assign(document.createElement('label'), { htmlFor: id, textContent: 'Your guess: ' });
      const out = Object.assign(document.createElement('output'), { id: 'lesson-guess-value', htmlFor: id });
      const range = Object.assign(document.createElement('input'), {
        type: 'range',
        id,
        min: String(q.min),
        max: String(q.max),
        step: String(q.step),
        disabled: !!answered,
      });
      range.value = String(answered?.value ?? (q.min + q.max) / 2);
      out.value = range.value;
      range.addEventListener('input', () => {
        out.value = range.value;
      });
      label.append(out);
      set.append(label, range);
    }
    const check = Object.assign(document.createElement('button'), {
      type: 'button',
      id: 'lesson-check',
      textContent: 'Check my answer',
      hidden: !!answered,
    });
    check.addEventListener('click', () => this.check());
    const reveal = document.createElement('div');
    reveal.id = 'lesson-reveal';
    reveal.className = 'lesson-reveal';
    reveal.tabIndex = -1;
    reveal.hidden = !answered;
    if (answered) this.fillReveal(reveal, answered.correct);
    box.append(set, check, reveal);
  }

  /** Take the student's answer, keep it, and show the explanation. */
  check() {
    const q = this.step.question;
    /** @type {import('./progress.js').Answer} */
    let answer;
    if (q.kind === 'choice') {
      const picked = /** @type {HTMLInputElement | null} */ (
        document.querySelector('input[name="lesson-choice"]:checked')
      );
      if (!picked) {
        this.announce('Pick one of the answers first.');
        return;
      }
      const choice = Number(picked.value);
      answer = { choice, correct: q.choices[choice].correct };
    } else {
      const value = Number($('lesson-guess').value);
      answer = { value, correct: value >= q.correct[0] && value <= q.correct[1] };
    }
    this.progress.answers[String(this.n)] = answer;
    saveProgress(localStorage, this.ref, this.progress);
    this.showQuestion();
    this.showTask();
    this.showProgress();
    const reveal = $('lesson-reveal');
    reveal.focus();
    this.announce(reveal.textContent);
  }

  /**
   * @param {HTMLElement} reveal
   * @param {boolean} correct
   */
  fillReveal(reveal, correct) {
    const q = this.step.question;
    reveal.dataset.correct = String(correct);
    const right =
      q.kind === 'choice'
        ? q.choices
            .filter((c) => c.correct)
            .map((c) => `“${plain(c.text)}”`)
            .join(' or ')
        : `between ${q.correct[0]} and ${q.correct[1]}`;
    const verdict = document.createElement('p');
    verdict.className = 'lesson-verdict';
    verdict.textContent = correct ? `Right: ${right}.` : `Not quite: the answer is ${right}.`;
    reveal.replaceChildren(verdict, ...render([q.answer]));
  }

  showTask() {
    const step = this.step;
    const task = $('lesson-task');
    task.hidden = !step.action && !step.task;
    if (task.hidden) return;
    const waiting = step.question && !this.answer();
    const done = this.progress.done.includes(this.n);
    task.dataset.done = String(done);
    $('lesson-task-status').textContent = done ? '✓ Done:' : waiting ? 'Then:' : 'Do:';
    $('lesson-task-text').replaceChildren(
      ...(waiting
        ? [document.createTextNode('answer the question first; then the step shows what to try.')]
        : render([step.task]).flatMap((p) => [...p.childNodes])),
    );
  }

  showProgress() {
    const N = this.lesson.steps.length;
    const answers = Object.values(this.progress.answers);
    const right = answers.filter((a) => a.correct).length;
    $('lesson-progress').textContent =
      `${this.progress.done.length} of ${this.lesson.steps.filter((s) => s.action).length} tasks done` +
      (answers.length ? ` · ${right} of ${answers.length} answers right` : '') +
      (this.n === N ? ' · the last step' : '');
  }

  // ------------------------------------------------------------------ detecting the action

  watch() {
    this.stopWatching();
    if (!this.step.action || this.progress.done.includes(this.n)) return;
    this.timer = setInterval(() => this.look(), CHECK_MS);
  }

  stopWatching() {
    clearInterval(this.timer);
    this.timer = null;
  }

  look() {
    if (this.entering || !this.lesson || !this.step.action) return;
    if (this.step.question && !this.answer()) return; // predict first, then do
    if (!holds(this.step.action, pageReader(this.app))) return;
    this.progress.done = [...new Set([...this.progress.done, this.n])].sort((a, b) => a - b);
    saveProgress(localStorage, this.ref, this.progress);
    this.stopWatching();
    this.showTask();
    this.showProgress();
    this.announce(
      `Done: ${plain(this.step.task)}.${this.n < this.lesson.steps.length ? ' Next step when you are ready.' : ''}`,
    );
  }

  /** @param {string} message */
  announce(message) {
    const region = $('lesson-announce');
    // Emptied first, so the same words twice are announced twice.
    region.textContent = '';
    requestAnimationFrame(() => {
      region.textContent = message;
    });
  }

  /** @param {KeyboardEvent} e */
  key(e) {
    if (!this.lesson || !document.body.classList.contains('presenter')) return;
    if (e.key !== 'PageDown' && e.key !== 'PageUp') return;
    if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
    const target = /** @type {HTMLElement} */ (e.target);
    if (target.closest?.('input[type="text"], textarea, select, [contenteditable="true"]')) return;
    e.preventDefault();
    e.stopPropagation();
    this.go(this.n + (e.key === 'PageDown' ? 1 : -1));
  }
}
