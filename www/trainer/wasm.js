// The trainer's wasm module (wasm-bindgen's glue in pkg/, a build output), for the training
// worker and the benchmark page. Imported through this file so that the type checker reads
// wasm.d.ts beside it, and never needs the build output.

export * from '../pkg/lstm_lab_trainer.js';
export { default } from '../pkg/lstm_lab_trainer.js';
