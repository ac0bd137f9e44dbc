//! Reviews worth looking inside: from a model's validation set, the ones it got wrong (most
//! confidently wrong first), the ones it is surest of and got right, and the borderline ones.
//! "Inside the model" offers them as a list with these three filters.

use crate::classifier::argmax;
use crate::data::Split;
use crate::data::csv::LabelledTexts;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One validation review and what the model said.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Its line in the source file.
    pub line: u64,
    pub text: String,
    /// The true class.
    pub label: String,
    /// The class the model gave it.
    pub predicted: String,
    /// Two classes: the model's P(positive class); more: its probability of `predicted`.
    pub probability: f64,
}

/// The three lists, and how the whole validation set went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Examples {
    /// Where the reviews come from, in words.
    pub source: String,
    /// Validation reviews scored.
    pub rows: usize,
    /// Of them, classified correctly.
    pub correct: usize,
    /// Wrong, the most confident mistakes first.
    pub misclassified: Vec<Example>,
    /// Right and surest, surest first.
    pub confident: Vec<Example>,
    /// Least sure first (two classes: nearest P = 0.5).
    pub borderline: Vec<Example>,
}

/// Pick `per_kind` of each kind. `probabilities[k]` are the model's class probabilities of row
/// `k` of `valid` ([`super::predict::Predictor::probabilities`]), `classes` their names; texts
/// are found by line in `texts`.
pub fn pick(
    texts: &LabelledTexts,
    valid: &Split,
    probabilities: &[Vec<f64>],
    classes: &[String],
    per_kind: usize,
    source: String,
) -> Examples {
    let by_line: HashMap<u64, usize> = texts
        .lines
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, i))
        .collect();
    // (row, probability of the predicted class, right) — with two classes the predicted
    // class's probability is |P(positive) − 0.5| + 0.5: the same order as the distance from 0.5.
    let rows: Vec<(usize, f64, bool)> = probabilities
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let best = argmax(p);
            (k, p[best], best == valid.labels[k] as usize)
        })
        .collect();
    let name = |c: usize| classes.get(c).cloned().unwrap_or_default();
    let example = |&(k, _, _): &(usize, f64, bool)| {
        let line = valid.lines[k];
        let p = &probabilities[k];
        let best = argmax(p);
        Example {
            line,
            text: by_line
                .get(&line)
                .map(|&i| texts.texts[i].clone())
                .unwrap_or_default(),
            label: name(valid.labels[k] as usize),
            predicted: name(best),
            probability: if p.len() == 2 { p[1] } else { p[best] },
        }
    };
    let confidence = |p: f64| p;
    let sorted = |mut v: Vec<(usize, f64, bool)>, key: &dyn Fn(f64) -> f64| {
        // Ties keep file order, so the same model and data give the same lists.
        v.sort_by(|a, b| key(b.1).total_cmp(&key(a.1)).then(a.0.cmp(&b.0)));
        v.iter().take(per_kind).map(example).collect::<Vec<_>>()
    };
    let wrong: Vec<_> = rows.iter().copied().filter(|r| !r.2).collect();
    let right: Vec<_> = rows.iter().copied().filter(|r| r.2).collect();
    Examples {
        source,
        rows: rows.len(),
        correct: right.len(),
        misclassified: sorted(wrong, &confidence),
        confident: sorted(right, &confidence),
        borderline: sorted(rows.clone(), &|p| -confidence(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_lists_by_confidence() {
        let texts = LabelledTexts::binary(
            (0..6).map(|i| format!("review {i}")).collect(),
            vec![1, 0, 1, 0, 1, 0],
            (2..8).collect(),
        );
        // The validation split holds rows 1..6 (lines 3..7), in this order.
        let valid = Split {
            ids: vec![0; 5],
            labels: vec![0, 1, 0, 1, 0],
            lines: vec![3, 4, 5, 6, 7],
            maxlen: 1,
        };
        let p: Vec<Vec<f64>> = [0.9, 0.97, 0.2, 0.55, 0.01]
            .iter()
            .map(|&p| vec![1.0 - p, p])
            .collect();
        let x = pick(&texts, &valid, &p, &texts.classes, 2, "test".into());
        assert_eq!((x.rows, x.correct), (5, 4));
        let lines = |v: &[Example]| v.iter().map(|e| e.line).collect::<Vec<_>>();
        assert_eq!(
            lines(&x.misclassified),
            vec![3],
            "0.9 for a negative review"
        );
        assert_eq!(x.misclassified[0].text, "review 1");
        assert_eq!(x.misclassified[0].label, "negative");
        assert_eq!(x.misclassified[0].predicted, "positive");
        assert_eq!(x.misclassified[0].probability, 0.9);
        assert_eq!(lines(&x.confident), vec![7, 4], "0.01 and 0.97, both right");
        assert_eq!(lines(&x.borderline), vec![6, 5], "0.55, then 0.2");
    }
}
