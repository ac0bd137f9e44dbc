//! Inside a trained model: what its cell (LSTM, GRU or plain RNN: `crate::classifier::trace`)
//! did with every word of one review, and how its logit splits (`crate::classifier::split`,
//! which also splits the last-state readout's).
//!
//! The post's classifier reads one padded row of ids (`crate::classifier`) and ends in
//!
//! ```text
//! logit = b + Σ_j w_mean[j] · mean_t h_t[j] + Σ_j w_max[j] · max_t h_t[j]
//! ```
//!
//! That sum splits exactly, with no approximation, two ways:
//! - **by unit**: unit `j` adds `w_mean[j] · mean_j + w_max[j] · max_j`;
//! - **by position**: position `t` adds `Σ_j w_mean[j] · h_t[j] / T` (its share of every mean)
//!   plus `w_max[j] · max_j` for each unit `j` whose max-pool it won (the first position that
//!   reaches the maximum, as `argmax` picks).
//!
//! Padding positions are read by the model (the post pads at the front and pools over all
//! `T` steps), so they get their values and their contributions like any word.
//!
//! With K ≥ 3 classes the head has one such logit per class; the split is of one class's logit
//! (the predicted class unless another is asked for), with that class's weights and bias.
//!
//! Everything runs on the CPU reference cell in f64: these are the numbers the Cell stepper
//! shows for the same weights and inputs.

use crate::classifier::split::{split_last, split_pooled};
use crate::classifier::surgery::Surgery;
use crate::classifier::{ModelWeights, argmax, class_probabilities};
use crate::data::tokenizer::Tokenizer;
use crate::stepper::StepperSetup;
use serde::Serialize;
use std::fmt;

pub use super::trace::{Quantity, Trace};

/// What the model computed for one row of ids, and how its logit splits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inspection {
    pub steps: usize,
    pub hidden: usize,
    /// The model's cell and readout: which quantities there are and how the logit splits.
    pub cell: crate::classifier::Cell,
    pub readout: crate::classifier::Readout,
    /// The cell's per-step quantities, in the order the page lists them (`trace` has values
    /// for these).
    pub quantities: Vec<Quantity>,
    /// Not serialised: the page receives it as typed arrays (`crate::web`), 76,800 numbers at
    /// the post's size being too slow to pass as plain JS arrays.
    #[serde(skip)]
    pub trace: Trace,
    /// Pooling: `mean_t h_t[j]`, `[H]`; empty for the last-state readout.
    pub mean: Vec<f64>,
    /// Pooling: `max_t h_t[j]`, `[H]`; empty for the last-state readout.
    pub max: Vec<f64>,
    /// Pooling: the position whose `h` won unit `j`'s max-pool, `[H]`; empty for last state.
    pub winner: Vec<usize>,
    /// Each unit's share of the logit, `[H]`.
    pub unit_contribution: Vec<f64>,
    /// Units by the size of their share, largest first (ties keep unit order).
    pub unit_order: Vec<usize>,
    /// Pooling: each position's share of the logit through the mean-pool, `[T]`; empty for
    /// the last-state readout.
    pub mean_contribution: Vec<f64>,
    /// Pooling: each position's share through the max-pools it won, `[T]`; empty for last
    /// state.
    pub max_contribution: Vec<f64>,
    /// Each position's share of the logit, `[T]`: with `bias` these sum to `logit`. Pooling:
    /// `mean_contribution + max_contribution`; last state: how much reading the word moved the
    /// logit the head would read from the state then (`running_logit[t] − running_logit[t−1]`).
    pub word_contribution: Vec<f64>,
    /// Last state: the logit the head would give if the review stopped at each position,
    /// `bias + w · h_t`, `[T]` (its last is `logit`); empty for pooling.
    pub running_logit: Vec<f64>,
    pub bias: f64,
    pub logit: f64,
    /// Two classes: `σ(logit)`, P(positive); more: the softmax probability of `class`.
    pub probability: f64,
    /// The class whose logit is split (with two classes, 1: the positive one).
    pub class: usize,
    /// Every output's logit (one for two classes).
    pub logits: Vec<f64>,
    /// Every class's probability, by class id.
    pub probabilities: Vec<f64>,
    /// The most probable class.
    pub predicted: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InspectError {
    /// No positions at all (`maxlen` 0).
    Empty,
    /// An id the embedding has no row for.
    UnknownId {
        position: usize,
        id: u32,
        vocab: usize,
    },
    /// The text has no word of the vocabulary.
    NoWords,
    /// A class the model does not have.
    NoClass { class: usize, classes: usize },
    /// A model whose states this view cannot split per word: `what` it is.
    Unsupported(String),
    /// A surgery that does not fit the model: why.
    Surgery(String),
}

