//! The CPU reference LSTM cell, in plain Rust, for `f32` and `f64`.
//!
//! Weights use PyTorch's `nn.LSTM` layout: `weight_ih` is `4H × E`, `weight_hh` is `4H × H`,
//! both row-major, with the four gates stacked in the order **i, f, g, o**. For one step with
//! input `x_t`, hidden state `h_{t−1}` and cell state `c_{t−1}`:
//!
//! ```text
//! i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)      input gate: how much to write
//! f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)      forget gate: how much to keep
//! g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)   cell candidate: what to write (−1…1)
//! o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)      output gate: how much to show
//! c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t                     the cell state: only × and +
//! h_t = o_t ⊙ tanh(c_t)
//! ```
//!
//! [`CellGate::Sigmoid`] is the blog post's variant (σ instead of tanh for `g`): the candidate
//! can then only be positive, so the cell can add but never subtract. It exists to show that.

use num_traits::Float;
use serde::{Deserialize, Serialize};

/// The activation of the cell candidate `g`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CellGate {
    /// A real LSTM: `g = tanh(·)` in (−1, 1).
    #[default]
    Tanh,
    /// The post's code: `g = σ(·)` in (0, 1).
    Sigmoid,
}

/// The four gates, each `H` long.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gates<T> {
    pub i: Vec<T>,
    pub f: Vec<T>,
    pub g: Vec<T>,
    pub o: Vec<T>,
}

impl<T: Float> Gates<T> {
    fn split(stacked: &[T], h: usize) -> Self {
        Self {
            i: stacked[..h].to_vec(),
            f: stacked[h..2 * h].to_vec(),
            g: stacked[2 * h..3 * h].to_vec(),
            o: stacked[3 * h..].to_vec(),
        }
    }

    /// `[i; f; g; o]` stacked, as in the weight layout.
    pub fn stacked(&self) -> Vec<T> {
        [&self.i[..], &self.f, &self.g, &self.o].concat()
    }
}

/// Everything a learner should see for one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellStep<T> {
    /// Gate pre-activations (the weighted sums before σ/tanh).
    pub pre: Gates<T>,
    /// Gate activations.
    pub act: Gates<T>,
    /// New cell state `c_t`.
    pub c: Vec<T>,
    /// `tanh(c_t)`.
    pub tanh_c: Vec<T>,
    /// New hidden state `h_t`.
    pub h: Vec<T>,
}

/// Weights of one LSTM layer (PyTorch layout, gate order i, f, g, o).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LstmWeights<T> {
    pub input: usize,
    pub hidden: usize,
    /// `4H × E`, row-major.
    pub weight_ih: Vec<T>,
    /// `4H × H`, row-major.
    pub weight_hh: Vec<T>,
    pub bias_ih: Vec<T>,
    pub bias_hh: Vec<T>,
}

pub fn sigmoid<T: Float>(x: T) -> T {
    T::one() / (T::one() + (-x).exp())
}

/// `out[r] += Σ_k m[r, k] · v[k]` for a row-major `rows × v.len()` matrix.
fn mat_vec_add<T: Float>(m: &[T], v: &[T], out: &mut [T]) {
    let cols = v.len();
    for (r, o) in out.iter_mut().enumerate() {
        let row = &m[r * cols..(r + 1) * cols];
        *o = row.iter().zip(v).fold(*o, |acc, (&a, &b)| acc + a * b);
    }
}

/// `out[k] += Σ_r m[r, k] · v[r]`: the transpose product backpropagation needs.
fn mat_t_vec_add<T: Float>(m: &[T], v: &[T], out: &mut [T]) {
    let cols = out.len();
    for (r, &vr) in v.iter().enumerate() {
        let row = &m[r * cols..(r + 1) * cols];
        for (o, &a) in out.iter_mut().zip(row) {
            *o = *o + a * vr;
        }
    }
}

/// `m[r, k] += a[r] · b[k]`.
fn outer_add<T: Float>(a: &[T], b: &[T], m: &mut [T]) {
    let cols = b.len();
    for (r, &ar) in a.iter().enumerate() {
        for (mk, &bk) in m[r * cols..(r + 1) * cols].iter_mut().zip(b) {
            *mk = *mk + ar * bk;
        }
    }
}

fn zeros<T: Float>(n: usize) -> Vec<T> {
    vec![T::zero(); n]
}

