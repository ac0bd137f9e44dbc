//! The trainer: the post's classifier built on burn, its training loop, and everything else
//! that uses burn — the only folder that does (`scripts/test` checks it).
//!
//! ```text
//! train.rs       the loop, one unit of work per step (a batch, or a validation batch)
//! parallel.rs    data-parallel steps: a batch cut into shards, one per CPU worker
//! model.rs       Embedding → LSTM → mean ‖ max → Linear: parameters and forward pass
//! lstm_layer.rs  the LSTM's parameters as a burn module
//! ops/           every op once, with the only choice of implementation (see ops::Path)
//! predict.rs     a trained model on any text, or on a whole split
//! showcase.rs    the validation reviews worth looking inside
//! device.rs      opening the CPU or the GPU (the faces hold a Compute)
//! ```
//!
//! A training step reads top to bottom: [`train::Trainer::step`] builds an [`ops::batch::Batch`],
//! runs [`model::SentimentModel::forward`] (two ops), the loss op, burn's backward pass and the
//! Adam op, each on the [`ops::Path`] decided when the trainer was made.

// Native only: it blocks on the device (the CLI's `bench classes`).
#[cfg(not(target_family = "wasm"))]
pub mod class_bench;
// Native only: it sizes its own thread pools (the CLI's `bench cells`).
#[cfg(not(target_family = "wasm"))]
pub mod cell_bench;
pub mod device;
#[cfg(all(feature = "gpu", not(target_family = "wasm")))]
pub mod dispatch_count;
pub mod lstm_layer;
pub mod model;
pub mod ops;
pub mod parallel;
pub mod predict;
pub mod showcase;
pub mod train;

pub use device::Compute;
pub use predict::{Prediction, Predictor};
pub use train::{EpochReport, StepReport, TrainConfig, TrainError, Trainer};
