//! One file for a trained model: its vocabulary, its settings and its weights, so that it can
//! predict on new text anywhere (the page or the CLI).
//!
//! ```text
//! "LSTMLAB\0"  u32 version  u32 header length  header (JSON)  weights (f32, little-endian)
//! u64 FNV-1a checksum of everything before it
//! ```
//!
//! Version 2 names the classes (`classes` in the header) and may have a head of K outputs;
//! version 1, the post's binary negative/positive model, is still read and written as it was.
//!
//! The weights follow in the header's `tensors` order, in PyTorch's layouts.
//!
//! Needs no tensor library (only the plain types of [`crate::classifier`],
//! [`crate::classifier::record`] and [`crate::data`]): the page's first view loads model files too.

use crate::classifier::record::RunRecord;
use crate::classifier::{ModelConfig, ModelWeights};
use crate::data::tokenizer::Tokenizer;
use serde::{Deserialize, Serialize};
use std::fmt;

const MAGIC: &[u8; 8] = b"LSTMLAB\0";
/// The newest version this build reads and writes.
const VERSION: u32 = 3;

/// The version a header needs: 1 for what version 1 could say (no class names, one output).
/// The oldest version that holds the model, so older builds read what they can: 1 for the
/// post's binary LSTM, 2 with classes, 3 with another cell, readout or variant.
fn version_of(header: &Header) -> u32 {
    if !header.model.arch.is_post() {
        3
    } else if header.run.classes.is_empty() && header.model.outputs == 1 {
        1
    } else {
        2
    }
}

/// Everything but the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub model: ModelConfig,
    /// The run behind the model (its fields sit at the header's top level, as they always have).
    #[serde(flatten)]
    pub run: RunRecord,
    pub words: Vec<String>,
    /// `(name, shape)` of each weight, in file order.
    pub tensors: Vec<(String, Vec<usize>)>,
}

impl Header {
    fn new(model: ModelConfig, words: Vec<String>, run: RunRecord) -> Self {
        Self {
            model,
            run,
            words,
            tensors: shapes(&model),
        }
    }
}

/// A model ready to predict.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedModel {
    pub header: Header,
    pub weights: ModelWeights,
}

impl SavedModel {
    /// A model with its vocabulary and the run behind it, ready to [`Self::to_bytes`].
    pub fn new(weights: ModelWeights, words: Vec<String>, run: RunRecord) -> Self {
        Self {
            header: Header::new(weights.config, words, run),
            weights,
        }
    }

    pub fn tokenizer(&self) -> Tokenizer {
        Tokenizer::from_words(self.header.words.clone(), self.header.run.data.vocab)
    }

    /// The file's bytes (what [`save`] writes).
    pub fn to_bytes(&self) -> Vec<u8> {
        write(&self.header, &self.weights)
    }
}

#[derive(Debug, PartialEq)]
pub enum ModelFileError {
    NotAModel,
    NewerVersion(u32),
    Truncated { expected: usize, found: usize },
    Corrupt,
    BadHeader(String),
    Mismatch(String),
}

impl fmt::Display for ModelFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelFileError::NotAModel => write!(
                f,
                "this is not an LSTM Lab model file (it does not start with “LSTMLAB”)"
            ),
            ModelFileError::NewerVersion(v) => {
                write!(
                    f,
                    "this model file has format version {v}; this LSTM Lab reads version {VERSION}"
                )
            }
            ModelFileError::Truncated { expected, found } => write!(
                f,
                "the model file is cut short: {found} bytes, the format needs {expected} (was the download interrupted?)"
            ),
            ModelFileError::Corrupt => {
                write!(f, "the model file is damaged (its checksum does not match)")
            }
            ModelFileError::BadHeader(m) => {
                write!(f, "the model file's description cannot be read: {m}")
            }
            ModelFileError::Mismatch(m) => write!(f, "the model file does not fit together: {m}"),
        }
    }
}

impl std::error::Error for ModelFileError {}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn shapes(c: &ModelConfig) -> Vec<(String, Vec<usize>)> {
    c.parameters()
}

/// Serialise a model with its vocabulary and the run behind it.
pub fn save(weights: &ModelWeights, tokenizer: &Tokenizer, run: &RunRecord) -> Vec<u8> {
    let words = tokenizer.words.clone();
    write(&Header::new(weights.config, words, run.clone()), weights)
}

