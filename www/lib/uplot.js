// uPlot, vendored into vendor/ by the build. Every chart imports it from here, so the type
// checker reads uplot.d.ts beside this file (uPlot's own types, from node_modules) and never
// needs the build output.
export { default } from '../vendor/uPlot.esm.js';
