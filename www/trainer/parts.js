// @ts-check
// Everything the Trainer does beyond its first paint, in one module the view imports when its
// tab is first shown (or a control is first used): with the training worker, not with the
// first view. Each part keeps its own module; this only gathers them for that one import.

export { moduleLoading, startWorker, workerReady } from './boot.js';
export { checkFailed, requestCheck, showCheck } from './check.js';
export { discardComparison, offerComparison, saveComparison } from './comparestore.js';
export { crashed, restart } from './crash.js';
export { updateCharts } from './curves.js';
export { chooseColumns, loadSample, parse, readFile } from './data.js';
export { probeEngines } from './engine.js';
export { currentEstimate, requestEstimate } from './memory.js';
export { receive } from './messages.js';
export { predict } from './model.js';
export { discardSaved, offerRestore, restoreModel, resumeSaved } from './restore.js';
export { addEpochRow, start, togglePause } from './run.js';
