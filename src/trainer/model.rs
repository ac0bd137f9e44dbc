//! The post's sentiment classifier:
//!
//! ```text
//! ids [B, T] → Embedding(vocab, E) → LSTM(E → H) → [mean over time ‖ max over time] [B, 2H]
//!            → Linear(2H → O) → logits [B, O]
//! ```
//!
//! with O = 1 for two classes, trained with binary cross-entropy on the logit (the post), and
//! O = K for K ≥ 3 classes, trained with softmax cross-entropy. Without the post's two cell mistakes: the
//! candidate `g` uses tanh, and there is no ReLU output layer inside the cell.
//!
//! This is the model's parameters and its forward pass as two ops ([`ops::lstm`],
//! [`ops::head`]); which implementation runs them is the caller's [`Path`]. Its sizes and
//! host-side weights ([`ModelConfig`], [`ModelWeights`]) live in [`crate::classifier`], which
//! needs no burn: model files load without the trainer.

use super::lstm_layer::{Lstm, tensor};
use super::ops::batch::Batch;
use super::ops::{self, Path};
use burn::module::{Module, Param, ParamId};
use burn::nn::{Embedding, Linear};
use burn::tensor::activation::relu;
use burn::tensor::{Device, ExecutionError, Gradients, Tensor};

pub use crate::classifier::{Architecture, ModelConfig, ModelWeights, Readout};

#[derive(Module, Debug)]
pub struct SentimentModel {
    pub embedding: Embedding,
    /// The recurrent layer, whichever cell `arch` names.
    pub lstm: Lstm,
    /// The post's `relu(Linear(H → H))` per step, when that variant is on.
    pub out: Option<Linear>,
    pub linear: Linear,
    /// The cell, readout and variants: not parameters, but what the forward pass computes.
    #[module(skip)]
    pub arch: Architecture,
}

impl SentimentModel {
    pub fn from_weights(w: &ModelWeights, device: &Device) -> Self {
        let c = w.config;
        Self {
            embedding: Embedding {
                weight: Param::from_tensor(tensor(w.embedding.clone(), [c.vocab, c.embed], device)),
            },
            lstm: Lstm::from_weights(&w.lstm, device),
            out: w
                .out_layer
                .as_ref()
                .map(|(weight, bias)| linear(weight, bias, c.hidden, c.hidden, device)),
            linear: linear(
                &w.linear_weight,
                &w.linear_bias,
                c.head_width(),
                c.outputs,
                device,
            ),
            arch: c.arch,
        }
    }

    pub fn config(&self) -> ModelConfig {
        let [vocab, embed] = self.embedding.weight.val().dims();
        ModelConfig {
            vocab,
            embed,
            hidden: self.lstm.hidden_size(),
            outputs: self.linear.weight.val().dims()[1],
            arch: self.arch,
        }
    }

    /// The logits `[B, O]` of every review of `batch`, each op on `path`.
    pub fn forward(&self, batch: &Batch, path: Path) -> Tensor<2> {
        let state = self.lstm.zero_state(batch.rows(), &batch.ids.device());
        let weight = self.embedding.weight.val();
        let mut h_seq = ops::lstm::embedded(path, batch, weight, &self.lstm, &self.arch, state);
        if let Some(out) = &self.out {
            h_seq = relu(out.forward(h_seq));
        }
        let bias = self
            .linear
            .bias
            .as_ref()
            .expect("the head has a bias")
            .val();
        match self.arch.readout {
            Readout::Pool => ops::head::pool_linear(path, h_seq, self.linear.weight.val(), bias),
            // One matmul on the last step's states: burn's ops on every path.
            Readout::Last => {
                let [steps, rows, hidden] = h_seq.dims();
                let last = h_seq.narrow(0, steps - 1, 1).reshape([rows, hidden]);
                last.matmul(self.linear.weight.val()) + bias.unsqueeze::<2>()
            }
        }
    }

