//! Gradient flow through time: how much of `∂L/∂h_t` reaches each step `t` when the loss reads
//! only the last step, for a vanilla tanh RNN and an LSTM of the same size.
//!
//! Both networks get recurrent weights with entries N(0, (scale/√H)²), so `scale` is about the
//! spectral radius of `W_hh`. The RNN's gradient is multiplied by `diag(1 − h²) · W_hhᵀ` at each
//! step and shrinks (or grows) geometrically; the LSTM's cell state is multiplied only by its
//! forget gate, which the forget bias holds near 1.
//!
//! Computed in f64 by the CPU reference passes (`lstm::cell`, `lstm::rnn`), whose backward
//! passes return the total gradient at every `h_t` and `c_t`. No tensor library is needed, so
//! the page's first view does not load the trainer's module for this plot.

use crate::lstm::cell::{CellGate, LstmWeights};
use crate::lstm::rnn::RnnWeights;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MAX_STEPS: usize = 200;
pub const MAX_HIDDEN: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradFlowConfig {
    /// Sequence length `T`.
    pub steps: usize,
    /// Hidden size `H` (the input has the same size).
    pub hidden: usize,
    /// Recurrent weights are N(0, (scale/√H)²).
    pub weight_scale: f32,
    /// Added to the forget gate's bias.
    pub forget_bias: f32,
    /// Clip the parameter gradient to this global norm (`None`: no clipping).
    pub clip: Option<f32>,
    pub seed: u64,
}

impl Default for GradFlowConfig {
    /// The vanishing setting the page opens with.
    fn default() -> Self {
        Self {
            steps: 50,
            hidden: 32,
            weight_scale: 1.0,
            forget_bias: 2.0,
            clip: None,
            seed: 1,
        }
    }
}

impl GradFlowConfig {
    pub fn validate(&self) -> Result<(), GradFlowError> {
        let bad = |m: String| Err(GradFlowError::Config(m));
        if !(2..=MAX_STEPS).contains(&self.steps) {
            return bad(format!(
                "sequence length T = {} is outside 2–{MAX_STEPS}",
                self.steps
            ));
        }
        if !(1..=MAX_HIDDEN).contains(&self.hidden) {
            return bad(format!(
                "hidden size = {} is outside 1–{MAX_HIDDEN}",
                self.hidden
            ));
        }
        if !(self.weight_scale.is_finite() && (0.0..=10.0).contains(&self.weight_scale)) {
            return bad(format!(
                "weight scale = {} is outside 0–10",
                self.weight_scale
            ));
        }
        if !(self.forget_bias.is_finite() && self.forget_bias.abs() <= 20.0) {
            return bad(format!(
                "forget bias = {} is outside −20–20",
                self.forget_bias
            ));
        }
        if let Some(c) = self.clip
            && !(c.is_finite() && c > 0.0)
        {
            return bad(format!("clipping threshold = {c} must be positive"));
        }
        Ok(())
    }
}

#[derive(Debug)]
pub enum GradFlowError {
    Config(String),
}

impl fmt::Display for GradFlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradFlowError::Config(m) => write!(f, "invalid gradient-flow settings: {m}"),
        }
    }
}

impl std::error::Error for GradFlowError {}

/// The networks and the input sequence of one configuration, drawn from its seed.
pub struct Setup {
    pub rnn: RnnWeights,
    pub lstm: LstmWeights<f64>,
    pub xs: Vec<Vec<f64>>,
}

impl Setup {
    pub fn new(config: &GradFlowConfig) -> Self {
        let h = config.hidden;
        let mut rng = Rng::new(config.seed);
        let recurrent = config.weight_scale as f64 / (h as f64).sqrt();
        let input = 1.0 / (h as f64).sqrt();
        let mut draw =
            |n: usize, std: f64| -> Vec<f64> { (0..n).map(|_| rng.normal() * std).collect() };
        let rnn = RnnWeights {
            input: h,
            hidden: h,
            weight_ih: draw(h * h, input),
            weight_hh: draw(h * h, recurrent),
            bias: vec![0.0; h],
        };
        let mut bias_ih = vec![0.0; 4 * h];
        bias_ih[h..2 * h].fill(config.forget_bias as f64);
        let lstm = LstmWeights {
            input: h,
            hidden: h,
            weight_ih: draw(4 * h * h, input),
            weight_hh: draw(4 * h * h, recurrent),
            bias_ih,
            bias_hh: vec![0.0; 4 * h],
        };
        let xs = (0..config.steps).map(|_| draw(h, 1.0)).collect();
        Self { rnn, lstm, xs }
    }
}

/// `‖∂L/∂h_t‖` for `t = 1 … T` (index 0 is step 1), `L = Σ h_T`.
#[derive(Clone, Debug, Serialize)]
pub struct GradFlow {
    pub rnn: Vec<f64>,
    pub lstm_h: Vec<f64>,
    /// `‖∂L/∂c_t‖`: the gradient along the LSTM's cell-state path.
    pub lstm_c: Vec<f64>,
    /// Global norm of each network's parameter gradient, before clipping.
    pub rnn_param_norm: f64,
    pub lstm_param_norm: f64,
    /// What clipping multiplied every gradient by (1 without clipping or under the threshold).
    pub rnn_clip_factor: f64,
    pub lstm_clip_factor: f64,
}

