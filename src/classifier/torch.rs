//! PyTorch in and out: a model as `model.safetensors` with the names of PyTorch's
//!
//! ```python
//! class SentimentClassifier(torch.nn.Module):
//!     def __init__(self, vocab, embed, hidden):
//!         super().__init__()
//!         self.embedding = torch.nn.Embedding(vocab, embed)
//!         self.lstm = torch.nn.LSTM(embed, hidden, batch_first=True)
//!         self.linear = torch.nn.Linear(2 * hidden, outputs)  # 1 for two classes, else K
//!
//!     def forward(self, ids):
//!         out, _ = self.lstm(self.embedding(ids))
//!         pooled = torch.cat([out.mean(dim=1), out.max(dim=1).values], dim=1)
//!         return self.linear(pooled)  # [B, outputs]
//! ```
//!
//! (`tests/fixtures/make_torch_model.py`), so `load_state_dict(strict=True)` takes it, plus the
//! vocabulary as `vocab.json` in Keras's `word_index` layout.
//!
//! **Weights.** [`ModelWeights`] already holds PyTorch's layouts, so every tensor is copied as
//! it is, in float32: `embedding.weight` `[V, E]`; `lstm.weight_ih_l0` `[4H, E]`,
//! `lstm.weight_hh_l0` `[4H, H]`, `lstm.bias_ih_l0` and `lstm.bias_hh_l0` `[4H]`, gates stacked
//! i, f, g, o and both biases kept (as PyTorch does; the cell adds them); `linear.weight`
//! `[O, 2H]` (the H mean-pooled units first, then the H max-pooled ones) and `linear.bias` `[O]`,
//! O = 1 for two classes, K for K ≥ 3. The class names travel as `labels.json`, a list in class
//! id order (with two classes the second is the positive one).
//! The header's metadata carries `maxlen`, which neither PyTorch file otherwise records.
//!
//! **Vocabulary.** `vocab.json` is `{"word": index, …}`, Keras's `tokenizer.word_index`: the most
//! frequent training word has index 1, and an index is the word's row of `embedding.weight`; 0 is
//! padding and names no word. Our tokenizer keeps words `1 … V − 1` ([`Tokenizer::words`]`[i]`
//! has id `i + 1`), so an export lists exactly those. An import takes the indices below `V` and
//! ignores the rest, as Keras' `num_words = V` does with a full `word_index`; the kept indices must
//! run 1, 2, 3… without a gap.
//!
//! Every function here takes and returns bytes or plain structs (no files), so the page can call
//! them too; the CLI's `export` and `import` read and write the files.
//!
//! [`Tokenizer::words`]: crate::data::tokenizer::Tokenizer::words

use crate::classifier::arch::{Architecture, Cell, Readout, Variant};
use crate::classifier::file::SavedModel;
use crate::classifier::record::RunRecord;
use crate::classifier::{ModelConfig, ModelWeights};
use crate::data::DataConfig;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use std::fmt;

pub const MODEL_FILE: &str = "model.safetensors";
pub const VOCAB_FILE: &str = "vocab.json";
pub const LABELS_FILE: &str = "labels.json";

pub const EMBEDDING: &str = "embedding.weight";
pub const WEIGHT_IH: &str = "lstm.weight_ih_l0";
pub const WEIGHT_HH: &str = "lstm.weight_hh_l0";
pub const BIAS_IH: &str = "lstm.bias_ih_l0";
pub const BIAS_HH: &str = "lstm.bias_hh_l0";
pub const LINEAR_WEIGHT: &str = "linear.weight";
pub const LINEAR_BIAS: &str = "linear.bias";
/// Every tensor of the model, in `state_dict` order.
pub const NAMES: [&str; 7] = [
    EMBEDDING,
    WEIGHT_IH,
    WEIGHT_HH,
    BIAS_IH,
    BIAS_HH,
    LINEAR_WEIGHT,
    LINEAR_BIAS,
];

