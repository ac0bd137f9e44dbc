//! The post's sentiment classifier:
//!
//! ```text
//! ids [B, T] → Embedding(vocab, E) → LSTM(E → H) → [mean over time ‖ max over time] [B, 2H]
//!            → Linear(2H → 1) → logit [B]
//! ```
//!
//! trained with binary cross-entropy on the logit. Without the post's two cell mistakes: the
//! candidate `g` uses tanh, and there is no ReLU output layer inside the cell.
//!
//! Its sizes and host-side weights ([`ModelConfig`], [`ModelWeights`]) live in
//! [`crate::classifier`], which needs no burn: model files load without the trainer.

use crate::lstm::cell::LstmWeights;
use crate::lstm::module::{Lstm, LstmKernel, tensor};
use burn::module::{Module, Param};
use burn::nn::{Embedding, Linear};
use burn::tensor::activation::relu;
use burn::tensor::{Device, ExecutionError, Int, Tensor, TensorData};

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

    /// `ids`: `[B, T]` → logits `[B]`.
    pub fn forward(&self, ids: Tensor<2, Int>, kernel: LstmKernel) -> Tensor<1> {
        self.forward_time_major(ids.transpose(), kernel)
    }

    /// `ids` time-major, `[T, B]` → logits `[B]`. The layout the fused kernels work in: the
    /// trainer builds its batches this way on the host, so nothing is transposed on the device.
    pub fn forward_time_major(&self, ids: Tensor<2, Int>, kernel: LstmKernel) -> Tensor<1> {
        let [_, batch] = ids.dims();
        let device = ids.device();
        let time_major = self
            .lstm
            .forward_time_major(self.embedding.forward(ids), kernel);
        #[cfg(feature = "gpu")]
        if kernel == LstmKernel::Fused && crate::fused::supported(&device, self.lstm.hidden_size())
        {
            // Pooling and the linear layer as one op, forward and backward: 2 dispatches where burn's
            // ops took 19 (counted: a training step went from 49 to 32).
            let bias = self.linear.bias.as_ref().expect("the head has a bias");
            return crate::fused::head::pool_linear(
                time_major,
                self.linear.weight.val(),
                bias.val(),
            );
        }
        if kernel == LstmKernel::Fused && crate::fused::cpu::on_flex(&device) {
            // Its CPU twin: one pass over the outputs each way.
            let bias = self.linear.bias.as_ref().expect("the head has a bias");
            return crate::fused::cpu_head::pool_linear(
                time_major,
                self.linear.weight.val(),
                bias.val(),
            );
        }
        let outputs = time_major.swap_dims(0, 1);
        // Mean and max over time, as the post pools (padding steps included, as there).
        let pooled = Tensor::cat(vec![outputs.clone().mean_dim(1), outputs.max_dim(1)], 2);
        let hidden2 = pooled.dims()[2];
        self.linear
            .forward(pooled.reshape([batch, hidden2]))
            .reshape([batch])
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

/// Ids (row-major, `maxlen` per row) as an int tensor `[rows, maxlen]`. i32, because WebGPU
/// has no 64-bit integers.
pub fn id_tensor(ids: &[u32], maxlen: usize, device: &Device) -> Tensor<2, Int> {
    let rows = ids.len() / maxlen;
    let ids: Vec<i32> = ids.iter().map(|&i| i as i32).collect();
    Tensor::from_data(TensorData::new(ids, [rows, maxlen]), device)
}

/// The same ids time-major, `[maxlen, rows]`, transposed on the host.
pub fn id_tensor_time_major(ids: &[u32], maxlen: usize, device: &Device) -> Tensor<2, Int> {
    let rows = ids.len() / maxlen;
    let mut out = vec![0i32; ids.len()];
    for (r, row) in ids.chunks_exact(maxlen).enumerate() {
        for (t, &id) in row.iter().enumerate() {
            out[t * rows + r] = id as i32;
        }
    }
    Tensor::from_data(TensorData::new(out, [maxlen, rows]), device)
}

/// Mean binary cross-entropy on logits, in the stable form
/// `max(z, 0) − z·y + log(1 + e^{−|z|})` (what `BCEWithLogitsLoss` computes).
pub fn bce_with_logits(logits: Tensor<1>, targets: Tensor<1>) -> Tensor<1> {
    (relu(logits.clone()) - logits.clone() * targets + (-logits.abs()).exp().log1p()).mean()
}
