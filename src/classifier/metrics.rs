//! Metrics that tell the truth about a classifier with unbalanced classes: beside accuracy,
//! each class's precision, recall and F1, their unweighted mean (macro-F1), and the confusion
//! matrix they all come from. Plain data, so the page, the CLI and model files share them.

use serde::{Deserialize, Serialize};

/// `counts[truth * k + predicted]`: how many validation rows of class `truth` the model put in
/// class `predicted`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    pub k: usize,
    pub counts: Vec<u32>,
}

/// One class's scores (0 where a ratio has nothing to divide by, as scikit-learn reports).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Validation rows of this class.
    pub support: u32,
}

impl Confusion {
    pub fn new(k: usize) -> Self {
        Self {
            k,
            counts: vec![0; k * k],
        }
    }

    /// No classes (a report written before classes existed).
    pub fn is_empty(&self) -> bool {
        self.k == 0
    }

    pub fn add(&mut self, truth: usize, predicted: usize) {
        self.counts[truth * self.k + predicted] += 1;
    }

    pub fn at(&self, truth: usize, predicted: usize) -> u32 {
        self.counts[truth * self.k + predicted]
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }

    pub fn accuracy(&self) -> f64 {
        let right: u32 = (0..self.k).map(|c| self.at(c, c)).sum();
        right as f64 / self.total().max(1) as f64
    }

    pub fn scores(&self) -> Vec<ClassScore> {
        (0..self.k)
            .map(|c| {
                let right = self.at(c, c) as f64;
                let support: u32 = (0..self.k).map(|p| self.at(c, p)).sum();
                let predicted: u32 = (0..self.k).map(|t| self.at(t, c)).sum();
                let ratio = |a: f64, b: u32| if b == 0 { 0.0 } else { a / b as f64 };
                let (precision, recall) = (ratio(right, predicted), ratio(right, support));
                let f1 = if precision + recall == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                };
                ClassScore {
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect()
    }

    /// The unweighted mean of the classes' F1: a model that always answers the majority class
    /// scores low here however high its accuracy.
    pub fn macro_f1(&self) -> f64 {
        let scores = self.scores();
        scores.iter().map(|s| s.f1).sum::<f64>() / scores.len().max(1) as f64
    }

    /// The accuracy of always answering the most common class.
    pub fn majority_accuracy(&self) -> f64 {
        let most = (0..self.k)
            .map(|c| (0..self.k).map(|p| self.at(c, p)).sum::<u32>())
            .max()
            .unwrap_or(0);
        most as f64 / self.total().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against scikit-learn's `classification_report` on the same 10 predictions:
    /// truth    0 0 0 0 0 1 1 1 2 2
    /// predicted 0 0 0 1 2 1 1 0 2 2
    #[test]
    fn scores_match_scikit_learn() {
        let truth = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2];
        let predicted = [0, 0, 0, 1, 2, 1, 1, 0, 2, 2];
        let mut m = Confusion::new(3);
        for (t, p) in truth.iter().zip(predicted) {
            m.add(*t, p);
        }
        assert_eq!(m.counts, [3, 1, 1, 1, 2, 0, 0, 0, 2]);
        assert_eq!(m.accuracy(), 0.7);
        let s = m.scores();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        // precision 3/4, 2/3, 2/3; recall 3/5, 2/3, 1.
        assert!(close(s[0].precision, 0.75) && close(s[0].recall, 0.6));
        assert!(close(s[1].precision, 2.0 / 3.0) && close(s[1].recall, 2.0 / 3.0));
        assert!(close(s[2].precision, 2.0 / 3.0) && close(s[2].recall, 1.0));
        assert!(close(s[0].f1, 2.0 * 0.75 * 0.6 / 1.35));
        assert!(close(s[2].f1, 0.8));
        assert_eq!(s.iter().map(|s| s.support).collect::<Vec<_>>(), [5, 3, 2]);
        assert!(close(m.macro_f1(), (s[0].f1 + s[1].f1 + 0.8) / 3.0));
        assert!(close(m.majority_accuracy(), 0.5));
    }

    #[test]
    fn a_majority_answer_scores_high_accuracy_and_low_macro_f1() {
        let mut m = Confusion::new(2);
        for _ in 0..9 {
            m.add(0, 0);
        }
        m.add(1, 0);
        assert_eq!(m.accuracy(), 0.9);
        let s = m.scores();
        assert_eq!((s[1].precision, s[1].recall, s[1].f1), (0.0, 0.0, 0.0));
        assert!((m.macro_f1() - (2.0 * 0.9 / 1.9) / 2.0).abs() < 1e-12);
    }
}
