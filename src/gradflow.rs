//! Gradient flow through time: how much of `∂L/∂h_t` reaches each step `t` when the loss reads
//! only the last step, for a vanilla tanh RNN and an LSTM of the same size.
//!
//! Both networks get recurrent weights with entries N(0, (scale/√H)²), so `scale` is about the
//! spectral radius of `W_hh`. The RNN's gradient is multiplied by `diag(1 − h²) · W_hhᵀ` at each
//! step and shrinks (or grows) geometrically; the LSTM's cell state is multiplied only by its
//! forget gate, which the forget bias holds near 1.
//!
//! Computed with burn autodiff: a zero "tap" tensor that requires a gradient is added to every
//! `h_t` (and `c_t`), so the gradient of the tap is `∂L/∂h_t` itself.

use crate::lstm::cell::LstmWeights;
use crate::lstm::module::{Lstm, LstmState, tensor};
use crate::lstm::rnn::RnnWeights;
use crate::rng::Rng;
use burn::tensor::{Device, ExecutionError, Tensor};
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
    Device(ExecutionError),
}

impl fmt::Display for GradFlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradFlowError::Config(m) => write!(f, "invalid gradient-flow settings: {m}"),
            GradFlowError::Device(e) => write!(f, "computing gradients failed: {e:?}"),
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

fn f32s(values: &[f64]) -> Vec<f32> {
    values.iter().map(|&v| v as f32).collect()
}

fn row(values: &[f64], device: &Device) -> Tensor<2> {
    tensor(f32s(values), [1, values.len()], device)
}

/// A zero tensor whose gradient is recorded.
fn tap(hidden: usize, device: &Device) -> Tensor<2> {
    Tensor::zeros([1, hidden], device).require_grad()
}

/// Row norms of a stack of `[1, H]` gradients, read back in one transfer.
async fn norms(grads: Vec<Tensor<2>>) -> Result<Vec<f64>, GradFlowError> {
    let stacked = Tensor::cat(grads, 0);
    let data = stacked
        .powi_scalar(2)
        .sum_dim(1)
        .sqrt()
        .into_data_async()
        .await
        .map_err(GradFlowError::Device)?;
    Ok(data
        .try_to_vec::<f32>()
        .expect("float data")
        .into_iter()
        .map(f64::from)
        .collect())
}

async fn global_norm(grads: Vec<Tensor<1>>) -> Result<f64, GradFlowError> {
    let squares: Vec<Tensor<1>> = grads.into_iter().map(|g| g.powi_scalar(2).sum()).collect();
    let total = Tensor::cat(squares, 0)
        .sum()
        .into_data_async()
        .await
        .map_err(GradFlowError::Device)?;
    Ok(f64::from(total.try_to_vec::<f32>().expect("float data")[0]).sqrt())
}

fn clip_factor(norm: f64, clip: Option<f32>) -> f64 {
    clip.map_or(1.0, |c| (c as f64 / norm).min(1.0))
}

/// Run both networks on `device` (any backend; autodiff is switched on here).
pub async fn gradient_flow(
    config: &GradFlowConfig,
    device: &Device,
) -> Result<GradFlow, GradFlowError> {
    config.validate()?;
    let device = device.clone().autodiff();
    let setup = Setup::new(config);
    let h = config.hidden;
    let xs: Vec<Tensor<2>> = setup.xs.iter().map(|x| row(x, &device)).collect();

    // Vanilla RNN.
    let r = &setup.rnn;
    let w_ih = tensor(f32s(&r.weight_ih), [h, h], &device).require_grad();
    let w_hh = tensor(f32s(&r.weight_hh), [h, h], &device).require_grad();
    let bias = tensor(f32s(&r.bias), [1, h], &device).require_grad();
    let mut state = Tensor::zeros([1, h], &device);
    let mut taps = Vec::with_capacity(config.steps);
    for x in &xs {
        let t = tap(h, &device);
        state = (x.clone().matmul(w_ih.clone().transpose())
            + state.matmul(w_hh.clone().transpose())
            + bias.clone())
        .tanh()
            + t.clone();
        taps.push(t);
    }
    let grads = state.sum().backward();
    let rnn = norms(
        taps.iter()
            .map(|t| t.grad(&grads).expect("tap grad"))
            .collect(),
    )
    .await?;
    let rnn_param_norm = global_norm(
        [&w_ih, &w_hh, &bias]
            .iter()
            .map(|p| p.grad(&grads).expect("param grad").flatten::<1>(0, 1))
            .collect(),
    )
    .await?;

    // LSTM, the same way, with taps on both h_t and c_t.
    let lstm = Lstm::from_weights(&setup.lstm.cast::<f32>(), &device);
    let x_seq = Tensor::stack::<3>(xs, 1); // [1, T, H]
    let x_proj = lstm.project_inputs(x_seq);
    let w_hh_t = lstm.weight_hh.val().transpose();
    let mut state = lstm.zero_state(1, &device);
    let (mut h_taps, mut c_taps) = (Vec::new(), Vec::new());
    for t in 0..config.steps {
        let x_gates = x_proj.clone().narrow(1, t, 1).reshape([1, 4 * h]);
        let (th, tc) = (tap(h, &device), tap(h, &device));
        let next = lstm.step_tapped(x_gates, state, &w_hh_t, Some(tc.clone()));
        state = LstmState {
            h: next.h + th.clone(),
            c: next.c,
        };
        h_taps.push(th);
        c_taps.push(tc);
    }
    let grads = state.h.sum().backward();
    let lstm_h = norms(
        h_taps
            .iter()
            .map(|t| t.grad(&grads).expect("tap grad"))
            .collect(),
    )
    .await?;
    let lstm_c = norms(
        c_taps
            .iter()
            .map(|t| t.grad(&grads).expect("tap grad"))
            .collect(),
    )
    .await?;
    let mut params: Vec<Tensor<1>> = [&lstm.weight_ih, &lstm.weight_hh]
        .iter()
        .map(|p| p.val().grad(&grads).expect("param grad").flatten::<1>(0, 1))
        .collect();
    params.extend(
        [&lstm.bias_ih, &lstm.bias_hh]
            .iter()
            .map(|p| p.val().grad(&grads).expect("param grad")),
    );
    let lstm_param_norm = global_norm(params).await?;

    let rnn_clip_factor = clip_factor(rnn_param_norm, config.clip);
    let lstm_clip_factor = clip_factor(lstm_param_norm, config.clip);
    let scaled = |v: Vec<f64>, k: f64| v.into_iter().map(|x| x * k).collect();
    Ok(GradFlow {
        rnn: scaled(rnn, rnn_clip_factor),
        lstm_h: scaled(lstm_h, lstm_clip_factor),
        lstm_c: scaled(lstm_c, lstm_clip_factor),
        rnn_param_norm,
        lstm_param_norm,
        rnn_clip_factor,
        lstm_clip_factor,
    })
}
