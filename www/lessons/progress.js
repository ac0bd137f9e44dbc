// @ts-check
// A student's progress in one lesson, on their own machine only (localStorage): the step they
// are on, the steps whose action they did, and their answers. Kept per lesson (its address, or
// its file's name), so a reload or a return next week resumes where they were.

/** @typedef {{ choice?: number, value?: number, correct: boolean }} Answer */
/** @typedef {{ step: number, done: number[], answers: Record<string, Answer> }} Progress */

const PREFIX = 'lstm-lab.lesson:';

/** @returns {Progress} */
export const fresh = () => ({ step: 1, done: [], answers: {} });

/**
 * @param {Pick<Storage, 'getItem'>} storage
 * @param {string} id
 * @returns {Progress}
 */
export function loadProgress(storage, id) {
  let saved = null;
  try {
    saved = JSON.parse(storage.getItem(PREFIX + id) ?? 'null');
  } catch {
    // Unreadable (edited by hand, another version): start again rather than fail.
  }
  if (!saved || typeof saved !== 'object') return fresh();
  const step = Number.isInteger(saved.step) && saved.step >= 1 ? saved.step : 1;
  const done = Array.isArray(saved.done)
    ? saved.done.filter((/** @type {any} */ n) => Number.isInteger(n) && n >= 1)
    : [];
  const answers = saved.answers && typeof saved.answers === 'object' ? saved.answers : {};
  return { step, done, answers };
}

/**
 * @param {Pick<Storage, 'setItem'>} storage
 * @param {string} id
 * @param {Progress} progress
 */
export function saveProgress(storage, id, progress) {
  try {
    storage.setItem(PREFIX + id, JSON.stringify(progress));
  } catch {
    // Storage full or refused (private mode): the lesson goes on, it is just not remembered.
  }
}

/**
 * @param {Pick<Storage, 'removeItem'>} storage
 * @param {string} id
 */
export function forgetProgress(storage, id) {
  try {
    storage.removeItem(PREFIX + id);
  } catch {
    // As above.
  }
}
