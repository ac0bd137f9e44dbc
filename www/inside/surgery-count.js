// @ts-check
// Counting how many validation reviews an edited model gets right, for gate surgery
// (surgery.js). Two ways, the same wasm scorer (SurgeryAccuracy) in both:
//   - a pool of workers (surgery-worker.js), one per core up to four, each handed slices of the
//     reviews as it finishes the last: on 2 cores the count takes about half the time, and the
//     page's own thread is free the whole time;
//   - on the page's thread, in slices of a few tens of milliseconds (yielding between them), when
//     workers cannot start (no module workers, a worker script that cannot be fetched).
// Both give the same count: the scorer's arithmetic does not depend on how the rows are split.

import { keptPageModule } from '../lib/assets.js';

/** Reviews per message to a worker: small enough to balance the workers and show progress. */
const PER_MESSAGE = 40;
/** Work between two yields to the page when counting on its own thread, in ms. */
const SLICE_MS = 40;
/** Reviews per call into the module on the page's thread: a multiple of the scorer's four lanes. */
const PER_CALL = 4;

/**
 * @typedef {object} Counter
 * @property {number} reviews  reviews in the sample
 * @property {number | undefined} recorded  the unedited accuracy the CLI measured when it wrote the
 *   sample (the shipped one; a sample from the Trainer has none)
 * @property {string} where  where the counting runs, in words
 * @property {(text: string, progress: (done: number) => void, stale: () => boolean) => Promise<number | null>} count
 *   reviews right under the surgery `text`; null once `stale()` says a newer request took over
 * @property {() => void} free
 */

/**
 * Back to the page for a moment. Not `setTimeout(0)`: nested timeouts are clamped to 4 ms, which
 * over the ~150 slices of a scoring pass cost about half a second; a message to a channel of our
 * own runs as soon as the page has handled its input and painted.
 */
const tick = () =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve(undefined);
    };
    channel.port2.postMessage(null);
  });

/**
 * A counter for `session`'s model on the sample file's `bytes`: the workers' when they start,
 * else the page thread's.
 * @param {any} wasm  the first view's module
 * @param {import('../lib/page-wasm.js').ModelSession} session
 * @param {Uint8Array} bytes
 * @param {{workers?: number}} [options]  `workers: 0` counts on the page's thread
 * @returns {Promise<Counter>}
 */
export async function openCounter(wasm, session, bytes, options = {}) {
  const workers = options.workers ?? Math.min(4, Math.max(1, navigator.hardwareConcurrency || 2));
  const module = keptPageModule();
  const onPage = () => pageCounter(new wasm.SurgeryAccuracy(session, bytes));
  if (!(workers > 0 && module && typeof Worker === 'function')) return onPage();
  let pool;
  try {
    pool = await WorkerCounter.start(workers, module, session.toFile(), bytes);
  } catch (e) {
    console.warn(`gate surgery: scoring on the page's thread, the workers did not start (${e})`);
    return onPage();
  }
  /** @type {Counter | null} once a worker fails: the page's thread from then on */
  let fallback = null;
  return {
    reviews: pool.reviews,
    recorded: pool.recorded,
    get where() {
      return fallback ? fallback.where : pool.where;
    },
    async count(text, progress, stale) {
      if (!fallback) {
        try {
          return await pool.count(text, progress, stale);
        } catch (e) {
          console.warn(`gate surgery: a scoring worker failed (${e}); scoring on the page's thread`);
          pool.free();
          fallback = onPage();
        }
      }
      return fallback.count(text, progress, stale);
    },
    free() {
      pool.free();
      fallback?.free();
    },
  };
}

/**
 * Counting on the page's thread, in slices.
 * @param {any} scorer  a SurgeryAccuracy
 * @returns {Counter}
 */
function pageCounter(scorer) {
  return {
    reviews: scorer.reviews(),
    recorded: scorer.recorded(),
    where: "on the page's thread",
    async count(text, progress, stale) {
      const n = scorer.reviews();
      let right = 0;
      for (let start = 0; start < n; ) {
        const until = performance.now() + SLICE_MS;
        while (start < n && performance.now() < until) {
          right += scorer.correct(text, start, start + PER_CALL);
          start += PER_CALL;
        }
        progress(Math.min(start, n));
        await tick();
        if (stale()) return null;
      }
      return right;
    },
    free: () => scorer.free(),
  };
}

/** Scoring workers, each with its own copy of the scorer; the reviews dealt out in slices. */
class WorkerCounter {
  /**
   * @param {number} size
   * @param {WebAssembly.Module} module
   * @param {Uint8Array} model  the model file's bytes
   * @param {Uint8Array} sample  the validation sample file's bytes
   * @returns {Promise<Counter>}
   */
  static async start(size, module, model, sample) {
    const workers = [];
    try {
      for (let k = 0; k < size; k++)
        workers.push(new Worker(new URL('./surgery-worker.js', import.meta.url), { type: 'module' }));
      const ready = await Promise.all(
        workers.map((w) => {
          const answer = reply(w);
          w.postMessage({ kind: 'load', module, model, sample });
          return answer;
        }),
      );
      const [{ reviews, recorded }] = ready;
      return new WorkerCounter(workers, reviews, recorded);
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
  }

  /**
   * @param {Worker[]} workers
   * @param {number} reviews
   * @param {number | undefined} recorded
   */
  constructor(workers, reviews, recorded) {
    this.workers = workers;
    this.reviews = reviews;
    this.recorded = recorded;
    this.where = `in ${workers.length} worker${workers.length === 1 ? '' : 's'}`;
    /** Tags each pass's messages: answers to an older pass are told apart. */
    this.job = 0;
  }

  /**
   * @param {string} text
   * @param {(done: number) => void} progress
   * @param {() => boolean} stale
   * @returns {Promise<number | null>}
   */
  async count(text, progress, stale) {
    const job = ++this.job;
    const n = this.reviews;
    let next = 0;
    let done = 0;
    let right = 0;
    // Each worker takes the next slice as soon as it answers the last: a worker slowed down by
    // other work on its core does less of the pass, none waits for it.
    let failed = false;
    const run = async (/** @type {Worker} */ w) => {
      while (next < n && !failed && !stale() && job === this.job) {
        const start = next;
        const end = Math.min(n, start + PER_MESSAGE);
        next = end;
        const answer = reply(w, job);
        w.postMessage({ kind: 'count', job, text, start, end });
        let a;
        try {
          a = await answer;
        } catch (e) {
          failed = true;
          throw e;
        }
        right += a.right;
        done += a.end - a.start;
        progress(done);
      }
    };
    await Promise.all(this.workers.map(run));
    return stale() || job !== this.job || done < n ? null : right;
  }

  free() {
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}

/**
 * The worker's next answer (of pass `job`, when given); rejects when it fails or cannot start.
 * @param {Worker} w
 * @param {number} [job]
 * @returns {Promise<any>}
 */
function reply(w, job) {
  return new Promise((resolve, reject) => {
    const done = () => {
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
    };
    /** @param {MessageEvent} e */
    const onMessage = (e) => {
      const m = e.data;
      if (m.kind === 'failed') {
        done();
        reject(new Error(m.message));
      } else if (job == null || m.job === job) {
        done();
        resolve(m);
      }
    };
    /** @param {ErrorEvent} e */
    const onError = (e) => {
      done();
      reject(new Error(e.message || 'the scoring worker could not start'));
    };
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
  });
}