/// Gradients of a loss with respect to everything the layer saw.
#[derive(Clone, Debug, PartialEq)]
pub struct LstmGrads<T> {
    pub weight_ih: Vec<T>,
    pub weight_hh: Vec<T>,
    pub bias_ih: Vec<T>,
    pub bias_hh: Vec<T>,
    /// `∂L/∂x_t` for every step.
    pub x: Vec<Vec<T>>,
    pub h0: Vec<T>,
    pub c0: Vec<T>,
    /// The total `∂L/∂h_t` (through the outputs and through later steps), per step.
    pub h: Vec<Vec<T>>,
    /// The total `∂L/∂c_t`, per step: the gradient along the cell-state path.
    pub c: Vec<Vec<T>>,
}

impl<T: Float> LstmWeights<T> {
    pub fn zeros(input: usize, hidden: usize) -> Self {
        Self {
            input,
            hidden,
            weight_ih: zeros(4 * hidden * input),
            weight_hh: zeros(4 * hidden * hidden),
            bias_ih: zeros(4 * hidden),
            bias_hh: zeros(4 * hidden),
        }
    }

    /// Convert the element type (e.g. f32 weights to f64 for a reference computation).
    pub fn cast<U: Float>(&self) -> LstmWeights<U> {
        let c = |v: &[T]| v.iter().map(|&x| U::from(x).expect("finite")).collect();
        LstmWeights {
            input: self.input,
            hidden: self.hidden,
            weight_ih: c(&self.weight_ih),
            weight_hh: c(&self.weight_hh),
            bias_ih: c(&self.bias_ih),
            bias_hh: c(&self.bias_hh),
        }
    }

    /// One step of the cell. `x` is `E` long, `h` and `c` are `H` long.
    pub fn step(&self, x: &[T], h: &[T], c: &[T], cell_gate: CellGate) -> CellStep<T> {
        let hs = self.hidden;
        assert_eq!(x.len(), self.input, "input size");
        assert_eq!(h.len(), hs, "hidden size");
        let mut pre: Vec<T> = self
            .bias_ih
            .iter()
            .zip(&self.bias_hh)
            .map(|(&a, &b)| a + b)
            .collect();
        mat_vec_add(&self.weight_ih, x, &mut pre);
        mat_vec_add(&self.weight_hh, h, &mut pre);
        let pre = Gates::split(&pre, hs);
        let act = Gates {
            i: pre.i.iter().map(|&v| sigmoid(v)).collect(),
            f: pre.f.iter().map(|&v| sigmoid(v)).collect(),
            g: pre
                .g
                .iter()
                .map(|&v| match cell_gate {
                    CellGate::Tanh => v.tanh(),
                    CellGate::Sigmoid => sigmoid(v),
                })
                .collect(),
            o: pre.o.iter().map(|&v| sigmoid(v)).collect(),
        };
        let c_new: Vec<T> = (0..hs)
            .map(|k| act.f[k] * c[k] + act.i[k] * act.g[k])
            .collect();
        let tanh_c: Vec<T> = c_new.iter().map(|v| v.tanh()).collect();
        let h_new = (0..hs).map(|k| act.o[k] * tanh_c[k]).collect();
        CellStep {
            pre,
            act,
            c: c_new,
            tanh_c,
            h: h_new,
        }
    }

    /// Run a whole sequence from `(h0, c0)`.
    pub fn forward(
        &self,
        xs: &[Vec<T>],
        h0: &[T],
        c0: &[T],
        cell_gate: CellGate,
    ) -> Vec<CellStep<T>> {
        let mut steps: Vec<CellStep<T>> = Vec::with_capacity(xs.len());
        for x in xs {
            let (h, c) = steps.last().map_or((h0, c0), |s| (&s.h[..], &s.c[..]));
            let next = self.step(x, h, c, cell_gate);
            steps.push(next);
        }
        steps
    }

