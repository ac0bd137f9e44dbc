//! A baseline to beat: multinomial naive Bayes over bags of word ids. It reads exactly what the
//! LSTM reads — the same tokenizer, vocabulary and `maxlen` ids of the same split — but ignores
//! their order, so the gap between the two is what order (and the LSTM's cost) bought.
//!
//! Generic over class indices `0..k` (labels as `u8`), so it needs no change when labels stop
//! being binary.

use super::Split;
use serde::Serialize;

/// Laplace smoothing: one imagined occurrence of every word in every class, so a word never
/// seen with a class does not rule that class out.
const ALPHA: f64 = 1.0;

/// A fitted model: `log P(class)` and `log P(word id | class)`.
#[derive(Clone, Debug, PartialEq)]
pub struct NaiveBayes {
    pub log_prior: Vec<f64>,
    /// `k × features`, row-major; column `id − 1` is word id `id` (id 0 is padding).
    pub log_likelihood: Vec<f64>,
    pub features: usize,
}

/// Validation scores of a classifier.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scores {
    pub accuracy: f64,
    /// The mean of each class's F1 (classes that are neither in the truth nor predicted are
    /// left out: they have no F1).
    pub macro_f1: f64,
}

impl NaiveBayes {
    /// Fit on `train`'s rows; `features` is the number of word ids (ids `1..=features`).
    pub fn fit(train: &Split, k: usize, features: usize) -> Self {
        let mut docs = vec![0usize; k];
        let mut counts = vec![0u64; k * features];
        for i in 0..train.len() {
            let class = train.labels[i] as usize;
            docs[class] += 1;
            let row = &mut counts[class * features..(class + 1) * features];
            for &id in train.row(i) {
                if id != 0 && (id as usize) <= features {
                    row[id as usize - 1] += 1;
                }
            }
        }
        let rows = train.len().max(1) as f64;
        // A class with no training row gets probability 0: it is never predicted.
        let log_prior = docs.iter().map(|&d| (d as f64 / rows).ln()).collect();
        let mut log_likelihood = Vec::with_capacity(k * features);
        for class in 0..k {
            let row = &counts[class * features..(class + 1) * features];
            let total: u64 = row.iter().sum();
            let denominator = (total as f64 + ALPHA * features as f64).ln();
            log_likelihood.extend(row.iter().map(|&c| (c as f64 + ALPHA).ln() - denominator));
        }
        Self {
            log_prior,
            log_likelihood,
            features,
        }
    }

    /// `log P(class) + Σ log P(id | class)` for each class (up to the shared evidence term).
    pub fn scores(&self, ids: &[u32]) -> Vec<f64> {
        let mut scores = self.log_prior.clone();
        for (class, score) in scores.iter_mut().enumerate() {
            let row = &self.log_likelihood[class * self.features..(class + 1) * self.features];
            for &id in ids {
                if id != 0 && (id as usize) <= self.features {
                    *score += row[id as usize - 1];
                }
            }
        }
        scores
    }

    /// The class with the highest score (the lowest index on a tie).
    pub fn predict(&self, ids: &[u32]) -> u8 {
        let scores = self.scores(ids);
        let mut best = 0;
        for (class, &s) in scores.iter().enumerate() {
            if s > scores[best] {
                best = class;
            }
        }
        best as u8
    }
}

/// Accuracy and macro-F1 of `predicted` against `truth`, over classes `0..k`.
pub fn score(truth: &[u8], predicted: &[u8], k: usize) -> Scores {
    let (mut tp, mut fp, mut fn_) = (vec![0usize; k], vec![0usize; k], vec![0usize; k]);
    let mut correct = 0;
    for (&t, &p) in truth.iter().zip(predicted) {
        if t == p {
            correct += 1;
            tp[t as usize] += 1;
        } else {
            fp[p as usize] += 1;
            fn_[t as usize] += 1;
        }
    }
    let f1s: Vec<f64> = (0..k)
        .filter(|&c| tp[c] + fp[c] + fn_[c] > 0)
        .map(|c| 2.0 * tp[c] as f64 / (2 * tp[c] + fp[c] + fn_[c]) as f64)
        .collect();
    Scores {
        accuracy: correct as f64 / truth.len().max(1) as f64,
        macro_f1: f1s.iter().sum::<f64>() / f1s.len().max(1) as f64,
    }
}

/// Naive Bayes fitted on `train`, scored on `valid`.
pub fn naive_bayes(train: &Split, valid: &Split, k: usize, features: usize) -> Scores {
    let model = NaiveBayes::fit(train, k, features);
    let predicted: Vec<u8> = (0..valid.len())
        .map(|i| model.predict(valid.row(i)))
        .collect();
    score(&valid.labels, &predicted, k)
}

