//! The post's sentiment classifier on the host, without a tensor library: its layer sizes, its
//! weights in PyTorch's layouts, and its forward pass through the CPU reference cell.
//!
//! ```text
//! ids [T] → Embedding(vocab, E) → LSTM(E → H) → [mean over time ‖ max over time] [2H]
//!         → Linear(2H → 1) → logit
//! ```
//!
//! Kept apart from the burn model (`crate::trainer::model`) so that a model file loads, and
//! predicts on the reference cell, in a build without the trainer (the page's first view).
//! Beside it, what travels with a model: its file ([`file`]), PyTorch's format ([`torch`]),
//! the run that trained it ([`record`]) and the per-word look inside it ([`inspect`]).

pub mod file;
pub mod inspect;
pub mod metrics;
pub mod record;
pub mod torch;

use crate::lstm::cell::{CellGate, CellStep, LstmWeights};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// Layer sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub vocab: usize,
    pub embed: usize,
    pub hidden: usize,
    /// The head's outputs: 1 for two classes (the post's one logit, a sigmoid gives the
    /// positive class's probability), K for K ≥ 3 classes (a softmax over K logits). Files
    /// written before classes existed have none: they are the post's binary model.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub outputs: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

impl ModelConfig {
    /// The post's binary classifier at these sizes.
    pub fn binary(vocab: usize, embed: usize, hidden: usize) -> Self {
        Self {
            vocab,
            embed,
            hidden,
            outputs: 1,
        }
    }

    /// The head's outputs for `classes` classes (2 ..= 100).
    pub fn outputs_for(classes: usize) -> usize {
        if classes <= 2 { 1 } else { classes }
    }

    /// How many classes this model tells apart.
    pub fn classes(&self) -> usize {
        if self.outputs == 1 { 2 } else { self.outputs }
    }
}

