//! A vanilla tanh RNN on the CPU, the baseline the LSTM is compared with:
//!
//! ```text
//! h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)
//! ```
//!
//! Backpropagating through it multiplies by `diag(1 − h_t²) · W_hh` at every step, the matrix
//! product the Blow-up lab isolates.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RnnWeights {
    pub input: usize,
    pub hidden: usize,
    /// `H × E`, row-major.
    pub weight_ih: Vec<f64>,
    /// `H × H`, row-major.
    pub weight_hh: Vec<f64>,
    pub bias: Vec<f64>,
}

impl RnnWeights {
    /// All hidden states `h_1 … h_T` from `h_0 = 0`.
    pub fn forward(&self, xs: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let (e, h) = (self.input, self.hidden);
        let mut state = vec![0.0; h];
        xs.iter()
            .map(|x| {
                state = (0..h)
                    .map(|r| {
                        let from_x: f64 = (0..e).map(|k| self.weight_ih[r * e + k] * x[k]).sum();
                        let from_h: f64 =
                            (0..h).map(|k| self.weight_hh[r * h + k] * state[k]).sum();
                        (self.bias[r] + from_x + from_h).tanh()
                    })
                    .collect();
                state.clone()
            })
            .collect()
    }

    /// `∂L/∂h_t` for every step when `L = Σ_k h_T[k]` (the loss reads only the last step).
    pub fn hidden_grads_of_last_sum(&self, xs: &[Vec<f64>]) -> Vec<Vec<f64>> {
        self.grads_of_last_sum(xs).h
    }

    /// Backpropagation through time for `L = Σ_k h_T[k]`: the gradient at every hidden state
    /// and at every parameter.
    pub fn grads_of_last_sum(&self, xs: &[Vec<f64>]) -> RnnGrads {
        let (e, h) = (self.input, self.hidden);
        let hs = self.forward(xs);
        let mut grads = RnnGrads {
            h: vec![vec![0.0; h]; hs.len()],
            weight_ih: vec![0.0; h * e],
            weight_hh: vec![0.0; h * h],
            bias: vec![0.0; h],
        };
        let zero = vec![0.0; h];
        let mut dh = vec![1.0; h];
        for t in (0..hs.len()).rev() {
            grads.h[t].clone_from(&dh);
            // Through tanh to the pre-activation, which every parameter feeds.
            let da: Vec<f64> = (0..h)
                .map(|k| dh[k] * (1.0 - hs[t][k] * hs[t][k]))
                .collect();
            let h_prev = if t == 0 { &zero } else { &hs[t - 1] };
            for r in 0..h {
                grads.bias[r] += da[r];
                for k in 0..e {
                    grads.weight_ih[r * e + k] += da[r] * xs[t][k];
                }
                for k in 0..h {
                    grads.weight_hh[r * h + k] += da[r] * h_prev[k];
                }
            }
            // Back through W_hh to h_{t−1}.
            dh = (0..h)
                .map(|k| (0..h).map(|r| self.weight_hh[r * h + k] * da[r]).sum())
                .collect();
        }
        grads
    }
}

/// Gradients of `L = Σ_k h_T[k]` (see [`RnnWeights::grads_of_last_sum`]).
#[derive(Clone, Debug, PartialEq)]
pub struct RnnGrads {
    /// `∂L/∂h_t`, per step.
    pub h: Vec<Vec<f64>>,
    pub weight_ih: Vec<f64>,
    pub weight_hh: Vec<f64>,
    pub bias: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random RNN (`e` inputs, `h` units) and `n` inputs, entries N(0, std²).
    fn random_rnn(
        e: usize,
        h: usize,
        n: usize,
        seed: u64,
        std: f64,
    ) -> (RnnWeights, Vec<Vec<f64>>) {
        let mut rng = crate::rng::Rng::new(seed);
        let mut draw = |k: usize| (0..k).map(|_| rng.normal() * std).collect::<Vec<f64>>();
        let w = RnnWeights {
            input: e,
            hidden: h,
            weight_ih: draw(h * e),
            weight_hh: draw(h * h),
            bias: draw(h),
        };
        let xs = (0..n).map(|_| draw(e)).collect();
        (w, xs)
    }

    #[test]
    fn hidden_grads_match_finite_differences() {
        let (e, h, n) = (2, 3, 6);
        let (w, xs) = random_rnn(e, h, n, 8, 0.7);
        let grads = w.hidden_grads_of_last_sum(&xs);
        // h_0 is not an input, so check ∂L/∂h_0 through the first input, which reaches the loss
        // only through h_0: ∂L/∂x_0 = W_ihᵀ (diag(1 − h_0²) ∂L/∂h_0).
        let hs = w.forward(&xs);
        let eps = 1e-6;
        for k in 0..e {
            let (mut p, mut m) = (xs.clone(), xs.clone());
            p[0][k] += eps;
            m[0][k] -= eps;
            let l = |xs: &[Vec<f64>]| w.forward(xs).last().unwrap().iter().sum::<f64>();
            let numeric = (l(&p) - l(&m)) / (2.0 * eps);
            let analytic: f64 = (0..h)
                .map(|r| w.weight_ih[r * e + k] * (1.0 - hs[0][r] * hs[0][r]) * grads[0][r])
                .sum();
            assert!((numeric - analytic).abs() < 1e-7, "{numeric} vs {analytic}");
        }
        assert!(grads[n - 1].iter().all(|&g| g == 1.0));
    }

    #[test]
    fn parameter_grads_match_finite_differences() {
        let (w, xs) = random_rnn(2, 3, 5, 3, 0.6);
        let g = w.grads_of_last_sum(&xs);
        let loss = |w: &RnnWeights| w.forward(&xs).last().unwrap().iter().sum::<f64>();
        let eps = 1e-6;
        type Field = fn(&mut RnnWeights) -> &mut Vec<f64>;
        let fields: [(&str, Field, &Vec<f64>); 3] = [
            ("weight_ih", |w| &mut w.weight_ih, &g.weight_ih),
            ("weight_hh", |w| &mut w.weight_hh, &g.weight_hh),
            ("bias", |w| &mut w.bias, &g.bias),
        ];
        for (name, field, analytic) in fields {
            for i in 0..analytic.len() {
                let (mut p, mut m) = (w.clone(), w.clone());
                field(&mut p)[i] += eps;
                field(&mut m)[i] -= eps;
                let numeric = (loss(&p) - loss(&m)) / (2.0 * eps);
                assert!(
                    (numeric - analytic[i]).abs() < 1e-7,
                    "{name}[{i}]: {numeric} vs {}",
                    analytic[i]
                );
            }
        }
    }
}