impl fmt::Display for InspectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InspectError::Empty => write!(f, "nothing to inspect: the row has no positions"),
            InspectError::NoWords => write!(
                f,
                "none of these words is in the model's vocabulary: the model reads only padding"
            ),
            InspectError::NoClass { class, classes } => write!(
                f,
                "class {class} is not one of the model's {classes} classes (0–{})",
                classes - 1
            ),
            InspectError::UnknownId {
                position,
                id,
                vocab,
            } => write!(
                f,
                "id {id} at position {position} is outside the model's vocabulary of {vocab}"
            ),
            InspectError::Unsupported(what) => write!(
                f,
                "this view reads LSTM models with mean ‖ max pooling; this model is {what}, whose \
                 per-word view is not built yet (its predictions work)"
            ),
            InspectError::Surgery(why) => f.write_str(why),
        }
    }
}

/// Run `ids` (one padded row) through the model on the reference cell and split its logit (a
/// K-class model's predicted class's).
pub fn inspect(weights: &ModelWeights, ids: &[u32]) -> Result<Inspection, InspectError> {
    inspect_class(weights, ids, None)
}

/// [`inspect`], splitting the logit of `class` (`None`: the predicted one). Two-class models
/// have one logit, whatever `class` says.
pub fn inspect_class(
    weights: &ModelWeights,
    ids: &[u32],
    class: Option<usize>,
) -> Result<Inspection, InspectError> {
    inspect_class_with(weights, ids, class, &Surgery::default())
}

/// What every per-row view refuses before it computes: a class the model lacks, an empty row,
/// an id outside the vocabulary (named by its position).
pub(crate) fn check_row(
    weights: &ModelWeights,
    ids: &[u32],
    class: Option<usize>,
) -> Result<(), InspectError> {
    let classes = weights.config.classes();
    if let Some(c) = class.filter(|&c| c >= classes) {
        return Err(InspectError::NoClass { class: c, classes });
    }
    if ids.is_empty() {
        return Err(InspectError::Empty);
    }
    let vocab = weights.config.vocab;
    if let Some((position, &id)) = ids
        .iter()
        .enumerate()
        .find(|(_, id)| **id as usize >= vocab)
    {
        return Err(InspectError::UnknownId {
            position,
            id,
            vocab,
        });
    }
    Ok(())
}