/// The metadata key for the sequence length.
const MAXLEN_KEY: &str = "maxlen";
/// The metadata key for a model other than the post's: `Architecture::describe`'s form.
const ARCH_KEY: &str = "lstm_lab_arch";

/// The two files of an export.
#[derive(Clone, Debug, PartialEq)]
pub struct TorchFiles {
    /// `model.safetensors`.
    pub model: Vec<u8>,
    /// `vocab.json`.
    pub vocab: Vec<u8>,
    /// `labels.json`.
    pub labels: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TorchIoError {
    NotSafetensors(String),
    /// A tensor this model does not have (a wrong name, or another layer); `missing` lists the
    /// expected names the file lacks, usually the right spelling.
    Unexpected {
        name: String,
        missing: Vec<String>,
    },
    Missing(String),
    Dtype {
        name: String,
        found: String,
    },
    Shape {
        name: String,
        expected: String,
        found: Vec<usize>,
    },
    NotFinite {
        name: String,
        index: usize,
        value: f32,
    },
    Vocab(String),
    Labels(String),
    Settings(String),
    Export(String),
}

impl fmt::Display for TorchIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The names of the cell the message is about (the LSTM's unless it names another).
        let about: Vec<&str> = match self {
            TorchIoError::Unexpected { name, missing } => std::iter::once(name.as_str())
                .chain(missing.iter().map(String::as_str))
                .collect(),
            TorchIoError::Missing(name) => vec![name.as_str()],
            _ => Vec::new(),
        };
        let cell = Cell::ALL
            .into_iter()
            .find(|c| {
                about
                    .iter()
                    .any(|n| n.starts_with(&format!("{}.", c.name())))
            })
            .unwrap_or_default();
        let names = torch_names(&ModelConfig::binary(1, 1, 1).with_arch(Architecture {
            cell,
            ..Architecture::default()
        }))
        .join(", ");
        match self {
            TorchIoError::NotSafetensors(m) => {
                write!(f, "{MODEL_FILE} cannot be read as safetensors: {m}")
            }
            TorchIoError::Unexpected { name, missing } => {
                write!(
                    f,
                    "{MODEL_FILE} has a tensor `{name}` that this model does not have \
                     (its tensors are {names})"
                )?;
                if !missing.is_empty() {
                    write!(f, "; missing: `{}`", missing.join("`, `"))?;
                }
                Ok(())
            }
            TorchIoError::Missing(name) => write!(
                f,
                "{MODEL_FILE} has no tensor `{name}` (the model needs {names})"
            ),
            TorchIoError::Dtype { name, found } => write!(
                f,
                "tensor `{name}` is {found}; only F32 is accepted (in PyTorch, call model.float() before saving)"
            ),
            TorchIoError::Shape {
                name,
                expected,
                found,
            } => write!(
                f,
                "tensor `{name}` has shape {found:?}; expected {expected}"
            ),
            TorchIoError::NotFinite { name, index, value } => write!(
                f,
                "tensor `{name}` holds {value} at index {index}; a model needs finite weights"
            ),
            TorchIoError::Vocab(m) => write!(f, "{VOCAB_FILE}: {m}"),
            TorchIoError::Labels(m) => write!(f, "{LABELS_FILE}: {m}"),
            TorchIoError::Settings(m) => write!(f, "{m}"),
            TorchIoError::Export(m) => write!(f, "cannot write {MODEL_FILE}: {m}"),
        }
    }
}

impl std::error::Error for TorchIoError {}

/// PyTorch's name of each of [`ModelConfig::parameters`]: the cell's get `_l0` (layer 0).
pub fn torch_names(config: &ModelConfig) -> Vec<String> {
    let cell = format!("{}.", config.arch.cell.name());
    config
        .parameters()
        .into_iter()
        .map(|(name, _)| match name.starts_with(&cell) {
            true => format!("{name}_l0"),
            false => name,
        })
        .collect()
}

