// @ts-check
// One of gate surgery's scoring workers (surgery-count.js): the first view's module, the
// pretrained model and the validation sample, ready to count how many of a range of reviews an
// edited model gets right. The page splits the 1,000 reviews between a few of these, so the
// count takes a fraction of the time it takes on the page's own thread, and the page stays
// responsive throughout.
//
// Messages in:  {kind: 'load', module, model, sample}       (the compiled module, two files' bytes)
//               {kind: 'count', job, text, start, end}       (the surgery in the link's form)
// Messages out: {kind: 'ready', reviews, recorded} · {kind: 'counted', job, start, end, right}
//               · {kind: 'failed', message}

import init, { ModelSession, SurgeryAccuracy } from '../lib/page-wasm.js';

/** @type {SurgeryAccuracy | null} */
let scorer = null;

/** @param {MessageEvent} event */
self.onmessage = async (event) => {
  const m = event.data;
  try {
    if (m.kind === 'load') {
      await init({ module_or_path: m.module });
      const session = ModelSession.fromFile(m.model);
      try {
        scorer = new SurgeryAccuracy(session, m.sample);
      } finally {
        session.free();
      }
      self.postMessage({ kind: 'ready', reviews: scorer.reviews(), recorded: scorer.recorded() });
    } else if (m.kind === 'count') {
      if (!scorer) throw new Error('the scorer was asked to count before it was loaded');
      const right = scorer.correct(m.text, m.start, m.end);
      self.postMessage({ kind: 'counted', job: m.job, start: m.start, end: m.end, right });
    }
  } catch (e) {
    self.postMessage({ kind: 'failed', message: String(/** @type {any} */ (e)?.message ?? e) });
  }
};
