//! The stepper's GRU and plain RNN: the same setup (weights in PyTorch's layout, start state,
//! typed sequence) run through the shared f64 steps of `crate::lstm::gru`, every step's values
//! kept for the page, and how much the last state still depends on each earlier one
//! (`‖∂(Σ_k h_T[k])/∂h_t‖`), the vanishing gradient the plain RNN is known for.

use super::{Encoded, StepperError, StepperRun, StepperSetup, check, encode};
use crate::classifier::Cell;
use crate::lstm::cell::LstmWeights;
use crate::lstm::gru::{GruStep, RnnStep, gru_back, gru_step, rnn_back, rnn_step};
use serde::Serialize;

/// One step's values, by cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CellValues {
    Gru(GruStep),
    Rnn(RnnStep),
}

impl CellValues {
    pub fn h(&self) -> &[f64] {
        match self {
            CellValues::Gru(s) => &s.h,
            CellValues::Rnn(s) => &s.h,
        }
    }
}

/// A GRU or plain RNN over the whole sequence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellRun {
    pub cell: Cell,
    pub encoded: Encoded,
    pub steps: Vec<CellValues>,
    /// `‖∂(Σ_k h_T[k])/∂h_t‖` for each step `t` (the last one is `√H`): how strongly the last
    /// state still depends on the state after step `t`.
    pub gradient: Vec<f64>,
}

/// What the stepper shows for a setup of any cell: the LSTM's run with the post's variants
/// beside it, or a GRU's or plain RNN's.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AnyRun {
    Lstm(Box<StepperRun>),
    Other(CellRun),
}

/// Zero weights with the rows `cell` needs (`gates × H`).
pub fn zero_weights(cell: Cell, input: usize, hidden: usize) -> LstmWeights<f64> {
    let rows = cell.gates() * hidden;
    LstmWeights {
        input,
        hidden,
        weight_ih: vec![0.0; rows * input],
        weight_hh: vec![0.0; rows * hidden],
        bias_ih: vec![0.0; rows],
        bias_hh: vec![0.0; rows],
    }
}

/// Run the setup's cell, whichever it is.
pub fn run_any(setup: &StepperSetup) -> Result<AnyRun, StepperError> {
    match setup.cell {
        Cell::Lstm => Ok(AnyRun::Lstm(Box::new(super::run(setup)?))),
        _ => Ok(AnyRun::Other(run(setup)?)),
    }
}