/// The weights as `model.safetensors`, `maxlen` in its metadata, and the architecture too when
/// it is not the post's (a variant that changes the cell is not in PyTorch's modules' names).
pub fn to_safetensors(weights: &ModelWeights, maxlen: usize) -> Result<Vec<u8>, TorchIoError> {
    let config = weights.config;
    let names = torch_names(&config);
    let shapes: Vec<Vec<usize>> = config.parameters().into_iter().map(|(_, s)| s).collect();
    let parts = weights.parts();
    let bytes: Vec<Vec<u8>> = parts
        .iter()
        .map(|values| values.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let views = names
        .iter()
        .zip(&shapes)
        .zip(&bytes)
        .map(|((name, shape), data)| {
            TensorView::new(Dtype::F32, shape.clone(), data)
                .map(|view| (name.as_str(), view))
                .map_err(|e| TorchIoError::Export(format!("`{name}`: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut metadata = vec![
        ("format", "pt".to_string()),
        (MAXLEN_KEY, maxlen.to_string()),
    ];
    if !config.arch.is_post() {
        metadata.push((ARCH_KEY, config.arch.describe()));
    }
    // `collect` builds whichever map type safetensors was compiled with (std's or hashbrown's).
    let metadata = metadata
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    safetensors::serialize(views, Some(metadata)).map_err(|e| TorchIoError::Export(e.to_string()))
}

/// `{"word": index, …}` in index order, one word a line.
pub fn vocab_json(words: &[String]) -> Vec<u8> {
    let mut out = String::from("{");
    for (i, word) in words.iter().enumerate() {
        let sep = if i == 0 { "\n" } else { ",\n" };
        out += &format!("{sep}{}: {}", serde_json::Value::from(word.as_str()), i + 1);
    }
    out += "\n}\n";
    out.into_bytes()
}

/// Both files of a saved model.
pub fn export(saved: &SavedModel) -> Result<TorchFiles, TorchIoError> {
    Ok(TorchFiles {
        model: to_safetensors(&saved.weights, saved.header.run.data.maxlen)?,
        vocab: vocab_json(&saved.header.words),
        labels: serde_json::to_vec_pretty(&saved.header.run.class_names())
            .expect("a list of strings serialises"),
    })
}

fn read(bytes: &[u8]) -> Result<SafeTensors<'_>, TorchIoError> {
    SafeTensors::deserialize(bytes).map_err(|e| TorchIoError::NotSafetensors(e.to_string()))
}

/// The floats of one F32 tensor whose shape was checked.
fn floats(file: &SafeTensors, name: &str) -> Result<Vec<f32>, TorchIoError> {
    let view = file
        .tensor(name)
        .map_err(|_| TorchIoError::Missing(name.to_string()))?;
    let values: Vec<f32> = view
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(TorchIoError::NotFinite {
            name: name.to_string(),
            index,
            value,
        });
    }
    Ok(values)
}

/// The cell, readout and variants of the file: as its metadata records them (an export of
/// ours), else from its names — the cell from `lstm.` / `gru.` / `rnn.`, the post's `out`
/// layer from `out.weight` — and the readout from `linear.weight`'s width (2H pooled, H last).
fn arch_of(file: &SafeTensors, metadata: Option<&str>) -> Result<Architecture, TorchIoError> {
    if let Some(described) = metadata {
        return Architecture::parse(described).map_err(|e| {
            TorchIoError::Settings(format!("{MODEL_FILE}: its metadata's {ARCH_KEY}: {e}"))
        });
    }
    let names = file.names();
    let cell = Cell::ALL
        .into_iter()
        .find(|c| {
            names
                .iter()
                .any(|n| n.starts_with(&format!("{}.", c.name())))
        })
        .unwrap_or_default();
    let shape = |name: &str| file.tensor(name).ok().map(|t| t.shape().to_vec());
    let hidden = shape(&format!("{}.weight_hh_l0", cell.name())).and_then(|s| s.get(1).copied());
    let width = shape(LINEAR_WEIGHT).and_then(|s| s.get(1).copied());
    let readout = match (hidden, width) {
        (Some(h), Some(w)) if w == h && h > 0 => Readout::Last,
        _ => Readout::Pool,
    };
    let variant = Variant {
        relu_out: names.contains(&"out.weight"),
        ..Variant::default()
    };
    Ok(Architecture {
        cell,
        readout,
        variant,
    })
}

/// Every name present and known for `arch`, every tensor F32.
fn check_names_and_dtypes(file: &SafeTensors, arch: Architecture) -> Result<(), TorchIoError> {
    let expected = torch_names(&ModelConfig::binary(1, 1, 1).with_arch(arch));
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let mut present = file.names();
    present.sort();
    let missing: Vec<String> = expected
        .iter()
        .filter(|n| !present.contains(n))
        .map(|n| n.to_string())
        .collect();
    if let Some(name) = present.iter().find(|n| !expected.contains(n)) {
        return Err(TorchIoError::Unexpected {
            name: name.to_string(),
            missing,
        });
    }
    if let Some(name) = missing.first() {
        return Err(TorchIoError::Missing(name.clone()));
    }
    for name in expected {
        let dtype = file
            .tensor(name)
            .map_err(|_| TorchIoError::Missing(name.to_string()))?
            .dtype();
        if dtype != Dtype::F32 {
            return Err(TorchIoError::Dtype {
                name: name.to_string(),
                found: format!("{dtype:?}"),
            });
        }
    }
    Ok(())
}

/// The layer sizes: vocabulary and embedding from `embedding.weight`, hidden from
/// `lstm.weight_hh_l0`; then every other shape must agree with them.
fn sizes(file: &SafeTensors, arch: Architecture) -> Result<ModelConfig, TorchIoError> {
    let shape = |name: &str| -> Result<Vec<usize>, TorchIoError> {
        Ok(file
            .tensor(name)
            .map_err(|_| TorchIoError::Missing(name.to_string()))?
            .shape()
            .to_vec())
    };
    let wrong = |name: &str, expected: String, found: Vec<usize>| TorchIoError::Shape {
        name: name.to_string(),
        expected,
        found,
    };
    let (vocab, embed) = match shape(EMBEDDING)?[..] {
        [v, e] if v > 0 && e > 0 => (v, e),
        ref found => {
            let why = "[vocabulary, embedding size], both at least 1".to_string();
            return Err(wrong(EMBEDDING, why, found.to_vec()));
        }
    };
    let cell = arch.cell;
    let weight_hh = format!("{}.weight_hh_l0", cell.name());
    let gates = cell.gates();
    let hidden = match shape(&weight_hh)?[..] {
        [g_h, h] if h > 0 && h.checked_mul(gates) == Some(g_h) => h,
        ref found => {
            let many = if gates == 1 {
                String::new()
            } else {
                format!("{gates} × ")
            };
            let why = match found {
                [_, h] if *h > 0 => {
                    format!(
                        "{:?} ([{many}hidden, hidden])",
                        [h.saturating_mul(gates), *h]
                    )
                }
                _ => format!("[{many}hidden, hidden], hidden at least 1"),
            };
            return Err(wrong(&weight_hh, why, found.to_vec()));
        }
    };
    let width = arch.readout.width(hidden);
    let outputs = match shape(LINEAR_WEIGHT)?[..] {
        [o, w] if w == width && (o == 1 || (3..=100).contains(&o)) => o,
        ref found => {
            let why = match arch.readout {
                Readout::Pool => format!("[outputs, {width}] (2 × hidden {hidden})"),
                Readout::Last => format!("[outputs, {width}] (hidden {hidden}, the last state)"),
            };
            let why = format!("{why}, outputs 1 for two classes or 3–100");
            return Err(wrong(LINEAR_WEIGHT, why, found.to_vec()));
        }
    };
    let config = ModelConfig {
        vocab,
        embed,
        hidden,
        outputs,
        arch,
    };
    let mut sizes = format!(
        "vocabulary {vocab} and embedding {embed} from {EMBEDDING}, hidden {hidden} from {weight_hh}"
    );
    if outputs > 1 {
        sizes += &format!(", {outputs} outputs from {LINEAR_WEIGHT}");
    }
    for (name, (_, expected)) in torch_names(&config).iter().zip(config.parameters()) {
        let found = shape(name)?;
        if found != expected {
            return Err(wrong(name, format!("{expected:?} ({sizes})"), found));
        }
    }
    Ok(config)
}

/// The declared sizes within what a model file holds (the settings' limits), checked from the
/// header before any weight is copied out of the file.
fn check_declared(c: ModelConfig) -> Result<(), TorchIoError> {
    debug_assert_eq!(crate::settings::SETTINGS[0].field, "vocab");
    let max_vocab = crate::settings::SETTINGS[0].max;
    if c.vocab as f64 > max_vocab {
        return Err(TorchIoError::Settings(format!(
            "{EMBEDDING} declares a vocabulary of {} words, more than the {max_vocab} a model holds",
            c.vocab
        )));
    }
    for (name, v) in [("embedding size", c.embed), ("hidden size", c.hidden)] {
        if v > crate::classifier::file::MAX_LAYER {
            return Err(TorchIoError::Settings(format!(
                "its {name} {v} is outside 1–{}",
                crate::classifier::file::MAX_LAYER
            )));
        }
    }
    Ok(())
}

/// The weights of a `model.safetensors` with PyTorch's names.
pub fn from_safetensors(bytes: &[u8]) -> Result<ModelWeights, TorchIoError> {
    let file = read(bytes)?;
    let (_, metadata) = SafeTensors::read_metadata(bytes)
        .map_err(|e| TorchIoError::NotSafetensors(e.to_string()))?;
    let described = metadata.metadata().as_ref().and_then(|m| m.get(ARCH_KEY));
    let arch = arch_of(&file, described.map(String::as_str))?;
    check_names_and_dtypes(&file, arch)?;
    let config = sizes(&file, arch)?;
    check_declared(config)?;
    let mut parts = Vec::new();
    for name in torch_names(&config) {
        parts.push(floats(&file, &name)?);
    }
    let mut parts = parts.into_iter();
    Ok(ModelWeights::from_parts(config, |_| {
        parts.next().expect("one tensor per parameter")
    }))
}

/// The `maxlen` an export recorded in the header's metadata, if any.
pub fn recorded_maxlen(bytes: &[u8]) -> Result<Option<usize>, TorchIoError> {
    let (_, metadata) = SafeTensors::read_metadata(bytes)
        .map_err(|e| TorchIoError::NotSafetensors(e.to_string()))?;
    let Some(value) = metadata.metadata().as_ref().and_then(|m| m.get(MAXLEN_KEY)) else {
        return Ok(None);
    };
    value.parse().map(Some).map_err(|_| {
        TorchIoError::Settings(format!(
            "{MODEL_FILE}: its metadata's {MAXLEN_KEY} `{value}` is not a whole number"
        ))
    })
}

/// The words of ids `1 … vocab − 1` from a Keras `word_index` (`words[i]` has id `i + 1`).
pub fn parse_vocab(bytes: &[u8], vocab: usize) -> Result<Vec<String>, TorchIoError> {
    let bad = |m: String| Err(TorchIoError::Vocab(m));
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return bad(format!("not JSON: {e}")),
    };
    let Some(index) = value.as_object() else {
        return bad(format!(
            "expected an object {{\"word\": index, …}} (Keras's word_index), found {}",
            kind(&value)
        ));
    };
    let mut words: Vec<Option<&str>> = vec![None; vocab.saturating_sub(1)];
    for (word, id) in index {
        let Some(id) = id.as_u64() else {
            return bad(format!(
                "the index of “{word}” is {id}, not a whole number of at least 1"
            ));
        };
        if id == 0 {
            return bad(format!(
                "“{word}” has index 0, which is padding; word indices start at 1"
            ));
        }
        // Indices from `vocab` on have no embedding row: Keras' num_words drops them too.
        let Some(slot) = usize::try_from(id - 1).ok().and_then(|i| words.get_mut(i)) else {
            continue;
        };
        if let Some(other) = slot.replace(word) {
            return bad(format!("“{other}” and “{word}” both have index {id}"));
        }
    }
    let kept = words.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
    if let Some(gap) = words[..kept].iter().position(Option::is_none) {
        return bad(format!(
            "no word has index {}, but “{}” has index {kept}: the indices below the vocabulary \
             size {vocab} must run 1, 2, 3… without a gap",
            gap + 1,
            words[kept - 1].unwrap_or_default()
        ));
    }
    Ok(words[..kept]
        .iter()
        .flatten()
        .map(|w| w.to_string())
        .collect())
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The class names of `labels.json` (a list of distinct strings in class id order) for a model
/// of `classes` classes.
pub fn parse_labels(bytes: &[u8], classes: usize) -> Result<Vec<String>, TorchIoError> {
    let bad = |m: String| Err(TorchIoError::Labels(m));
    let names: Vec<String> = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return bad(format!(
                "expected a list of class names such as [\"negative\", \"positive\"]: {e}"
            ));
        }
    };
    if names.len() != classes {
        return bad(format!(
            "{} names for a model of {classes} classes (linear.weight has {} rows)",
            names.len(),
            if classes == 2 { 1 } else { classes }
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(n) = names
        .iter()
        .find(|n| n.trim().is_empty() || !seen.insert(*n))
    {
        return bad(format!("the class name “{n}” is empty or repeated"));
    }
    Ok(names)
}

/// A model from PyTorch's two files. `maxlen`: the ids per review; `None` takes the one an
/// export recorded, else the post's 128.
pub fn import(
    model: &[u8],
    vocab: &[u8],
    maxlen: Option<usize>,
) -> Result<SavedModel, TorchIoError> {
    import_with_labels(model, vocab, None, maxlen)
}

/// [`import`] with the class names of `labels.json`; without it, a binary model's classes are
/// negative/positive and a K-class model's are its class ids, "0" to "K − 1".
pub fn import_with_labels(
    model: &[u8],
    vocab: &[u8],
    labels: Option<&[u8]>,
    maxlen: Option<usize>,
) -> Result<SavedModel, TorchIoError> {
    let weights = from_safetensors(model)?;
    let classes = weights.config.classes();
    let names = match labels {
        Some(bytes) => parse_labels(bytes, classes)?,
        None if classes == 2 => Vec::new(),
        None => (0..classes).map(|c| c.to_string()).collect(),
    };
    let maxlen = match maxlen {
        Some(m) => m,
        None => recorded_maxlen(model)?.unwrap_or(DataConfig::default().maxlen),
    };
    if !(1..=2048).contains(&maxlen) {
        return Err(TorchIoError::Settings(format!(
            "sequence length {maxlen} is outside 1–2048"
        )));
    }
    let words = parse_vocab(vocab, weights.config.vocab)?;
    let data = DataConfig {
        vocab: weights.config.vocab,
        maxlen,
        ..DataConfig::default()
    };
    let saved = SavedModel::new(weights, words, RunRecord::imported(data, names));
    // The bounds a model file is held to, so that what comes in can be saved and loaded again.
    crate::classifier::file::check_settings(&saved.header).map_err(|e| match e {
        crate::classifier::file::ModelFileError::Mismatch(m) => TorchIoError::Settings(m),
        other => TorchIoError::Settings(other.to_string()),
    })?;
    Ok(saved)
}
