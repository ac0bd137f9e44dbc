//! Predicting the sentiment of any text with a trained model, showing which words it saw; and
//! scoring a whole split (the reviews "Inside the model" offers).

use super::device::Compute;
use super::model::{ModelWeights, SentimentModel};
use super::ops::Path;
use super::ops::batch::Batch;
use crate::classifier::file::SavedModel;
use crate::data::Split;
use crate::data::tokenizer::{TokenView, Tokenizer};
use crate::settings::Recurrence;
use burn::module::Module;
use burn::tensor::ExecutionError;
use burn::tensor::activation::sigmoid;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    /// P(positive).
    pub probability: f64,
    pub label: &'static str,
    pub tokens: Vec<TokenView>,
    /// Ids the model read (after dropping unknown words and truncating to `maxlen`).
    pub used: usize,
    pub maxlen: usize,
}

pub struct Predictor {
    pub tokenizer: Tokenizer,
    pub maxlen: usize,
    model: SentimentModel,
    /// Which implementation runs the model's ops: decided once, when it was made.
    path: Path,
}

impl Predictor {
    /// `model` (in evaluation mode from now on), its ops on `path`.
    pub fn new(tokenizer: Tokenizer, maxlen: usize, model: &SentimentModel, path: Path) -> Self {
        Self {
            tokenizer,
            maxlen,
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

    /// P(positive) of rows of `maxlen` ids, row-major.
    async fn probabilities_of(
        &self,
        ids: &[u32],
        maxlen: usize,
    ) -> Result<Vec<f64>, ExecutionError> {
        let device = self.model.embedding.weight.val().device();
        let vocab = self.model.config().vocab;
        let batch = Batch::new(ids, maxlen, vocab, self.path, &device);
        let p = sigmoid(self.model.forward(&batch, self.path))
            .into_data_async()
            .await?;
        Ok(p.iter::<f32>().map(|v| v as f64).collect())
    }

    pub async fn predict(&self, text: &str) -> Result<Prediction, ExecutionError> {
        let ids = self.tokenizer.encode(text, self.maxlen);
        let probability = self.probabilities_of(&ids, self.maxlen).await?[0];
        let tokens = self.tokens(text);
        Ok(Prediction {
            probability,
            label: if probability >= 0.5 {
                "positive"
            } else {
                "negative"
            },
            used: tokens.iter().filter(|t| t.used).count(),
            tokens,
            maxlen: self.maxlen,
        })
    }

    /// P(positive) of every row of `split`, in batches of `batch` rows.
    pub async fn probabilities(
        &self,
        split: &Split,
        batch: usize,
    ) -> Result<Vec<f64>, ExecutionError> {
        let mut out = Vec::with_capacity(split.len());
        for start in (0..split.len()).step_by(batch.max(1)) {
            let end = (start + batch).min(split.len());
            let ids = &split.ids[start * split.maxlen..end * split.maxlen];
            out.extend(self.probabilities_of(ids, split.maxlen).await?);
        }
        Ok(out)
    }
}