/// The GRU or plain RNN of `setup` over its sequence, from `h0`.
pub fn run(setup: &StepperSetup) -> Result<CellRun, StepperError> {
    if setup.cell == Cell::Lstm {
        return Err(StepperError(
            "this setup is an LSTM: the stepper runs it with the post's variants".into(),
        ));
    }
    check(setup)?;
    let encoded = encode(setup)?;
    let w = &setup.weights;
    let mut steps: Vec<CellValues> = Vec::with_capacity(encoded.inputs.len());
    for x in &encoded.inputs {
        let h = steps.last().map_or(&setup.h0[..], |s| s.h());
        let next = match setup.cell {
            Cell::Gru => CellValues::Gru(gru_step(w, x, h)),
            _ => CellValues::Rnn(rnn_step(w, x, h)),
        };
        steps.push(next);
    }
    // Backward from g = 1 at every unit of the last state.
    let mut g = vec![1.0; w.hidden];
    let mut gradient = vec![0.0; steps.len()];
    for t in (0..steps.len()).rev() {
        gradient[t] = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        if t == 0 {
            break;
        }
        let before = steps[t - 1].h();
        g = match &steps[t] {
            CellValues::Gru(s) => gru_back(w, s, before, &g),
            CellValues::Rnn(s) => rnn_back(w, s, &g),
        };
    }
    Ok(CellRun {
        cell: setup.cell,
        encoded,
        steps,
        gradient,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use std::collections::BTreeMap;

    fn sig(v: f64) -> f64 {
        1.0 / (1.0 + (-v).exp())
    }

    /// Row `r` of a row-major matrix with `cols` columns, dotted with `v`.
    fn row_dot(m: &[f64], r: usize, cols: usize, v: &[f64]) -> f64 {
        (0..cols).map(|j| m[r * cols + j] * v[j]).sum()
    }

    /// The GRU written out again from PyTorch's equations, independent of `crate::lstm::gru`.
    fn gru_by_hand(w: &LstmWeights<f64>, xs: &[Vec<f64>], h0: &[f64]) -> Vec<[Vec<f64>; 4]> {
        let (e, hs) = (w.input, w.hidden);
        let mut h = h0.to_vec();
        let mut out = Vec::new();
        for x in xs {
            let mut r = vec![0.0; hs];
            let mut z = vec![0.0; hs];
            let mut n = vec![0.0; hs];
            let mut next = vec![0.0; hs];
            for k in 0..hs {
                let ih = |gate: usize| {
                    row_dot(&w.weight_ih, gate * hs + k, e, x) + w.bias_ih[gate * hs + k]
                };
                let hh = |gate: usize| {
                    row_dot(&w.weight_hh, gate * hs + k, hs, &h) + w.bias_hh[gate * hs + k]
                };
                r[k] = sig(ih(0) + hh(0));
                z[k] = sig(ih(1) + hh(1));
                n[k] = (ih(2) + r[k] * hh(2)).tanh();
                next[k] = (1.0 - z[k]) * n[k] + z[k] * h[k];
            }
            h = next.clone();
            out.push([r, z, n, next]);
        }
        out
    }

    fn rnn_by_hand(w: &LstmWeights<f64>, xs: &[Vec<f64>], h0: &[f64]) -> Vec<[Vec<f64>; 2]> {
        let (e, hs) = (w.input, w.hidden);
        let mut h = h0.to_vec();
        xs.iter()
            .map(|x| {
                let pre: Vec<f64> = (0..hs)
                    .map(|k| {
                        row_dot(&w.weight_ih, k, e, x)
                            + w.bias_ih[k]
                            + row_dot(&w.weight_hh, k, hs, &h)
                            + w.bias_hh[k]
                    })
                    .collect();
                h = pre.iter().map(|v| v.tanh()).collect();
                [pre, h.clone()]
            })
            .collect()
    }

    fn random_setup(cell: Cell, seed: u64) -> StepperSetup {
        let (e, hs) = (3, 4);
        let mut rng = Rng::stream(seed, 77);
        let mut w = zero_weights(cell, e, hs);
        for v in w
            .weight_ih
            .iter_mut()
            .chain(&mut w.weight_hh)
            .chain(&mut w.bias_ih)
            .chain(&mut w.bias_hh)
        {
            *v = rng.uniform_range(-1.5, 1.5);
        }
        StepperSetup {
            cell,
            weights: w,
            h0: vec![0.3, -0.2, 0.0, 0.6],
            c0: vec![0.0; hs],
            sequence: "1 0 -1; 0.5 0.5 0.5; -1 2 0; 0 0 0; 0.3 -0.7 1".into(),
            words: BTreeMap::new(),
            note: String::new(),
            words_only: false,
            post_output: None,
        }
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-13) && a.len() == b.len()
    }

    #[test]
    fn the_gru_steps_equal_an_independent_gru() {
        let setup = random_setup(Cell::Gru, 1);
        let run = run(&setup).unwrap();
        let xs = &run.encoded.inputs;
        let want = gru_by_hand(&setup.weights, xs, &setup.h0);
        assert_eq!(run.steps.len(), 5);
        for (t, (step, [r, z, n, h])) in run.steps.iter().zip(&want).enumerate() {
            let CellValues::Gru(s) = step else {
                panic!("a GRU step")
            };
            assert!(close(&s.r, r) && close(&s.z, z), "r, z at step {t}");
            assert!(close(&s.n, n) && close(&s.h, h), "n, h at step {t}");
        }
    }

    #[test]
    fn the_rnn_steps_equal_an_independent_rnn() {
        let setup = random_setup(Cell::Rnn, 2);
        let run = run(&setup).unwrap();
        let want = rnn_by_hand(&setup.weights, &run.encoded.inputs, &setup.h0);
        for (step, [pre, h]) in run.steps.iter().zip(&want) {
            let CellValues::Rnn(s) = step else {
                panic!("an RNN step")
            };
            assert!(close(&s.pre, pre) && close(&s.h, h));
        }
    }

    /// `‖∂(Σ h_T)/∂h_t‖` against finite differences: nudge the state after step `t`, run the
    /// rest of the sequence by hand, read the change of `Σ h_T`.
    #[test]
    fn the_gradient_through_time_equals_finite_differences() {
        for cell in [Cell::Gru, Cell::Rnn] {
            let setup = random_setup(cell, 3);
            let run = run(&setup).unwrap();
            let xs = &run.encoded.inputs;
            let last = xs.len() - 1;
            let sum_last = |t: usize, h: &[f64]| -> f64 {
                let rest = &xs[t + 1..];
                let hs: Vec<f64> = match cell {
                    Cell::Gru => gru_by_hand(&setup.weights, rest, h)
                        .last()
                        .map_or(h.to_vec(), |s| s[3].clone()),
                    _ => rnn_by_hand(&setup.weights, rest, h)
                        .last()
                        .map_or(h.to_vec(), |s| s[1].clone()),
                };
                hs.iter().sum()
            };
            for t in 0..=last {
                let h = run.steps[t].h().to_vec();
                let eps = 1e-6;
                let norm = (0..h.len())
                    .map(|k| {
                        let mut up = h.clone();
                        let mut down = h.clone();
                        up[k] += eps;
                        down[k] -= eps;
                        let d = (sum_last(t, &up) - sum_last(t, &down)) / (2.0 * eps);
                        d * d
                    })
                    .sum::<f64>()
                    .sqrt();
                let got = run.gradient[t];
                assert!(
                    (got - norm).abs() < 1e-7 * norm.max(1.0),
                    "{cell:?} step {t}: {got} vs {norm}"
                );
            }
            assert!((run.gradient[last] - 2.0).abs() < 1e-15, "√H at the end");
        }
    }

    #[test]
    fn a_wrong_size_is_named_and_any_run_picks_the_cell() {
        let mut setup = random_setup(Cell::Gru, 4);
        setup.weights.bias_hh.pop();
        let e = run(&setup).unwrap_err().to_string();
        assert_eq!(e, "bias_hh has 11 values; it needs 12");
        let rnn = random_setup(Cell::Rnn, 4);
        assert!(matches!(run_any(&rnn).unwrap(), AnyRun::Other(_)));
        let mut lstm = random_setup(Cell::Rnn, 4);
        lstm.cell = Cell::Lstm;
        assert!(
            run_any(&lstm)
                .unwrap_err()
                .to_string()
                .contains("weight_ih"),
            "an RNN's weights are too few for an LSTM"
        );
    }
}