/// [`inspect_class`] of the model edited by `surgery` (see `crate::classifier::surgery`): the
/// trace holds the edited values, and the logit still splits exactly.
pub fn inspect_class_with(
    weights: &ModelWeights,
    ids: &[u32],
    class: Option<usize>,
    surgery: &Surgery,
) -> Result<Inspection, InspectError> {
    if !surgery.is_empty() {
        surgery
            .check_model(weights)
            .map_err(|e| InspectError::Surgery(e.to_string()))?;
    }
    check_row(weights, ids, class)?;
    let classes = weights.config.classes();
    let trace = super::trace::trace_with(weights, ids, surgery)
        .expect("every id was checked against the vocabulary");
    let (steps, hidden) = (ids.len(), weights.config.hidden);
    let split = match weights.config.arch.readout {
        crate::classifier::Readout::Pool => split_pooled(weights, trace.readout_input(), steps),
        crate::classifier::Readout::Last => split_last(weights, trace.readout_input(), steps),
    };
    let logits: Vec<f64> = (0..weights.config.outputs)
        .map(|o| split.logit_of(weights, o))
        .collect();
    let probabilities = class_probabilities(&logits);
    let predicted = argmax(&probabilities);
    let class = if classes == 2 {
        1
    } else {
        class.unwrap_or(predicted)
    };
    let output = if classes == 2 { 0 } else { class };
    let shares = split.shares(weights, output);
    let mut unit_order: Vec<usize> = (0..hidden).collect();
    unit_order.sort_by(|&a, &b| shares.unit[b].abs().total_cmp(&shares.unit[a].abs()));
    let bias = weights.head_row(output).1 as f64;
    let logit = bias + shares.unit.iter().sum::<f64>();
    let arch = weights.config.arch;
    Ok(Inspection {
        steps,
        hidden,
        cell: arch.cell,
        readout: arch.readout,
        quantities: trace.quantities.clone(),
        trace,
        mean: split.mean,
        max: split.max,
        winner: split.winner,
        unit_contribution: shares.unit,
        unit_order,
        mean_contribution: shares.mean,
        max_contribution: shares.max,
        word_contribution: shares.word,
        running_logit: shares.running,
        bias,
        logit,
        probability: if classes == 2 {
            1.0 / (1.0 + (-logit).exp())
        } else {
            probabilities[class]
        },
        class,
        logits,
        probabilities,
        predicted,
    })
}

/// One of the `maxlen` positions the model read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Position {
    pub id: u32,
    /// The word, or `None` for padding.
    pub word: Option<String>,
}

/// A word of the text as typed, and whether the model read it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextWord {
    pub word: String,
    /// Its position among the `maxlen` the model read; `None` when it is not in the vocabulary
    /// (the tokenizer drops it, as Keras does) or fell before the last `maxlen` kept words.
    pub position: Option<usize>,
    pub known: bool,
}

/// A text through the tokenizer and the model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextInspection {
    pub words: Vec<TextWord>,
    pub positions: Vec<Position>,
    /// How many of the positions are padding (they come first).
    pub padding: usize,
    pub inspection: Inspection,
}

/// `text`'s ids as training made them (kept words, the last `maxlen`, zeros in front), and how
/// many of them are padding.
pub(crate) fn padded(tokenizer: &Tokenizer, maxlen: usize, text: &str) -> (Vec<u32>, usize) {
    let ids = tokenizer.encode(text, maxlen);
    let padding = ids.iter().take_while(|&&id| id == 0).count();
    (ids, padding)
}

/// What a text view shows around its numbers: every position's id and word, and every word of
/// `text` with the position it was read at (none when dropped or cut off). Shared by the
/// inspection and the gradient view so their words line up.
pub(crate) fn text_layout(
    tokenizer: &Tokenizer,
    maxlen: usize,
    text: &str,
    ids: &[u32],
    padding: usize,
) -> (Vec<Position>, Vec<TextWord>) {
    let positions: Vec<Position> = ids
        .iter()
        .map(|&id| Position {
            id,
            word: (id != 0).then(|| tokenizer.word(id).unwrap_or("?").to_string()),
        })
        .collect();
    // The read words fill the positions after the padding, in order.
    let mut next = padding;
    let words: Vec<TextWord> = tokenizer
        .views(text, maxlen)
        .into_iter()
        .map(|t| TextWord {
            position: t.used.then(|| {
                next += 1;
                next - 1
            }),
            known: t.id.is_some(),
            word: t.word,
        })
        .collect();
    (positions, words)
}

/// Tokenize `text` as training did (kept words, the last `maxlen`, padded at the front) and
/// inspect it.
pub fn inspect_text(
    weights: &ModelWeights,
    tokenizer: &Tokenizer,
    maxlen: usize,
    text: &str,
) -> Result<TextInspection, InspectError> {
    inspect_text_class(weights, tokenizer, maxlen, text, None)
}

