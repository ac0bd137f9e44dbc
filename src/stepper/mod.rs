//! The Cell stepper's model: teaching presets, turning typed text into input vectors, and
//! running the reference cell over the sequence, with the blog post's two departures from a
//! real LSTM beside it:
//!
//! - its cell candidate is `g = σ(·)` instead of `tanh(·)` (`post_steps`): `g` can no longer be
//!   negative, so the cell can only add to `c`, never subtract;
//! - each of its steps outputs `y_t = relu(W_p h_t + b_p)` (an extra `Linear(H, H)` and a ReLU
//!   inside the cell), which the post's classifier pools instead of `h_t`, while `h_t` itself
//!   goes on to the next step ([`PostOutput`]): the recurrence is the same, the pooled outputs
//!   are never negative.

use crate::classifier::Cell;
use crate::lstm::cell::{CellGate, CellStep, LstmWeights};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

pub mod cell_presets;
pub mod cells;
mod presets;
pub use presets::{PRESETS, preset};

/// Up to a trained classifier's sizes: "Inside the model" opens its cell here.
pub const MAX_INPUT: usize = 256;
pub const MAX_HIDDEN: usize = 256;
pub const MAX_STEPS: usize = 200;

/// Everything the stepper needs: weights, start state, the typed sequence and the words the
/// preset knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepperSetup {
    /// Which cell the weights are for (`gates × H` rows); setups and links from before the
    /// GRU and plain RNN came are LSTMs.
    #[serde(default)]
    pub cell: Cell,
    pub weights: LstmWeights<f64>,
    pub h0: Vec<f64>,
    pub c0: Vec<f64>,
    /// What the user typed: numbers (`0.5 1 -1`, steps separated by `;` when the input has
    /// several features) or words.
    pub sequence: String,
    /// Input vectors for known words; other words get a fixed pseudo-random vector.
    pub words: BTreeMap<String, Vec<f64>>,
    /// One paragraph on what the preset shows.
    pub note: String,
    /// Read the sequence as words even when every word looks like a number (a trained model's
    /// review, where "10" is a word of its vocabulary).
    #[serde(default)]
    pub words_only: bool,
    /// The post's extra output layer; `None` means the identity with a zero bias, so that
    /// `y = relu(h)` shows what the ReLU alone removes (a trained model of this project has no
    /// such layer: the post's mistake is not copied).
    #[serde(default)]
    pub post_output: Option<PostOutput>,
}

/// The post's extra layer inside its cell: `y_t = relu(W_p h_t + b_p)`. Its output is what the
/// post's classifier pools (mean and max over time); `h_t` still feeds the next step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostOutput {
    /// `W_p`, `H × H`, row-major: row `k` makes `y_k`.
    pub weight: Vec<f64>,
    /// `b_p`, `H` long.
    pub bias: Vec<f64>,
    /// Where these numbers come from, for the page.
    #[serde(default)]
    pub about: String,
}

impl PostOutput {
    /// `W_p = I`, `b_p = 0`: then `y = relu(h)`.
    pub fn identity(hidden: usize) -> Self {
        let mut weight = vec![0.0; hidden * hidden];
        for k in 0..hidden {
            weight[k * hidden + k] = 1.0;
        }
        Self {
            weight,
            bias: vec![0.0; hidden],
            about: "W_p = I (the identity) and b_p = 0, a stand-in for the post's learned layer: \
                    here y = relu(h), so what changes is exactly what the ReLU removes."
                .into(),
        }
    }

    /// `(W_p h + b_p, relu(W_p h + b_p))` for one step's `h`.
    pub fn apply(&self, h: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = h.len();
        let pre: Vec<f64> = self
            .bias
            .iter()
            .enumerate()
            .map(|(k, &b)| {
                let row = &self.weight[k * n..(k + 1) * n];
                row.iter().zip(h).fold(b, |acc, (&w, &v)| acc + w * v)
            })
            .collect();
        let y = pre.iter().map(|&z| z.max(0.0)).collect();
        (pre, y)
    }
}

