//! Exports of gate surgery (the first view's module; see `crate::classifier::surgery`): the
//! link's text read and written, and the accuracy of an edited model on the validation sample,
//! in pieces so the page stays responsive between them. The inspection of an edited model is
//! `ModelSession::inspect`'s `surgery` argument.

use super::inside::ModelSession;
use super::{from_js, js_error, to_js};
use crate::classifier::Architecture;
use crate::classifier::surgery::accuracy::Scorer;
use crate::classifier::surgery::sample::ValidationSample;
use crate::classifier::surgery::{Edit, Surgery, gates_of};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A surgery as the page handles it: its edits and their text.
#[derive(Serialize)]
struct Parsed {
    edits: Vec<Edit>,
    text: String,
}

/// Reads the link's form (`f@all=1,o@17=0,off@42`) for a model of `hidden` units and, when
/// given, architecture `arch` (as the session's info names it, `gru/pool`: a gate the model
/// lacks is refused by name): `{edits, text}` (the text in canonical form), or an error naming
/// the bad part.
#[wasm_bindgen(js_name = parseSurgery)]
pub fn parse_surgery(text: &str, hidden: usize, arch: Option<String>) -> Result<JsValue, JsError> {
    let s = Surgery::parse(text).map_err(js_error)?;
    match arch {
        Some(arch) => {
            let arch = Architecture::parse(&arch).map_err(js_error)?;
            s.check_arch(&arch, hidden).map_err(js_error)?;
        }
        None => s.check_units(hidden).map_err(js_error)?,
    }
    to_js(&Parsed {
        text: s.to_string(),
        edits: s.edits,
    })
}

/// The link's form of a list of edits (`{kind: "clamp", gate: "f", unit: null, open: true}` or
/// `{kind: "off", unit: 41}`, units from 0), a later edit of the same target replacing an
/// earlier one.
#[wasm_bindgen(js_name = formatSurgery)]
pub fn format_surgery(edits: JsValue) -> Result<String, JsError> {
    let edits: Vec<Edit> = from_js(edits, "surgery edits")?;
    let s = edits.into_iter().fold(Surgery::default(), Surgery::with);
    Ok(s.to_string())
}

/// The validation sample ready to score the session's model under any surgery.
#[wasm_bindgen]
pub struct SurgeryAccuracy {
    scorer: Scorer,
    source: String,
    recorded: Option<f64>,
}

#[wasm_bindgen]
impl SurgeryAccuracy {
    /// The sample file's bytes (`imdb-sentiment.validation.json`), for `model`.
    #[wasm_bindgen(constructor)]
    pub fn new(model: &ModelSession, sample: &[u8]) -> Result<SurgeryAccuracy, JsError> {
        let weights = model.weights();
        let sample = ValidationSample::from_json(sample, weights).map_err(js_error)?;
        if sample.maxlen != model.maxlen() {
            return Err(js_error(format!(
                "the validation sample is of {} ids per review, the model reads {}: it is for another model",
                sample.maxlen,
                model.maxlen()
            )));
        }
        let scorer = Scorer::new(weights, sample.rows(), sample.labels.clone(), sample.maxlen)
            .map_err(js_error)?;
        Ok(Self {
            scorer,
            source: sample.source,
            recorded: sample.accuracy,
        })
    }

    /// Reviews in the sample.
    pub fn reviews(&self) -> usize {
        self.scorer.len()
    }

    /// Where the reviews come from, in words.
    pub fn source(&self) -> String {
        self.source.clone()
    }

    /// The unedited model's accuracy the CLI measured when it wrote the sample (`undefined` for
    /// a sample of the Trainer's validation split: count it).
    pub fn recorded(&self) -> Option<f64> {
        self.recorded
    }

    /// How many of reviews `start..end` the model edited by `surgery` (the link's form) gets
    /// right.
    pub fn correct(&self, surgery: &str, start: usize, end: usize) -> Result<usize, JsError> {
        let s = Surgery::parse(surgery).map_err(js_error)?;
        self.scorer.correct(&s, start, end).map_err(js_error)
    }
}

/// The gates a model of `arch` (`lstm/pool`, `gru/last`, …) has for the surgery to hold, in the
/// order the page offers them: `["f", "i", "o"]`, `["z", "r"]`, none for a plain RNN.
#[wasm_bindgen(js_name = surgeryGates)]
pub fn surgery_gates(arch: &str) -> Result<Vec<String>, JsError> {
    let arch = Architecture::parse(arch).map_err(js_error)?;
    Ok(gates_of(&arch)
        .into_iter()
        .map(|g| g.name().to_string())
        .collect())
}
