// @ts-check
// "Make the whole lab available offline" (#offline-save): the service worker keeps the first
// view when it installs, but the large files only once they are used. This control has it fetch
// and keep the rest at once — the trainer's module, the built-in sample, the pretrained model and
// its reviews — saying their size first. Shown only in a built site with a service worker.

import { BUILD } from './assets.js';
import { $ } from './dom.js';

/** What each large file is, in the words the control uses. */
const PARTS = /** @type {const} */ ([
  ['trainerWasm', 'the trainer'],
  ['sample', 'the built-in sample'],
  ['pretrained', 'the pretrained model'],
  ['pretrainedExamples', 'its reviews'],
  ['pretrainedValidation', 'its validation sample'],
]);

/** @param {number} bytes */
const mb = (bytes) => (bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);

/**
 * @typedef {{ type: 'offline-status', saved: string[], missing: string[] }} OfflineStatus
 * @typedef {OfflineStatus | { type: 'offline-progress', loaded: number } | (Omit<OfflineStatus, 'type'> & { type: 'offline-error', message: string })} OfflineReply
 */

/**
 * Ask the active service worker; `onReply` gets each answer until it returns true.
 * @param {ServiceWorker} worker
 * @param {string} type
 * @param {(reply: OfflineReply) => boolean} onReply
 */
function ask(worker, type, onReply) {
  const channel = new MessageChannel();
  channel.port1.onmessage = ({ data }) => {
    if (onReply(data)) channel.port1.close();
  };
  worker.postMessage({ type }, [channel.port2]);
}

/** @param {string[]} missing  paths the worker has not kept */
function describe(missing) {
  const parts = PARTS.filter(([name]) => missing.includes(BUILD.assets[name].path));
  const total = parts.reduce((sum, [name]) => sum + (BUILD.assets[name].bytes ?? 0), 0);
  const list = parts.map(([name, label]) => `${label} (${mb(BUILD.assets[name].bytes ?? 0)})`);
  const listed = list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list.at(-1)}` : list[0];
  return { total, text: `Saves ${listed} in this browser: ${mb(total)}.` };
}

/**
 * Set up the control once the service worker is active.
 * @param {Promise<ServiceWorkerRegistration | null>} registered
 */
export async function setupOffline(registered) {
  const registration = await registered;
  if (!registration) return;
  const worker = (await navigator.serviceWorker.ready).active;
  if (!worker) return;
  const panel = $('offline');
  const button = /** @type {HTMLButtonElement} */ ($('offline-save'));
  const status = $('offline-status');
  const progress = /** @type {HTMLProgressElement} */ ($('offline-progress'));
  /** @param {OfflineStatus} reply */
  const show = ({ missing }) => {
    panel.dataset.state = missing.length ? 'partial' : 'saved';
    button.hidden = missing.length === 0;
    button.disabled = false;
    status.textContent = missing.length
      ? describe(missing).text
      : 'The whole lab works offline in this browser: the trainer, the sample and the pretrained model are saved.';
  };
  ask(worker, 'offline-status', (reply) => {
    if (reply.type === 'offline-status') show(reply);
    return true;
  });
  panel.hidden = false;
  button.addEventListener('click', () => {
    button.disabled = true;
    panel.dataset.state = 'saving';
    ask(worker, 'offline-status', (first) => {
      if (first.type !== 'offline-status') return true;
      const { total } = describe(first.missing);
      status.textContent = `Saving ${mb(total)} for offline use…`;
      progress.max = total;
      progress.value = 0;
      progress.hidden = false;
      ask(worker, 'save-offline', (reply) => {
        if (reply.type === 'offline-progress') {
          progress.value = reply.loaded;
          return false;
        }
        progress.hidden = true;
        show({ ...reply, type: 'offline-status' });
        if (reply.type === 'offline-error') {
          panel.dataset.state = 'failed';
          const offline = navigator.onLine === false ? ' This browser is offline.' : '';
          status.textContent = `Could not save everything for offline use (${reply.message}).${offline} ${describe(reply.missing).text}`;
        }
        return true;
      });
      return true;
    });
  });
}