/// A typed sequence as the cell sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Encoded {
    /// Label of each step (the word or the numbers).
    pub tokens: Vec<String>,
    pub inputs: Vec<Vec<f64>>,
}

/// The cell run over the whole sequence, both ways.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepperRun {
    pub encoded: Encoded,
    /// The real LSTM (tanh candidate).
    pub steps: Vec<CellStep<f64>>,
    /// The post's variant (sigmoid candidate), same weights and inputs.
    pub post_steps: Vec<CellStep<f64>>,
    /// `i ⊙ g` per step, what the real cell writes into `c`: negative when it subtracts.
    pub written: Vec<Vec<f64>>,
    /// `i ⊙ g` of the post's σ-`g` cell: never negative, so its `c` can only grow unless `f`
    /// shrinks it.
    pub post_written: Vec<Vec<f64>>,
    /// The post's extra output layer over the real cell's `h_t`.
    pub post_output: PostOutputRun,
}

/// `y_t = relu(W_p h_t + b_p)` at every step, and what mean and max pooling over time make of
/// `h` and of `y` (the post's classifier pools `y`; a real LSTM classifier pools `h`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PostOutputRun {
    /// The `W_p` (`H × H`, row-major) and `b_p` used.
    pub weight: Vec<f64>,
    pub bias: Vec<f64>,
    pub about: String,
    /// `W_p h_t + b_p` per step.
    pub pre: Vec<Vec<f64>>,
    /// `relu` of it per step: never negative.
    pub y: Vec<Vec<f64>>,
    /// Per unit, over every step.
    pub h_mean: Vec<f64>,
    pub h_max: Vec<f64>,
    pub y_mean: Vec<f64>,
    pub y_max: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StepperError(pub String);

impl fmt::Display for StepperError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StepperError {}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A fixed vector in [−1, 1]^n for a word not in the preset's table.
pub fn word_vector(word: &str, n: usize) -> Vec<f64> {
    let hash = word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = Rng::stream(hash, 0x30d5);
    (0..n)
        .map(|_| round2(rng.uniform_range(-1.0, 1.0)))
        .collect()
}

