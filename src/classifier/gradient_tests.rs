//! The backpropagated gradients against central finite differences of an independent forward
//! pass (`crate::classifier::reference`, not this module's cells), for every cell, readout,
//! LSTM variant and head size.

use super::*;
use crate::classifier::inspect::inspect_text;
use crate::classifier::{ModelConfig, Variant, reference};

/// Step of the central differences: its truncation error (~step²) and rounding (~1e-16/step)
/// both stay near 1e-10, far under the 1e-4 asked.
const STEP: f64 = 1e-5;

fn model(arch: Architecture, outputs: usize, seed: u64) -> ModelWeights {
    let config = ModelConfig {
        outputs,
        ..ModelConfig::binary(7, 3, 4)
    }
    .with_arch(arch);
    let mut w = ModelWeights::init(config, seed);
    // Larger recurrent weights than PyTorch's U(±1/√H) so that the recurrence carries enough
    // gradient for the differences to measure it at every position.
    w.lstm.weight_hh.iter_mut().for_each(|v| *v *= 2.0);
    w
}

fn inputs(w: &ModelWeights, ids: &[u32]) -> Vec<Vec<f64>> {
    let e = w.config.embed;
    ids.iter()
        .map(|&id| {
            let r = id as usize * e;
            w.embedding[r..r + e].iter().map(|&v| v as f64).collect()
        })
        .collect()
}

/// What the head reads at each step, by the reference cell.
fn reads(w: &ModelWeights, xs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let hs = reference::hidden_states(&w.config.arch, &w.lstm.cast::<f64>(), xs);
    match &w.out_layer {
        None => hs,
        Some((m, b)) => hs.iter().map(|h| reference::relu_layer(m, b, h)).collect(),
    }
}

/// Output `o`'s logit from every step's reads, written out from the readout's definition.
fn head(w: &ModelWeights, us: &[Vec<f64>], o: usize) -> f64 {
    let h = w.config.hidden;
    let features: Vec<f64> = match w.config.arch.readout {
        Readout::Last => us[us.len() - 1].clone(),
        Readout::Pool => {
            let mean = (0..h).map(|k| us.iter().map(|u| u[k]).sum::<f64>() / us.len() as f64);
            let max = (0..h).map(|k| us.iter().map(|u| u[k]).fold(f64::MIN, f64::max));
            mean.chain(max).collect()
        }
    };
    let (row, b) = w.head_row(o);
    b as f64
        + row
            .iter()
            .zip(&features)
            .map(|(&w, f)| w as f64 * f)
            .sum::<f64>()
}

/// `∂f/∂xs[t]` by central differences.
fn numeric(xs: &[Vec<f64>], t: usize, f: &dyn Fn(&[Vec<f64>]) -> f64) -> Vec<f64> {
    (0..xs[t].len())
        .map(|k| {
            let mut a = xs.to_vec();
            let mut b = xs.to_vec();
            a[t][k] += STEP;
            b[t][k] -= STEP;
            (f(&a) - f(&b)) / (2.0 * STEP)
        })
        .collect()
}

fn assert_close(ours: &[f64], fd: &[f64], what: &str) {
    let diff = ours
        .iter()
        .zip(fd)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    let size = fd.iter().map(|v| v * v).sum::<f64>().sqrt();
    // 1e-4 relative; the 1e-9 floor is the differences' own rounding for a vanishing gradient.
    assert!(
        diff <= 1e-4 * size + 1e-9,
        "{what}: backprop {ours:?} vs differences {fd:?}"
    );
}

/// Every architecture the trainer can train: three cells × two readouts, and the LSTM's
/// variants (each on its own, and the post's two mistakes together).
fn architectures() -> Vec<Architecture> {
    let mut all = vec![];
    for cell in Cell::ALL {
        for readout in Readout::ALL {
            all.push(Architecture {
                cell,
                readout,
                variant: Variant::default(),
            });
        }
    }
    for names in [
        "sigmoid-g",
        "relu-out",
        "forget-fixed",
        "no-output-gate",
        "sigmoid-g,relu-out",
    ] {
        for readout in Readout::ALL {
            all.push(Architecture {
                readout,
                variant: Variant::parse(names).unwrap(),
                ..Architecture::default()
            });
        }
    }
    all
}

const IDS: [u32; 6] = [0, 0, 3, 6, 1, 5];

#[test]
fn every_path_equals_finite_differences_for_every_cell_readout_and_head() {
    for arch in architectures() {
        for outputs in [1, 3] {
            let w = model(arch, outputs, 11);
            let xs = inputs(&w, &IDS);
            for o in 0..outputs {
                let b = backprop(&w, &xs, o).unwrap();
                let logit = |xs: &[Vec<f64>]| head(&w, &reads(&w, xs), o);
                assert!((b.logits[o] - logit(&xs)).abs() < 1e-12);
                for t in 0..xs.len() {
                    let what = format!("{} output {o}/{outputs} position {t}", arch.describe());
                    assert_close(&b.input_all[t], &numeric(&xs, t, &logit), &what);
                }
            }
        }
    }
}

