//! Predicting the sentiment of any text with a trained model, showing which words it saw; and
//! scoring a whole split (the reviews "Inside the model" offers).

use super::device::Compute;
use super::model::{ModelWeights, SentimentModel};
use super::ops::Path;
use super::ops::batch::Batch;
use crate::classifier::file::SavedModel;
use crate::classifier::{argmax, class_probabilities};
use crate::data::Split;
use crate::data::tokenizer::{TokenView, Tokenizer};
use crate::settings::Recurrence;
use burn::module::Module;
use burn::tensor::ExecutionError;
use serde::Serialize;

/// A class and the model's probability of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassProbability {
    pub class: String,
    pub probability: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// Two classes: P(positive class); more: the predicted class's probability.
    pub probability: f64,
    /// The predicted class.
    pub label: String,
    /// Every class, most probable first.
    pub classes: Vec<ClassProbability>,
    pub tokens: Vec<TokenView>,
    /// Ids the model read (after dropping unknown words and truncating to `maxlen`).
    pub used: usize,
    pub maxlen: usize,
}

pub struct Predictor {
    pub tokenizer: Tokenizer,
    pub maxlen: usize,
    /// The classes' names by class id.
    pub classes: Vec<String>,
    model: SentimentModel,
    /// Which implementation runs the model's ops: decided once, when it was made.
    path: Path,
}

impl Predictor {
    /// `model` (in evaluation mode from now on) telling `classes` apart, its ops on `path`.
    pub fn new(
        tokenizer: Tokenizer,
        maxlen: usize,
        classes: Vec<String>,
        model: &SentimentModel,
        path: Path,
    ) -> Self {
        Self {
            tokenizer,
            maxlen,
            classes,
            model: model.valid(),
            path,
        }
    }

    /// A saved model on `compute`, on its fastest path there.
    pub fn from_saved(saved: &SavedModel, compute: &Compute) -> Self {
        let device = compute.device();
        let model = SentimentModel::from_weights(&saved.weights, device);
        let path = Path::resolve(Recurrence::Fused, device, saved.weights.config.hidden);
        Self::new(
            saved.tokenizer(),
            saved.header.run.data.maxlen,
            saved.header.run.class_names(),
            &model,
            path,
        )
    }

    /// The model's weights, on the host.
    pub async fn weights(&self) -> Result<ModelWeights, ExecutionError> {
        self.model.to_weights().await
    }

    /// Which words were kept, and which of them fit in the last `maxlen` ids.
    pub fn tokens(&self, text: &str) -> Vec<TokenView> {
        self.tokenizer.views(text, self.maxlen)
    }

    /// The class probabilities of rows of `maxlen` ids, row-major (see
    /// [`class_probabilities`]).
    async fn probabilities_of(
        &self,
        ids: &[u32],
        maxlen: usize,
    ) -> Result<Vec<Vec<f64>>, ExecutionError> {
        let device = self.model.embedding.weight.val().device();
        let config = self.model.config();
        let batch = Batch::new(ids, maxlen, config.vocab, self.path, &device);
        let logits = self
            .model
            .forward(&batch, self.path)
            .into_data_async()
            .await?;
        let logits: Vec<f64> = logits.iter::<f32>().map(|v| v as f64).collect();
        Ok(logits
            .chunks(config.outputs)
            .map(class_probabilities)
            .collect())
    }

    pub async fn predict(&self, text: &str) -> Result<Prediction, ExecutionError> {
        let ids = self.tokenizer.encode(text, self.maxlen);
        let p = self.probabilities_of(&ids, self.maxlen).await?.remove(0);
        let best = argmax(&p);
        let tokens = self.tokens(text);
        let mut classes: Vec<ClassProbability> = p
            .iter()
            .zip(&self.classes)
            .map(|(&probability, class)| ClassProbability {
                class: class.clone(),
                probability,
            })
            .collect();
        classes.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        Ok(Prediction {
            probability: if p.len() == 2 { p[1] } else { p[best] },
            label: self.classes[best].clone(),
            classes,
            used: tokens.iter().filter(|t| t.used).count(),
            tokens,
            maxlen: self.maxlen,
        })
    }

    /// The class probabilities of every row of `split`, in batches of `batch` rows.
    pub async fn probabilities(
        &self,
        split: &Split,
        batch: usize,
    ) -> Result<Vec<Vec<f64>>, ExecutionError> {
        let mut out = Vec::with_capacity(split.len());
        for start in (0..split.len()).step_by(batch.max(1)) {
            let end = (start + batch).min(split.len());
            let ids = &split.ids[start * split.maxlen..end * split.maxlen];
            out.extend(self.probabilities_of(ids, split.maxlen).await?);
        }
        Ok(out)
    }
}
