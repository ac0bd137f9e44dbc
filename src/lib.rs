//! LSTM Lab: see, step and train LSTMs in the browser on WebGPU.
//!
//! The math modules here never import `wasm_bindgen`; the browser boundary is [`web`] alone,
//! so everything is tested natively with `cargo test`.

pub mod blowup;
#[cfg(not(target_family = "wasm"))]
pub mod cli;
pub mod data;
#[cfg(not(target_family = "wasm"))]
pub mod dispatch_count;
pub mod fused;
pub mod fused_check;
pub mod gpu;
pub mod gradflow;
pub mod lstm;
pub mod model;
pub mod modelfile;
pub mod predict;
pub mod rng;
pub mod stepper;
pub mod train;

#[cfg(target_family = "wasm")]
pub mod web;
