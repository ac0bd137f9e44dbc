//! What a model file records about the run that trained its model: its settings
//! ([`crate::settings`]) and the validated epoch its weights come from. Plain data (no tensor
//! library), so model files load in a build without the trainer; the training loop itself is
//! `crate::trainer`.

use super::metrics::{ClassScore, Confusion};
use crate::settings::{DataConfig, Engine, RunSettings, TrainConfig};
use serde::{Deserialize, Serialize};

/// Loss and accuracy of one epoch, and the validation split's per-class scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    pub epoch: usize,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub valid_loss: f64,
    pub valid_accuracy: f64,
    pub is_best: bool,
    /// (Files written before classes existed have no scores: zeros and empty lists, left out
    /// when written, so such a file is rewritten byte for byte.)
    #[serde(default, skip_serializing_if = "is_zero")]
    pub valid_macro_f1: f64,
    /// By class id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub valid_per_class: Vec<ClassScore>,
    #[serde(default, skip_serializing_if = "Confusion::is_empty")]
    pub confusion: Confusion,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
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
    /// The classes' names by class id (with two, id 1 is the positive class). Files written
    /// before classes existed have none: they are negative/positive.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
}

impl RunRecord {
    /// A model trained with `settings` on `classes`, its weights from `validated`.
    pub fn trained(
        settings: &RunSettings,
        classes: &[String],
        validated: Option<EpochReport>,
    ) -> Self {
        Self {
            data: settings.data,
            train: Some(settings.train),
            engine: Some(settings.engine),
            workers: Some(settings.workers),
            validated,
            classes: classes.to_vec(),
        }
    }

    /// A model that was not trained here.
    pub fn imported(data: DataConfig, classes: Vec<String>) -> Self {
        Self {
            data,
            train: None,
            engine: None,
            workers: None,
            validated: None,
            classes,
        }
    }

    /// The classes' names by class id: negative/positive for files without names.
    pub fn class_names(&self) -> Vec<String> {
        if self.classes.is_empty() {
            vec!["negative".into(), "positive".into()]
        } else {
            self.classes.clone()
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
