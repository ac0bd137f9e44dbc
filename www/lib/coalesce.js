// @ts-check
// At most one run in flight; calls made while it runs fold into one more run with the newest
// settings. Dragging a slider never queues up stale work.

/**
 * Wrap `run` (async). `setBusy(true|false)` is told when work starts and when it all ends.
 * The returned function resolves when the latest settings have been run.
 * @param {() => unknown} run
 * @param {(busy: boolean) => void} setBusy
 * @returns {() => Promise<void>}
 */
export function coalescing(run, setBusy) {
  /** @type {Promise<void> | null} */
  let current = null;
  let again = false;
  return function schedule() {
    if (current) {
      again = true;
      return current;
    }
    setBusy(true);
    current = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        current = null;
        setBusy(false);
      }
    })();
    return current;
  };
}
