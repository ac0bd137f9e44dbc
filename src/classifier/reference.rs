//! Every cell the trainer can train, in f64 on the host, one step at a time: what predictions
//! in the page's first view and the tests' independent checks run. Weights in PyTorch's layout
//! ([`LstmWeights`] holds any of the three: `gates × H` rows).

use super::arch::{Architecture, Cell};
use crate::lstm::cell::{LstmWeights, sigmoid};
use crate::lstm::gru::{gru_step, rnn_step};

/// `W · v + b` for a row-major `[rows, v.len()]` `W` (f32 or f64 weights).
fn affine<W: Copy + Into<f64>>(w: &[W], v: &[f64], b: impl Fn(usize) -> f64) -> Vec<f64> {
    // (Every layer here has at least one input and one unit: the settings' minimum is 1.)
    w.chunks_exact(v.len())
        .enumerate()
        .map(|(r, row)| b(r) + row.iter().zip(v).map(|(&w, x)| w.into() * x).sum::<f64>())
        .collect()
}

/// Every hidden state `h_1 … h_T` of the cell of `arch` on `xs`, from zero state.
pub fn hidden_states(arch: &Architecture, w: &LstmWeights<f64>, xs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    hidden_states_from(arch, w, xs, &vec![0.0; w.hidden])
}

/// [`hidden_states`] from the hidden state `h0` (an LSTM's cell state starts at zero).
pub fn hidden_states_from(
    arch: &Architecture,
    w: &LstmWeights<f64>,
    xs: &[Vec<f64>],
    h0: &[f64],
) -> Vec<Vec<f64>> {
    let h = w.hidden;
    let mut state = h0.to_vec();
    let mut cell = vec![0.0; h];
    let mut out = Vec::with_capacity(xs.len());
    for x in xs {
        state = match arch.cell {
            // One implementation of each, shared with the Cell stepper.
            Cell::Rnn => rnn_step(w, x, &state).h,
            Cell::Gru => gru_step(w, x, &state).h,
            Cell::Lstm => {
                let from_x = affine(&w.weight_ih, x, |r| w.bias_ih[r]);
                let from_h = affine(&w.weight_hh, &state, |r| w.bias_hh[r]);
                let v = arch.variant;
                let pre = |gate: usize, k: usize| from_x[gate * h + k] + from_h[gate * h + k];
                (0..h)
                    .map(|k| {
                        let i = sigmoid(pre(0, k));
                        let f = if v.forget_fixed {
                            1.0
                        } else {
                            sigmoid(pre(1, k))
                        };
                        let g = if v.sigmoid_g {
                            sigmoid(pre(2, k))
                        } else {
                            pre(2, k).tanh()
                        };
                        let o = if v.no_output_gate {
                            1.0
                        } else {
                            sigmoid(pre(3, k))
                        };
                        cell[k] = f * cell[k] + i * g;
                        o * cell[k].tanh()
                    })
                    .collect()
            }
        };
        out.push(state.clone());
    }
    out
}

