// @ts-check
// Whether a run kept in this browser can be read: storage outlives the page that wrote it (an
// older page, a browser extension, a half-written record), so every field the Trainer reads is
// checked before it is shown. Pure, unit-tested in tests/unit/trainer.test.mjs.

const isObject = (/** @type {unknown} */ x) => typeof x === 'object' && x !== null && !Array.isArray(x);
const isBytes = (/** @type {unknown} */ x) => x instanceof ArrayBuffer || x instanceof Uint8Array;
const isCount = (/** @type {unknown} */ x) => Number.isInteger(x) && /** @type {number} */ (x) >= 0;

/**
 * What is wrong with a kept run, in words, or null when it can be restored.
 * @param {any} record
 * @returns {string | null}
 */
export function recordProblem(record) {
  if (!isObject(record)) return 'it is not a run record';
  if (record.version !== 1) return `it was kept by another version of this page (version ${String(record.version)})`;
  const settings = record.settings ?? record.request;
  if (!isObject(settings) || !isObject(settings.train) || !isCount(settings.train.epochs))
    return 'its settings are missing';
  const data = record.data;
  if (!isObject(data) || typeof data.name !== 'string' || !isCount(data.size) || !isObject(data.columns))
    return 'its data file’s name and size are missing';
  const { epochs, epochMs, batches } = record;
  if (!Array.isArray(epochs) || epochs.length === 0) return 'its epochs are missing';
  if (!epochs.every((r) => isObject(r) && Number.isFinite(r.valid_accuracy) && Number.isFinite(r.epoch)))
    return 'its epochs are unreadable';
  if (!Array.isArray(epochMs) || !Array.isArray(batches)) return 'its curves are missing';
  if (!isBytes(record.best)) return 'its model is missing';
  if (record.last != null && !isBytes(record.last)) return 'its last epoch’s model is unreadable';
  if (!Number.isFinite(record.savedAt)) return 'its date is missing';
  return null;
}

/** The statuses a kept comparison's models may have (compare.js's `Entrant`). */
const ENTRANT_STATUSES = ['waiting', 'training', 'done', 'stopped', 'failed'];

/**
 * What is wrong with a kept comparison (compare.js), in words, or null when it can be drawn.
 * @param {any} record
 * @returns {string | null}
 */
export function comparisonProblem(record) {
  if (!isObject(record)) return 'it is not a comparison record';
  if (record.version !== 1) return `it was kept by another version of this page (version ${String(record.version)})`;
  const settings = record.settings;
  if (!isObject(settings) || !isObject(settings.train) || !isCount(settings.train.epochs))
    return 'its settings are missing';
  if (!Number.isFinite(record.savedAt)) return 'its date is missing';
  const { entrants } = record;
  if (!Array.isArray(entrants) || entrants.length < 2 || entrants.length > 4) return 'its models are missing';
  for (const e of entrants) {
    if (!isObject(e) || typeof e.name !== 'string' || !ENTRANT_STATUSES.includes(e.status))
      return 'a model’s name or status is unreadable';
    if (e.parameters != null && !isCount(e.parameters)) return `${e.name}: its parameter count is unreadable`;
    if (!Array.isArray(e.epochs) || !Array.isArray(e.epochMs) || !Array.isArray(e.batches))
      return `${e.name}: its curves are missing`;
    if (
      !e.epochs.every(
        (/** @type {any} */ r) => isObject(r) && Number.isFinite(r.valid_accuracy) && Number.isFinite(r.epoch),
      )
    )
      return `${e.name}: its epochs are unreadable`;
    if (!e.epochMs.every(Number.isFinite)) return `${e.name}: its epoch times are unreadable`;
    if (
      !e.batches.every(
        (/** @type {any} */ b) => Array.isArray(b) && b.length >= 2 && b.every((x) => x === null || Number.isFinite(x)),
      )
    )
      return `${e.name}: its loss curve is unreadable`;
  }
  return null;
}