fn norm(values: &[f64]) -> f64 {
    values.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// The norm of several gradients taken together, as one vector.
fn global_norm(parts: &[&[f64]]) -> f64 {
    parts.iter().map(|p| norm(p).powi(2)).sum::<f64>().sqrt()
}

fn clip_factor(norm: f64, clip: Option<f32>) -> f64 {
    clip.map_or(1.0, |c| (c as f64 / norm).min(1.0))
}

/// Backpropagate `L = Σ h_T` through both networks.
pub fn gradient_flow(config: &GradFlowConfig) -> Result<GradFlow, GradFlowError> {
    config.validate()?;
    let setup = Setup::new(config);
    let h = config.hidden;

    let rnn = setup.rnn.grads_of_last_sum(&setup.xs);
    let rnn_param_norm = global_norm(&[&rnn.weight_ih, &rnn.weight_hh, &rnn.bias]);

    let zeros = vec![0.0; h];
    let run = setup
        .lstm
        .forward(&setup.xs, &zeros, &zeros, CellGate::Tanh);
    let mut dh_out = vec![vec![0.0; h]; config.steps];
    dh_out[config.steps - 1] = vec![1.0; h];
    let lstm = setup
        .lstm
        .backward(&setup.xs, &zeros, &zeros, &run, &dh_out, CellGate::Tanh);
    let lstm_param_norm = global_norm(&[
        &lstm.weight_ih,
        &lstm.weight_hh,
        &lstm.bias_ih,
        &lstm.bias_hh,
    ]);

    let rnn_clip_factor = clip_factor(rnn_param_norm, config.clip);
    let lstm_clip_factor = clip_factor(lstm_param_norm, config.clip);
    let norms = |grads: &[Vec<f64>], k: f64| grads.iter().map(|g| norm(g) * k).collect();
    Ok(GradFlow {
        rnn: norms(&rnn.h, rnn_clip_factor),
        lstm_h: norms(&lstm.h, lstm_clip_factor),
        lstm_c: norms(&lstm.c, lstm_clip_factor),
        rnn_param_norm,
        lstm_param_norm,
        rnn_clip_factor,
        lstm_clip_factor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_end_where_the_loss_reads_and_the_rnn_vanishes() {
        let config = GradFlowConfig::default();
        let flow = gradient_flow(&config).unwrap();
        let (t, h) = (config.steps, config.hidden);
        assert_eq!(flow.rnn.len(), t);
        assert_eq!(flow.lstm_h.len(), t);
        // L = Σ h_T: the gradient at the last hidden state is all ones.
        let root_h = (h as f64).sqrt();
        assert!((flow.rnn[t - 1] - root_h).abs() < 1e-12);
        assert!((flow.lstm_h[t - 1] - root_h).abs() < 1e-12);
        // …and at the last cell state it is o_T · (1 − tanh² c_T).
        let setup = Setup::new(&config);
        let zeros = vec![0.0; h];
        let last = setup
            .lstm
            .forward(&setup.xs, &zeros, &zeros, CellGate::Tanh)
            .pop()
            .unwrap();
        let want_c = norm(
            &(0..h)
                .map(|k| last.act.o[k] * (1.0 - last.tanh_c[k].powi(2)))
                .collect::<Vec<_>>(),
        );
        assert!((flow.lstm_c[t - 1] - want_c).abs() < 1e-12);
        // The page's default: the RNN's gradient at the first step is orders of magnitude smaller.
        let ratio = flow.lstm_h[0] / flow.rnn[0];
        assert!(ratio > 1e3, "LSTM/RNN gradient at t=0: {ratio:e}");
        assert!(flow.rnn.iter().all(|g| g.is_finite() && *g > 0.0));
        assert_eq!(flow.rnn_clip_factor, 1.0);
    }

    #[test]
    fn clipping_rescales_the_whole_curve() {
        let config = GradFlowConfig {
            weight_scale: 3.0,
            clip: Some(1.0),
            ..GradFlowConfig::default()
        };
        let clipped = gradient_flow(&config).unwrap();
        let free = gradient_flow(&GradFlowConfig {
            clip: None,
            ..config
        })
        .unwrap();
        assert!(
            free.rnn_param_norm > 1.0,
            "the exploding setting has a large gradient"
        );
        let k = clipped.rnn_clip_factor;
        assert!((k - 1.0 / free.rnn_param_norm).abs() < 1e-12);
        for (c, f) in clipped.rnn.iter().zip(&free.rnn) {
            assert!((c - f * k).abs() <= 1e-12 * f.abs());
        }
        let bad = GradFlowConfig {
            steps: 1000,
            ..config
        };
        let err = gradient_flow(&bad).unwrap_err();
        assert!(err.to_string().contains("T = 1000"), "{err}");
    }
}
