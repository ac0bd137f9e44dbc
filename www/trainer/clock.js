// @ts-check
// How long a run still needs, from the steps it has timed so far. Pure (unit-tested).

/**
 * The run's timing so far. Training and validation steps are timed apart: a validation batch
 * (forward only) costs a fraction of a training batch, so one average over both misleads.
 * @typedef {object} RunClock
 * @property {number} trainRows
 * @property {number} trainMs
 * @property {number} trainSteps
 * @property {number} trainBatches  per epoch
 * @property {number} validMs
 * @property {number} validSteps
 * @property {number} started  performance.now() at the start
 * @property {number} [epochStart]  performance.now() at the end of the last epoch
 * @property {number} [resumed]  performance.now() when last resumed from a pause
 * @property {number} resumedEpochs  epochs a resumed run had before it started
 */

/**
 * Milliseconds still to go, from the steps timed so far.
 * @param {RunClock} clock
 * @param {{ total: number, first: number }} run  steps in all, and done before this run started
 * @param {number} epochs  the run's epochs in all
 */
export function timeLeft(clock, run, epochs) {
  const trainPer = clock.trainMs / Math.max(clock.trainSteps, 1);
  // Before the first validation batch, guess forward-only at a third of a training step.
  const validPer = clock.validSteps ? clock.validMs / clock.validSteps : trainPer / 3;
  // A resumed run counts only the epochs it trains itself.
  const trainTotal = (epochs - clock.resumedEpochs) * clock.trainBatches;
  const validLeft = run.total - run.first - trainTotal - clock.validSteps;
  return Math.max(trainTotal - clock.trainSteps, 0) * trainPer + Math.max(validLeft, 0) * validPer;
}