/// [`inspect_text`] for `class` (see [`inspect_class`]).
pub fn inspect_text_class(
    weights: &ModelWeights,
    tokenizer: &Tokenizer,
    maxlen: usize,
    text: &str,
    class: Option<usize>,
) -> Result<TextInspection, InspectError> {
    inspect_text_class_with(weights, tokenizer, maxlen, text, class, &Surgery::default())
}

/// [`inspect_text_class`] of the model edited by `surgery` (see [`inspect_class_with`]).
pub fn inspect_text_class_with(
    weights: &ModelWeights,
    tokenizer: &Tokenizer,
    maxlen: usize,
    text: &str,
    class: Option<usize>,
    surgery: &Surgery,
) -> Result<TextInspection, InspectError> {
    let (ids, padding) = padded(tokenizer, maxlen, text);
    let (positions, words) = text_layout(tokenizer, maxlen, text, &ids, padding);
    Ok(TextInspection {
        words,
        positions,
        padding,
        inspection: inspect_class_with(weights, &ids, class, surgery)?,
    })
}

/// The trained model's cell in the Cell stepper, on the words of `text` it reads (see
/// [`super::stepper_open::open_stepper`], which opens every cell; a refused LSTM variant comes
/// back as [`InspectError::Unsupported`]).
pub fn stepper_setup(
    weights: &ModelWeights,
    tokenizer: &Tokenizer,
    maxlen: usize,
    text: &str,
) -> Result<StepperSetup, InspectError> {
    use super::stepper_open::{OpenError, open_stepper};
    open_stepper(weights, tokenizer, maxlen, text).map_err(|e| match e {
        OpenError::Inspect(e) => e,
        OpenError::Gates(what) => InspectError::Unsupported(what),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::ModelConfig;

    fn model() -> ModelWeights {
        ModelWeights::init(ModelConfig::binary(20, 4, 5), 3)
    }

    /// A three-class model: each class's logit splits exactly, and matches the reference
    /// logits; the default is the predicted class.
    #[test]
    fn each_class_logit_splits_exactly() {
        let config = ModelConfig {
            outputs: 3,
            ..ModelConfig::binary(20, 4, 5)
        };
        let w = ModelWeights::init(config, 3);
        let ids = [0, 0, 4, 7, 19, 2];
        let reference = w.reference_logits(&ids).unwrap();
        let default = inspect(&w, &ids).unwrap();
        assert_eq!(default.class, default.predicted);
        for c in 0..3 {
            let x = inspect_class(&w, &ids, Some(c)).unwrap();
            assert!((x.logit - reference[c]).abs() < 1e-12);
            let by_word: f64 = x.bias + x.word_contribution.iter().sum::<f64>();
            assert!((by_word - reference[c]).abs() < 1e-12);
            let e: Vec<f64> = reference.iter().map(|z| z.exp()).collect();
            assert!((x.probability - e[c] / e.iter().sum::<f64>()).abs() < 1e-12);
        }
        assert_eq!(
            inspect_class(&w, &ids, Some(3)).unwrap_err().to_string(),
            "class 3 is not one of the model's 3 classes (0–2)"
        );
    }

    #[test]
    fn contributions_sum_to_the_logit_both_ways() {
        let w = model();
        let ids = [0, 0, 3, 7, 7, 19, 1, 2];
        let x = inspect(&w, &ids).unwrap();
        let by_word = x.bias + x.word_contribution.iter().sum::<f64>();
        let by_unit = x.bias + x.unit_contribution.iter().sum::<f64>();
        let reference = w.reference_logit(&ids).unwrap();
        assert!(
            (x.logit - reference).abs() < 1e-12,
            "{} vs {reference}",
            x.logit
        );
        assert!((by_word - reference).abs() < 1e-12);
        assert!((by_unit - reference).abs() < 1e-12);
        assert!((x.probability - 1.0 / (1.0 + (-reference).exp())).abs() < 1e-15);
    }

    #[test]
    fn the_trace_is_the_reference_cell_and_winners_hold_the_max() {
        let w = model();
        let ids = [0, 5, 6, 5];
        let x = inspect(&w, &ids).unwrap();
        let steps = w.reference_steps(&ids).unwrap();
        for (t, s) in steps.iter().enumerate() {
            for j in 0..5 {
                assert_eq!(x.trace.f[t * 5 + j], s.act.f[j]);
                assert_eq!(x.trace.g[t * 5 + j], s.act.g[j]);
                assert_eq!(x.trace.c[t * 5 + j], s.c[j]);
                assert_eq!(x.trace.h[t * 5 + j], s.h[j]);
            }
        }
        for j in 0..5 {
            let column: Vec<f64> = (0..4).map(|t| x.trace.h[t * 5 + j]).collect();
            assert_eq!(column[x.winner[j]], x.max[j]);
            assert!(
                column[..x.winner[j]].iter().all(|&v| v < x.max[j]),
                "first max wins"
            );
        }
        let sizes: Vec<f64> = x
            .unit_order
            .iter()
            .map(|&j| x.unit_contribution[j].abs())
            .collect();
        assert!(
            sizes.windows(2).all(|p| p[0] >= p[1]),
            "largest share first"
        );
        // The same id at the same state history gives different values at another time:
        // positions 1 and 3 both read id 5 but from different states.
        assert_ne!(x.trace.h[5], x.trace.h[15]);
    }

    #[test]
    fn a_bad_row_is_refused_with_the_reason() {
        let w = model();
        assert_eq!(inspect(&w, &[]), Err(InspectError::Empty));
        let err = inspect(&w, &[1, 20]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "id 20 at position 1 is outside the model's vocabulary of 20"
        );
    }

    #[test]
    fn text_positions_follow_the_tokenizer() {
        let w = model();
        let tokenizer = Tokenizer::fit(["good good film bad", "good film"], 20);
        let x = inspect_text(&w, &tokenizer, 4, "A good film, zzz bad good").unwrap();
        // Kept: good film bad good (4 ids), so no padding and "a", "zzz" are unknown.
        assert_eq!(x.padding, 0);
        let kept: Vec<_> = x.words.iter().filter_map(|w| w.position).collect();
        assert_eq!(kept, vec![0, 1, 2, 3]);
        assert!(!x.words[0].known && x.words[0].position.is_none());
        let short = inspect_text(&w, &tokenizer, 6, "good").unwrap();
        assert_eq!(short.padding, 5);
        assert_eq!(short.positions[5].word.as_deref(), Some("good"));
        assert!(
            short.positions[..5]
                .iter()
                .all(|p| p.word.is_none() && p.id == 0)
        );
        assert_eq!(short.words[0].position, Some(5));
        let long = inspect_text(&w, &tokenizer, 2, "good film bad").unwrap();
        assert_eq!(
            long.words[0].position, None,
            "cut: only the last 2 kept words are read"
        );
        assert_eq!(long.words[2].position, Some(1));
    }

    #[test]
    fn the_stepper_continues_from_the_padding_with_the_same_numbers() {
        let w = model();
        let tokenizer = Tokenizer::fit(["good good film bad 10", "good film 10"], 20);
        let x = inspect_text(&w, &tokenizer, 7, "good film 10 10").unwrap();
        let setup = stepper_setup(&w, &tokenizer, 7, "good film 10 10").unwrap();
        assert_eq!(x.padding, 3);
        assert_eq!(setup.sequence, "good film 10 10");
        let run = crate::stepper::run(&setup).unwrap();
        assert_eq!(run.steps.len(), 4, "numbers read as words");
        for (k, step) in run.steps.iter().enumerate() {
            for j in 0..5 {
                let at = (x.padding + k) * 5 + j;
                assert_eq!(step.act.i[j], x.inspection.trace.i[at]);
                assert_eq!(step.c[j], x.inspection.trace.c[at]);
                assert_eq!(step.h[j], x.inspection.trace.h[at]);
            }
        }
        assert_eq!(
            stepper_setup(&w, &tokenizer, 7, "zzz qqq").unwrap_err(),
            InspectError::NoWords
        );
    }
}
