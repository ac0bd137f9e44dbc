//! The validation sample the page scores a surgery on: reviews the shipped model never trained
//! on, already tokenised by its tokenizer (`www/models/imdb-sentiment.validation.json`, written
//! by the CLI's `validation-sample`). Ids are kept without their padding, which the model reads
//! as id 0 in front ([`ValidationSample::rows`] puts it back): a third of the file's size.

use super::SurgeryError;
use crate::classifier::ModelWeights;
use serde::{Deserialize, Serialize};

/// Reviews as the model reads them, and their classes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValidationSample {
    /// Where the reviews come from, in words.
    pub source: String,
    /// Ids per review the model reads (its `maxlen`).
    pub maxlen: usize,
    /// The classes' names by class id, as the model names them.
    pub classes: Vec<String>,
    /// Each review's class id.
    pub labels: Vec<u8>,
    /// Each review's ids without the padding (at most `maxlen`).
    pub ids: Vec<Vec<u32>>,
    /// The unedited model's accuracy on these reviews when the sample was written (the shipped
    /// model's, by the CLI): a check, and one pass fewer for the page. None for a sample taken
    /// in the page from the Trainer's validation split: the page counts it itself.
    #[serde(default)]
    pub accuracy: Option<f64>,
}

impl ValidationSample {
    /// Every `step`-th of `rows` (`[N × maxlen]`, padded in front) with its label: spread over
    /// the whole validation split, so its classes come in the split's proportions.
    pub fn every(
        rows: &[u32],
        labels: &[u8],
        maxlen: usize,
        count: usize,
        classes: Vec<String>,
        source: String,
    ) -> Self {
        let n = labels.len();
        let step = (n / count.max(1)).max(1);
        let picked: Vec<usize> = (0..n).step_by(step).take(count).collect();
        Self {
            source,
            maxlen,
            classes,
            labels: picked.iter().map(|&r| labels[r]).collect(),
            ids: picked
                .iter()
                .map(|&r| {
                    let row = &rows[r * maxlen..(r + 1) * maxlen];
                    row.iter().copied().skip_while(|&id| id == 0).collect()
                })
                .collect(),
            accuracy: None,
        }
    }

    /// Reads the JSON file and checks it against the model it is for.
    pub fn from_json(bytes: &[u8], weights: &ModelWeights) -> Result<Self, SurgeryError> {
        let bad = |why: String| SurgeryError::Part {
            part: "validation sample".into(),
            why,
        };
        let sample: Self = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        if sample.labels.len() != sample.ids.len() {
            return Err(bad(format!(
                "{} labels for {} reviews",
                sample.labels.len(),
                sample.ids.len()
            )));
        }
        if let Some(r) = sample.ids.iter().position(|r| r.len() > sample.maxlen) {
            return Err(bad(format!(
                "review {r} has more than {} ids",
                sample.maxlen
            )));
        }
        if sample.classes.len() != weights.config.classes() {
            return Err(bad(format!(
                "it has {} classes, the model {}: it is for another model",
                sample.classes.len(),
                weights.config.classes()
            )));
        }
        Ok(sample)
    }

    /// The padded rows, `[N × maxlen]`, as the model reads them.
    pub fn rows(&self) -> Vec<u32> {
        let mut rows = Vec::with_capacity(self.ids.len() * self.maxlen);
        for ids in &self.ids {
            rows.extend(std::iter::repeat_n(0, self.maxlen - ids.len()));
            rows.extend(ids);
        }
        rows
    }
}
