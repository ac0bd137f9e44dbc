//! How the head's logit splits over units and over positions, exactly, for each readout.
//!
//! **Pooling** (the post): `logit = b + Σ_j w_mean[j] · mean_t h_t[j] + Σ_j w_max[j] · max_t h_t[j]`
//! splits by unit (`w_mean[j] · mean_j + w_max[j] · max_j`) and by position (its share of every
//! mean, `Σ_j w_mean[j] · h_t[j] / T`, plus `w_max[j] · max_j` for each unit whose max-pool it
//! won: the first position reaching the maximum, as `argmax` picks). Both are exact.
//!
//! **Last state**: `logit = b + Σ_j w[j] · h_T[j]` splits exactly by unit (`w[j] · h_T[j]`).
//! The head reads no earlier state, so no position has a share of its own; what is exact is a
//! telescoping sum: with `ℓ_t = w · h_t` (the logit, less the bias, the head would give if the
//! review stopped after position `t`; `ℓ_{−1} = 0` for the zero start state), position `t`
//! moved it by `ℓ_t − ℓ_{t−1}`, and these moves add up to `ℓ_T`. It says what each word did to
//! the state's reading when it was read, not how much of the final state is due to it.
//!
//! `h` here is whatever the head reads: the hidden state, or the post's `relu(Linear(h))`.

use super::ModelWeights;

/// The readout's features of one row and what the split needs of the states.
pub struct Split {
    steps: usize,
    hidden: usize,
    /// `[T × H]`: what the head reads at each position.
    states: Vec<f64>,
    /// Pooling only (empty for the last state): per unit.
    pub mean: Vec<f64>,
    pub max: Vec<f64>,
    pub winner: Vec<usize>,
    pooled: bool,
}

/// One output's shares of its logit (less the bias).
pub struct Shares {
    /// `[H]`.
    pub unit: Vec<f64>,
    /// `[T]` each; `mean` and `max` empty for the last state.
    pub mean: Vec<f64>,
    pub max: Vec<f64>,
    pub word: Vec<f64>,
    /// Last state: `bias + w · h_t`, `[T]`; empty for pooling.
    pub running: Vec<f64>,
}

/// Mean and max over time of `states` (`[steps × H]`), with each max's first position.
pub fn split_pooled(weights: &ModelWeights, states: &[f64], steps: usize) -> Split {
    let hidden = weights.config.hidden;
    let h_at = |t: usize, j: usize| states[t * hidden + j];
    let mut mean = vec![0.0; hidden];
    let mut max = vec![f64::NEG_INFINITY; hidden];
    let mut winner = vec![0; hidden];
    for t in 0..steps {
        for j in 0..hidden {
            mean[j] += h_at(t, j);
            // Strictly greater: the first position reaching the maximum wins, as argmax does.
            if h_at(t, j) > max[j] {
                max[j] = h_at(t, j);
                winner[j] = t;
            }
        }
    }
    mean.iter_mut().for_each(|m| *m /= steps as f64);
    Split {
        steps,
        hidden,
        states: states.to_vec(),
        mean,
        max,
        winner,
        pooled: true,
    }
}

/// The last state's readout of `states` (`[steps × H]`, `steps` ≥ 1).
pub fn split_last(weights: &ModelWeights, states: &[f64], steps: usize) -> Split {
    Split {
        steps,
        hidden: weights.config.hidden,
        states: states.to_vec(),
        mean: Vec::new(),
        max: Vec::new(),
        winner: Vec::new(),
        pooled: false,
    }
}

impl Split {
    fn at(&self, t: usize) -> &[f64] {
        &self.states[t * self.hidden..(t + 1) * self.hidden]
    }

    /// Output `o`'s logit.
    pub fn logit_of(&self, weights: &ModelWeights, o: usize) -> f64 {
        let (w, bias) = weights.head_row(o);
        let h = self.hidden;
        let dot: f64 = match self.pooled {
            true => (0..h)
                .map(|j| w[j] as f64 * self.mean[j] + w[h + j] as f64 * self.max[j])
                .sum(),
            false => self.dot(w, self.steps - 1),
        };
        bias as f64 + dot
    }

    /// `w · h_t` (last state's head row `w`).
    fn dot(&self, w: &[f32], t: usize) -> f64 {
        w.iter().zip(self.at(t)).map(|(&w, h)| w as f64 * h).sum()
    }

