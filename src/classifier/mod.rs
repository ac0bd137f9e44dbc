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

pub mod arch;
pub mod file;
pub mod gradient;
pub mod inspect;
pub mod metrics;
pub mod record;
pub mod reference;
pub mod split;
pub mod stepper_open;
pub mod surgery;
pub mod torch;
pub mod trace;

pub use arch::{Architecture, Cell, Readout, Variant};

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
    /// The cell, the readout and the LSTM's variants; the post's model writes nothing here.
    #[serde(default, skip_serializing_if = "Architecture::is_post")]
    pub arch: Architecture,
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
            arch: Architecture::default(),
        }
    }

    /// This model with `arch` between its embedding and its head.
    pub fn with_arch(self, arch: Architecture) -> Self {
        Self { arch, ..self }
    }

    /// Rows of the cell's weights: the stacked gates, `gates × H`.
    pub fn gate_rows(&self) -> usize {
        self.arch.cell.gates() * self.hidden
    }

    /// The head's input width: 2H for pooling, H for the last state.
    pub fn head_width(&self) -> usize {
        self.arch.readout.width(self.hidden)
    }

    /// Every parameter's name and shape (PyTorch's `[out, in]` layouts), in the order a model
    /// file, the workers' flat vectors and [`ModelWeights::parts`] keep them: the embedding,
    /// the cell (`lstm.`, `gru.` or `rnn.`), the post's `out` layer when it is on, the head.
    pub fn parameters(&self) -> Vec<(String, Vec<usize>)> {
        let (v, e, h, g) = (self.vocab, self.embed, self.hidden, self.gate_rows());
        let cell = self.arch.cell.name();
        let mut all = vec![
            ("embedding.weight".to_string(), vec![v, e]),
            (format!("{cell}.weight_ih"), vec![g, e]),
            (format!("{cell}.weight_hh"), vec![g, h]),
            (format!("{cell}.bias_ih"), vec![g]),
            (format!("{cell}.bias_hh"), vec![g]),
        ];
        if self.arch.variant.relu_out {
            all.push(("out.weight".to_string(), vec![h, h]));
            all.push(("out.bias".to_string(), vec![h]));
        }
        all.push((
            "linear.weight".to_string(),
            vec![self.outputs, self.head_width()],
        ));
        all.push(("linear.bias".to_string(), vec![self.outputs]));
        all
    }

    /// Floats in all of [`Self::parameters`].
    pub fn parameter_count(&self) -> usize {
        self.parameters()
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
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
/// is the cell's — `nn.LSTM`'s (gates stacked i, f, g, o), `nn.GRU`'s (r, z, n) or `nn.RNN`'s,
/// both biases kept — `linear_weight` is `nn.Linear(W, O).weight` (`[O, W]`; pooled: per
/// output, the H mean-pooled units, then the H max-pooled ones, W = 2H; last state: W = H).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelWeights {
    pub config: ModelConfig,
    /// `[vocab, E]`.
    pub embedding: Vec<f32>,
    /// The cell's weights (`gates × H` rows, whichever the cell).
    pub lstm: LstmWeights<f32>,
    /// The post's `relu(Linear(H → H))` per step (`[H, H]` and `[H]`), when that variant is on.
    pub out_layer: Option<(Vec<f32>, Vec<f32>)>,
    /// `[O, W]`.
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
            arch,
        } = config;
        let g = config.gate_rows();
        let mut rng = Rng::stream(seed, 0x30de1);
        let embedding = (0..vocab * embed).map(|_| rng.normal() as f32).collect();
        let k = 1.0 / (hidden as f64).sqrt();
        let mut uniform = |n: usize, k: f64| -> Vec<f32> {
            (0..n).map(|_| rng.uniform_range(-k, k) as f32).collect()
        };
        let mut lstm = LstmWeights {
            input: embed,
            hidden,
            weight_ih: uniform(g * embed, k),
            weight_hh: uniform(g * hidden, k),
            bias_ih: uniform(g, k),
            bias_hh: uniform(g, k),
        };
        if arch.variant.forget_bias_one {
            // The f rows (i, f, g, o) of one bias vector: the pair then sums to about 1.
            for b in &mut lstm.bias_ih[hidden..2 * hidden] {
                *b += 1.0;
            }
        }
        // Drawn after the cell so the post's model draws exactly what it always did.
        let width = config.head_width();
        let k_lin = 1.0 / (width as f64).sqrt();
        let linear_weight = uniform(outputs * width, k_lin);
        let linear_bias = uniform(outputs, k_lin);
        let out_layer = arch
            .variant
            .relu_out
            .then(|| (uniform(hidden * hidden, k), uniform(hidden, k)));
        Self {
            config,
            embedding,
            lstm,
            out_layer,
            linear_weight,
            linear_bias,
        }
    }

    /// Every parameter's values, in [`ModelConfig::parameters`]' order.
    pub fn parts(&self) -> Vec<&[f32]> {
        let l = &self.lstm;
        let mut all: Vec<&[f32]> = vec![
            &self.embedding,
            &l.weight_ih,
            &l.weight_hh,
            &l.bias_ih,
            &l.bias_hh,
        ];
        if let Some((w, b)) = &self.out_layer {
            all.push(w);
            all.push(b);
        }
        all.push(&self.linear_weight);
        all.push(&self.linear_bias);
        all
    }

    /// The inverse of [`Self::parts`]: `take(n)` gives the next parameter's `n` values.
    pub fn from_parts(config: ModelConfig, mut take: impl FnMut(usize) -> Vec<f32>) -> Self {
        let sizes: Vec<usize> = config
            .parameters()
            .iter()
            .map(|(_, s)| s.iter().product())
            .collect();
        let mut sizes = sizes.into_iter();
        let mut next = || take(sizes.next().expect("one size per parameter"));
        let embedding = next();
        let lstm = LstmWeights {
            input: config.embed,
            hidden: config.hidden,
            weight_ih: next(),
            weight_hh: next(),
            bias_ih: next(),
            bias_hh: next(),
        };
        let out_layer = config.arch.variant.relu_out.then(|| (next(), next()));
        Self {
            config,
            embedding,
            lstm,
            out_layer,
            linear_weight: next(),
            linear_bias: next(),
        }
    }

    /// The embeddings of one padded row of ids, in f64. `None` when an id is not below `vocab`.
    fn embedded(&self, ids: &[u32]) -> Option<Vec<Vec<f64>>> {
        let e = self.config.embed;
        ids.iter()
            .map(|&id| {
                let id = id as usize;
                if id >= self.config.vocab {
                    return None;
                }
                let row = self.embedding.get(id * e..(id + 1) * e)?;
                Some(row.iter().map(|&v| v as f64).collect())
            })
            .collect()
    }

    /// The LSTM's every step over one padded row of ids, in f64 from zero state (padding ids
    /// included, as the model reads them), the post's σ candidate when that variant is on.
    /// `None` when an id is not below `vocab` or the model's cell is not a real-gated LSTM
    /// (what the Cell stepper reads; Inside the model reads every cell: `trace`).
    pub fn reference_steps(&self, ids: &[u32]) -> Option<Vec<CellStep<f64>>> {
        let v = self.config.arch.variant;
        if self.config.arch.cell != Cell::Lstm || v.forget_fixed || v.no_output_gate {
            return None;
        }
        let xs = self.embedded(ids)?;
        let zeros = vec![0.0; self.config.hidden];
        let gate = if v.sigmoid_g {
            CellGate::Sigmoid
        } else {
            CellGate::Tanh
        };
        Some(self.lstm.cast::<f64>().forward(&xs, &zeros, &zeros, gate))
    }

    /// What the head reads at each step, in f64 from zero state, for every cell and variant:
    /// the hidden state, or the post's `relu(Linear(h))` of it when that variant is on.
    /// `None` when an id is not below `vocab`.
    pub fn reference_outputs(&self, ids: &[u32]) -> Option<Vec<Vec<f64>>> {
        let xs = self.embedded(ids)?;
        let hs = reference::hidden_states(&self.config.arch, &self.lstm.cast::<f64>(), &xs);
        Some(match &self.out_layer {
            None => hs,
            Some((w, b)) => hs.iter().map(|h| reference::relu_layer(w, b, h)).collect(),
        })
    }

    /// Output `o`'s weights `[W]` and bias.
    pub fn head_row(&self, o: usize) -> (&[f32], f32) {
        let width = self.config.head_width();
        (
            &self.linear_weight[o * width..(o + 1) * width],
            self.linear_bias[o],
        )
    }

    /// The logits of one padded row of ids on the reference cell, in f64: the readout (mean
    /// and max of every step's output, padding included, or the last one), then the linear
    /// head, one per output. `None` for an empty row or an id not below `vocab`.
    pub fn reference_logits(&self, ids: &[u32]) -> Option<Vec<f64>> {
        let outputs = self.reference_outputs(ids)?;
        let last = outputs.last()?;
        let h = self.config.hidden;
        let features: Vec<f64> = match self.config.arch.readout {
            Readout::Last => last.clone(),
            Readout::Pool => {
                let unit = |k: usize| outputs.iter().map(move |s| s[k]);
                let mean = (0..h).map(|k| unit(k).sum::<f64>() / outputs.len() as f64);
                let max = (0..h).map(|k| unit(k).fold(f64::NEG_INFINITY, f64::max));
                mean.chain(max).collect()
            }
        };
        let logit = |o: usize| {
            let (w, bias) = self.head_row(o);
            let dot: f64 = w.iter().zip(&features).map(|(&w, f)| w as f64 * f).sum();
            bias as f64 + dot
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
