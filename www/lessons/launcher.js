// @ts-check
// Lessons, as the page starts: the "Lessons" button, and the link keys `lesson` (a lesson file's
// address on this site, or `file:<name>`) and `step` (from 1). The player itself (player.js, its
// parser and panel) loads only when a lesson is opened, so the first view does not carry it.

import { $ } from '../lib/dom.js';

/** @typedef {import('./player.js').LessonPlayer} LessonPlayer */

export class Lessons {
  /** @param {any} app  the page's views and, once made, its LinkState (`app.link`) */
  constructor(app) {
    this.app = app;
    /** @type {LessonPlayer | null} */
    this.player = null;
    /** @type {{ lesson: string, step: string | null } | null} what the address asked for, until opened */
    this.pending = null;
    $('lessons-open').addEventListener('click', async () => (await this.load()).choose());
  }

  /** The link keys this part reads and writes (LinkState asks). */
  keys() {
    return ['lesson', 'step'];
  }

  /** @returns {Map<string, string | null>} */
  read() {
    if (this.player?.lesson) return this.player.read();
    return new Map([
      ['lesson', this.pending?.lesson ?? null],
      ['step', this.pending?.step ?? null],
    ]);
  }

  /**
   * Note what the address asks for (before the page applies the rest of the link, so the
   * address keeps it), and open it once the page is ready (`start`).
   * @param {URLSearchParams} params
   */
  remember(params) {
    const lesson = params.get('lesson');
    this.pending = lesson ? { lesson, step: params.get('step') } : null;
  }

  async start() {
    if (!this.pending) return;
    const { lesson, step } = this.pending;
    const player = await this.load();
    await player.openFromLink(lesson, step);
    this.pending = null;
  }

  async load() {
    if (!this.player) {
      const { LessonPlayer } = await import('./player.js');
      this.player = new LessonPlayer(this.app);
    }
    return this.player;
  }
}
