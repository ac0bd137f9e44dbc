//! LSTM Lab: see, step and train LSTMs in the browser on WebGPU.
//!
//! The math modules here never import `wasm_bindgen`; the browser boundary is [`web`] alone,
//! so everything is tested natively with `cargo test`.

pub mod blowup;
pub mod gpu;
pub mod rng;

#[cfg(target_family = "wasm")]
pub mod web;