    /// Backpropagation through time.
    ///
    /// `dh_out[t]` is `∂L/∂h_t` from whatever consumed the outputs (zeros where a step is
    /// unused); `steps` must come from [`Self::forward`] with the same arguments.
    pub fn backward(
        &self,
        xs: &[Vec<T>],
        h0: &[T],
        c0: &[T],
        steps: &[CellStep<T>],
        dh_out: &[Vec<T>],
        cell_gate: CellGate,
    ) -> LstmGrads<T> {
        let hs = self.hidden;
        let n = xs.len();
        let mut grads = LstmGrads {
            weight_ih: zeros(self.weight_ih.len()),
            weight_hh: zeros(self.weight_hh.len()),
            bias_ih: zeros(4 * hs),
            bias_hh: zeros(4 * hs),
            x: vec![zeros(self.input); n],
            h0: zeros(hs),
            c0: zeros(hs),
            h: vec![zeros(hs); n],
            c: vec![zeros(hs); n],
        };
        let one = T::one();
        let mut dh_next = zeros::<T>(hs);
        let mut dc_next = zeros::<T>(hs);
        for t in (0..n).rev() {
            let s = &steps[t];
            let (h_prev, c_prev) = if t == 0 {
                (h0, c0)
            } else {
                (&steps[t - 1].h[..], &steps[t - 1].c[..])
            };
            let a = &s.act;
            let mut da = zeros::<T>(4 * hs);
            for k in 0..hs {
                let dh = dh_out[t][k] + dh_next[k];
                let dc = dc_next[k] + dh * a.o[k] * (one - s.tanh_c[k] * s.tanh_c[k]);
                grads.h[t][k] = dh;
                grads.c[t][k] = dc;
                let (di, df, dg, d_o) =
                    (dc * a.g[k], dc * c_prev[k], dc * a.i[k], dh * s.tanh_c[k]);
                da[k] = di * a.i[k] * (one - a.i[k]);
                da[hs + k] = df * a.f[k] * (one - a.f[k]);
                da[2 * hs + k] = match cell_gate {
                    CellGate::Tanh => dg * (one - a.g[k] * a.g[k]),
                    CellGate::Sigmoid => dg * a.g[k] * (one - a.g[k]),
                };
                da[3 * hs + k] = d_o * a.o[k] * (one - a.o[k]);
                dc_next[k] = dc * a.f[k];
            }
            outer_add(&da, &xs[t], &mut grads.weight_ih);
            outer_add(&da, h_prev, &mut grads.weight_hh);
            for (b, &d) in grads.bias_ih.iter_mut().zip(&da) {
                *b = *b + d;
            }
            grads.bias_hh.clone_from(&grads.bias_ih);
            mat_t_vec_add(&self.weight_ih, &da, &mut grads.x[t]);
            dh_next = zeros(hs);
            mat_t_vec_add(&self.weight_hh, &da, &mut dh_next);
        }
        grads.h0 = dh_next;
        grads.c0 = dc_next;
        grads
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Weights N(0, 0.5²), drawn from `seed`.
    pub(crate) fn random_weights(input: usize, hidden: usize, seed: u64) -> LstmWeights<f64> {
        let mut rng = Rng::new(seed);
        let mut w = LstmWeights::zeros(input, hidden);
        for v in w
            .weight_ih
            .iter_mut()
            .chain(&mut w.weight_hh)
            .chain(&mut w.bias_ih)
            .chain(&mut w.bias_hh)
        {
            *v = rng.normal() * 0.5;
        }
        w
    }

    #[test]
    fn hand_computed_single_unit() {
        // One input, one unit, every weight 1 and no bias: pre = x + h for each gate.
        let w = LstmWeights {
            input: 1,
            hidden: 1,
            weight_ih: vec![1.0; 4],
            weight_hh: vec![1.0; 4],
            bias_ih: vec![0.0; 4],
            bias_hh: vec![0.0; 4],
        };
        let s = w.step(&[0.5], &[0.25], &[2.0], CellGate::Tanh);
        let sig = 1.0 / (1.0 + (-0.75f64).exp());
        let c = sig * 2.0 + sig * 0.75f64.tanh();
        assert!((s.act.f[0] - sig).abs() < 1e-15);
        assert!((s.c[0] - c).abs() < 1e-15);
        assert!((s.h[0] - sig * c.tanh()).abs() < 1e-15);
        let post = w.step(&[0.5], &[0.25], &[2.0], CellGate::Sigmoid);
        assert!(
            (post.act.g[0] - sig).abs() < 1e-15,
            "the post's g is a sigmoid"
        );
    }

    #[test]
    fn forget_one_input_zero_keeps_the_cell() {
        let mut w = LstmWeights::<f64>::zeros(1, 1);
        w.bias_ih = vec![-30.0, 30.0, 0.0, 0.0]; // i ≈ 0, f ≈ 1
        w.weight_ih[2] = 5.0;
        let xs: Vec<Vec<f64>> = (0..100).map(|t| vec![t as f64]).collect();
        let steps = w.forward(&xs, &[0.0], &[0.7], CellGate::Tanh);
        assert!((steps[99].c[0] - 0.7).abs() < 1e-9);
    }

    /// Every gradient against central finite differences of L = Σ_t w_t · h_t.
    #[test]
    fn backward_matches_finite_differences() {
        for cell_gate in [CellGate::Tanh, CellGate::Sigmoid] {
            let (e, h, n) = (3, 4, 5);
            let w = random_weights(e, h, 1);
            let mut rng = Rng::new(2);
            let xs: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..e).map(|_| rng.normal()).collect())
                .collect();
            let h0: Vec<f64> = (0..h).map(|_| rng.normal() * 0.3).collect();
            let c0: Vec<f64> = (0..h).map(|_| rng.normal() * 0.3).collect();
            let coef: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..h).map(|_| rng.normal()).collect())
                .collect();
            let loss = |w: &LstmWeights<f64>, xs: &[Vec<f64>], h0: &[f64], c0: &[f64]| -> f64 {
                let steps = w.forward(xs, h0, c0, cell_gate);
                steps
                    .iter()
                    .zip(&coef)
                    .map(|(s, c)| s.h.iter().zip(c).map(|(a, b)| a * b).sum::<f64>())
                    .sum()
            };
            let steps = w.forward(&xs, &h0, &c0, cell_gate);
            let g = w.backward(&xs, &h0, &c0, &steps, &coef, cell_gate);
            let eps = 1e-6;
            let check = |analytic: f64, plus: f64, minus: f64, what: &str| {
                let numeric = (plus - minus) / (2.0 * eps);
                assert!(
                    (analytic - numeric).abs() < 1e-7 * (1.0 + numeric.abs()),
                    "{cell_gate:?} {what}: {analytic} vs {numeric}"
                );
            };
            for idx in 0..w.weight_ih.len() {
                let (mut p, mut m) = (w.clone(), w.clone());
                p.weight_ih[idx] += eps;
                m.weight_ih[idx] -= eps;
                check(
                    g.weight_ih[idx],
                    loss(&p, &xs, &h0, &c0),
                    loss(&m, &xs, &h0, &c0),
                    "weight_ih",
                );
            }
            for idx in 0..w.weight_hh.len() {
                let (mut p, mut m) = (w.clone(), w.clone());
                p.weight_hh[idx] += eps;
                m.weight_hh[idx] -= eps;
                check(
                    g.weight_hh[idx],
                    loss(&p, &xs, &h0, &c0),
                    loss(&m, &xs, &h0, &c0),
                    "weight_hh",
                );
            }
            for idx in 0..4 * h {
                let (mut p, mut m) = (w.clone(), w.clone());
                p.bias_hh[idx] += eps;
                m.bias_hh[idx] -= eps;
                check(
                    g.bias_hh[idx],
                    loss(&p, &xs, &h0, &c0),
                    loss(&m, &xs, &h0, &c0),
                    "bias_hh",
                );
                assert_eq!(g.bias_ih[idx], g.bias_hh[idx]);
            }
            for t in 0..n {
                for k in 0..e {
                    let (mut p, mut m) = (xs.clone(), xs.clone());
                    p[t][k] += eps;
                    m[t][k] -= eps;
                    check(
                        g.x[t][k],
                        loss(&w, &p, &h0, &c0),
                        loss(&w, &m, &h0, &c0),
                        "x",
                    );
                }
            }
            for k in 0..h {
                let (mut p, mut m) = (h0.clone(), h0.clone());
                p[k] += eps;
                m[k] -= eps;
                check(
                    g.h0[k],
                    loss(&w, &xs, &p, &c0),
                    loss(&w, &xs, &m, &c0),
                    "h0",
                );
                let (mut p, mut m) = (c0.clone(), c0.clone());
                p[k] += eps;
                m[k] -= eps;
                check(
                    g.c0[k],
                    loss(&w, &xs, &h0, &p),
                    loss(&w, &xs, &h0, &m),
                    "c0",
                );
            }
        }
    }
}
