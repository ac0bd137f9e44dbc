// @ts-check
// What a lesson's `do:` line reads from the page (see actions.js for the names): the keys of the
// link, as LinkState reads them, and what each section shows. Nothing here changes the page.

import { $ } from '../lib/dom.js';

/**
 * A number the page shows (`−0.412`, `step 12`), or null for `—`.
 * @param {string | null | undefined} text
 */
function shownNumber(text) {
  const m = (text ?? '').replace(/\u2212/g, '-').match(/-?\d+(\.\d+)?(e[-+]?\d+)?/i);
  return m ? Number(m[0]) : null;
}

/**
 * A reader of every reading, for the page as it is now.
 * @param {any} app  the page's views and its LinkState (globalThis.lstmLab)
 * @returns {(name: string) => string | number | null}
 */
export function pageReader(app) {
  /** @type {Map<string, string | null> | null} */
  let linkValues = null;
  return (name) => {
    switch (name) {
      case 'tab':
        return document.querySelector('[role="tab"][aria-selected="true"]')?.id.replace('tab-', '') ?? null;
      case 'blowup.first-inf':
      case 'blowup.first-nan':
      case 'blowup.first-zero':
        return shownNumber($(`blowup-${name.slice(7)}`)?.textContent);
      case 'stepper.i':
      case 'stepper.f':
      case 'stepper.g':
      case 'stepper.o':
      case 'stepper.c':
      case 'stepper.h':
        return shownNumber($(`stepper-value-${name.slice(8)}-${app.stepper.unit}`)?.textContent);
      case 'stepper.steps':
        return app.stepper.run?.steps.length ?? null;
      case 'trainer.state':
        return $('trainer').dataset.state ?? null;
      case 'trainer.epochs-done':
        return $('trainer-epochs-table').querySelectorAll('tbody tr').length;
      case 'trainer.run': {
        const state = $('trainer').dataset.state;
        if (state === 'running' || state === 'paused') return 'running';
        const rows = $('trainer-epochs-table').querySelectorAll('tbody tr').length;
        return state === 'ready' && rows > 0 ? 'finished' : 'none';
      }
      case 'inside.review': {
        if (!app.inside.result) return 'none';
        const example = linkValue('inside.example');
        return example ? example.split('.')[0] : 'text';
      }
      case 'inside.verdict': {
        const p = app.inside.result?.inspection.probability;
        return p == null ? 'none' : p >= 0.5 ? 'positive' : 'negative';
      }
      default:
        return linkValue(name);
    }
  };

  /** @param {string} key */
  function linkValue(key) {
    linkValues ??= app.link?.read() ?? new Map();
    return linkValues.get(key) ?? null;
  }
}
