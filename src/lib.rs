//! LSTM Lab: see, step and train LSTMs in the browser on WebGPU.
//!
//! The math modules here never import `wasm_bindgen`; the browser boundary is [`web`] alone,
//! so everything is tested natively with `cargo test`.
//!
//! Two layers: the page's first view (the Blow-up lab on raw wgpu, the CPU reference cell, the
//! stepper and gradient flow) needs no tensor library; everything behind the `trainer` feature
//! is built on burn. Nothing in the first layer imports the second. The model file, its
//! vocabulary and settings, and PyTorch's format are in the first layer, so a model loads and
//! runs on the reference cell without the trainer.

// The numeric kernels index several parallel arrays with one loop variable, as the equations
// do; iterator chains over zipped slices would hide that.
#![allow(clippy::needless_range_loop)]

pub mod blowup;
pub mod budget;
pub mod classifier;
pub mod data;
pub mod gpu;
pub mod gradflow;
pub mod inspect;
pub mod lstm;
pub mod modelfile;
pub mod rng;
pub mod stepper;
pub mod torch_io;
pub mod train_record;

#[cfg(all(feature = "trainer", not(target_family = "wasm")))]
pub mod cli;
#[cfg(feature = "trainer")]
pub mod data_parallel;
#[cfg(all(feature = "gpu", not(target_family = "wasm")))]
pub mod dispatch_count;
#[cfg(feature = "trainer")]
pub mod examples;
#[cfg(feature = "trainer")]
pub mod fused;
#[cfg(feature = "trainer")]
pub mod fused_check;
#[cfg(feature = "trainer")]
pub mod model;
#[cfg(feature = "trainer")]
pub mod predict;
#[cfg(feature = "trainer")]
pub mod train;

#[cfg(target_family = "wasm")]
pub mod web;

// The browser's trainer module trains on WebGPU when it can: it is always built with `gpu`.
#[cfg(all(target_family = "wasm", feature = "trainer", not(feature = "gpu")))]
compile_error!(
    "the browser's trainer module needs the `gpu` feature (build with the default features)"
);