    /// Every parameter in [`ModelConfig::parameters`]' order, each with its id and whether
    /// it is a burn Linear weight (stored `[in, out]`, PyTorch's transpose).
    pub(crate) fn parameter_list(&self) -> Vec<ParamTensor> {
        let l = &self.lstm;
        let mut all = vec![
            ParamTensor::Two(self.embedding.weight.id, self.embedding.weight.val(), false),
            ParamTensor::Two(l.weight_ih.id, l.weight_ih.val(), false),
            ParamTensor::Two(l.weight_hh.id, l.weight_hh.val(), false),
            ParamTensor::One(l.bias_ih.id, l.bias_ih.val()),
            ParamTensor::One(l.bias_hh.id, l.bias_hh.val()),
        ];
        for linear in self.out.iter().chain([&self.linear]) {
            let bias = linear.bias.as_ref().expect("every Linear here has a bias");
            all.push(ParamTensor::Two(
                linear.weight.id,
                linear.weight.val(),
                true,
            ));
            all.push(ParamTensor::One(bias.id, bias.val()));
        }
        all
    }

    /// Copy every weight to the host (one read per tensor; async because the browser requires it).
    pub async fn to_weights(&self) -> Result<ModelWeights, ExecutionError> {
        let mut parts = Vec::new();
        for p in self.parameter_list() {
            parts.push(p.host(None).await?);
        }
        let mut parts = parts.into_iter();
        Ok(ModelWeights::from_parts(self.config(), |_| {
            parts.next().expect("one tensor per parameter")
        }))
    }
}

/// One parameter of [`SentimentModel::parameter_list`].
pub(crate) enum ParamTensor {
    /// A matrix; `true` for a burn Linear weight, `[in, out]`.
    Two(ParamId, Tensor<2>, bool),
    One(ParamId, Tensor<1>),
}

impl ParamTensor {
    pub(crate) fn id(&self) -> ParamId {
        match self {
            ParamTensor::Two(id, ..) | ParamTensor::One(id, _) => *id,
        }
    }

    /// This parameter's values, or with `grads` its gradient, on the host in PyTorch's layout.
    pub(crate) async fn host(self, grads: Option<&Gradients>) -> Result<Vec<f32>, ExecutionError> {
        async fn read<const D: usize>(
            t: Tensor<D>,
            grads: Option<&Gradients>,
        ) -> Result<Vec<f32>, ExecutionError> {
            let t = match grads {
                None => t,
                Some(g) => t.grad(g).expect("every parameter has a gradient"),
            };
            Ok(t.into_data_async()
                .await?
                .try_to_vec::<f32>()
                .expect("float weights"))
        }
        match self {
            ParamTensor::Two(_, t, linear) => {
                let [rows, cols] = t.dims();
                let values = read(t, grads).await?;
                Ok(if linear {
                    transpose(&values, rows, cols)
                } else {
                    values
                })
            }
            ParamTensor::One(_, t) => read(t, grads).await,
        }
    }

    /// `values` (PyTorch's layout) as a tensor shaped like this parameter on `device`.
    pub(crate) fn like(&self, values: Vec<f32>, device: &Device) -> Shaped {
        match self {
            ParamTensor::Two(_, t, linear) => {
                let [rows, cols] = t.dims();
                let values = if *linear {
                    transpose(&values, cols, rows)
                } else {
                    values
                };
                Shaped::Two(tensor(values, [rows, cols], device))
            }
            ParamTensor::One(_, t) => Shaped::One(tensor(values, t.dims(), device)),
        }
    }
}

/// A gradient shaped like its parameter.
pub(crate) enum Shaped {
    Two(Tensor<2>),
    One(Tensor<1>),
}

/// A Linear(`inputs` → `outputs`) from PyTorch's `[out, in]` weight: burn stores `[in, out]`,
/// so it is transposed (with a single output, the same numbers).
fn linear(weight: &[f32], bias: &[f32], inputs: usize, outputs: usize, device: &Device) -> Linear {
    Linear {
        weight: Param::from_tensor(tensor(
            transpose(weight, outputs, inputs),
            [inputs, outputs],
            device,
        )),
        bias: Some(Param::from_tensor(tensor(bias.to_vec(), [outputs], device))),
    }
}

/// A row-major `[rows, cols]` matrix as `[cols, rows]`.
pub(crate) fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = m[r * cols + c];
        }
    }
    out
}
