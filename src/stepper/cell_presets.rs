//! The stepper's presets for the GRU and the plain RNN, each a small hand-set cell that shows one
//! thing a teacher can say out loud, and the menu of presets for any cell.
//!
//! - GRU **keep**: `z ≈ 1` copies the state, whatever arrives (the GRU's "forget gate near 1").
//! - GRU **overwrite**: `z ≈ 0` replaces it by the candidate at every step: no memory.
//! - GRU **reset**: a running opinion held by the recurrence, cleared when “but” shuts the reset
//!   gate (`r ≈ 0`: the candidate no longer sees the old state).
//! - RNN **fade**: a recurrent weight of 0.5 halves the state at every step, and the gradient
//!   back through time with it.
//! - RNN **saturate**: a recurrent weight of 3 holds the state at ≈ 1 — but in tanh's flat part,
//!   where the gradient through each step is ×0.03: it remembers but cannot learn from far back.

use super::{StepperError, StepperSetup, round2};
use crate::classifier::Cell;
use crate::lstm::cell::LstmWeights;
use crate::rng::Rng;
use std::collections::BTreeMap;

/// The GRU's presets, by id, with their names for the menu.
pub const GRU_PRESETS: [(&str, &str); 4] = [
    ("keep", "Keep the state (z ≈ 1)"),
    ("overwrite", "Overwrite at every step (z ≈ 0)"),
    ("reset", "“but” resets the opinion (r ≈ 0)"),
    ("random", "Random weights"),
];

/// The plain RNN's presets.
pub const RNN_PRESETS: [(&str, &str); 3] = [
    ("fade", "Fade away (w = 0.5)"),
    ("saturate", "Stuck at 1: remembers, cannot learn (w = 3)"),
    ("random", "Random weights"),
];

/// The presets of `cell`, by id, with their names.
pub fn presets(cell: Cell) -> &'static [(&'static str, &'static str)] {
    match cell {
        Cell::Lstm => &super::PRESETS,
        Cell::Gru => &GRU_PRESETS,
        Cell::Rnn => &RNN_PRESETS,
    }
}

