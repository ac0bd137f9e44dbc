//! LSTM Lab: see, step and train LSTMs in the browser on WebGPU.
//!
//! The math modules here never import `wasm_bindgen`; the browser boundary is [`web`] alone,
//! so everything is tested natively with `cargo test`.
//!
//! Two layers: the page's first view (the Blow-up lab on raw wgpu, the CPU reference cell, the
//! stepper and gradient flow) needs no tensor library; everything behind the `trainer` feature
//! is built on burn. Nothing in the first layer imports the second.

pub mod blowup;
pub mod gpu;
pub mod gradflow;
pub mod lstm;
pub mod rng;
pub mod stepper;

#[cfg(all(feature = "trainer", not(target_family = "wasm")))]
pub mod cli;
#[cfg(feature = "trainer")]
pub mod data;
#[cfg(feature = "trainer")]
pub mod data_parallel;
#[cfg(all(feature = "trainer", not(target_family = "wasm")))]
pub mod dispatch_count;
#[cfg(feature = "trainer")]
pub mod fused;
#[cfg(feature = "trainer")]
pub mod fused_check;
#[cfg(feature = "trainer")]
pub mod model;
#[cfg(feature = "trainer")]
pub mod modelfile;
#[cfg(feature = "trainer")]
pub mod predict;
#[cfg(feature = "trainer")]
pub mod train;

#[cfg(target_family = "wasm")]
pub mod web;
