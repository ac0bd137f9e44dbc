// The first view's wasm module (wasm-bindgen's glue in pkg/, a build output). Imported through
// this file so that the type checker reads page-wasm.d.ts beside it, and never needs the build
// output.

export * from '../pkg/lstm_lab_page.js';
export { default } from '../pkg/lstm_lab_page.js';