/// Numbers (`;` between steps when there are several features) or words.
pub fn encode(setup: &StepperSetup) -> Result<Encoded, StepperError> {
    let e = setup.weights.input;
    let text = setup.sequence.trim();
    if text.is_empty() {
        return Err(StepperError(
            "type a sequence: numbers like “0 1 0.5” or words".into(),
        ));
    }
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let numeric = !setup.words_only
        && text
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|t| !t.is_empty())
            .all(|t| t.parse::<f64>().is_ok_and(f64::is_finite));
    let encoded = if numeric {
        let steps: Vec<Vec<f64>> = if e == 1 && !text.contains(';') {
            tokens
                .iter()
                .map(|t| vec![t.parse().expect("checked numeric")])
                .collect()
        } else {
            text.split(';')
                .map(|s| {
                    s.split(|c: char| c.is_whitespace() || c == ',')
                        .filter(|t| !t.is_empty())
                        .map(|t| t.parse().expect("checked numeric"))
                        .collect()
                })
                .collect()
        };
        for (t, v) in steps.iter().enumerate() {
            if v.len() != e {
                return Err(StepperError(format!(
                    "step {} has {} number{}, but the input size is {e}; separate steps with “;”",
                    t + 1,
                    v.len(),
                    if v.len() == 1 { "" } else { "s" }
                )));
            }
        }
        Encoded {
            tokens: steps
                .iter()
                .map(|v| {
                    v.iter()
                        .map(|x| format!("{x}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
            inputs: steps,
        }
    } else {
        let words: Vec<String> = tokens
            .iter()
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let inputs = words
            .iter()
            .map(|w| {
                setup
                    .words
                    .get(&w.to_lowercase())
                    .filter(|v| v.len() == e)
                    .cloned()
                    .unwrap_or_else(|| {
                        if setup.words.is_empty() {
                            word_vector(&w.to_lowercase(), e)
                        } else {
                            vec![0.0; e] // a preset with a word table: other words carry nothing
                        }
                    })
            })
            .collect();
        Encoded {
            tokens: words,
            inputs,
        }
    };
    if encoded.inputs.len() > MAX_STEPS {
        return Err(StepperError(format!(
            "{} steps is more than the stepper shows ({MAX_STEPS})",
            encoded.inputs.len()
        )));
    }
    Ok(encoded)
}

fn check(setup: &StepperSetup) -> Result<(), StepperError> {
    let w = &setup.weights;
    let (e, h) = (w.input, w.hidden);
    let gates = setup.cell.gates();
    if !(1..=MAX_INPUT).contains(&e) || !(1..=MAX_HIDDEN).contains(&h) {
        return Err(StepperError(format!(
            "input size {e} and hidden size {h} must be within 1–{MAX_INPUT} and 1–{MAX_HIDDEN}"
        )));
    }
    let sizes = [
        ("weight_ih", w.weight_ih.len(), gates * h * e),
        ("weight_hh", w.weight_hh.len(), gates * h * h),
        ("bias_ih", w.bias_ih.len(), gates * h),
        ("bias_hh", w.bias_hh.len(), gates * h),
        ("h0", setup.h0.len(), h),
        ("c0", setup.c0.len(), h),
    ];
    for (name, got, want) in sizes {
        if got != want {
            return Err(StepperError(format!(
                "{name} has {got} values; it needs {want}"
            )));
        }
    }
    let all = w
        .weight_ih
        .iter()
        .chain(&w.weight_hh)
        .chain(&w.bias_ih)
        .chain(&w.bias_hh)
        .chain(&setup.h0)
        .chain(&setup.c0);
    if all.clone().any(|v| !v.is_finite()) {
        return Err(StepperError("every weight must be a finite number".into()));
    }
    if let Some(p) = &setup.post_output {
        if p.weight.len() != h * h || p.bias.len() != h {
            return Err(StepperError(format!(
                "the post's output layer has {} weights and {} biases; it needs {} and {h}",
                p.weight.len(),
                p.bias.len(),
                h * h
            )));
        }
        if p.weight.iter().chain(&p.bias).any(|v| !v.is_finite()) {
            return Err(StepperError(
                "every weight of the post's output layer must be a finite number".into(),
            ));
        }
    }
    Ok(())
}

/// Resize a setup to new sizes, keeping the weights that still fit and zeroing new ones.
pub fn resize(setup: &StepperSetup, input: usize, hidden: usize) -> StepperSetup {
    let old = &setup.weights;
    let mut w = cells::zero_weights(setup.cell, input, hidden);
    for gate in 0..setup.cell.gates() {
        for r in 0..hidden.min(old.hidden) {
            let (new_row, old_row) = (gate * hidden + r, gate * old.hidden + r);
            for k in 0..input.min(old.input) {
                w.weight_ih[new_row * input + k] = old.weight_ih[old_row * old.input + k];
            }
            for k in 0..hidden.min(old.hidden) {
                w.weight_hh[new_row * hidden + k] = old.weight_hh[old_row * old.hidden + k];
            }
            w.bias_ih[new_row] = old.bias_ih[old_row];
            w.bias_hh[new_row] = old.bias_hh[old_row];
        }
    }
    let fit = |v: &[f64]| {
        (0..hidden)
            .map(|i| v.get(i).copied().unwrap_or(0.0))
            .collect()
    };
    // The post's layer keeps what fits; new units get the identity's row (y = relu(h) there).
    let post_output = setup.post_output.as_ref().map(|p| {
        let old_h = old.hidden;
        let mut out = PostOutput::identity(hidden);
        for r in 0..hidden.min(old_h) {
            for k in 0..hidden.min(old_h) {
                out.weight[r * hidden + k] = p.weight.get(r * old_h + k).copied().unwrap_or(0.0);
            }
            out.bias[r] = p.bias.get(r).copied().unwrap_or(0.0);
        }
        out.about = p.about.clone();
        out
    });
    StepperSetup {
        words_only: setup.words_only,
        weights: w,
        h0: fit(&setup.h0),
        c0: fit(&setup.c0),
        post_output,
        words: setup
            .words
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    (0..input)
                        .map(|i| v.get(i).copied().unwrap_or(0.0))
                        .collect(),
                )
            })
            .collect(),
        ..setup.clone()
    }
}