/// Class probabilities from the head's logits: with one output, `[1 − σ(z), σ(z)]` (class 1 is
/// the positive one); with K, the softmax.
pub fn class_probabilities(logits: &[f64]) -> Vec<f64> {
    if let [z] = logits {
        let p = 1.0 / (1.0 + (-z).exp());
        return vec![1.0 - p, p];
    }
    let top = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = logits.iter().map(|z| (z - top).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// The class with the highest probability or logit (the first, on ties).
pub fn argmax<T: PartialOrd>(probabilities: &[T]) -> usize {
    let mut best = 0;
    for (i, p) in probabilities.iter().enumerate() {
        if *p > probabilities[best] {
            best = i;
        }
    }
    best
}

/// Every weight on the host, in PyTorch's layouts: `embedding` is `nn.Embedding.weight`, `lstm`
/// is `nn.LSTM`'s (gates stacked i, f, g, o; both biases kept), `linear_weight` is
/// `nn.Linear(2H, O).weight` (`[O, 2H]`: per output, the H mean-pooled units, then the H
/// max-pooled ones).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelWeights {
    pub config: ModelConfig,
    /// `[vocab, E]`.
    pub embedding: Vec<f32>,
    pub lstm: LstmWeights<f32>,
    /// `[O, 2H]`.
    pub linear_weight: Vec<f32>,
    /// `[O]`.
    pub linear_bias: Vec<f32>,
}

impl ModelWeights {
    /// PyTorch's initialisation: N(0, 1) embeddings, U(±1/√H) LSTM, U(±1/√(2H)) linear, drawn
    /// from the seed so every device starts from the same model.
    pub fn init(config: ModelConfig, seed: u64) -> Self {
        let ModelConfig {
            vocab,
            embed,
            hidden,
            outputs,
        } = config;
        let mut rng = Rng::stream(seed, 0x30de1);
        let embedding = (0..vocab * embed).map(|_| rng.normal() as f32).collect();
        let k = 1.0 / (hidden as f64).sqrt();
        let mut uniform = |n: usize, k: f64| -> Vec<f32> {
            (0..n).map(|_| rng.uniform_range(-k, k) as f32).collect()
        };
        let lstm = LstmWeights {
            input: embed,
            hidden,
            weight_ih: uniform(4 * hidden * embed, k),
            weight_hh: uniform(4 * hidden * hidden, k),
            bias_ih: uniform(4 * hidden, k),
            bias_hh: uniform(4 * hidden, k),
        };
        let k_lin = 1.0 / ((2 * hidden) as f64).sqrt();
        let linear_weight = uniform(outputs * 2 * hidden, k_lin);
        let linear_bias = uniform(outputs, k_lin);
        Self {
            config,
            embedding,
            lstm,
            linear_weight,
            linear_bias,
        }
    }

    /// The cell's every step over one padded row of ids, in f64 from zero state (padding ids
    /// included, as the model reads them). `None` when an id is not below `vocab`.
    pub fn reference_steps(&self, ids: &[u32]) -> Option<Vec<CellStep<f64>>> {
        let e = self.config.embed;
        let xs = ids
            .iter()
            .map(|&id| {
                let id = id as usize;
                if id >= self.config.vocab {
                    return None;
                }
                let row = self.embedding.get(id * e..(id + 1) * e)?;
                Some(row.iter().map(|&v| v as f64).collect())
            })
            .collect::<Option<Vec<Vec<f64>>>>()?;
        let zeros = vec![0.0; self.config.hidden];
        Some(
            self.lstm
                .cast::<f64>()
                .forward(&xs, &zeros, &zeros, CellGate::Tanh),
        )
    }

    /// Output `o`'s weights `[2H]` and bias.
    pub fn head_row(&self, o: usize) -> (&[f32], f32) {
        let width = 2 * self.config.hidden;
        (
            &self.linear_weight[o * width..(o + 1) * width],
            self.linear_bias[o],
        )
    }

    /// The logits of one padded row of ids on the reference cell, in f64: mean and max of `h`
    /// over every step (padding included), then the linear head, one per output. `None` for an
    /// empty row or an id not below `vocab`.
    pub fn reference_logits(&self, ids: &[u32]) -> Option<Vec<f64>> {
        let steps = self.reference_steps(ids)?;
        if steps.is_empty() {
            return None;
        }
        let h = self.config.hidden;
        let pooled: Vec<(f64, f64)> = (0..h)
            .map(|k| {
                let unit = steps.iter().map(|s| s.h[k]);
                let mean = unit.clone().sum::<f64>() / steps.len() as f64;
                (mean, unit.fold(f64::NEG_INFINITY, f64::max))
            })
            .collect();
        let logit = |o: usize| {
            let (w, bias) = self.head_row(o);
            let mut logit = bias as f64;
            for (k, &(mean, max)) in pooled.iter().enumerate() {
                logit += w[k] as f64 * mean + w[h + k] as f64 * max;
            }
            logit
        };
        Some((0..self.config.outputs).map(logit).collect())
    }

    /// The binary model's logit (output 0) of one padded row; see [`Self::reference_logits`].
    pub fn reference_logit(&self, ids: &[u32]) -> Option<f64> {
        Some(self.reference_logits(ids)?[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_logit_pools_every_step() {
        let config = ModelConfig::binary(5, 2, 3);
        let w = ModelWeights::init(config, 7);
        let ids = [0, 0, 4, 1];
        let steps = w.reference_steps(&ids).unwrap();
        assert_eq!(steps.len(), 4, "padding steps are read too");
        let by_hand: f64 = (0..3)
            .map(|k| {
                let hs: Vec<f64> = steps.iter().map(|s| s.h[k]).collect();
                let mean = hs.iter().sum::<f64>() / 4.0;
                let max = hs.iter().cloned().fold(f64::MIN, f64::max);
                w.linear_weight[k] as f64 * mean + w.linear_weight[3 + k] as f64 * max
            })
            .sum::<f64>()
            + w.linear_bias[0] as f64;
        assert!((w.reference_logit(&ids).unwrap() - by_hand).abs() < 1e-12);
        assert_eq!(
            w.reference_logit(&[0, 5]),
            None,
            "id 5 is outside vocabulary 5"
        );
        assert_eq!(w.reference_logit(&[]), None);
    }
}