/// The most common class of `train` (the lowest index on a tie) and the accuracy on `valid`
/// of always answering it.
pub fn majority(train: &[u8], valid: &[u8], k: usize) -> (u8, Scores) {
    let mut counts = vec![0usize; k];
    for &l in train {
        counts[l as usize] += 1;
    }
    let mut class = 0;
    for (c, &n) in counts.iter().enumerate() {
        if n > counts[class] {
            class = c;
        }
    }
    let predicted = vec![class as u8; valid.len()];
    (class as u8, score(valid, &predicted, k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn split(rows: &[(&[u32], u8)], maxlen: usize) -> Split {
        let mut s = Split {
            maxlen,
            ..Default::default()
        };
        for (i, (ids, label)) in rows.iter().enumerate() {
            s.ids.extend(crate::data::tokenizer::pad_front(ids, maxlen));
            s.labels.push(*label);
            s.lines.push(i as u64 + 2);
        }
        s
    }

    /// Three tiny documents, the log-probabilities written out by hand: class 0 saw word 1
    /// twice and word 2 once (3 words), class 1 saw word 3 twice (2 words); 3 features, α = 1.
    #[test]
    fn log_probabilities_match_a_hand_computation() {
        let train = split(&[(&[1, 1], 0), (&[2], 0), (&[3, 3], 1)], 4);
        let nb = NaiveBayes::fit(&train, 2, 3);
        let ln = f64::ln;
        assert_eq!(nb.log_prior, [ln(2.0 / 3.0), ln(1.0 / 3.0)]);
        let expected = [
            ln(3.0 / 6.0),
            ln(2.0 / 6.0),
            ln(1.0 / 6.0),
            ln(1.0 / 5.0),
            ln(1.0 / 5.0),
            ln(3.0 / 5.0),
        ];
        for (got, want) in nb.log_likelihood.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        // "1 3 3": class 0: ln(2/3) + ln(3/6) + 2 ln(1/6); class 1: ln(1/3) + ln(1/5) + 2 ln(3/5).
        let s = nb.scores(&[0, 1, 3, 3]);
        let c0 = ln(2.0 / 3.0) + ln(0.5) + 2.0 * ln(1.0 / 6.0);
        let c1 = ln(1.0 / 3.0) + ln(0.2) + 2.0 * ln(0.6);
        assert!((s[0] - c0).abs() < 1e-12 && (s[1] - c1).abs() < 1e-12);
        assert_eq!(nb.predict(&[1, 3, 3]), 1);
        assert_eq!(nb.predict(&[1, 2]), 0);
        assert_eq!(nb.predict(&[0, 0]), 0, "no words: the prior decides");
    }

    /// Three classes, each with its own words among shared noise: far above chance (1/3).
    #[test]
    fn beats_chance_on_separable_data() {
        let mut rng = Rng::stream(7, 1);
        let mut rows: Vec<(Vec<u32>, u8)> = Vec::new();
        for i in 0..600 {
            let class = (i % 3) as u8;
            let ids = (0..30)
                .map(|_| {
                    if rng.below(4) == 0 {
                        1 + class as u32 * 10 + rng.below(10) as u32
                    } else {
                        31 + rng.below(200) as u32
                    }
                })
                .collect();
            rows.push((ids, class));
        }
        let view: Vec<(&[u32], u8)> = rows.iter().map(|(ids, c)| (&ids[..], *c)).collect();
        let (train, valid) = (split(&view[..400], 30), split(&view[400..], 30));
        let s = naive_bayes(&train, &valid, 3, 230);
        assert!(s.accuracy > 0.9, "{s:?}");
        assert!(s.macro_f1 > 0.9, "{s:?}");
        // Without the class words there is nothing to learn: about chance.
        let mut blind = train.clone();
        blind
            .ids
            .iter_mut()
            .filter(|id| (1..=30).contains(*id))
            .for_each(|id| *id = 0);
        let s = naive_bayes(&blind, &valid, 3, 230);
        assert!(s.accuracy < 0.45, "{s:?}");
    }

    #[test]
    fn scores_count_accuracy_and_macro_f1() {
        // Class 0: tp 2, fp 1, fn 0 → F1 4/5; class 1: tp 1, fp 0, fn 1 → 2/3; class 2 absent.
        let s = score(&[0, 0, 1, 1], &[0, 0, 1, 0], 3);
        assert_eq!(s.accuracy, 0.75);
        assert!((s.macro_f1 - (0.8 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
        let (class, s) = majority(&[1, 1, 0], &[0, 1, 1, 1], 2);
        assert_eq!((class, s.accuracy), (1, 0.75));
        // F1 of class 1: 6/7; class 0 never predicted: 0.
        assert!((s.macro_f1 - (6.0 / 7.0) / 2.0).abs() < 1e-12);
    }
}
