// @ts-check
// The service worker of a built site (dist/; www/sw.js) and its updates. A new deploy installs
// a new worker, which waits while any tab still runs the old build: this tab then shows
// "A new version is ready — reload" (#update-banner). Reload asks the new worker to take over
// (it refuses while other tabs of the site are open, and the banner says how many) and reloads
// once it has: the page and every file it loads later come from one build.

import { BUILD } from './assets.js';
import { $ } from './dom.js';

/** In a built site, register the service worker and offer its updates. Resolves to the registration, or null. */
export async function registerServiceWorker() {
  if (!BUILD.built || !('serviceWorker' in navigator)) return null;
  /** @type {ServiceWorkerRegistration} */
  let registration;
  try {
    registration = await navigator.serviceWorker.register(new URL('../sw.js', import.meta.url));
  } catch (e) {
    console.warn(`no offline support: the service worker did not register (${e.message ?? e})`);
    return null;
  }
  // (A browser that blocks service workers may resolve to nothing.)
  if (!registration) return null;
  // A first visit has no controller: its worker is this build's, nothing to offer.
  /** @param {ServiceWorker | null} worker */
  const offer = (worker) => {
    if (worker && navigator.serviceWorker.controller) showBanner(worker);
  };
  /** @param {ServiceWorker | null} worker  one being installed: offered once it is */
  const watch = (worker) =>
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed') offer(worker);
    });
  // The navigation itself may have found the new build before this ran.
  offer(registration.waiting);
  watch(registration.installing);
  registration.addEventListener('updatefound', () => watch(registration.installing));
  return registration;
}

/** @param {ServiceWorker} worker  the new build's, installed and waiting */
function showBanner(worker) {
  const banner = $('update-banner');
  const text = $('update-text');
  const button = /** @type {HTMLButtonElement} */ ($('update-reload'));
  text.textContent = 'A new version is ready.';
  banner.hidden = false;
  button.disabled = false;
  button.onclick = () => {
    button.disabled = true;
    text.textContent = 'Switching to the new version…';
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => {
      if (data?.type !== 'other-tabs') return;
      const tabs = data.count === 1 ? 'another tab' : `${data.count} other tabs`;
      text.textContent = `A new version is ready. LSTM Lab is open in ${tabs}, which still run this version: close ${data.count === 1 ? 'it' : 'them'}, then reload.`;
      button.disabled = false;
    };
    worker.postMessage({ type: 'take-over' }, [channel.port2]);
  };
}
