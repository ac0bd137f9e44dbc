//! Gate surgery on the shipped model (`www/models/imdb-sentiment.lstmlab`) and its validation
//! sample (`www/models/imdb-sentiment.validation.json`, written by the CLI's
//! `validation-sample`): the sample is the model's, a held forget gate gives the logit of an
//! independent computation and moves the accuracy, and the link's text round-trips.

use lstm_lab::classifier::ModelWeights;
use lstm_lab::classifier::file as modelfile;
use lstm_lab::classifier::inspect::inspect_text_class_with;
use lstm_lab::classifier::surgery::accuracy::Scorer;
use lstm_lab::classifier::surgery::sample::ValidationSample;
use lstm_lab::classifier::surgery::{Edit, Gate, Surgery};

const MODEL: &[u8] = include_bytes!("../www/models/imdb-sentiment.lstmlab");
const SAMPLE: &[u8] = include_bytes!("../www/models/imdb-sentiment.validation.json");

fn saved() -> modelfile::SavedModel {
    modelfile::load(MODEL).unwrap()
}

fn scorer(w: &ModelWeights) -> (Scorer, ValidationSample) {
    let sample = ValidationSample::from_json(SAMPLE, w).unwrap();
    let s = Scorer::new(w, sample.rows(), sample.labels.clone(), sample.maxlen).unwrap();
    (s, sample)
}

/// The LSTM with its forget gate held at `f` for every unit, written from the equations with
/// the file's raw weights, then mean ‖ max pooling and the head: no code of the crate's cell.
fn logit_with_forget_held(w: &ModelWeights, ids: &[u32], f: f64) -> f64 {
    let (e, h) = (w.config.embed, w.config.hidden);
    let l = &w.lstm;
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (mut hs, mut cs) = (vec![0.0f64; h], vec![0.0f64; h]);
    let (mut sum, mut max) = (vec![0.0; h], vec![f64::MIN; h]);
    for &id in ids {
        let x = &w.embedding[id as usize * e..(id as usize + 1) * e];
        let pre: Vec<f64> = (0..4 * h)
            .map(|r| {
                let from_x: f64 = (0..e)
                    .map(|k| l.weight_ih[r * e + k] as f64 * x[k] as f64)
                    .sum();
                let from_h: f64 = (0..h).map(|k| l.weight_hh[r * h + k] as f64 * hs[k]).sum();
                l.bias_ih[r] as f64 + l.bias_hh[r] as f64 + from_x + from_h
            })
            .collect();
        for j in 0..h {
            cs[j] = f * cs[j] + sig(pre[j]) * pre[2 * h + j].tanh();
            hs[j] = sig(pre[3 * h + j]) * cs[j].tanh();
            sum[j] += hs[j];
            max[j] = max[j].max(hs[j]);
        }
    }
    let head = &w.linear_weight;
    w.linear_bias[0] as f64
        + (0..h)
            .map(|j| head[j] as f64 * sum[j] / ids.len() as f64 + head[h + j] as f64 * max[j])
            .sum::<f64>()
}

#[test]
fn the_sample_is_the_models_and_scores_as_recorded() {
    let saved = saved();
    let (scorer, sample) = scorer(&saved.weights);
    assert_eq!(scorer.len(), 1000);
    assert_eq!(sample.maxlen, saved.header.run.data.maxlen);
    assert_eq!(sample.classes, saved.header.run.class_names());
    let positive = sample.labels.iter().filter(|&&l| l == 1).count();
    assert!(
        (400..600).contains(&positive),
        "{positive} positive of 1000"
    );
    let right = scorer.correct(&Surgery::default(), 0, 1000).unwrap();
    assert_eq!(Some(right as f64 / 1000.0), sample.accuracy);
    // The shipped model scored 0.8661 on the whole validation split: the sample is of it.
    assert!(
        (0.83..0.90).contains(&sample.accuracy.unwrap()),
        "{}",
        sample.accuracy.unwrap()
    );
}

/// Holding every forget gate open or shut is a different model: on a real review its logit is
/// the independent computation's, the per-word shares still add up to it, and the accuracy on
/// the sample falls.
#[test]
fn a_held_forget_gate_gives_the_independent_logit_and_moves_the_accuracy() {
    let saved = saved();
    let w = &saved.weights;
    let tokenizer = saved.tokenizer();
    let maxlen = saved.header.run.data.maxlen;
    let text = "a wonderful film, the acting was superb but the ending was a bit slow and dull";
    let (scorer, _) = scorer(w);
    let plain = scorer.correct(&Surgery::default(), 0, 1000).unwrap();
    for (text_form, f) in [("f@all=1", 1.0), ("f@all=0", 0.0)] {
        let surgery = Surgery::parse(text_form).unwrap();
        let x = inspect_text_class_with(w, &tokenizer, maxlen, text, None, &surgery).unwrap();
        let ids: Vec<u32> = x.positions.iter().map(|p| p.id).collect();
        let expected = logit_with_forget_held(w, &ids, f);
        let got = x.inspection.logit;
        assert!(
            (got - expected).abs() < 1e-9,
            "{text_form}: {got} vs {expected}"
        );
        let shares = x.inspection.bias + x.inspection.word_contribution.iter().sum::<f64>();
        assert!(
            (shares - expected).abs() < 1e-9,
            "{text_form}: shares {shares}"
        );
        let edited = scorer.correct(&surgery, 0, 1000).unwrap();
        println!("{text_form}: {edited} of 1000 right, {plain} unedited");
        if f == 1.0 {
            // A cell that never forgets saturates: the model falls towards guessing.
            assert!(
                edited + 50 < plain,
                "{text_form}: {edited} right against {plain} unedited"
            );
        }
    }
}

#[test]
fn a_surgery_round_trips_through_its_text() {
    let hidden = saved().weights.config.hidden;
    let s = Surgery::default()
        .with(Edit::Clamp {
            gate: Gate::F,
            unit: None,
            open: true,
        })
        .with(Edit::Clamp {
            gate: Gate::O,
            unit: Some(16),
            open: false,
        })
        .with(Edit::Off { unit: hidden - 1 });
    let text = s.to_string();
    assert_eq!(text, format!("f@all=1,o@17=0,off@{hidden}"));
    let back = Surgery::parse(&text).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.check_units(hidden), Ok(()));
    assert!(
        Surgery::parse(&format!("off@{}", hidden + 1))
            .unwrap()
            .check_units(hidden)
            .is_err()
    );
}
