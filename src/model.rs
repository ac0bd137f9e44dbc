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
        let time_major = self
            .lstm
            .forward_time_major(self.embedding.forward(ids), kernel);
        self.head(time_major, kernel)
    }

    /// [`Self::forward_time_major`] for a batch built on the host with its words' positions:
    /// on wgpu the fused path then runs the embedding and the LSTM as one op
    /// ([`crate::fused::layer`]), whose backward needs those positions.
    pub fn forward_tokens(&self, tokens: &Tokens, kernel: LstmKernel) -> Tensor<1> {
        #[cfg(feature = "gpu")]
        if kernel == LstmKernel::Fused
            && crate::fused::supported(&tokens.ids.device(), self.lstm.hidden_size())
        {
            let l = &self.lstm;
            let batch = tokens.ids.dims()[1];
            let state = l.zero_state(batch, &tokens.ids.device());
            let time_major = crate::fused::layer::embedded_lstm(
                tokens,
                self.embedding.weight.val(),
                [l.weight_ih.val(), l.weight_hh.val()],
                [l.bias_ih.val(), l.bias_hh.val()],
                [state.h, state.c],
            );
            return self.head(time_major, kernel);
        }
        self.forward_time_major(tokens.ids.clone(), kernel)
    }

    /// Mean ‖ max pooling over time and the linear layer: `[T, B, H]` → logits `[B]`.
    fn head(&self, time_major: Tensor<3>, kernel: LstmKernel) -> Tensor<1> {
        let [_, batch, _] = time_major.dims();
        let device = time_major.device();
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

/// A batch of token ids, time-major, with where each word occurs: what the fused layer's
/// backward pass on wgpu needs to add up a word's gradient without a scatter.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// `[T, B]`.
    pub ids: Tensor<2, Int>,
    /// `[T·B]`: the positions `t·B + b`, grouped by word (ascending within a word).
    pub order: Tensor<1, Int>,
    /// `[V + 1]`: word `v`'s positions are `order[starts[v] .. starts[v+1]]`.
    pub starts: Tensor<1, Int>,
}

impl Tokens {
    /// From row-major ids (`maxlen` per row) on the host, for a model of `vocab` words.
    pub fn new(ids: &[u32], maxlen: usize, vocab: usize, device: &Device) -> Self {
        let rows = ids.len() / maxlen;
        let mut time_major = vec![0i32; ids.len()];
        for (r, row) in ids.chunks_exact(maxlen).enumerate() {
            for (t, &id) in row.iter().enumerate() {
                time_major[t * rows + r] = id as i32;
            }
        }
        let (order, starts) = positions_by_word(&time_major, vocab);
        let int1 = |v: Vec<i32>| {
            let n = v.len();
            Tensor::<1, Int>::from_data(TensorData::new(v, [n]), device)
        };
        Self {
            ids: Tensor::from_data(TensorData::new(time_major, [maxlen, rows]), device),
            order: int1(order),
            starts: int1(starts),
        }
    }
}

/// `(order, starts)` of [`Tokens`] for time-major `ids` (a counting sort). An id at or above
/// `vocab` is refused: the model has no row for it.
pub fn positions_by_word(ids: &[i32], vocab: usize) -> (Vec<i32>, Vec<i32>) {
    let mut starts = vec![0i32; vocab + 1];
    for &id in ids {
        assert!(
            (0..vocab as i32).contains(&id),
            "token id {id} outside the vocabulary of {vocab}"
        );
        starts[id as usize + 1] += 1;
    }
    for v in 0..vocab {
        starts[v + 1] += starts[v];
    }
    let mut next = starts.clone();
    let mut order = vec![0i32; ids.len()];
    for (p, &id) in ids.iter().enumerate() {
        let slot = &mut next[id as usize];
        order[*slot as usize] = p as i32;
        *slot += 1;
    }
    (order, starts)
}

/// Mean binary cross-entropy on logits, in the stable form
/// `max(z, 0) − z·y + log(1 + e^{−|z|})` (what `BCEWithLogitsLoss` computes).
pub fn bce_with_logits(logits: Tensor<1>, targets: Tensor<1>) -> Tensor<1> {
    (relu(logits.clone()) - logits.clone() * targets + (-logits.abs()).exp().log1p()).mean()
}

#[cfg(test)]
mod tests {
    use super::positions_by_word;

    #[test]
    fn positions_are_grouped_by_word_in_order() {
        let (order, starts) = positions_by_word(&[2, 0, 2, 1, 0, 2], 4);
        assert_eq!(starts, vec![0, 2, 3, 6, 6]);
        assert_eq!(order, vec![1, 4, 3, 0, 2, 5]);
    }
}