fn write(header: &Header, weights: &ModelWeights) -> Vec<u8> {
    // Plain structs, strings and numbers: serde_json cannot fail on them.
    let json = serde_json::to_vec(header).expect("header serialises");
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version_of(header).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    for part in weights.parts() {
        for v in part {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    let checksum = fnv1a(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

/// The largest embedding and hidden sizes training accepts (`crate::trainer`'s settings check).
pub const MAX_LAYER: usize = 1024;

/// Every setting in the header within the bounds training accepts: a model outside them cannot
/// have come from LSTM Lab, and within them every size product fits in 32 bits (wasm32).
pub(crate) fn check_settings(h: &Header) -> Result<(), ModelFileError> {
    let bad = |m: String| Err(ModelFileError::Mismatch(m));
    if let Err(e) = h.model.arch.validate() {
        return Err(ModelFileError::Mismatch(e));
    }
    if let Err(e) = h.run.data.validate() {
        return bad(format!("invalid data settings: {e}"));
    }
    for (name, v) in [
        ("embedding size", h.model.embed),
        ("hidden size", h.model.hidden),
    ] {
        if !(1..=MAX_LAYER).contains(&v) {
            return bad(format!("{name} {v} is outside 1–{MAX_LAYER}"));
        }
    }
    let outputs = h.model.outputs;
    if outputs == 2 || !(1..=MAX_CLASSES).contains(&outputs) {
        return bad(format!(
            "a head of {outputs} outputs (one for two classes, else one per class, 3–{MAX_CLASSES})"
        ));
    }
    let classes = &h.run.classes;
    if !classes.is_empty() {
        if classes.len() != h.model.classes() {
            return bad(format!(
                "{} class names for a model of {} classes",
                classes.len(),
                h.model.classes()
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(c) = classes
            .iter()
            .find(|c| c.trim().is_empty() || !seen.insert(*c))
        {
            return bad(format!("the class name “{c}” is empty or repeated"));
        }
    }
    // A valid checksum over no words: every review would be read as padding alone.
    if h.words.is_empty() {
        return bad(
            "its vocabulary is empty: it knows no words, so it would read every review as padding"
                .into(),
        );
    }
    Ok(())
}

/// The most classes a model file may name (as training allows).
const MAX_CLASSES: usize = 100;

pub fn load(bytes: &[u8]) -> Result<SavedModel, ModelFileError> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(ModelFileError::NotAModel);
    }
    let truncated = |expected| ModelFileError::Truncated {
        expected,
        found: bytes.len(),
    };
    if bytes.len() < 16 {
        return Err(truncated(16 + 8));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if !(1..=VERSION).contains(&version) {
        return Err(ModelFileError::NewerVersion(version));
    }
    let header_len = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as usize;
    // Checked: on wasm32 a usize is 32 bits, and the length comes from the file.
    let header_end = 16usize
        .checked_add(header_len)
        .ok_or(truncated(usize::MAX))?;
    let min_len = header_end.checked_add(8).ok_or(truncated(usize::MAX))?;
    if bytes.len() < min_len {
        return Err(truncated(min_len));
    }
    let header: Header = serde_json::from_slice(&bytes[16..header_end])
        .map_err(|e| ModelFileError::BadHeader(e.to_string()))?;
    check_settings(&header)?;
    if version < version_of(&header) {
        return Err(ModelFileError::Mismatch(format!(
            "a version {version} file cannot name classes, have {} outputs or hold a {} model",
            header.model.outputs,
            header.model.arch.describe()
        )));
    }
    if header.tensors != shapes(&header.model) {
        return Err(ModelFileError::Mismatch(format!(
            "the weight shapes {:?} are not those of a {} model with vocabulary {}, embedding {} and hidden size {}",
            header.tensors,
            header.model.arch.describe(),
            header.model.vocab,
            header.model.embed,
            header.model.hidden
        )));
    }
    if header.model.vocab != header.run.data.vocab {
        return Err(ModelFileError::Mismatch(format!(
            "the embedding has {} rows but the vocabulary setting is {}",
            header.model.vocab, header.run.data.vocab
        )));
    }
    if header.words.len() >= header.run.data.vocab {
        return Err(ModelFileError::Mismatch(format!(
            "{} words do not fit ids 1–{}",
            header.words.len(),
            header.run.data.vocab - 1
        )));
    }
    // Within the bounds `check_settings` enforces, at most 2.6 × 10⁸ bytes of weights.
    let floats: usize = header
        .tensors
        .iter()
        .map(|(_, s)| s.iter().product::<usize>())
        .sum();
    let expected = floats
        .checked_mul(4)
        .and_then(|w| w.checked_add(min_len))
        .ok_or(truncated(usize::MAX))?;
    if bytes.len() != expected {
        return Err(truncated(expected));
    }
    let body = &bytes[..expected - 8];
    let checksum = u64::from_le_bytes(bytes[expected - 8..].try_into().expect("8 bytes"));
    if fnv1a(body) != checksum {
        return Err(ModelFileError::Corrupt);
    }
    let mut values = bytes[header_end..expected - 8]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")));
    let mut take = |n: usize| -> Vec<f32> { values.by_ref().take(n).collect() };
    let weights = ModelWeights::from_parts(header.model, &mut take);
    // The checksum can be recomputed by anyone: the values are checked too.
    for ((name, _), values) in header.model.parameters().iter().zip(weights.parts()) {
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return Err(ModelFileError::Mismatch(format!(
                "weight {name} holds {} at index {k}; a model's weights are finite numbers",
                values[k]
            )));
        }
    }
    Ok(SavedModel { weights, header })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::DataConfig;

    fn example() -> (Vec<u8>, ModelWeights, Tokenizer) {
        let config = ModelConfig::binary(6, 3, 2);
        let weights = ModelWeights::init(config, 4);
        let tokenizer = Tokenizer::fit(["good film", "bad film", "good good"], 6);
        let data = DataConfig {
            vocab: 6,
            maxlen: 4,
            ..Default::default()
        };
        (
            save(&weights, &tokenizer, &RunRecord::imported(data, Vec::new())),
            weights,
            tokenizer,
        )
    }

    /// A three-class model with named classes: version 2, and back.
    #[test]
    fn a_k_class_model_round_trips_as_version_2() {
        let config = ModelConfig {
            outputs: 3,
            ..ModelConfig::binary(6, 3, 2)
        };
        let weights = ModelWeights::init(config, 4);
        let tokenizer = Tokenizer::fit(["good film", "bad film"], 6);
        let data = DataConfig {
            vocab: 6,
            maxlen: 4,
            ..Default::default()
        };
        let classes = vec!["neg".to_string(), "neutral".into(), "pos".into()];
        let bytes = save(
            &weights,
            &tokenizer,
            &RunRecord::imported(data, classes.clone()),
        );
        assert_eq!(bytes[8], 2, "version 2");
        let loaded = load(&bytes).unwrap();
        assert_eq!(loaded.weights, weights);
        assert_eq!(loaded.header.run.class_names(), classes);
        assert_eq!(loaded.header.tensors[5].1, [3, 4]);
        // Named binary models are version 2 too; unnamed ones stay version 1.
        let binary = ModelWeights::init(ModelConfig::binary(6, 3, 2), 4);
        let named = RunRecord::imported(data, vec!["ham".into(), "spam".into()]);
        assert_eq!(save(&binary, &tokenizer, &named)[8], 2);
        let mut v1 = save(
            &weights,
            &tokenizer,
            &RunRecord::imported(data, classes.clone()),
        );
        v1[8] = 1;
        // (The checksum no longer matches either, but the version is checked first.)
        assert!(load(&v1).is_err());
        let wrong = RunRecord::imported(data, vec!["a".into(), "b".into()]);
        assert_eq!(
            load(&save(&weights, &tokenizer, &wrong))
                .unwrap_err()
                .to_string(),
            "the model file does not fit together: 2 class names for a model of 3 classes"
        );
        let repeated = RunRecord::imported(data, vec!["a".into(), "b".into(), "a".into()]);
        assert!(
            load(&save(&weights, &tokenizer, &repeated))
                .unwrap_err()
                .to_string()
                .contains("“a” is empty or repeated")
        );
    }

    #[test]
    fn round_trip() {
        let (bytes, weights, tokenizer) = example();
        let loaded = load(&bytes).unwrap();
        assert_eq!(loaded.weights, weights);
        assert_eq!(
            loaded.tokenizer().ids("good bad film"),
            tokenizer.ids("good bad film")
        );
    }

    /// A file written before the model file's types moved out of the trainer (by
    /// `lstm-lab train --vocab 12 --maxlen 6 --embed 3 --hidden 2 --epochs 2 --batch 8 --save`):
    /// it still loads, and writes back byte for byte.
    #[test]
    fn reads_and_rewrites_a_version_1_file_exactly() {
        let bytes = include_bytes!("../../tests/fixtures/format_v1.lstmlab");
        let saved = load(bytes).unwrap();
        let h = &saved.header;
        assert_eq!((h.model.vocab, h.model.embed, h.model.hidden), (12, 3, 2));
        assert_eq!(h.run.data.maxlen, 6);
        assert_eq!(h.run.train.unwrap().batch, 8);
        assert_eq!(h.run.validated.as_ref().unwrap().epoch, 1);
        assert_eq!(saved.to_bytes(), bytes);
        let again = save(&saved.weights, &saved.tokenizer(), &h.run);
        assert_eq!(again, bytes);
    }

    #[test]
    fn damage_is_named() {
        let (bytes, ..) = example();
        assert_eq!(
            load(b"review,sentiment\n").unwrap_err(),
            ModelFileError::NotAModel
        );
        let cut = load(&bytes[..bytes.len() - 20]).unwrap_err().to_string();
        assert!(cut.starts_with("the model file is cut short"), "{cut}");
        let mut flipped = bytes.clone();
        let n = flipped.len();
        flipped[n - 12] ^= 0x40;
        assert_eq!(load(&flipped).unwrap_err(), ModelFileError::Corrupt);
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert_eq!(load(&newer).unwrap_err(), ModelFileError::NewerVersion(9));
        let mut header = bytes.clone();
        header[20] = b'!';
        assert!(matches!(
            load(&header).unwrap_err(),
            ModelFileError::BadHeader(_)
        ));
        // A well-formed file whose parts do not fit: 6 embedding rows, vocabulary setting 7.
        let weights = ModelWeights::init(ModelConfig::binary(6, 3, 2), 4);
        let tokenizer = Tokenizer::fit(["good film"], 6);
        let data = DataConfig {
            vocab: 7,
            maxlen: 4,
            ..Default::default()
        };
        let mismatched = save(&weights, &tokenizer, &RunRecord::imported(data, Vec::new()));
        assert_eq!(
            load(&mismatched).unwrap_err().to_string(),
            "the model file does not fit together: the embedding has 6 rows but the vocabulary setting is 7"
        );
    }

    /// A crafted file with a valid checksum: each impossible value is named, none panics.
    #[test]
    fn impossible_headers_and_weights_are_refused() {
        let (bytes, weights, _) = example();
        let header = load(&bytes).unwrap().header;
        let with = |edit: &dyn Fn(&mut Header, &mut ModelWeights)| {
            let (mut h, mut w) = (header.clone(), weights.clone());
            edit(&mut h, &mut w);
            load(&write(&h, &w)).unwrap_err().to_string()
        };
        assert_eq!(
            with(&|h, _| h.run.data.maxlen = 0),
            "the model file does not fit together: invalid data settings: sequence length 0 is outside 1–2048"
        );
        assert!(with(&|h, _| h.run.data.vocab = 0).contains("vocabulary 0 is outside 2–65536"));
        assert!(with(&|h, _| h.model.hidden = 5000).contains("hidden size 5000 is outside 1–1024"));
        assert!(with(&|h, _| h.model.embed = 0).contains("embedding size 0 is outside 1–1024"));
        assert_eq!(
            with(&|_, w| w.lstm.weight_hh[3] = f32::NAN),
            "the model file does not fit together: weight lstm.weight_hh holds NaN at index 3; a model's weights are finite numbers"
        );
        assert!(with(&|_, w| w.linear_bias[0] = f32::INFINITY).contains("linear.bias holds inf"));
        assert!(with(&|h, _| h.model.outputs = 2).contains("a head of 2 outputs"));
        // A header length near 2³²: cut short, not an overflow.
        let mut huge = bytes.clone();
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            load(&huge).unwrap_err(),
            ModelFileError::Truncated { .. }
        ));
    }
}