#[test]
fn the_recurrence_only_flavour_is_the_gradient_with_the_pooling_shortcut_cut() {
    for arch in architectures() {
        let w = model(arch, 3, 5);
        let xs = inputs(&w, &IDS);
        let held = reads(&w, &xs);
        let last = xs.len() - 1;
        for o in 0..3 {
            // The cut model, built directly: every read but the last held at this review's.
            let cut = |xs: &[Vec<f64>]| {
                let mut us = held.clone();
                us[last] = reads(&w, xs)[last].clone();
                head(&w, &us, o)
            };
            let b = backprop(&w, &xs, o).unwrap();
            for t in 0..xs.len() {
                let what = format!("{} cut, output {o} position {t}", arch.describe());
                assert_close(&b.input_recurrent[t], &numeric(&xs, t, &cut), &what);
            }
            // The last word's own step is read by the head either way; earlier ones lose the
            // shortcut, so pooling's flavours differ and the last state's are one.
            match arch.readout {
                Readout::Last => assert_eq!(b.input_all, b.input_recurrent),
                Readout::Pool => assert_ne!(b.input_all[0], b.input_recurrent[0]),
            }
        }
    }
}

#[test]
fn the_state_gradient_equals_differences_of_the_state_for_gated_and_plain_cells() {
    // A state perturbed at step t runs the rest of the review from it (the LSTM's cell state
    // would need the same, which `hidden_states_from` does not take: the GRU and RNN carry h
    // alone).
    for cell in [Cell::Gru, Cell::Rnn] {
        for readout in Readout::ALL {
            let arch = Architecture {
                cell,
                readout,
                variant: Variant::default(),
            };
            let w = model(arch, 1, 3);
            let xs = inputs(&w, &IDS);
            let hs = reference::hidden_states(&arch, &w.lstm.cast::<f64>(), &xs);
            let b = backprop(&w, &xs, 0).unwrap();
            for t in 0..xs.len() {
                let from = |h: &[Vec<f64>]| {
                    let mut all = hs[..t].to_vec();
                    all.push(h[0].clone());
                    let rest = &xs[t + 1..];
                    all.extend(reference::hidden_states_from(
                        &arch,
                        &w.lstm.cast(),
                        rest,
                        &h[0],
                    ));
                    head(&w, &all, 0)
                };
                let fd = numeric(&[hs[t].clone()], 0, &from);
                assert_close(&b.state_all[t], &fd, &format!("{cell:?} h_{t}"));
            }
        }
    }
}

#[test]
fn norms_are_of_the_gradients_and_the_class_is_the_inspected_one() {
    let w = model(Architecture::default(), 3, 2);
    let xs = inputs(&w, &IDS);
    let g = gradients(&w, &IDS, Some(2)).unwrap();
    let b = backprop(&w, &xs, 2).unwrap();
    assert_eq!((g.class, g.steps, g.logit), (2, 6, b.logits[2]));
    for t in 0..6 {
        let n = b.input_all[t].iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((g.input_all[t] - n).abs() < 1e-15);
    }
    // At the last position both flavours are the head's direct gradient alone.
    assert_eq!(g.input_all[5], g.input_recurrent[5]);
    assert_eq!(g.state_all[5], g.state_recurrent[5]);
    let predicted = argmax(&class_probabilities(&b.logits));
    assert_eq!(gradients(&w, &IDS, None).unwrap().class, predicted);
    let binary = model(Architecture::default(), 1, 2);
    let g = gradients(&binary, &IDS, Some(0)).unwrap();
    assert_eq!(
        g.class, 1,
        "two classes: the one logit, the positive class's"
    );
}

#[test]
fn a_plain_rnn_read_at_its_last_state_forgets_early_words() {
    // PyTorch-sized recurrent weights at 32 units: the plain tanh RNN contracts, so the
    // gradient to the first word of a long row is orders of magnitude under the last word's.
    let arch = Architecture::parse("rnn/last").unwrap();
    let w = ModelWeights::init(ModelConfig::binary(50, 8, 32).with_arch(arch), 4);
    let ids: Vec<u32> = (0..60).map(|t| (t * 7 % 49 + 1) as u32).collect();
    let g = gradients(&w, &ids, None).unwrap();
    let ratio = g.input_all[0] / g.input_all[59];
    assert!(ratio < 1e-3, "first / last = {ratio}");
}

#[test]
fn bad_rows_and_classes_are_refused_with_the_reason() {
    let w = model(Architecture::default(), 3, 1);
    assert_eq!(gradients(&w, &[], None), Err(InspectError::Empty));
    assert_eq!(
        gradients(&w, &[1, 7], None),
        Err(InspectError::UnknownId {
            position: 1,
            id: 7,
            vocab: 7
        })
    );
    assert_eq!(
        gradients(&w, &IDS, Some(3)),
        Err(InspectError::NoClass {
            class: 3,
            classes: 3
        })
    );
}

#[test]
fn a_text_has_the_inspected_positions_and_words() {
    let tokenizer = Tokenizer::fit(["good film", "bad film", "good plot"].iter().copied(), 6);
    let w = model(Architecture::default(), 1, 9);
    let text = "a good film, bad plot";
    let g = gradients_text(&w, &tokenizer, 8, text, None).unwrap();
    let x = inspect_text(&w, &tokenizer, 8, text).unwrap();
    assert_eq!(
        (g.words, g.positions, g.padding),
        (x.words, x.positions, x.padding)
    );
    assert_eq!(g.gradients.steps, 8);
}