    /// Output `o`'s logit split by unit and by position.
    pub fn shares(&self, weights: &ModelWeights, o: usize) -> Shares {
        let (row, bias) = weights.head_row(o);
        let (h, steps) = (self.hidden, self.steps);
        if !self.pooled {
            let last = self.at(steps - 1);
            let reading: Vec<f64> = (0..steps).map(|t| self.dot(row, t)).collect();
            return Shares {
                unit: (0..h).map(|j| row[j] as f64 * last[j]).collect(),
                mean: Vec::new(),
                max: Vec::new(),
                word: (0..steps)
                    .map(|t| reading[t] - if t == 0 { 0.0 } else { reading[t - 1] })
                    .collect(),
                running: reading.iter().map(|r| bias as f64 + r).collect(),
            };
        }
        let w_mean: Vec<f64> = row[..h].iter().map(|&w| w as f64).collect();
        let w_max: Vec<f64> = row[h..].iter().map(|&w| w as f64).collect();
        let unit = (0..h)
            .map(|j| w_mean[j] * self.mean[j] + w_max[j] * self.max[j])
            .collect();
        let mean: Vec<f64> = (0..steps)
            .map(|t| {
                let s = self.at(t);
                (0..h).map(|j| w_mean[j] * s[j]).sum::<f64>() / steps as f64
            })
            .collect();
        let mut max = vec![0.0; steps];
        for j in 0..h {
            max[self.winner[j]] += w_max[j] * self.max[j];
        }
        let word = mean.iter().zip(&max).map(|(a, b)| a + b).collect();
        Shares {
            unit,
            mean,
            max,
            word,
            running: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::classifier::inspect::inspect_class;
    use crate::classifier::{Architecture, ModelConfig, ModelWeights};

    const IDS: [u32; 8] = [0, 0, 3, 7, 7, 19, 1, 2];

    /// Every cell × readout (and the post's extra layer), two and three classes: the logit is
    /// the reference forward pass's, and both splits add up to it with the bias.
    #[test]
    fn every_cell_and_readout_splits_its_logit_exactly() {
        for arch in [
            "lstm/pool",
            "lstm/last",
            "gru/pool",
            "gru/last",
            "rnn/pool",
            "rnn/last",
            "lstm/last+relu-out+sigmoid-g",
            "lstm/pool+forget-fixed+no-output-gate",
        ] {
            for outputs in [1, 3] {
                let config = ModelConfig {
                    outputs,
                    ..ModelConfig::binary(20, 4, 5)
                }
                .with_arch(Architecture::parse(arch).unwrap());
                let w = ModelWeights::init(config, 11);
                let reference = w.reference_logits(&IDS).unwrap();
                for class in 0..outputs {
                    let c = (outputs > 1).then_some(class);
                    let x = inspect_class(&w, &IDS, c).unwrap();
                    let want = reference[class];
                    let by_word = x.bias + x.word_contribution.iter().sum::<f64>();
                    let by_unit = x.bias + x.unit_contribution.iter().sum::<f64>();
                    assert!(
                        (x.logit - want).abs() < 1e-9,
                        "{arch}: {} vs {want}",
                        x.logit
                    );
                    assert!((by_word - want).abs() < 1e-9, "{arch} by word");
                    assert!((by_unit - want).abs() < 1e-9, "{arch} by unit");
                    assert_eq!(x.word_contribution.len(), IDS.len());
                    let pooled = arch.contains("pool");
                    assert_eq!(x.winner.len(), if pooled { 5 } else { 0 }, "{arch}");
                    assert_eq!(x.running_logit.len(), if pooled { 0 } else { IDS.len() });
                    if !pooled {
                        assert!((x.running_logit[IDS.len() - 1] - want).abs() < 1e-9);
                    }
                }
            }
        }
    }

    /// Last state: the running logit at position t is the head applied to the state after t,
    /// i.e. the logit of the review cut after t (the same ids, read from the same start).
    #[test]
    fn the_running_logit_is_the_logit_of_the_cut_review() {
        let arch = Architecture::parse("gru/last").unwrap();
        let w = ModelWeights::init(ModelConfig::binary(20, 4, 5).with_arch(arch), 2);
        let x = inspect_class(&w, &IDS, None).unwrap();
        for t in 0..IDS.len() {
            let cut = w.reference_logit(&IDS[..=t]).unwrap();
            assert!((x.running_logit[t] - cut).abs() < 1e-12, "cut after {t}");
            let before = if t == 0 {
                x.bias
            } else {
                w.reference_logit(&IDS[..t]).unwrap()
            };
            assert!((x.word_contribution[t] - (cut - before)).abs() < 1e-12);
        }
    }

    /// The trained models the browser test loads (tests/fixtures/make_inside_models.sh): each
    /// is read as its file says (cell, readout), its trace is the reference forward pass and
    /// its text's shares add up to the logit.
    #[test]
    fn the_trained_fixtures_split_exactly() {
        use crate::classifier::inspect::inspect_text;
        for (bytes, arch) in [
            (
                &include_bytes!("../../tests/fixtures/inside_models/gru-pool.lstmlab")[..],
                "gru/pool",
            ),
            (
                include_bytes!("../../tests/fixtures/inside_models/rnn-last.lstmlab"),
                "rnn/last",
            ),
            (
                include_bytes!("../../tests/fixtures/inside_models/lstm-last.lstmlab"),
                "lstm/last",
            ),
        ] {
            let saved = crate::classifier::file::load(bytes).unwrap();
            let w = &saved.weights;
            assert_eq!(w.config.arch.describe(), arch);
            let text = "this film was great and the acting was good but the story was bad";
            let maxlen = saved.header.run.data.maxlen;
            let x = inspect_text(w, &saved.tokenizer(), maxlen, text).unwrap();
            let ids: Vec<u32> = x.positions.iter().map(|p| p.id).collect();
            let want = w.reference_logit(&ids).unwrap();
            let i = &x.inspection;
            assert!((i.logit - want).abs() < 1e-9, "{arch}");
            assert!((i.bias + i.word_contribution.iter().sum::<f64>() - want).abs() < 1e-9);
            assert!(
                x.padding < ids.len() - 5,
                "{arch}: the review's words are read"
            );
        }
    }
}