/// Run both cell variants over the sequence, and the post's output layer over the real one.
pub fn run(setup: &StepperSetup) -> Result<StepperRun, StepperError> {
    if setup.cell != Cell::Lstm {
        return Err(StepperError(format!(
            "this setup is a {}: run it with `cells::run`",
            setup.cell.label()
        )));
    }
    check(setup)?;
    let encoded = encode(setup)?;
    let w = &setup.weights;
    let steps = w.forward(&encoded.inputs, &setup.h0, &setup.c0, CellGate::Tanh);
    let post_steps = w.forward(&encoded.inputs, &setup.h0, &setup.c0, CellGate::Sigmoid);
    let written = |steps: &[CellStep<f64>]| -> Vec<Vec<f64>> {
        steps
            .iter()
            .map(|s| s.act.i.iter().zip(&s.act.g).map(|(i, g)| i * g).collect())
            .collect()
    };
    let post_output = post_output_run(
        setup
            .post_output
            .clone()
            .unwrap_or_else(|| PostOutput::identity(w.hidden)),
        &steps,
    );
    Ok(StepperRun {
        encoded,
        written: written(&steps),
        post_written: written(&post_steps),
        steps,
        post_steps,
        post_output,
    })
}

/// The post's output layer at every step of `steps`, and the pools over time.
fn post_output_run(layer: PostOutput, steps: &[CellStep<f64>]) -> PostOutputRun {
    let (pre, y): (Vec<_>, Vec<_>) = steps.iter().map(|s| layer.apply(&s.h)).unzip();
    let hidden = layer.bias.len();
    let pool = |rows: Vec<&Vec<f64>>| -> (Vec<f64>, Vec<f64>) {
        let n = rows.len().max(1) as f64;
        (0..hidden)
            .map(|k| {
                let column = rows.iter().map(|r| r[k]);
                (
                    column.clone().sum::<f64>() / n,
                    column.fold(f64::NEG_INFINITY, f64::max),
                )
            })
            .unzip()
    };
    let (h_mean, h_max) = pool(steps.iter().map(|s| &s.h).collect());
    let (y_mean, y_max) = pool(y.iter().collect());
    PostOutputRun {
        weight: layer.weight,
        bias: layer.bias,
        about: layer.about,
        pre,
        y,
        h_mean,
        h_max,
        y_mean,
        y_max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_runs() {
        for (id, _) in PRESETS {
            let setup = preset(id, 1).unwrap();
            let r = run(&setup).unwrap();
            assert!(!r.steps.is_empty(), "{id}");
            assert_eq!(r.steps.len(), r.post_steps.len());
        }
    }

    #[test]
    fn remember_keeps_and_forget_drops() {
        let r = run(&preset("remember", 1).unwrap()).unwrap();
        assert!((r.steps.last().unwrap().c[0] - 0.8).abs() < 0.02);
        let r = run(&preset("forget", 1).unwrap()).unwrap();
        let last_x = r.encoded.inputs.last().unwrap()[0];
        assert!((r.steps.last().unwrap().c[0] - (2.0 * last_x).tanh()).abs() < 0.01);
    }

    #[test]
    fn france_is_stored_early_and_read_late() {
        let r = run(&preset("france", 1).unwrap()).unwrap();
        let at = |w: &str| r.encoded.tokens.iter().position(|t| t == w).unwrap();
        let (france, speak) = (at("France"), at("speak"));
        assert!(r.steps[france].c[0] > 0.9, "stored at France");
        assert!(r.steps[france].h[0].abs() < 0.01, "but not shown yet");
        assert!(r.steps[speak - 1].c[0] > 0.9, "still there before speak");
        assert!(
            r.steps[speak].h[0] > 0.7,
            "read out at speak: {}",
            r.steps[speak].h[0]
        );
    }

    #[test]
    fn the_post_variant_cannot_write_negative_values() {
        let mut setup = preset("write", 1).unwrap();
        setup.sequence = "0 1 0 0".into();
        setup.weights.weight_ih[2] = -3.0; // g = tanh(−3x): write a negative value
        let r = run(&setup).unwrap();
        assert!(r.steps[1].c[0] < -0.9);
        assert!(
            r.post_steps[1].c[0] >= 0.0,
            "σ(·) > 0: the post's cell can only add"
        );
    }

    #[test]
    fn reverse_subtracts_and_the_post_cell_cannot() {
        let r = run(&preset("reverse", 1).unwrap()).unwrap();
        let last = r.steps.len() - 1;
        let at = |w: &str| r.encoded.tokens.iter().position(|t| t == w).unwrap();
        assert!(r.steps[at("great")].c[0] > 1.9, "praise adds up");
        assert!(r.written[at("terrible")][0] < -0.9, "a complaint subtracts");
        assert!(
            r.steps[last].c[0] < -0.9,
            "ends negative: {}",
            r.steps[last].c[0]
        );
        assert!(r.post_written.iter().all(|w| w[0] > 0.0), "σ-g writes > 0");
        assert!(
            r.post_steps[last].c[0] > 1.9,
            "the post's cell only climbs: {}",
            r.post_steps[last].c[0]
        );
        // The same run through the post's output layer (identity here): the negative ending
        // is gone from y, and from its pools.
        assert!(r.steps[last].h[0] < -0.7);
        assert_eq!(r.post_output.y[last][0], 0.0);
        assert!(r.post_output.h_mean[0] < r.post_output.y_mean[0]);
    }

    #[test]
    fn the_post_cell_never_decreases_when_f_is_one_and_the_real_one_can() {
        for id in ["reverse", "random"] {
            let mut setup = preset(id, 3).unwrap();
            let h = setup.weights.hidden;
            // σ(60 + at most a few) is 1.0 exactly in f64: c_t = c_{t−1} + i·g.
            for r in 0..h {
                setup.weights.bias_ih[h + r] = 60.0;
            }
            setup.c0 = vec![0.5; h];
            setup.sequence = "good terrible dull the a bad movie great boring plot".into();
            let r = run(&setup).unwrap();
            let mut real_decreased = false;
            for t in 0..r.steps.len() {
                let (prev, prev_post) = if t == 0 {
                    (&setup.c0, &setup.c0)
                } else {
                    (&r.steps[t - 1].c, &r.post_steps[t - 1].c)
                };
                for k in 0..h {
                    assert_eq!(r.post_steps[t].act.f[k], 1.0, "{id}: f = 1 exactly");
                    assert!(
                        r.post_steps[t].c[k] >= prev_post[k],
                        "{id}: the post's c went down at step {t}, unit {k}"
                    );
                    real_decreased |= r.steps[t].c[k] < prev[k];
                }
            }
            assert!(real_decreased, "{id}: the tanh cell subtracts somewhere");
        }
    }

    #[test]
    fn the_post_output_is_relu_of_a_projection_and_never_negative() {
        // By hand: W_p = [[1, −2], [0.5, 0.5]], b_p = [0.1, −0.3], h = [0.4, 0.3]:
        // W_p h + b_p = [0.4 − 0.6 + 0.1, 0.2 + 0.15 − 0.3] = [−0.1, 0.05] → y = [0, 0.05].
        let layer = PostOutput {
            weight: vec![1.0, -2.0, 0.5, 0.5],
            bias: vec![0.1, -0.3],
            about: String::new(),
        };
        let (pre, y) = layer.apply(&[0.4, 0.3]);
        assert!((pre[0] + 0.1).abs() < 1e-12 && (pre[1] - 0.05).abs() < 1e-12);
        assert_eq!(y[0], 0.0);
        assert!((y[1] - 0.05).abs() < 1e-12);
        assert_eq!(
            PostOutput::identity(3).apply(&[-0.5, 0.25, 0.0]).1,
            vec![0.0, 0.25, 0.0]
        );

        for (id, _) in PRESETS {
            let setup = preset(id, 5).unwrap();
            let r = run(&setup).unwrap();
            let o = &r.post_output;
            for (t, (y, pre)) in o.y.iter().zip(&o.pre).enumerate() {
                // The recurrence is untouched: y is computed from the real cell's h.
                assert_eq!(
                    layer_of(&setup).apply(&r.steps[t].h),
                    (pre.clone(), y.clone())
                );
                assert!(y.iter().all(|&v| v >= 0.0), "{id}: y ≥ 0");
            }
            assert!(
                o.y_max
                    .iter()
                    .zip(&o.y_mean)
                    .all(|(m, a)| *m >= 0.0 && *a >= 0.0)
            );
        }
    }

    fn layer_of(setup: &StepperSetup) -> PostOutput {
        setup
            .post_output
            .clone()
            .unwrap_or_else(|| PostOutput::identity(setup.weights.hidden))
    }

    #[test]
    fn the_post_layer_is_checked_and_resized() {
        let mut setup = preset("random", 1).unwrap();
        let bigger = resize(&setup, 3, 6);
        let p = bigger.post_output.as_ref().unwrap();
        assert_eq!((p.weight.len(), p.bias.len()), (36, 6));
        assert_eq!(
            p.weight[6 + 1],
            setup.post_output.as_ref().unwrap().weight[4 + 1]
        );
        assert_eq!(
            p.weight[5 * 6 + 5],
            1.0,
            "a new unit gets the identity's row"
        );
        assert_eq!(resize(&bigger, 3, 4).post_output, setup.post_output);
        setup.post_output.as_mut().unwrap().bias.pop();
        assert!(
            run(&setup)
                .unwrap_err()
                .to_string()
                .contains("post's output layer")
        );
    }

    #[test]
    fn sequences_parse_and_errors_say_where() {
        let mut setup = preset("france", 1).unwrap();
        setup.sequence = "1 0; 0 1 ; 0.5 0.5".into();
        assert_eq!(
            encode(&setup).unwrap().inputs,
            vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![0.5, 0.5]]
        );
        setup.sequence = "1 0; 1".into();
        assert_eq!(
            encode(&setup).unwrap_err().to_string(),
            "step 2 has 1 number, but the input size is 2; separate steps with “;”"
        );
        setup.sequence = "  ".into();
        assert!(encode(&setup).is_err());
        let random = preset("random", 1).unwrap();
        let e = encode(&random).unwrap();
        assert_eq!(e.inputs[0], word_vector("the", 3));
        assert_eq!(e.tokens.len(), 7);
    }

    #[test]
    fn resizing_keeps_what_fits() {
        let setup = preset("random", 2).unwrap();
        let bigger = resize(&setup, 5, 6);
        assert_eq!(bigger.weights.weight_ih[0], setup.weights.weight_ih[0]);
        assert_eq!(bigger.h0.len(), 6);
        let back = resize(&bigger, 3, 4);
        assert_eq!(back.weights, setup.weights);
    }
}
