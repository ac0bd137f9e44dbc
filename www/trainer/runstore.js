// @ts-check
// The last training run, kept in this browser (IndexedDB) so that a reload or a closed tab
// loses nothing: its log (settings, epoch rows and curves, the data file's name, size and
// SHA-256) and model files — the best epoch's (what "Download the model" saves) and, when the
// last epoch is not the best, the last epoch's too (training resumes from it). One record per
// tab, replaced after every epoch: two tabs training at once keep a run each. A tab is named by
// an id in its sessionStorage (kept across its reloads) and holds a Web Lock of that name while
// open, so a page knows which kept runs belong to a tab still open (not offered: that tab owns
// it) and which to a closed one (offered, the newest first).

import { SITE_PATH } from '../lib/assets.js';

/** Named after the site's path: two deployments on one origin keep their own runs. */
const DB = `lstm-lab ${SITE_PATH}`;
/** Where earlier builds kept the run, for every deployment on the origin (moved on first read). */
const LEGACY_DB = 'lstm-lab';
const STORE = 'runs';

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

/** The record the page before per-tab runs kept: offered as a closed tab's. */
const LEGACY_KEY = 'last';
const TAB_PREFIX = 'tab:';
const LOCK_PREFIX = 'lstm-lab.tab:';
/** Runs of closed tabs kept (the newest is offered; Discard offers the next). */
const KEEP_CLOSED = 3;

/** This tab's id: the same across its reloads, another in each new tab. */
export const tabId = (() => {
  const made = () => globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  try {
    let id = sessionStorage.getItem('lstm-lab.tab');
    if (!id) {
      id = made();
      sessionStorage.setItem('lstm-lab.tab', id);
    }
    return id;
  } catch {
    return made(); // no sessionStorage (a sandboxed frame): a fresh id per load
  }
})();
/** Where this tab keeps its run. */
export const KEY = `${TAB_PREFIX}${tabId}`;

// Held while this page is open, released by the browser when the tab closes.
globalThis.navigator?.locks?.request(`${LOCK_PREFIX}${tabId}`, () => new Promise(() => {})).catch(() => {});

/**
 * The ids of the tabs open now (their locks); null where the browser has no Web Locks.
 * @returns {Promise<Set<string> | null>}
 */
async function openTabs() {
  const locks = globalThis.navigator?.locks;
  if (!locks) return null;
  const { held = [] } = await locks.query();
  return new Set(
    held
      .map((l) => l.name ?? '')
      .filter((n) => n.startsWith(LOCK_PREFIX))
      .map((n) => n.slice(LOCK_PREFIX.length)),
  );
}

/**
 * The record this tab should offer under `prefix` (`tab:` runs, `compare:` comparisons): its own,
 * else the newest one a closed tab left; with the key it is kept under (what Discard deletes).
 * `legacy`: the origin-wide record of earlier builds counts as a closed tab's. A record that does
 * not parse is returned as it is: the caller says so and offers Discard.
 * @param {string} prefix
 * @param {{ legacy?: boolean }} [options]
 * @returns {Promise<{ key: IDBValidKey, record: any } | undefined>}
 */
export async function loadKept(prefix, { legacy = false } = {}) {
  // Keys and values from one transaction: in the same order, of the same records.
  /** @type {IDBRequest<IDBValidKey[]> | undefined} */
  let keyRequest;
  const values = await transaction('readonly', (store) => {
    keyRequest = store.getAllKeys();
    return store.getAll();
  });
  const keys = keyRequest?.result ?? [];
  const ownKey = `${prefix}${tabId}`;
  const own = keys.indexOf(ownKey);
  if (own >= 0) return { key: ownKey, record: values[own] };
  const open = await openTabs().catch(() => /** @type {Set<string> | null} */ (null));
  const isLegacy = (/** @type {IDBValidKey} */ key) => legacy && key === LEGACY_KEY;
  const orphans = keys
    .map((key, i) => ({ key, record: values[i] }))
    .filter(
      ({ key }) =>
        typeof key === 'string' && (isLegacy(key) || (key.startsWith(prefix) && !open?.has(key.slice(prefix.length)))),
    )
    .filter(({ key }) => isLegacy(key) || open !== null); // without Web Locks, only the legacy record
  orphans.sort((a, b) => (Number(b.record?.savedAt) || 0) - (Number(a.record?.savedAt) || 0));
  // Closed tabs' records beyond the newest few are never offered again: they go.
  const stale = orphans.slice(KEEP_CLOSED).map(({ key }) => key);
  if (stale.length) await transaction('readwrite', (store) => stale.map((k) => store.delete(k)).at(-1));
  return orphans[0];
}

/**
 * The run this tab should offer: its own, else the newest one a closed tab left (or the legacy
 * record of earlier builds).
 */
export async function loadRun() {
  await moveLegacyRun().catch(() => {});
  return loadKept(TAB_PREFIX, { legacy: true });
}

/**
 * Keep `record` under `key`, replacing what it held; `adopted` (the key of a closed tab's record
 * this one replaces) is deleted in the same transaction, so it is not offered twice.
 * @param {IDBValidKey} key
 * @param {unknown} record
 * @param {IDBValidKey | null} [adopted]
 */
export const keep = (key, record, adopted = null) =>
  transaction('readwrite', (store) => {
    if (adopted != null && adopted !== key) store.delete(adopted);
    return store.put(record, key);
  });

/**
 * Keep `run` as this tab's, replacing the one it kept; `adopted` (the key of a closed tab's run
 * this one continues) is deleted in the same transaction, so it is not offered twice.
 * @param {SavedRun} run
 * @param {IDBValidKey | null} [adopted]
 */
export const saveRun = (run, adopted = null) => keep(KEY, run, adopted);

/** @param {IDBValidKey} key  the kept run (or comparison) to forget: this tab's, or the closed tab's it offered */
export const discardRun = (key) => transaction('readwrite', (store) => store.delete(key));

/** Comparisons (compare.js) are kept beside the runs, one per tab: `compare:<tab id>`. */
export const COMPARE_PREFIX = 'compare:';
/** Where this tab keeps its comparison. */
export const COMPARE_KEY = `${COMPARE_PREFIX}${tabId}`;

/**
 * The run an earlier build kept under the origin-wide name (one record, `last`), moved to this
 * site's store under the same key, where it is offered as a closed tab's run (so it restores
 * once, here, and Discard then removes it).
 */
async function moveLegacyRun() {
  // Only look when it exists: opening a database creates it.
  const names = (await indexedDB.databases?.()) ?? [];
  if (!names.some((db) => db.name === LEGACY_DB)) return;
  const run = await transaction('readonly', (store) => store.get(LEGACY_KEY), LEGACY_DB);
  if (run === undefined) return;
  await transaction('readwrite', (store) => store.put(run, LEGACY_KEY));
  await transaction('readwrite', (store) => store.delete(LEGACY_KEY), LEGACY_DB);
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
