// Testing hooks for the training worker, added by the tests alone: the worker that ships (dist/)
// has none (scripts/build.mjs refuses to build one that does). The route appends them to the
// worker's module as it is fetched, inside the module, so they reach its `handlers`.

/**
 * The message `{type: 'crash-for-test'}` makes the worker throw an uncaught error, as a crashing
 * worker does; with `trap: true` it throws the error a trapping module throws into the call.
 */
const CRASH_HOOK = `
handlers['crash-for-test'] = ({ trap = false }) => {
  if (trap) throw new WebAssembly.RuntimeError('unreachable (a test asked for a trap)');
  setTimeout(() => {
    throw new Error('the training worker crashed (a test asked it to)');
  });
};
`;

/**
 * Serve the training worker with the testing hooks appended, in this browser context.
 * @param {import('playwright').BrowserContext} context
 */
export async function withWorkerHooks(context) {
  await context.route(/\/trainer\/worker\.js(\?.*)?$/, async (route) => {
    const response = await route.fetch();
    const body = `${await response.text()}\n${CRASH_HOOK}`;
    const headers = Object.fromEntries(
      Object.entries(response.headers()).filter(([k]) => !['content-encoding', 'content-length'].includes(k)),
    );
    await route.fulfill({ status: response.status(), body, headers });
  });
}
