//! What a model file records about the run that trained its model: its settings
//! ([`crate::settings`]) and the validated epoch its weights come from. Plain data (no tensor
//! library), so model files load in a build without the trainer; the training loop itself is
//! `crate::trainer`.

use crate::settings::{DataConfig, Engine, RunSettings, TrainConfig};
use serde::{Deserialize, Serialize};

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

/// The run behind a model, as its file records it. A model trained here has every setting; one
/// imported from PyTorch only the data's (its vocabulary and sequence length).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// How its texts became ids: predicting needs it.
    pub data: DataConfig,
    pub train: Option<TrainConfig>,
    /// Where it trained (files written before this was recorded have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Engine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<u32>,
    /// The epoch the weights come from, if they were validated.
    pub validated: Option<EpochReport>,
}

impl RunRecord {
    /// A model trained with `settings`, its weights from `validated`.
    pub fn trained(settings: &RunSettings, validated: Option<EpochReport>) -> Self {
        Self {
            data: settings.data,
            train: Some(settings.train),
            engine: Some(settings.engine),
            workers: Some(settings.workers),
            validated,
        }
    }

    /// A model that was not trained here.
    pub fn imported(data: DataConfig) -> Self {
        Self {
            data,
            train: None,
            engine: None,
            workers: None,
            validated: None,
        }
    }

    /// The run's settings, when it was trained here (defaults for what older files lack).
    pub fn settings(&self) -> Option<RunSettings> {
        Some(RunSettings {
            data: self.data,
            train: self.train?,
            engine: self.engine.unwrap_or_default(),
            workers: self.workers.unwrap_or(1),
        })
    }
}
