//! What a model file records about the run that trained its model: the settings it was trained
//! with and the validated epoch its weights come from. Plain data (no tensor library), so model
//! files load in a build without the trainer; the training loop itself is `crate::trainer`.

use serde::{Deserialize, Serialize};

/// Where a run trains: the GPU (WebGPU in a browser, Vulkan or Metal natively) or the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Gpu,
    Cpu,
}

/// Which implementation computes the model's layers while it trains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Recurrence {
    /// The fused kernels: the WGSL kernels (the whole time loop in one dispatch each way) on a
    /// GPU, their CPU twins on the CPU.
    #[default]
    Fused,
    /// burn's own ops, step by step: the oracle the fused kernels are tested against.
    Reference,
}

/// How a model is (or was) trained.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub embed: usize,
    pub hidden: usize,
    pub batch: usize,
    pub lr: f64,
    pub epochs: usize,
    /// Seed of the initial weights and of each epoch's shuffle.
    pub seed: u64,
    /// Fused WGSL kernels (on WebGPU) or burn's reference ops.
    #[serde(default)]
    pub kernel: Recurrence,
}

impl Default for TrainConfig {
    /// The post: Embedding 100, LSTM 100, batch 128, Adam 1e-3, 5 epochs.
    fn default() -> Self {
        Self {
            embed: 100,
            hidden: 100,
            batch: 128,
            lr: 1e-3,
            epochs: 5,
            seed: 1,
            kernel: Recurrence::Fused,
        }
    }
}

/// Loss and accuracy of one epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    pub epoch: usize,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub valid_loss: f64,
    pub valid_accuracy: f64,
    pub is_best: bool,
}
