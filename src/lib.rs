//! LSTM Lab: see, step and train LSTMs in the browser on WebGPU.
//!
//! Two layers, as two kinds of folder:
//!
//! - **the model as data**, no tensor library: the reference cells ([`lstm`]), the Blow-up lab
//!   on raw wgpu ([`blowup`]), the stepper, gradient flow, reading and tokenising data
//!   ([`data`]), and the trained classifier as plain weights with its file formats, settings
//!   and inspection ([`classifier`]). The page's first view is built from this layer alone.
//! - **the trainer** ([`trainer`], feature `trainer`): everything that uses burn. Only files
//!   under `src/trainer/` name burn (`scripts/test` checks it); the faces — the page's exports
//!   ([`web`]) and the command line (`cli`) — use it through its public API.
//!
//! Nothing in the first layer imports the second. The math modules never import
//! `wasm_bindgen`; the browser boundary is [`web`] alone, so everything is tested natively.

// The numeric kernels index several parallel arrays with one loop variable, as the equations
// do; iterator chains over zipped slices would hide that.
#![allow(clippy::needless_range_loop)]

pub mod blowup;
pub mod budget;
pub mod classifier;
pub mod data;
pub mod gpu;
pub mod gradflow;
pub mod lstm;
pub mod rng;
pub mod settings;
pub mod stepper;

#[cfg(feature = "trainer")]
pub mod trainer;

#[cfg(all(feature = "trainer", not(target_family = "wasm")))]
pub mod cli;

#[cfg(target_family = "wasm")]
pub mod web;

// The browser's trainer module trains on WebGPU when it can: it is always built with `gpu`.
#[cfg(all(target_family = "wasm", feature = "trainer", not(feature = "gpu")))]
compile_error!(
    "the browser's trainer module needs the `gpu` feature (build with the default features)"
);
