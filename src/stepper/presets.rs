//! The Cell stepper's teaching presets: small hand-set cells that each show one behaviour of
//! the gates (remember, forget, write on a cue, France … French, a cell that subtracts), and
//! random weights.

use super::{PostOutput, StepperError, StepperSetup, round2};
use crate::classifier::Cell;
use crate::lstm::cell::LstmWeights;
use crate::rng::Rng;
use std::collections::BTreeMap;

/// The presets, by id, with their names for the menu.
pub const PRESETS: [(&str, &str); 6] = [
    ("remember", "Remember forever (f ≈ 1, i ≈ 0)"),
    ("forget", "Forget at once (f ≈ 0)"),
    ("write", "Write when the input fires"),
    ("france", "France … French: store early, read late"),
    ("reverse", "Good, then terrible: the cell subtracts"),
    ("random", "Random weights"),
];

fn single_unit(input: usize) -> LstmWeights<f64> {
    LstmWeights::zeros(input, 1)
}

/// Set the bias of gate `gate` (0 = i, 1 = f, 2 = g, 3 = o) of unit `unit`.
fn bias(w: &mut LstmWeights<f64>, gate: usize, unit: usize, value: f64) {
    w.bias_ih[gate * w.hidden + unit] = value;
}

/// Set the input weight from feature `k` into gate `gate` of unit `unit`.
fn input_weight(w: &mut LstmWeights<f64>, gate: usize, unit: usize, k: usize, value: f64) {
    let row = gate * w.hidden + unit;
    w.weight_ih[row * w.input + k] = value;
}

