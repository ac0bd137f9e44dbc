// What the page puts on globalThis, for the type checker (js_checks).

/** The page's views, for the browser tests and the benchmarks (app.js sets it). */
// biome-ignore lint/suspicious/noExplicitAny: a hook for tests and benchmarks, which reach into any view
declare var lstmLab: any;
/** Called by the wasm modules before a Rust panic unwinds into JS (src/web/mod.rs). */
declare var lstmLabPanic: ((message: string) => void) | undefined;
