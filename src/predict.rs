//! Predicting the sentiment of any text with a trained model, showing which words it saw.

use crate::data::tokenizer::{TokenView, Tokenizer};
use crate::lstm::module::LstmKernel;
use crate::model::{SentimentModel, id_tensor};
use crate::modelfile::SavedModel;
use burn::module::Module;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, ExecutionError};
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
}

impl Predictor {
    pub fn new(tokenizer: Tokenizer, maxlen: usize, model: &SentimentModel) -> Self {
        Self {
            tokenizer,
            maxlen,
            model: model.valid(),
        }
    }

    pub fn from_saved(saved: &SavedModel, device: &Device) -> Self {
        let model = SentimentModel::from_weights(&saved.weights, device);
        Self::new(saved.tokenizer(), saved.header.data.maxlen, &model)
    }

    /// The model itself (in evaluation mode).
    pub fn model(&self) -> &SentimentModel {
        &self.model
    }

    /// The model's weights, on the host.
    pub async fn weights(&self) -> Result<crate::model::ModelWeights, ExecutionError> {
        self.model.to_weights().await
    }

    /// Which words were kept, and which of them fit in the last `maxlen` ids.
    pub fn tokens(&self, text: &str) -> Vec<TokenView> {
        self.tokenizer.views(text, self.maxlen)
    }

    pub async fn predict(&self, text: &str) -> Result<Prediction, ExecutionError> {
        let ids = self.tokenizer.encode(text, self.maxlen);
        let device = self.model.embedding.weight.val().device();
        let logit = self
            .model
            .forward(id_tensor(&ids, self.maxlen, &device), LstmKernel::Fused);
        let data = sigmoid(logit).into_data_async().await?;
        let probability = data.try_to_vec::<f32>().expect("float output")[0] as f64;
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
}
