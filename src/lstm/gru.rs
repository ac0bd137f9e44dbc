//! The GRU and the plain tanh RNN, one step at a time in f64, in PyTorch's layouts (weights in
//! an [`LstmWeights`] with `3H` rows, gates r, z, n, or `H` rows for the RNN; both biases
//! kept). The classifier's reference forward pass (`crate::classifier::reference`) and the Cell
//! stepper (`crate::stepper::cells`) both call these, so the numbers of the two views are one
//! implementation's.
//!
//! ```text
//! GRU:  r = σ(W_ir x + b_ir + W_hr h + b_hr)
//!       z = σ(W_iz x + b_iz + W_hz h + b_hz)
//!       n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   the reset gate scales the recurrent
//!       h' = (1 − z) ⊙ n + z ⊙ h                          product with its bias; z = 1 keeps h
//! RNN:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
//! ```

use super::cell::{LstmWeights, sigmoid};
use serde::Serialize;

/// `b[r] + W[r, ·] · v` for every row of a row-major `W` with `v.len()` columns.
fn affine(w: &[f64], v: &[f64], b: &[f64]) -> Vec<f64> {
    w.chunks_exact(v.len())
        .zip(b)
        .map(|(row, &b)| b + row.iter().zip(v).map(|(w, x)| w * x).sum::<f64>())
        .collect()
}

/// One GRU step of every unit: what the stepper shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GruStep {
    /// The pre-activations of r and z (input part, recurrent part and both biases).
    pub pre_r: Vec<f64>,
    pub pre_z: Vec<f64>,
    /// `W_in x + b_in`: the candidate's input part.
    pub n_x: Vec<f64>,
    /// `W_hn h + b_hn`: the candidate's recurrent part, before the reset gate scales it.
    pub n_h: Vec<f64>,
    /// Reset gate: how much of `n_h` reaches the candidate.
    pub r: Vec<f64>,
    /// Update gate: how much of the old state is kept.
    pub z: Vec<f64>,
    /// Candidate state.
    pub n: Vec<f64>,
    /// `z ⊙ h_{t−1}`, what is kept.
    pub kept: Vec<f64>,
    /// `(1 − z) ⊙ n`, what is written.
    pub written: Vec<f64>,
    /// The new state.
    pub h: Vec<f64>,
}

/// One plain-RNN step of every unit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RnnStep {
    /// `W_ih x + b_ih`.
    pub from_x: Vec<f64>,
    /// `W_hh h + b_hh`.
    pub from_h: Vec<f64>,
    /// Their sum, the pre-activation.
    pub pre: Vec<f64>,
    /// `tanh(pre)`, the new state.
    pub h: Vec<f64>,
}

/// One GRU step from state `h` on input `x` (`w` holds `3H` rows).
pub fn gru_step(w: &LstmWeights<f64>, x: &[f64], h: &[f64]) -> GruStep {
    let hs = w.hidden;
    let from_x = affine(&w.weight_ih, x, &w.bias_ih);
    let from_h = affine(&w.weight_hh, h, &w.bias_hh);
    let pre_r: Vec<f64> = (0..hs).map(|k| from_x[k] + from_h[k]).collect();
    let pre_z: Vec<f64> = (0..hs).map(|k| from_x[hs + k] + from_h[hs + k]).collect();
    let r: Vec<f64> = pre_r.iter().map(|&v| sigmoid(v)).collect();
    let z: Vec<f64> = pre_z.iter().map(|&v| sigmoid(v)).collect();
    let n_x = from_x[2 * hs..].to_vec();
    let n_h = from_h[2 * hs..].to_vec();
    let n: Vec<f64> = (0..hs).map(|k| (n_x[k] + r[k] * n_h[k]).tanh()).collect();
    let kept: Vec<f64> = (0..hs).map(|k| z[k] * h[k]).collect();
    let written: Vec<f64> = (0..hs).map(|k| (1.0 - z[k]) * n[k]).collect();
    let h_new = (0..hs).map(|k| written[k] + kept[k]).collect();
    GruStep {
        pre_r,
        pre_z,
        n_x,
        n_h,
        r,
        z,
        n,
        kept,
        written,
        h: h_new,
    }
}

/// One plain tanh RNN step from state `h` on input `x` (`w` holds `H` rows).
pub fn rnn_step(w: &LstmWeights<f64>, x: &[f64], h: &[f64]) -> RnnStep {
    let from_x = affine(&w.weight_ih, x, &w.bias_ih);
    let from_h = affine(&w.weight_hh, h, &w.bias_hh);
    let pre: Vec<f64> = from_x.iter().zip(&from_h).map(|(a, b)| a + b).collect();
    let h_new = pre.iter().map(|v| v.tanh()).collect();
    RnnStep {
        from_x,
        from_h,
        pre,
        h: h_new,
    }
}

