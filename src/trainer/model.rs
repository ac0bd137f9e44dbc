//! The post's sentiment classifier:
//!
//! ```text
//! ids [B, T] → Embedding(vocab, E) → LSTM(E → H) → [mean over time ‖ max over time] [B, 2H]
//!            → Linear(2H → 1) → logit [B, 1]
//! ```
//!
//! trained with binary cross-entropy on the logit. Without the post's two cell mistakes: the
//! candidate `g` uses tanh, and there is no ReLU output layer inside the cell.
//!
//! This is the model's parameters and its forward pass as two ops ([`ops::lstm`],
//! [`ops::head`]); which implementation runs them is the caller's [`Path`]. Its sizes and
//! host-side weights ([`ModelConfig`], [`ModelWeights`]) live in [`crate::classifier`], which
//! needs no burn: model files load without the trainer.

use super::lstm_layer::{Lstm, tensor};
use super::ops::batch::Batch;
use super::ops::{self, Path};
use crate::lstm::cell::LstmWeights;
use burn::module::{Module, Param};
use burn::nn::{Embedding, Linear};
use burn::tensor::{Device, ExecutionError, Tensor};

pub use crate::classifier::{ModelConfig, ModelWeights};

#[derive(Module, Debug)]
pub struct SentimentModel {
    pub embedding: Embedding,
    pub lstm: Lstm,
    pub linear: Linear,
}

impl SentimentModel {
    pub fn from_weights(w: &ModelWeights, device: &Device) -> Self {
        let ModelConfig {
            vocab,
            embed,
            hidden,
        } = w.config;
        Self {
            embedding: Embedding {
                weight: Param::from_tensor(tensor(w.embedding.clone(), [vocab, embed], device)),
            },
            lstm: Lstm::from_weights(&w.lstm, device),
            // burn's Linear stores [in, out]; a single output makes that the same numbers.
            linear: Linear {
                weight: Param::from_tensor(tensor(
                    w.linear_weight.clone(),
                    [2 * hidden, 1],
                    device,
                )),
                bias: Some(Param::from_tensor(tensor(vec![w.linear_bias], [1], device))),
            },
        }
    }

    pub fn config(&self) -> ModelConfig {
        let [vocab, embed] = self.embedding.weight.val().dims();
        ModelConfig {
            vocab,
            embed,
            hidden: self.lstm.hidden_size(),
        }
    }

    /// The logits `[B, O]` of every review of `batch` (O = 1: one logit each), each op on `path`.
    pub fn forward(&self, batch: &Batch, path: Path) -> Tensor<2> {
        let state = self.lstm.zero_state(batch.rows(), &batch.ids.device());
        let weight = self.embedding.weight.val();
        let h_seq = ops::lstm::embedded(path, batch, weight, &self.lstm, state);
        let bias = self.linear.bias.as_ref().expect("the head has a bias");
        ops::head::pool_linear(path, h_seq, self.linear.weight.val(), bias.val())
    }

    /// Copy every weight to the host (one read per tensor; async because the browser requires it).
    pub async fn to_weights(&self) -> Result<ModelWeights, ExecutionError> {
        async fn host<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, ExecutionError> {
            Ok(t.into_data_async()
                .await?
                .try_to_vec::<f32>()
                .expect("float weights"))
        }
        let config = self.config();
        let l = &self.lstm;
        Ok(ModelWeights {
            config,
            embedding: host(self.embedding.weight.val()).await?,
            lstm: LstmWeights {
                input: config.embed,
                hidden: config.hidden,
                weight_ih: host(l.weight_ih.val()).await?,
                weight_hh: host(l.weight_hh.val()).await?,
                bias_ih: host(l.bias_ih.val()).await?,
                bias_hh: host(l.bias_hh.val()).await?,
            },
            linear_weight: host(self.linear.weight.val()).await?,
            linear_bias: host(self.linear.bias.as_ref().expect("bias").val()).await?[0],
        })
    }
}