/// The post's `relu(Linear(H → H))` of one state: `weight` `[H, H]` (PyTorch's `[out, in]`).
pub fn relu_layer(weight: &[f32], bias: &[f32], h: &[f64]) -> Vec<f64> {
    affine(weight, h, |r| bias[r] as f64)
        .into_iter()
        .map(|v| v.max(0.0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::arch::Variant;
    use crate::lstm::cell::CellGate;
    use crate::rng::Rng;

    fn weights(gates: usize, e: usize, h: usize, seed: u64) -> LstmWeights<f64> {
        let mut rng = Rng::stream(seed, 9);
        let mut d = |n: usize| (0..n).map(|_| rng.uniform_range(-0.8, 0.8)).collect();
        LstmWeights {
            input: e,
            hidden: h,
            weight_ih: d(gates * h * e),
            weight_hh: d(gates * h * h),
            bias_ih: d(gates * h),
            bias_hh: d(gates * h),
        }
    }

    fn xs(e: usize, t: usize) -> Vec<Vec<f64>> {
        (0..t)
            .map(|s| {
                (0..e)
                    .map(|k| ((s * 7 + k * 3) as f64 * 0.37).sin())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_lstm_is_the_stepper_cell_and_its_variants_change_it() {
        let w = weights(4, 3, 5, 1);
        let xs = xs(3, 6);
        let zeros = vec![0.0; 5];
        for (variant, gate) in [
            (Variant::default(), CellGate::Tanh),
            (
                Variant {
                    sigmoid_g: true,
                    ..Variant::default()
                },
                CellGate::Sigmoid,
            ),
        ] {
            let arch = Architecture {
                variant,
                ..Architecture::default()
            };
            let ours = hidden_states(&arch, &w, &xs);
            let cell = w.forward(&xs, &zeros, &zeros, gate);
            for (a, b) in ours.iter().zip(&cell) {
                for (x, y) in a.iter().zip(&b.h) {
                    assert!((x - y).abs() < 1e-14);
                }
            }
        }
        // o = 1: h = tanh(c) of the same c, so |h| ≥ the real cell's |h| unit by unit at step 1.
        let open = Architecture {
            variant: Variant {
                no_output_gate: true,
                ..Variant::default()
            },
            ..Architecture::default()
        };
        let real = hidden_states(&Architecture::default(), &w, &xs[..1]);
        let shown = hidden_states(&open, &w, &xs[..1]);
        for (r, s) in real[0].iter().zip(&shown[0]) {
            assert!(s.abs() > r.abs() && s.signum() == r.signum());
        }
    }

    #[test]
    fn the_gru_keeps_its_state_when_z_is_one_and_scales_the_recurrent_bias_by_r() {
        let (e, h) = (2, 3);
        let mut w = weights(3, e, h, 2);
        let xs = xs(e, 4);
        let arch = Architecture {
            cell: Cell::Gru,
            ..Architecture::default()
        };
        // By hand, step 1 from h = 0: n = tanh(W_in x + b_in + r ⊙ b_hn).
        let hs = hidden_states(&arch, &w, &xs);
        for k in 0..h {
            let dot =
                |rows: &[f64], r: usize| (0..e).map(|j| rows[r * e + j] * xs[0][j]).sum::<f64>();
            let r = sigmoid(dot(&w.weight_ih, k) + w.bias_ih[k] + w.bias_hh[k]);
            let z = sigmoid(dot(&w.weight_ih, h + k) + w.bias_ih[h + k] + w.bias_hh[h + k]);
            let n =
                (dot(&w.weight_ih, 2 * h + k) + w.bias_ih[2 * h + k] + r * w.bias_hh[2 * h + k])
                    .tanh();
            assert!((hs[0][k] - (1.0 - z) * n).abs() < 1e-14);
        }
        // z saturated at 1: every later state equals the first.
        for b in &mut w.bias_hh[h..2 * h] {
            *b = 1e3;
        }
        let hs = hidden_states(&arch, &w, &xs);
        assert!(
            hs.iter().all(|s| s.iter().all(|v| *v == 0.0)),
            "z = 1 keeps h0 = 0"
        );
    }

    #[test]
    fn the_plain_rnn_matches_the_blowup_labs_rnn() {
        let (e, h) = (3, 4);
        let w = weights(1, e, h, 3);
        let xs = xs(e, 5);
        let arch = Architecture {
            cell: Cell::Rnn,
            ..Architecture::default()
        };
        let lab = crate::lstm::rnn::RnnWeights {
            input: e,
            hidden: h,
            weight_ih: w.weight_ih.clone(),
            weight_hh: w.weight_hh.clone(),
            bias: w
                .bias_ih
                .iter()
                .zip(&w.bias_hh)
                .map(|(a, b)| a + b)
                .collect(),
        };
        for (a, b) in hidden_states(&arch, &w, &xs).iter().zip(lab.forward(&xs)) {
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-14);
            }
        }
    }
}
