// @ts-check
// The comparison (compare.js), kept in this browser beside the runs (runstore.js): one record
// per tab under `compare:<tab id>`, replaced after each model's epoch, so a reload draws it again
// and a closed tab's newest is drawn in the next tab opened. A record this page cannot read (an
// older or newer page's, a half-written one) is left alone and not drawn.

import { $ } from '../lib/dom.js';
import { comparisonProblem } from './runrecord.js';
import { COMPARE_KEY, COMPARE_PREFIX, discardRun, keep, loadKept } from './runstore.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./compare.js').KeptComparison} KeptComparison */

/**
 * Keep this tab's comparison; `adopted`: a closed tab's, which it replaces on screen.
 * @param {KeptComparison} record
 * @param {IDBValidKey | null} adopted
 */
export const saveComparison = (record, adopted) => keep(COMPARE_KEY, record, adopted);

/** @param {IDBValidKey} key */
export const discardComparison = (key) => discardRun(key).catch(() => {});

/**
 * Draw the comparison this tab kept before a reload, else the newest a closed tab left.
 * @param {TrainerView} view
 */
export async function offerComparison(view) {
  /** @type {{ key: IDBValidKey, record: any } | undefined} */
  let kept;
  try {
    kept = await loadKept(COMPARE_PREFIX);
  } catch {
    // No storage here: nothing was kept either.
  }
  const shown = Boolean(kept && !comparisonProblem(kept.record) && view.compare.showKept(kept.key, kept.record));
  // Whether one was drawn, once the look is over (the browser tests wait for it).
  $('trainer-compare').dataset.kept = shown ? 'shown' : 'none';
}
