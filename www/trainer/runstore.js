// @ts-check
// The last training run, kept in this browser (IndexedDB) so that a reload or a closed tab
// loses nothing: its log (settings, epoch rows and curves, the data file's name, size and
// SHA-256) and model files — the best epoch's (what "Download the model" saves) and, when the
// last epoch is not the best, the last epoch's too (training resumes from it). One record,
// replaced after every epoch.

import { SITE_PATH } from '../lib/assets.js';

/** Named after the site's path: two deployments on one origin keep their own runs. */
const DB = `lstm-lab ${SITE_PATH}`;
/** Where earlier builds kept the run, for every deployment on the origin (moved on first read). */
const LEGACY_DB = 'lstm-lab';
const STORE = 'runs';
const KEY = 'last';

/** @typedef {import('./view.js').SavedRun} SavedRun */

/**
 * @param {string} [name]  the database: this site's, or the legacy one
 * @returns {Promise<IDBDatabase>}
 */
function open(name = DB) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the browser storage is busy in another tab'));
  });
}

/**
 * Run `action(store)` in one transaction; resolves to its request's result once committed.
 * @template T
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} action
 * @param {string} [name]  the database
 * @returns {Promise<T>}
 */
async function transaction(mode, action, name = DB) {
  if (!globalThis.indexedDB) throw new Error('this browser offers no IndexedDB');
  const db = await open(name);
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('the browser refused to store the run'));
    });
  } finally {
    db.close();
  }
}

/**
 * The saved run, or undefined.
 * @returns {Promise<SavedRun | undefined>}
 */
export const loadRun = async () =>
  (await transaction('readonly', (store) => store.get(KEY))) ?? (await moveLegacyRun());
/** @param {SavedRun} run  replaces the one kept */
export const saveRun = (run) => transaction('readwrite', (store) => store.put(run, KEY));
export const discardRun = () => transaction('readwrite', (store) => store.delete(KEY));

/**
 * The run an earlier build kept under the origin-wide name, moved to this site's store (so it
 * restores once, here, and Discard then removes it). Undefined when there is none.
 * @returns {Promise<SavedRun | undefined>}
 */
async function moveLegacyRun() {
  // Only look when it exists: opening a database creates it.
  const names = (await indexedDB.databases?.()) ?? [];
  if (!names.some((db) => db.name === LEGACY_DB)) return undefined;
  /** @type {SavedRun | undefined} */
  const run = await transaction('readonly', (store) => store.get(KEY), LEGACY_DB);
  if (run === undefined) return undefined;
  await saveRun(run);
  await transaction('readwrite', (store) => store.delete(KEY), LEGACY_DB);
  return run;
}

/**
 * A file's fingerprint, to tell whether a file chosen again is the one a run trained on:
 * SHA-256 where the page is a secure context (https, localhost), else two 32-bit FNV-1a sums
 * (crypto.subtle is missing on plain http), enough to tell files of the same name and size apart.
 * @param {ArrayBuffer} bytes
 */
export async function fingerprint(bytes) {
  /** @param {ArrayBuffer} buffer */
  const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
  if (globalThis.crypto?.subtle) return `sha256:${hex(await crypto.subtle.digest('SHA-256', bytes))}`;
  let [a, b] = [0x811c9dc5, 0x050c5d1f];
  for (const byte of new Uint8Array(bytes)) {
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x01000193) ^ (b >>> 15);
  }
  return `fnv1a:${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}