/// Preset `id` of `cell` (random weights drawn from `seed`).
pub fn preset(cell: Cell, id: &str, seed: u64) -> Result<StepperSetup, StepperError> {
    match cell {
        Cell::Lstm => super::preset(id, seed),
        Cell::Gru => gru(id, seed),
        Cell::Rnn => rnn(id, seed),
    }
    .map_err(
        |StepperError(e)| match presets(cell).iter().any(|(p, _)| *p == id) {
            true => StepperError(e),
            false => StepperError(format!(
                "unknown preset “{id}” for the {}; its presets are {}",
                cell.label(),
                presets(cell)
                    .iter()
                    .map(|(p, _)| *p)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
    )
}

/// One unit, `input` features: every weight 0.
fn one_unit(cell: Cell, input: usize) -> LstmWeights<f64> {
    super::cells::zero_weights(cell, input, 1)
}

fn setup(
    cell: Cell,
    weights: LstmWeights<f64>,
    h0: f64,
    sequence: &str,
    note: &str,
) -> StepperSetup {
    StepperSetup {
        cell,
        weights,
        h0: vec![h0],
        c0: vec![0.0],
        sequence: sequence.into(),
        words: BTreeMap::new(),
        note: note.into(),
        words_only: false,
        post_output: None,
    }
}

/// Weights in [−1, 1] (two decimals, as the editor shows them) for `cell`, 3 inputs, 4 units.
fn random(cell: Cell, seed: u64) -> StepperSetup {
    let (e, h) = (3, 4);
    let mut rng = Rng::stream(seed, 0x6e11 + cell.gates() as u64);
    let mut w = super::cells::zero_weights(cell, e, h);
    for v in w
        .weight_ih
        .iter_mut()
        .chain(&mut w.weight_hh)
        .chain(&mut w.bias_ih)
    {
        *v = round2(rng.uniform_range(-1.0, 1.0));
    }
    StepperSetup {
        h0: vec![0.0; h],
        c0: vec![0.0; h],
        ..setup(
            cell,
            w,
            0.0,
            "the movie was not good at all",
            "Random weights in [−1, 1] and a sentence whose words get fixed pseudo-random \
             vectors. Edit any weight and watch every value change.",
        )
    }
}

// The GRU's rows: gate 0 = r, 1 = z, 2 = n (one unit, so row = gate).
const R: usize = 0;
const Z: usize = 1;
const N: usize = 2;

fn gru(id: &str, seed: u64) -> Result<StepperSetup, StepperError> {
    let cell = Cell::Gru;
    let pulses = "0.5 -1 0.3 1 -0.7 0.2 0.9 -0.4 1 1 -1 -1 0.6 0 0 -0.8 0.4 0.7 -0.2 1";
    Ok(match id {
        "keep" => {
            let mut w = one_unit(cell, 1);
            w.bias_ih[Z] = 11.0; // z = σ(11) ≈ 0.99998: keep
            w.weight_ih[N] = 2.0; // the candidate would follow the input…
            setup(
                cell,
                w,
                0.8,
                pulses,
                "The update gate z = σ(11) ≈ 0.99998, so h′ = z·h + (1 − z)·n is the old state \
                 almost exactly: the candidate n swings with every input, but only 0.002% of it \
                 gets in. Twenty steps later h is still 0.8. This is how a GRU carries a value (and \
                 its gradient) far: z plays the LSTM's forget gate, and keeping means NOT writing.",
            )
        }
        "overwrite" => {
            let mut w = one_unit(cell, 1);
            w.bias_ih[Z] = -10.0; // z ≈ 0: replace
            w.weight_ih[N] = 2.0; // n = tanh(2x)
            setup(
                cell,
                w,
                0.8,
                pulses,
                "The update gate z = σ(−10) ≈ 0, so h′ = n = tanh(2·x): the state is replaced \
                 by the candidate at every step and follows the latest input. The 0.8 it started \
                 with is gone after one step.",
            )
        }
        "reset" => {
            // Two features: 0 = an opinion (+1 praise, −1 complaint), 1 = “but”.
            let mut w = one_unit(cell, 2);
            w.weight_ih[R * 2 + 1] = -12.0; // r = σ(6 − 12·but): shut only at “but”
            w.bias_ih[R] = 6.0;
            w.bias_ih[Z] = -3.0; // z ≈ 0.05: mostly take the candidate
            w.weight_ih[N * 2] = 1.5; // n = tanh(1.5·opinion + r·2h)
            w.weight_hh[N] = 2.0; // the state feeds its own candidate: it holds itself
            let mut s = setup(
                cell,
                w,
                0.0,
                "a good cast and a great start but bad acting and a dull plot",
                "A running opinion held by the recurrence: the candidate n = tanh(1.5·opinion + \
                 r·2h) feeds the state back into itself, so after “good” h stays near 0.96 over \
                 the neutral words. At “but” the reset gate r = σ(6 − 12) shuts: the candidate \
                 no longer sees h, n = tanh(0) = 0, and the opinion is wiped. “bad” then sets it \
                 negative. r decides how much of the past the new candidate may look at.",
            );
            for praise in ["good", "great"] {
                s.words.insert(praise.into(), vec![1.0, 0.0]);
            }
            for complaint in ["bad", "dull"] {
                s.words.insert(complaint.into(), vec![-1.0, 0.0]);
            }
            s.words.insert("but".into(), vec![0.0, 1.0]);
            s
        }
        "random" => random(cell, seed),
        other => return Err(StepperError(format!("unknown preset “{other}”"))),
    })
}

fn rnn(id: &str, seed: u64) -> Result<StepperSetup, StepperError> {
    let cell = Cell::Rnn;
    Ok(match id {
        "fade" => {
            let mut w = one_unit(cell, 1);
            w.weight_ih[0] = 2.0;
            w.weight_hh[0] = 0.5;
            setup(
                cell,
                w,
                0.0,
                "1 0 0 0 0 0 0 0 0 0 0 0",
                "One pulse, then nothing. h′ = tanh(2·x + 0.5·h): the pulse makes h ≈ 0.96, and \
                 each empty step multiplies it by about 0.5 (tanh is nearly straight near 0). \
                 Ten steps on, it is a thousandth of that. The gradient back through time \
                 shrinks the same way: the last state barely depends on the first word, so the \
                 first word cannot be learned from. The LSTM and GRU keep it by gating, not \
                 by multiplying.",
            )
        }
        "saturate" => {
            let mut w = one_unit(cell, 1);
            w.weight_ih[0] = 3.0;
            w.weight_hh[0] = 3.0;
            setup(
                cell,
                w,
                0.0,
                "1 0 0 0 -0.5 0 0 0 -0.5 0 0 0",
                "A large recurrent weight: h′ = tanh(3·x + 3·h). One pulse pushes h to ≈ 0.995 \
                 and it stays there: 3 × 0.995 keeps tanh saturated, even through the −0.5 inputs. \
                 The RNN remembers! But tanh is flat there: each step passes on only \
                 3·(1 − h²) ≈ 0.03 of the gradient, so after a few steps nothing reaches the \
                 first word. A plain RNN can hold a value or learn from far back, not both.",
            )
        }
        "random" => random(cell, seed),
        other => return Err(StepperError(format!("unknown preset “{other}”"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stepper::cells::{CellValues, run};

    fn h_of(r: &crate::stepper::cells::CellRun) -> Vec<f64> {
        r.steps.iter().map(|s| s.h()[0]).collect()
    }

    #[test]
    fn every_preset_of_every_cell_runs() {
        for cell in Cell::ALL {
            for (id, _) in presets(cell) {
                let s = preset(cell, id, 3).unwrap();
                assert_eq!(s.cell, cell);
                let r = super::super::cells::run_any(&s);
                assert!(r.is_ok(), "{cell:?} {id}: {:?}", r.err());
            }
        }
        let e = preset(Cell::Rnn, "keep", 1).unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown preset “keep” for the plain RNN; its presets are fade, saturate, random"
        );
    }

    #[test]
    fn gru_keep_holds_the_state_for_twenty_steps() {
        let r = run(&preset(Cell::Gru, "keep", 1).unwrap()).unwrap();
        assert_eq!(r.steps.len(), 20);
        for (t, h) in h_of(&r).iter().enumerate() {
            assert!((h - 0.8).abs() < 0.002, "step {t}: h = {h}");
        }
        // …while the candidate swings with the input: it is z that keeps.
        let n: Vec<f64> = r
            .steps
            .iter()
            .map(|s| match s {
                CellValues::Gru(s) => s.n[0],
                _ => unreachable!(),
            })
            .collect();
        assert!(n.iter().any(|&v| v > 0.9) && n.iter().any(|&v| v < -0.9));
        assert!(r.gradient[0] > 0.99, "the gradient survives too");
    }

    #[test]
    fn gru_overwrite_follows_the_input() {
        let r = run(&preset(Cell::Gru, "overwrite", 1).unwrap()).unwrap();
        for (h, x) in h_of(&r).iter().zip(&r.encoded.inputs) {
            assert!(
                (h - (2.0 * x[0]).tanh()).abs() < 1e-3,
                "{h} vs x = {}",
                x[0]
            );
        }
    }

    #[test]
    fn gru_reset_wipes_the_opinion_at_but() {
        let r = run(&preset(Cell::Gru, "reset", 1).unwrap()).unwrap();
        let at = |w: &str| r.encoded.tokens.iter().position(|t| t == w).unwrap();
        let h = h_of(&r);
        let (but, bad) = (at("but"), at("bad"));
        assert!(h[at("good")..but].iter().all(|&v| v > 0.8), "held: {h:?}");
        assert!(h[but].abs() < 0.1, "wiped at but: {}", h[but]);
        let CellValues::Gru(s) = &r.steps[but] else {
            unreachable!()
        };
        assert!(s.r[0] < 0.01 && s.n[0].abs() < 0.01, "r shut, n sees no h");
        assert!(h[bad..].iter().all(|&v| v < -0.8), "then negative: {h:?}");
    }

    #[test]
    fn rnn_fade_halves_the_state_and_the_gradient() {
        let r = run(&preset(Cell::Rnn, "fade", 1).unwrap()).unwrap();
        let h = h_of(&r);
        assert!(h[0] > 0.95);
        for t in 1..h.len() {
            let ratio = h[t] / h[t - 1];
            assert!((0.45..=0.5).contains(&ratio), "step {t}: ×{ratio}");
        }
        assert!(h[10] < 1e-3 * h[0]);
        let g = &r.gradient;
        assert!(g[0] < 1e-3 * g[g.len() - 1], "{g:?}");
    }

    #[test]
    fn rnn_saturate_remembers_but_the_gradient_dies() {
        let r = run(&preset(Cell::Rnn, "saturate", 1).unwrap()).unwrap();
        let h = h_of(&r);
        assert!(h.iter().all(|&v| v > 0.85), "held through −0.5: {h:?}");
        let g = &r.gradient;
        // Where nothing pushes against it, each step passes on under 4% of the gradient.
        for t in [1, 2, 3, 6, 7, 10, 11] {
            assert!(g[t - 1] < 0.04 * g[t], "×{} at step {t}", g[t - 1] / g[t]);
        }
        assert!(g[0] < 1e-9 * g[g.len() - 1], "{g:?}");
    }
}