pub fn preset(name: &str, seed: u64) -> Result<StepperSetup, StepperError> {
    let mut words = BTreeMap::new();
    let setup = match name {
        "remember" => {
            let mut w = single_unit(1);
            bias(&mut w, 0, 0, -6.0); // i ≈ 0.002: nothing is written
            bias(&mut w, 1, 0, 6.0); // f ≈ 0.998: everything is kept
            input_weight(&mut w, 2, 0, 0, 1.0);
            bias(&mut w, 3, 0, 6.0);
            StepperSetup {
                cell: Cell::Lstm,
                words_only: false,
                weights: w,
                h0: vec![0.0],
                c0: vec![0.8],
                sequence: "0.5 -1 0.3 1 -0.7 0.2 0.9 -0.4".into(),
                words,
                note: "The cell starts holding 0.8. The forget gate is nearly 1 and the input gate nearly 0, so \
                       whatever arrives, c barely moves: ×0.998 per step, nothing added. This is how an LSTM \
                       carries information (and gradient) across many steps."
                    .into(),
                post_output: None,
            }
        }
        "forget" => {
            let mut w = single_unit(1);
            bias(&mut w, 0, 0, 6.0); // i ≈ 1
            bias(&mut w, 1, 0, -6.0); // f ≈ 0
            input_weight(&mut w, 2, 0, 0, 2.0);
            bias(&mut w, 3, 0, 6.0);
            StepperSetup {
                cell: Cell::Lstm,
                words_only: false,
                weights: w,
                h0: vec![0.0],
                c0: vec![0.8],
                sequence: "0.5 -1 0.3 1 -0.7 0.2 0.9 -0.4".into(),
                words,
                note: "The forget gate is nearly 0: each step wipes the cell and writes tanh(2·x) instead. \
                       c simply follows the latest input — no memory at all."
                    .into(),
                post_output: None,
            }
        }
        "write" => {
            let mut w = single_unit(1);
            input_weight(&mut w, 0, 0, 0, 12.0); // i opens only when x ≈ 1
            bias(&mut w, 0, 0, -6.0);
            bias(&mut w, 1, 0, 6.0); // keep what was written
            input_weight(&mut w, 2, 0, 0, 3.0); // write tanh(3x) ≈ 1
            bias(&mut w, 3, 0, 6.0);
            StepperSetup {
                cell: Cell::Lstm,
                words_only: false,
                weights: w,
                h0: vec![0.0],
                c0: vec![0.0],
                sequence: "0 0 0 1 0 0 0 0 1 0 0".into(),
                words,
                note: "The input gate's weight is 12 with bias −6, so i = σ(12x − 6) opens only when x fires \
                       (x = 1). Then tanh(3x) ≈ 1 is added to c, and f ≈ 1 keeps it. Zeros between change nothing. \
                       Try the post's sigmoid variant: it cannot write a negative value."
                    .into(),
                post_output: None,
            }
        }
        "france" => {
            // Two features: 0 = "a country", 1 = "time to name a language".
            let mut w = single_unit(2);
            input_weight(&mut w, 0, 0, 0, 12.0); // write when a country appears
            bias(&mut w, 0, 0, -6.0);
            bias(&mut w, 1, 0, 6.0); // keep it
            bias(&mut w, 2, 0, 3.0); // the value written: tanh(3) ≈ 1 ("French")
            input_weight(&mut w, 3, 0, 1, 12.0); // show it when the language cue comes
            bias(&mut w, 3, 0, -6.0);
            words.insert("france".into(), vec![1.0, 0.0]);
            words.insert("speak".into(), vec![0.0, 1.0]);
            StepperSetup {
                cell: Cell::Lstm,
                words_only: false,
                weights: w,
                h0: vec![0.0],
                c0: vec![0.0],
                sequence: "I grew up in France and had a wonderful childhood therefore I speak fluent French".into(),
                words,
                note: "The post's example. “France” has the country feature, so the input gate opens and the cell \
                       stores ≈ 1. For the next eight words the forget gate (σ(6) ≈ 0.998) keeps it while the \
                       output gate stays shut (h ≈ 0). At “speak” the output gate opens and h shows what was \
                       stored: the model can now predict “French”."
                    .into(),
                post_output: None,
            }
        }
        "reverse" => {
            // Two features: 0 = "an opinion word", 1 = its sign (+1 praise, −1 complaint).
            let mut w = single_unit(2);
            input_weight(&mut w, 0, 0, 0, 12.0); // write when an opinion word comes
            bias(&mut w, 0, 0, -6.0);
            bias(&mut w, 1, 0, 6.0); // keep the running total
            input_weight(&mut w, 2, 0, 1, 3.0); // write tanh(±3) ≈ ±1: add or subtract
            bias(&mut w, 3, 0, 6.0); // always show it
            for praise in ["good", "great", "wonderful"] {
                words.insert(praise.into(), vec![1.0, 1.0]);
            }
            for complaint in ["terrible", "dull", "boring", "bad"] {
                words.insert(complaint.into(), vec![1.0, -1.0]);
            }
            StepperSetup {
                cell: Cell::Lstm,
                words_only: false,
                weights: w,
                h0: vec![0.0],
                c0: vec![0.0],
                sequence: "a good start and a great cast but the ending was terrible dull and boring".into(),
                words,
                note: "A running opinion. Opinion words open the input gate, and g = tanh(3·sign) writes +1 for \
                       praise (good, great) and −1 for a complaint (terrible, dull, boring), while f ≈ 1 keeps the \
                       total: c climbs to ≈ 2, then the complaints subtract it back down to ≈ −1. Tick “Compare \
                       with the post's cell”: its g = σ(3·sign) is 0.95 or 0.05, never negative, so the complaints \
                       add too: its c climbs at every opinion word and only fades a little (×f) in \
                       between. Tick the post's output layer: at the end h is negative, and relu turns \
                       it into 0."
                    .into(),
                post_output: None,
            }
        }
        "random" => {
            let (e, h) = (3, 4);
            let mut rng = Rng::stream(seed, 0x57e9);
            let mut draw = |n: usize| -> Vec<f64> {
                (0..n)
                    .map(|_| round2(rng.uniform_range(-1.0, 1.0)))
                    .collect()
            };
            let weights = LstmWeights {
                input: e,
                hidden: h,
                weight_ih: draw(4 * h * e),
                weight_hh: draw(4 * h * h),
                bias_ih: draw(4 * h),
                bias_hh: vec![0.0; 4 * h],
            };
            let post_output = PostOutput {
                weight: draw(h * h),
                bias: draw(h),
                about: "W_p and b_p drawn from the preset's seed, in [−1, 1] like the cell's weights (the \
                        post's layer is learned; these stand in for it)."
                    .into(),
            };
            StepperSetup {
                cell: Cell::Lstm,
                words_only: false,
                weights,
                h0: vec![0.0; h],
                c0: vec![0.0; h],
                sequence: "the movie was not good at all".into(),
                words,
                note: "Random weights in [−1, 1] and a sentence whose words get fixed pseudo-random vectors. \
                       Edit any weight and watch every gate change."
                    .into(),
                post_output: Some(post_output),
            }
        }
        other => return Err(StepperError(format!("unknown preset “{other}”"))),
    };
    Ok(setup)
}