/// `∂(Σ_k h'_k · g_k)/∂h` for one GRU step: the gradient `g` at the new state carried back to
/// the old one, through the kept part (`z`) and through r, z and n's recurrent weights.
pub fn gru_back(w: &LstmWeights<f64>, step: &GruStep, h: &[f64], g: &[f64]) -> Vec<f64> {
    let hs = w.hidden;
    let mut back: Vec<f64> = (0..hs).map(|k| g[k] * step.z[k]).collect();
    for k in 0..hs {
        let (r, z, n) = (step.r[k], step.z[k], step.n[k]);
        let d_pre_n = g[k] * (1.0 - z) * (1.0 - n * n);
        let d_pre_z = g[k] * (h[k] - n) * z * (1.0 - z);
        let d_pre_r = d_pre_n * step.n_h[k] * r * (1.0 - r);
        // Row k of each gate block of W_hh, weighted by that gate's gradient.
        for (gate, d) in [(0, d_pre_r), (1, d_pre_z), (2, d_pre_n * r)] {
            let row = &w.weight_hh[(gate * hs + k) * hs..(gate * hs + k + 1) * hs];
            for (b, &wv) in back.iter_mut().zip(row) {
                *b += d * wv;
            }
        }
    }
    back
}

/// `∂(Σ_k h'_k · g_k)/∂h` for one plain RNN step: `W_hhᵀ (g ⊙ (1 − h'²))`.
pub fn rnn_back(w: &LstmWeights<f64>, step: &RnnStep, g: &[f64]) -> Vec<f64> {
    let hs = w.hidden;
    let mut back = vec![0.0; hs];
    for k in 0..hs {
        let d = g[k] * (1.0 - step.h[k] * step.h[k]);
        let row = &w.weight_hh[k * hs..(k + 1) * hs];
        for (b, &wv) in back.iter_mut().zip(row) {
            *b += d * wv;
        }
    }
    back
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn weights(gates: usize, e: usize, h: usize, seed: u64) -> LstmWeights<f64> {
        let mut rng = Rng::stream(seed, 11);
        let mut d = |n: usize| (0..n).map(|_| rng.uniform_range(-1.2, 1.2)).collect();
        LstmWeights {
            input: e,
            hidden: h,
            weight_ih: d(gates * h * e),
            weight_hh: d(gates * h * h),
            bias_ih: d(gates * h),
            bias_hh: d(gates * h),
        }
    }

    /// `Σ_k h'_k g_k` of one step, for finite differences.
    fn dot(a: &[f64], b: &[f64]) -> f64 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn the_backward_steps_equal_finite_differences() {
        let (e, hs) = (2, 3);
        let x = [0.4, -0.7];
        let h = [0.3, -0.5, 0.8];
        let g = [1.0, -0.6, 0.25];
        let gru = weights(3, e, hs, 1);
        let rnn = weights(1, e, hs, 2);
        let analytic = [
            gru_back(&gru, &gru_step(&gru, &x, &h), &h, &g),
            rnn_back(&rnn, &rnn_step(&rnn, &x, &h), &g),
        ];
        let eps = 1e-6;
        for k in 0..hs {
            let at = |d: f64| {
                let mut v = h.to_vec();
                v[k] += d;
                [
                    dot(&gru_step(&gru, &x, &v).h, &g),
                    dot(&rnn_step(&rnn, &x, &v).h, &g),
                ]
            };
            let (plus, minus) = (at(eps), at(-eps));
            for c in 0..2 {
                let numeric = (plus[c] - minus[c]) / (2.0 * eps);
                assert!(
                    (numeric - analytic[c][k]).abs() < 1e-8,
                    "cell {c} unit {k}: {numeric} vs {}",
                    analytic[c][k]
                );
            }
        }
    }

    #[test]
    fn the_gru_parts_add_up() {
        let w = weights(3, 2, 3, 3);
        let h = [0.1, 0.9, -0.4];
        let s = gru_step(&w, &[1.0, 0.5], &h);
        for k in 0..3 {
            assert_eq!(s.h[k], s.kept[k] + s.written[k]);
            assert!((s.n[k] - (s.n_x[k] + s.r[k] * s.n_h[k]).tanh()).abs() < 1e-15);
            assert!((s.kept[k] - s.z[k] * h[k]).abs() < 1e-15);
        }
    }
}
