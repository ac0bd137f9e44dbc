//! A trained model's cell in the Cell stepper, for every cell the Trainer trains: the LSTM (and
//! its post's relu output layer, shown as the stepper's "post's output layer"), the GRU and the
//! plain RNN, read by pooling or by the last state (the stepper shows the cell, not the head).
//! Only LSTM variants that change the gates themselves (σ candidate, f = 1, o = 1) are refused:
//! the stepper's cell would not be the model's.

use super::inspect::InspectError;
use super::{Architecture, Cell, ModelWeights, reference};
use crate::data::tokenizer::Tokenizer;
use crate::stepper::{PostOutput, StepperSetup};
use std::collections::BTreeMap;
use std::fmt;

/// Why a model does not open in the stepper.
#[derive(Clone, Debug, PartialEq)]
pub enum OpenError {
    /// An LSTM variant whose gates the stepper's cell does not compute: its description.
    Gates(String),
    Inspect(InspectError),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Gates(what) => write!(
                f,
                "the Cell stepper steps the real LSTM, GRU and plain RNN cells; this model is \
                 {what}, whose gates differ (its other views work)"
            ),
            OpenError::Inspect(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for OpenError {}

/// Whether the stepper can step this model's cell exactly.
pub fn check_stepper(arch: &Architecture) -> Result<(), OpenError> {
    match arch.cell != Cell::Lstm || arch.variant.is_real_cell() {
        true => Ok(()),
        false => Err(OpenError::Gates(arch.describe())),
    }
}

/// The model's cell on the words of `text` it reads: its weights (f64), each word's embedding row
/// as that word's input, and as start state the state after the padding positions in front, so
/// step `k` of the stepper is position `padding + k − 1` of the model and shows its numbers.
pub fn open_stepper(
    weights: &ModelWeights,
    tokenizer: &Tokenizer,
    maxlen: usize,
    text: &str,
) -> Result<StepperSetup, OpenError> {
    let arch = weights.config.arch;
    check_stepper(&arch)?;
    let ids = tokenizer.encode(text, maxlen);
    let padding = ids.iter().take_while(|&&id| id == 0).count();
    if padding == ids.len() {
        return Err(OpenError::Inspect(InspectError::NoWords));
    }
    let (hidden, e) = (weights.config.hidden, weights.config.embed);
    let row = |id: u32| -> Vec<f64> {
        let id = id as usize;
        weights.embedding[id * e..(id + 1) * e]
            .iter()
            .map(|&v| v as f64)
            .collect()
    };
    let cell_weights = weights.lstm.cast::<f64>();
    let zeros = vec![0.0; hidden];
    let pads: Vec<Vec<f64>> = ids[..padding].iter().map(|&id| row(id)).collect();
    let (h0, c0) = match arch.cell {
        // The LSTM's cell state too (the reference's LSTM keeps it private).
        Cell::Lstm => cell_weights
            .forward(&pads, &zeros, &zeros, Default::default())
            .last()
            .map_or((zeros.clone(), zeros.clone()), |s| {
                (s.h.clone(), s.c.clone())
            }),
        _ => (
            reference::hidden_states(&arch, &cell_weights, &pads)
                .pop()
                .unwrap_or_else(|| zeros.clone()),
            zeros.clone(),
        ),
    };
    let mut words = BTreeMap::new();
    let mut sequence = Vec::new();
    for &id in &ids[padding..] {
        let word = tokenizer.word(id).unwrap_or("?").to_string();
        words.insert(word.clone(), row(id));
        sequence.push(word);
    }
    // The post's relu layer of a model trained with it: the stepper's "post's output layer".
    let post_output = weights.out_layer.as_ref().map(|(w, b)| PostOutput {
        weight: w.iter().map(|&v| v as f64).collect(),
        bias: b.iter().map(|&v| v as f64).collect(),
        about: "The trained model's own relu(Linear(h)) layer, which its head pools.".into(),
    });
    Ok(StepperSetup {
        cell: arch.cell,
        weights: cell_weights,
        h0,
        c0,
        sequence: sequence.join(" "),
        words,
        note: format!(
            "The trained model's own {} ({hidden} units, inputs of {e}: each word's embedding) on \
             the {} words it reads of your review. It starts from the state after the {padding} \
             padding positions in front, as the model does, so the numbers are the heatmap's.",
            arch.cell.label(),
            ids.len() - padding
        ),
        words_only: true,
        post_output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::ModelConfig;
    use crate::stepper::cells::{AnyRun, run_any};

    fn model(arch: &str) -> ModelWeights {
        let arch = Architecture::parse(arch).unwrap();
        ModelWeights::init(ModelConfig::binary(20, 4, 5).with_arch(arch), 3)
    }

    fn tokenizer() -> Tokenizer {
        Tokenizer::fit(["good good film bad 10", "good film 10"], 20)
    }

    /// The stepper's states, step by step, against the classifier's reference over the whole
    /// padded row: step `k` is position `padding + k`.
    #[test]
    fn every_cell_continues_from_the_padding_with_the_reference_states() {
        for arch in [
            "gru",
            "rnn",
            "gru/last",
            "rnn/last",
            "lstm",
            "lstm+relu-out",
        ] {
            let w = model(arch);
            let text = "good film 10 10";
            let ids = tokenizer().encode(text, 7);
            let padding = 3;
            assert_eq!(ids[..padding], [0, 0, 0]);
            let setup = open_stepper(&w, &tokenizer(), 7, text).unwrap();
            assert_eq!(setup.cell, w.config.arch.cell);
            let want = w.reference_outputs(&ids).unwrap();
            let hs: Vec<Vec<f64>> = match run_any(&setup).unwrap() {
                AnyRun::Other(r) => r.steps.iter().map(|s| s.h().to_vec()).collect(),
                AnyRun::Lstm(r) => match &w.out_layer {
                    // The model pools y = relu(W h + b): the stepper's post output layer.
                    Some(_) => r.post_output.y.clone(),
                    None => r.steps.iter().map(|s| s.h.clone()).collect(),
                },
            };
            assert_eq!(hs.len(), 4, "{arch}: numbers read as words");
            for (k, h) in hs.iter().enumerate() {
                for (a, b) in h.iter().zip(&want[padding + k]) {
                    assert!((a - b).abs() < 1e-14, "{arch} step {k}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn only_lstms_with_other_gates_are_refused() {
        for arch in ["lstm+sigmoid-g", "lstm+forget-fixed", "lstm+no-output-gate"] {
            let e = open_stepper(&model(arch), &tokenizer(), 7, "good")
                .unwrap_err()
                .to_string();
            assert!(e.contains("whose gates differ"), "{arch}: {e}");
        }
        assert!(open_stepper(&model("lstm+forget-bias-1"), &tokenizer(), 7, "good").is_ok());
        assert_eq!(
            open_stepper(&model("gru"), &tokenizer(), 7, "zzz qqq").unwrap_err(),
            OpenError::Inspect(InspectError::NoWords)
        );
    }
}
