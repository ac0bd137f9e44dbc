// @ts-check
// Data-parallel CPU training, the lead's side. A wasm module without threads runs on one core,
// so a CPU run on N workers starts N − 1 replicas of the training worker's own script. Each step
// the lead (the worker with the TrainerSession) plans the batch into N shards, computes its own
// while the replicas compute theirs, sums the gradients and takes one optimiser step
// (src/trainer/parallel.rs). The replicas' side is in worker.js (`replica-init`, `replica-work`).

/** @typedef {import('./protocol.js').ReplicaInput} ReplicaInput */
/** @typedef {import('./protocol.js').ReplicaOutput} ReplicaOutput */
/** @typedef {import('./protocol.js').StepReport} StepReport */
/** @typedef {import('./wasm.js').TrainerSession} TrainerSession */

/** @param {unknown} e */
export const errorText = (e) => /** @type {any} */ (e)?.message ?? String(e);

/**
 * Omit a message's `id`: `call` numbers each call itself.
 * @template T
 * @typedef {T extends unknown ? Omit<T, 'id'> : never} WithoutId
 */

/**
 * One replica worker and its calls in flight.
 * @typedef {{ worker: Worker, calls: Map<number, { resolve: (result: any) => void, reject: (error: Error) => void }> }} Replica
 */

export class Replicas {
  /** @param {URL} script  the training worker's own script */
  constructor(script) {
    this.script = script;
    /** @type {Replica[]} */
    this.list = [];
    this.nextCall = 0;
    /** Whether the replicas lack the current weights (true after every optimiser step). */
    this.weightsStale = true;
  }

  get count() {
    return this.list.length;
  }

  /**
   * @param {Replica} r
   * @param {WithoutId<ReplicaInput>} message
   * @param {Transferable[]} [transfer]
   */
  call(r, message, transfer = []) {
    return new Promise((resolve, reject) => {
      const id = this.nextCall++;
      r.calls.set(id, { resolve, reject });
      r.worker.postMessage(/** @type {ReplicaInput} */ ({ ...message, id }), transfer);
    });
  }

  /**
   * Start `count` replicas holding `session`'s data and weights, on the already compiled module.
   * @param {number} count
   * @param {TrainerSession} session
   * @param {WebAssembly.Module} module
   */
  async start(count, session, module) {
    this.stop();
    if (count < 1) return;
    const data = session.replicaData();
    const weights = await session.flatWeights();
    for (let k = 0; k < count; k++) {
      /** @type {Replica} */
      const r = { worker: new Worker(this.script, { type: 'module' }), calls: new Map() };
      r.worker.onmessage = (/** @type {MessageEvent<ReplicaOutput>} */ { data: m }) => {
        const call = r.calls.get(m.id);
        if (!call) return;
        r.calls.delete(m.id);
        if (m.ok === true) call.resolve(m.result);
        else call.reject(new Error(`worker ${k + 2}: ${m.message}`));
      };
      r.worker.onerror = (e) => {
        e.preventDefault?.();
        for (const call of r.calls.values())
          call.reject(new Error(`worker ${k + 2} failed: ${e.message ?? 'unknown error'}`));
        r.calls.clear();
      };
      this.list.push(r);
    }
    try {
      await Promise.all(this.list.map((r) => this.call(r, { type: 'replica-init', module, data, weights })));
    } catch (e) {
      this.stop();
      throw new Error(`could not start ${count} more training workers: ${errorText(e)}`);
    }
    this.weightsStale = false;
  }

  stop() {
    for (const r of this.list) {
      for (const call of r.calls.values()) call.reject(new Error('the run ended'));
      r.worker.terminate();
    }
    this.list = [];
  }

  /**
   * One unit of work over the lead and every replica; resolves to a StepReport like `step()`.
   * @param {TrainerSession} session
   * @returns {Promise<StepReport>}
   */
  async step(session) {
    const plan = session.plan(this.list.length + 1);
    if (plan.kind === 'done') return session.step();
    const batchRows = plan.batch_rows ?? 0;
    const weights = this.weightsStale ? await session.flatWeights() : null;
    const jobs = this.list.map((r, k) =>
      this.call(r, {
        type: 'replica-work',
        kind: plan.kind,
        rows: Uint32Array.from(plan.shards[k + 1]),
        batchRows,
        weights,
      }),
    );
    this.weightsStale = false;
    const own = await session.shardWork(plan.kind, Uint32Array.from(plan.shards[0]), batchRows);
    const parts = [own, ...(await Promise.all(jobs))];
    const report = await session.finishStep(plan.kind, parts);
    if (plan.kind === 'train') this.weightsStale = true;
    return report;
  }
}
