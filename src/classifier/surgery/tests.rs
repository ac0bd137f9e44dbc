use super::accuracy::Scorer;
use super::sample::ValidationSample;
use super::*;
use crate::classifier::inspect::inspect_class_with;
use crate::classifier::{Architecture, ModelConfig};

fn model() -> ModelWeights {
    ModelWeights::init(ModelConfig::binary(30, 4, 6), 5)
}

/// What the edited model computes, written out again from the equations without the cell's
/// code: gates from the raw weights, `held(gate, unit)` replacing a gate's value, `off(unit)`
/// zeroing `h`; then mean ‖ max pooling and the head.
fn independent_logit(
    w: &ModelWeights,
    ids: &[u32],
    held: &dyn Fn(char, usize) -> Option<f64>,
    off: &dyn Fn(usize) -> bool,
) -> f64 {
    let (e, h) = (w.config.embed, w.config.hidden);
    let l = &w.lstm;
    let s = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (mut hs, mut cs) = (vec![0.0f64; h], vec![0.0f64; h]);
    let (mut sum, mut max) = (vec![0.0; h], vec![f64::MIN; h]);
    for &id in ids {
        let x = &w.embedding[id as usize * e..(id as usize + 1) * e];
        let pre = |r: usize| -> f64 {
            let mut v = l.bias_ih[r] as f64 + l.bias_hh[r] as f64;
            for k in 0..e {
                v += l.weight_ih[r * e + k] as f64 * x[k] as f64;
            }
            for k in 0..h {
                v += l.weight_hh[r * h + k] as f64 * hs[k];
            }
            v
        };
        let mut next = vec![0.0; h];
        for j in 0..h {
            let i = held('i', j).unwrap_or_else(|| s(pre(j)));
            let f = held('f', j).unwrap_or_else(|| s(pre(h + j)));
            let g = pre(2 * h + j).tanh();
            let o = held('o', j).unwrap_or_else(|| s(pre(3 * h + j)));
            cs[j] = f * cs[j] + i * g;
            next[j] = if off(j) { 0.0 } else { o * cs[j].tanh() };
        }
        hs = next;
        for j in 0..h {
            sum[j] += hs[j];
            max[j] = max[j].max(hs[j]);
        }
    }
    let mut logit = w.linear_bias[0] as f64;
    for j in 0..h {
        logit += w.linear_weight[j] as f64 * sum[j] / ids.len() as f64;
        logit += w.linear_weight[h + j] as f64 * max[j];
    }
    logit
}

/// A surgery's text, which gate values it holds and which units it silences.
type Case = (
    &'static str,
    Box<dyn Fn(char, usize) -> Option<f64>>,
    Box<dyn Fn(usize) -> bool>,
);

const IDS: [u32; 9] = [0, 0, 3, 17, 4, 4, 29, 1, 8];

#[test]
fn the_link_form_round_trips() {
    let text = "f@all=1,o@17=0,off@42,i@3=1";
    let s = Surgery::parse(text).unwrap();
    assert_eq!(
        s.edits,
        vec![
            Edit::Clamp {
                gate: Gate::F,
                unit: None,
                open: true
            },
            Edit::Clamp {
                gate: Gate::O,
                unit: Some(16),
                open: false
            },
            Edit::Off { unit: 41 },
            Edit::Clamp {
                gate: Gate::I,
                unit: Some(2),
                open: true
            },
        ]
    );
    assert_eq!(s.to_string(), text);
    assert_eq!(Surgery::parse(&s.to_string()).unwrap(), s);
    assert_eq!(
        Surgery::parse(" f@all=1 , ,o@2=0 ").unwrap().to_string(),
        "f@all=1,o@2=0",
        "spaces and empty parts are dropped"
    );
    assert!(Surgery::parse("").unwrap().is_empty());
}

#[test]
fn a_bad_part_is_named_with_the_reason() {
    let err = |t: &str| Surgery::parse(t).unwrap_err().to_string();
    assert_eq!(
        err("f@all=1,g@3=1"),
        "surgery `g@3=1`: the gate is f, i or o (an LSTM's), r or z (a GRU's), or `off` to switch a unit off"
    );
    assert_eq!(err("o@0=1"), "surgery `o@0=1`: units are numbered from 1");
    assert_eq!(
        err("f@x=1"),
        "surgery `f@x=1`: the unit is a number from 1, or `all`"
    );
    assert_eq!(
        err("f@2=0.5"),
        "surgery `f@2=0.5`: a gate is clamped to 0 or 1"
    );
    assert_eq!(
        err("f@2"),
        "surgery `f@2`: a clamp needs a value: =0 (shut) or =1 (open)"
    );
    assert!(err("off@all").contains("off takes one unit"));
    assert!(err("f=1").contains("expected GATE@UNIT=0|1"));
    assert!(err(&"f@1=1,".repeat(1000)).contains("longer than 4000"));
    let s = Surgery::parse("f@all=1,off@7").unwrap();
    assert_eq!(
        s.check_units(6).unwrap_err().to_string(),
        "surgery `off@7`: the model has units 1–6, so there is no such unit"
    );
    assert_eq!(s.check_units(7), Ok(()));
}

#[test]
fn a_later_edit_of_the_same_target_replaces_the_earlier() {
    let s = Surgery::parse("f@all=1,o@2=0")
        .unwrap()
        .with(Edit::Clamp {
            gate: Gate::F,
            unit: None,
            open: false,
        })
        .with(Edit::Off { unit: 1 });
    assert_eq!(s.to_string(), "o@2=0,f@all=0,off@2");
}

/// Each kind of edit against the independent computation, through the inspection (whose
/// per-word shares must still add up to the edited logit) and through the accuracy's scorer.
#[test]
fn each_edit_gives_the_independent_logit_and_the_split_still_holds() {
    let w = model();
    let cases: Vec<Case> = vec![
        (
            "",
            Box::new(|_: char, _: usize| None),
            Box::new(|_: usize| false),
        ),
        (
            "f@all=1",
            Box::new(|g: char, _: usize| (g == 'f').then_some(1.0)),
            Box::new(|_: usize| false),
        ),
        (
            "f@all=0",
            Box::new(|g: char, _: usize| (g == 'f').then_some(0.0)),
            Box::new(|_: usize| false),
        ),
        (
            "i@all=0",
            Box::new(|g: char, _: usize| (g == 'i').then_some(0.0)),
            Box::new(|_: usize| false),
        ),
        (
            "o@3=1,i@5=1",
            Box::new(|g: char, j: usize| ((g, j) == ('o', 2) || (g, j) == ('i', 4)).then_some(1.0)),
            Box::new(|_: usize| false),
        ),
        (
            "off@2",
            Box::new(|_: char, _: usize| None),
            Box::new(|j: usize| j == 1),
        ),
        (
            "f@all=1,off@6,o@1=0",
            Box::new(|g: char, j: usize| match (g, j) {
                ('f', _) => Some(1.0),
                ('o', 0) => Some(0.0),
                _ => None,
            }),
            Box::new(|j: usize| j == 5),
        ),
    ];
    let plain = w.reference_logit(&IDS).unwrap();
    let scorer = Scorer::new(&w, IDS.to_vec(), vec![1], IDS.len()).unwrap();
    for (text, held, off) in &cases {
        let s = Surgery::parse(text).unwrap();
        let expected = independent_logit(&w, &IDS, held, off);
        let x = inspect_class_with(&w, &IDS, None, &s).unwrap();
        assert!(
            (x.logit - expected).abs() < 1e-12,
            "{text}: {} vs {expected}",
            x.logit
        );
        let by_word = x.bias + x.word_contribution.iter().sum::<f64>();
        assert!(
            (by_word - expected).abs() < 1e-12,
            "{text}: shares + bias {by_word}"
        );
        let scored = scorer.logits(&s, 0, 1)[0][0];
        assert!(
            (scored - expected).abs() < 1e-9,
            "{text}: scorer {scored} vs {expected}"
        );
        if !text.is_empty() {
            assert!((expected - plain).abs() > 1e-6, "{text} changes the logit");
        }
    }
}

#[test]
fn the_trace_shows_the_held_gates_and_the_silent_unit() {
    let w = model();
    let s = Surgery::parse("f@all=1,o@3=0,off@5").unwrap();
    let x = inspect_class_with(&w, &IDS, None, &s).unwrap();
    let h = 6;
    for t in 0..IDS.len() {
        assert!((0..h).all(|j| x.trace.f[t * h + j] == 1.0));
        assert_eq!(x.trace.o[t * h + 2], 0.0);
        assert_eq!(x.trace.h[t * h + 2], 0.0, "o = 0 shows nothing");
        assert_eq!(x.trace.h[t * h + 4], 0.0, "off");
        assert_ne!(x.trace.c[t * h + 2], 0.0, "its cell still runs");
    }
    // f = 1 from zero state: c is the running sum of i · g.
    let mut c = 0.0;
    for t in 0..IDS.len() {
        c += x.trace.i[t * h] * x.trace.g[t * h];
        assert!((x.trace.c[t * h] - c).abs() < 1e-12);
    }
}

/// Many rows at once (full lanes and a remainder) agree with the reference row by row, and
/// `correct` counts what the logits say.
/// Every cell, variant and readout, binary and with three classes: the scorer's logits are the
/// inspection's (itself checked against independent computations above) on every row, edited
/// and not, and its count is the rows whose predicted class is their label.
#[test]
fn the_scorer_agrees_with_the_reference_on_every_row() {
    let maxlen = 7;
    let mut rng = crate::rng::Rng::stream(9, 1);
    let n = 11;
    // Rows with 0 to maxlen leading padding positions (a row of padding alone among them), so
    // the lanes that share their padding steps are tested too.
    let rows: Vec<u32> = (0..n * maxlen)
        .map(|k| {
            let (r, t) = (k / maxlen, k % maxlen);
            if t < (r * 3) % (maxlen + 1) {
                0
            } else {
                1 + (rng.uniform() * 29.0) as u32 % 29
            }
        })
        .collect();
    let three = ModelConfig {
        outputs: 3,
        ..ModelConfig::binary(30, 4, 6).with_arch(Architecture::parse("lstm/last").unwrap())
    };
    let three = ModelWeights::init(three, 8);
    let models = [
        ("lstm/pool", model(), "i@all=1,off@1"),
        ("lstm/last", model_of("lstm/last"), "f@2=0,off@1"),
        ("lstm+sigmoid-g", model_of("lstm+sigmoid-g"), "o@all=0"),
        (
            "lstm+forget-fixed+no-output-gate",
            model_of("lstm+forget-fixed+no-output-gate"),
            "i@3=1,off@6",
        ),
        ("lstm+relu-out", model_of("lstm+relu-out"), "f@all=1"),
        (
            "lstm/last+relu-out",
            model_of("lstm/last+relu-out"),
            "off@2",
        ),
        ("gru/pool", model_of("gru/pool"), "z@all=1,off@4"),
        ("gru/last", model_of("gru/last"), "r@2=0"),
        ("rnn/pool", model_of("rnn/pool"), "off@1"),
        ("rnn/last", model_of("rnn/last"), "off@5"),
        ("lstm/last, 3 classes", three, "f@all=0"),
    ];
    for (name, w, edit) in models {
        let classes = w.config.classes();
        let labels: Vec<u8> = (0..n).map(|r| (r % classes) as u8).collect();
        let scorer = Scorer::new(&w, rows.clone(), labels.clone(), maxlen).unwrap();
        let mut order: Vec<usize> = (0..n).map(|k| scorer.row(k)).collect();
        order.sort_unstable();
        assert_eq!(order, (0..n).collect::<Vec<_>>(), "{name}: every row once");
        for surgery in [Surgery::default(), Surgery::parse(edit).unwrap()] {
            let logits = scorer.logits(&surgery, 0, n);
            let mut right = 0;
            for (k, scored) in logits.iter().enumerate() {
                let r = scorer.row(k);
                let row = &rows[r * maxlen..(r + 1) * maxlen];
                let x = inspect_class_with(&w, row, None, &surgery).unwrap();
                let expected = w.reference_logits(row).unwrap();
                assert_eq!(scored.len(), w.config.outputs, "{name}");
                if surgery.is_empty() {
                    for (a, b) in scored.iter().zip(&expected) {
                        assert!((a - b).abs() < 1e-9, "{name} row {r}: {a} vs reference {b}");
                    }
                }
                if classes == 2 {
                    assert!(
                        (scored[0] - x.logit).abs() < 1e-9,
                        "{name} {surgery} row {r}"
                    );
                } else {
                    let (p, q) = (super::accuracy::predicted(scored), x.predicted);
                    assert_eq!(p, q, "{name} {surgery} row {r}");
                }
                right += usize::from(super::accuracy::predicted(scored) == labels[r] as usize);
            }
            assert_eq!(scorer.correct(&surgery, 0, n).unwrap(), right, "{name}");
            let halves =
                scorer.correct(&surgery, 0, 5).unwrap() + scorer.correct(&surgery, 5, n).unwrap();
            assert_eq!(halves, right, "{name}: in pieces as in one");
        }
        assert!(
            scorer
                .correct(&Surgery::parse("off@7").unwrap(), 0, n)
                .is_err()
        );
    }
}

#[test]
fn models_and_samples_that_do_not_fit_are_refused() {
    let w = model();
    assert!(
        Scorer::new(&w, vec![0, 30], vec![1], 2)
            .err()
            .unwrap()
            .to_string()
            .contains("id 30")
    );
    assert!(
        Scorer::new(&w, vec![0, 3], vec![2], 2).is_err(),
        "class 2 of a binary model"
    );
    assert!(
        Scorer::new(&w, vec![0, 3, 4], vec![1], 2).is_err(),
        "not whole rows"
    );
}

#[test]
fn a_sample_keeps_its_reviews_without_padding_and_pads_them_back() {
    let rows = [0, 0, 5, 0, 7, 8, 1, 2, 3, 0, 0, 9];
    let s = ValidationSample::every(
        &rows,
        &[1, 0, 1, 0],
        3,
        2,
        vec!["n".into(), "p".into()],
        "test".into(),
    );
    assert_eq!(s.ids, vec![vec![5], vec![1, 2, 3]], "every 2nd row");
    assert_eq!(s.labels, vec![1, 1]);
    assert_eq!(s.rows(), vec![0, 0, 5, 1, 2, 3]);
    let w = model();
    let json = serde_json::to_vec(&s).unwrap();
    assert_eq!(ValidationSample::from_json(&json, &w).unwrap(), s);
    assert!(ValidationSample::from_json(b"{}", &w).is_err());
}

fn model_of(arch: &str) -> ModelWeights {
    let arch = Architecture::parse(arch).unwrap();
    ModelWeights::init(ModelConfig::binary(30, 4, 6).with_arch(arch), 7)
}

/// The states `h_t` of any cell edited as `held` and `off` say, from PyTorch's equations with
/// the raw weights (LSTM gate order i, f, g, o; GRU r, z, n with r scaling `W_hn h + b_hn`),
/// none of the crate's cell code.
fn independent_states(
    w: &ModelWeights,
    ids: &[u32],
    held: &dyn Fn(char, usize) -> Option<f64>,
    off: &dyn Fn(usize) -> bool,
) -> Vec<Vec<f64>> {
    let (e, h) = (w.config.embed, w.config.hidden);
    let l = &w.lstm;
    let s = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (mut hs, mut cs) = (vec![0.0f64; h], vec![0.0f64; h]);
    let mut out = Vec::new();
    for &id in ids {
        let x = &w.embedding[id as usize * e..(id as usize + 1) * e];
        let from_x = |r: usize| -> f64 {
            (0..e).fold(l.bias_ih[r] as f64, |v, k| {
                v + l.weight_ih[r * e + k] as f64 * x[k] as f64
            })
        };
        let from_h = |r: usize| -> f64 {
            (0..h).fold(l.bias_hh[r] as f64, |v, k| {
                v + l.weight_hh[r * h + k] as f64 * hs[k]
            })
        };
        let next: Vec<f64> = (0..h)
            .map(|j| {
                let v = match w.config.arch.cell {
                    Cell::Gru => {
                        let r = held('r', j).unwrap_or_else(|| s(from_x(j) + from_h(j)));
                        let z = held('z', j).unwrap_or_else(|| s(from_x(h + j) + from_h(h + j)));
                        let n = (from_x(2 * h + j) + r * from_h(2 * h + j)).tanh();
                        (1.0 - z) * n + z * hs[j]
                    }
                    Cell::Rnn => (from_x(j) + from_h(j)).tanh(),
                    Cell::Lstm => {
                        let pre = |r: usize| from_x(r) + from_h(r);
                        let i = held('i', j).unwrap_or_else(|| s(pre(j)));
                        let f = held('f', j).unwrap_or_else(|| s(pre(h + j)));
                        let o = held('o', j).unwrap_or_else(|| s(pre(3 * h + j)));
                        cs[j] = f * cs[j] + i * pre(2 * h + j).tanh();
                        o * cs[j].tanh()
                    }
                };
                if off(j) { 0.0 } else { v }
            })
            .collect();
        hs = next;
        out.push(hs.clone());
    }
    out
}

/// The head on `states`: mean ‖ max pooling or the last state, as the model reads.
fn independent_head(w: &ModelWeights, states: &[Vec<f64>]) -> f64 {
    let h = w.config.hidden;
    let head = |k: usize| w.linear_weight[k] as f64;
    let mut logit = w.linear_bias[0] as f64;
    match w.config.arch.readout {
        crate::classifier::Readout::Pool => {
            for j in 0..h {
                let mean = states.iter().map(|s| s[j]).sum::<f64>() / states.len() as f64;
                let max = states.iter().map(|s| s[j]).fold(f64::MIN, f64::max);
                logit += head(j) * mean + head(h + j) * max;
            }
        }
        crate::classifier::Readout::Last => {
            let last = states.last().unwrap();
            logit += (0..h).map(|j| head(j) * last[j]).sum::<f64>();
        }
    }
    logit
}

/// The inspection of `w` edited by `text` has the logit `expected`, its per-word and per-unit
/// shares add up to it with the bias, and (an edit being made) it differs from the trained one.
fn assert_edited(w: &ModelWeights, text: &str, expected: f64) {
    let s = Surgery::parse(text).unwrap();
    let x = inspect_class_with(w, &IDS, None, &s).unwrap();
    let arch = w.config.arch.describe();
    assert!(
        (x.logit - expected).abs() < 1e-12,
        "{arch} {text}: {} vs {expected}",
        x.logit
    );
    let by_word = x.bias + x.word_contribution.iter().sum::<f64>();
    let by_unit = x.bias + x.unit_contribution.iter().sum::<f64>();
    assert!((by_word - expected).abs() < 1e-12, "{arch} {text}: words");
    assert!((by_unit - expected).abs() < 1e-12, "{arch} {text}: units");
    if let Some(last) = x.running_logit.last() {
        assert!((last - expected).abs() < 1e-12, "{arch} {text}: running");
    }
    let plain = w.reference_logit(&IDS).unwrap();
    assert!(
        text.is_empty() || (expected - plain).abs() > 1e-6,
        "{arch} {text} changes the logit"
    );
}

/// The GRU with r or z held (every unit or one) or a unit off, both readouts, against the
/// independent GRU; z@all=1 from the zero state keeps h at 0, so the logit is the bias.
#[test]
fn a_gru_with_held_gates_gives_the_independent_logit() {
    let cases: Vec<Case> = vec![
        (
            "",
            Box::new(|_: char, _: usize| None),
            Box::new(|_: usize| false),
        ),
        (
            "z@all=0",
            Box::new(|g: char, _: usize| (g == 'z').then_some(0.0)),
            Box::new(|_: usize| false),
        ),
        (
            "z@2=1",
            Box::new(|g: char, j: usize| ((g, j) == ('z', 1)).then_some(1.0)),
            Box::new(|_: usize| false),
        ),
        (
            "r@all=0",
            Box::new(|g: char, _: usize| (g == 'r').then_some(0.0)),
            Box::new(|_: usize| false),
        ),
        (
            "r@all=1,z@4=0,off@6",
            Box::new(|g: char, j: usize| match (g, j) {
                ('r', _) => Some(1.0),
                ('z', 3) => Some(0.0),
                _ => None,
            }),
            Box::new(|j: usize| j == 5),
        ),
        (
            "off@1",
            Box::new(|_: char, _: usize| None),
            Box::new(|j: usize| j == 0),
        ),
    ];
    for arch in ["gru/pool", "gru/last"] {
        let w = model_of(arch);
        for (text, held, off) in &cases {
            let states = independent_states(&w, &IDS, held, off);
            assert_edited(&w, text, independent_head(&w, &states));
        }
        let x = inspect_class_with(&w, &IDS, None, &Surgery::parse("z@all=1").unwrap()).unwrap();
        assert!(x.trace.z.iter().all(|&z| z == 1.0), "{arch}: z shown held");
        assert!(
            x.trace.h.iter().all(|&h| h == 0.0),
            "{arch}: z = 1 copies h = 0"
        );
        assert_eq!(x.logit, x.bias, "{arch}: nothing but the bias is left");
    }
}

/// The plain RNN with units off, both readouts, against the independent RNN.
#[test]
fn a_plain_rnn_with_a_unit_off_gives_the_independent_logit() {
    for arch in ["rnn/pool", "rnn/last"] {
        let w = model_of(arch);
        for (text, off) in [("off@3", &[2][..]), ("off@1,off@6", &[0, 5])] {
            let states = independent_states(&w, &IDS, &|_, _| None, &|j| off.contains(&j));
            assert_edited(&w, text, independent_head(&w, &states));
            let x = inspect_class_with(&w, &IDS, None, &Surgery::parse(text).unwrap()).unwrap();
            for t in 0..IDS.len() {
                assert!(
                    off.iter().all(|&j| x.trace.h[t * 6 + j] == 0.0),
                    "{arch} {text}"
                );
            }
        }
    }
}

/// The last-state LSTM with units off (and a gate held) against the independent LSTM; the
/// split (exact by construction: a telescoping sum) still adds up to the edited logit, and the
/// off unit has no share.
#[test]
fn a_last_state_lstm_with_a_unit_off_gives_the_independent_logit() {
    let w = model_of("lstm/last");
    let cases: Vec<Case> = vec![
        (
            "off@2",
            Box::new(|_: char, _: usize| None),
            Box::new(|j: usize| j == 1),
        ),
        (
            "off@2,f@all=1",
            Box::new(|g: char, _: usize| (g == 'f').then_some(1.0)),
            Box::new(|j: usize| j == 1),
        ),
        (
            "o@5=0,off@2",
            Box::new(|g: char, j: usize| ((g, j) == ('o', 4)).then_some(0.0)),
            Box::new(|j: usize| j == 1),
        ),
    ];
    for (text, held, off) in &cases {
        let states = independent_states(&w, &IDS, held, off);
        assert_edited(&w, text, independent_head(&w, &states));
        let x = inspect_class_with(&w, &IDS, None, &Surgery::parse(text).unwrap()).unwrap();
        assert_eq!(x.unit_contribution[1], 0.0, "{text}: unit 2 is off");
    }
    // The pooled one too, against the first independent computation.
    let pooled = model();
    let held = |g: char, _: usize| (g == 'f').then_some(1.0);
    let off = |j: usize| j == 1;
    let states = independent_states(&pooled, &IDS, &held, &off);
    let expected = independent_logit(&pooled, &IDS, &held, &off);
    assert!((independent_head(&pooled, &states) - expected).abs() < 1e-12);
}

/// The post's variants: relu-out takes holds and units off (its relu layer reads the edited
/// h), and the split holds for each.
#[test]
fn the_variants_take_the_edits_that_make_sense() {
    let w = model_of("lstm+relu-out");
    for text in ["off@2", "f@all=1", "o@3=0,off@1"] {
        let s = Surgery::parse(text).unwrap();
        let x = inspect_class_with(&w, &IDS, None, &s).unwrap();
        let by_word = x.bias + x.word_contribution.iter().sum::<f64>();
        assert!((by_word - x.logit).abs() < 1e-12, "{text}");
        assert!(
            (x.logit - w.reference_logit(&IDS).unwrap()).abs() > 1e-9,
            "{text}"
        );
    }
    let x = inspect_class_with(&w, &IDS, None, &Surgery::parse("off@2").unwrap()).unwrap();
    let relu = w.out_layer.as_ref().unwrap();
    for t in 0..IDS.len() {
        assert_eq!(x.trace.h[t * 6 + 1], 0.0);
        // y = relu(W h + b) of the edited h, unit 2's column contributing nothing.
        let y = crate::classifier::reference::relu_layer(
            &relu.0,
            &relu.1,
            &x.trace.h[t * 6..(t + 1) * 6],
        );
        assert_eq!(x.trace.y[t * 6..(t + 1) * 6], y[..]);
    }
    for (arch, text) in [
        ("lstm+forget-fixed", "i@all=0"),
        ("lstm+no-output-gate", "f@2=1"),
    ] {
        let w = model_of(arch);
        assert_edited(&w, text, {
            let x = inspect_class_with(&w, &IDS, None, &Surgery::parse(text).unwrap()).unwrap();
            x.logit
        });
    }
}

#[test]
fn the_gru_gates_round_trip_in_the_link() {
    let text = "z@all=1,r@3=0,off@2,z@5=0";
    let s = Surgery::parse(text).unwrap();
    assert_eq!(
        s.edits[..2],
        [
            Edit::Clamp {
                gate: Gate::Z,
                unit: None,
                open: true
            },
            Edit::Clamp {
                gate: Gate::R,
                unit: Some(2),
                open: false
            },
        ]
    );
    assert_eq!(s.to_string(), text);
    assert_eq!(Surgery::parse(&s.to_string()).unwrap(), s);
    let json = serde_json::to_string(&s.edits[1]).unwrap();
    assert_eq!(json, r#"{"kind":"clamp","gate":"r","unit":2,"open":false}"#);
    assert_eq!(
        s.with(Edit::Clamp {
            gate: Gate::Z,
            unit: None,
            open: false
        })
        .to_string(),
        "r@3=0,off@2,z@5=0,z@all=0"
    );
}

/// A gate the model lacks is refused by name, with the gates it has; units off go anywhere.
#[test]
fn a_gate_the_model_lacks_is_refused_by_name() {
    let refused = |arch: &str, text: &str| {
        let w = model_of(arch);
        let s = Surgery::parse(text).unwrap();
        let e = s.check_model(&w).unwrap_err().to_string();
        let via = inspect_class_with(&w, &IDS, None, &s)
            .err()
            .unwrap()
            .to_string();
        assert!(via.contains(&e), "{via}");
        e
    };
    assert_eq!(
        refused("gru/pool", "z@all=1,f@all=1"),
        "surgery `f@all=1`: a GRU has no f gate: its gates are r and z"
    );
    assert_eq!(
        refused("lstm/last", "r@2=0"),
        "surgery `r@2=0`: an LSTM has no r gate: its gates are f, i and o"
    );
    assert!(
        refused("rnn/pool", "z@all=1").starts_with("surgery `z@all=1`: a plain RNN has no z gate")
    );
    assert!(refused("lstm+forget-fixed", "f@all=0").contains("forget gate is fixed at 1"));
    assert!(refused("lstm+no-output-gate", "o@1=1").contains("no output gate"));
    for arch in [
        "lstm/pool",
        "lstm/last",
        "gru/pool",
        "gru/last",
        "rnn/pool",
        "rnn/last",
    ] {
        let ok = Surgery::parse("off@6").unwrap();
        assert_eq!(ok.check_model(&model_of(arch)), Ok(()), "{arch}");
    }
    let names = |a: &str| -> Vec<&str> {
        gates_of(&Architecture::parse(a).unwrap())
            .iter()
            .map(|g| g.name())
            .collect()
    };
    assert_eq!(names("lstm/last"), ["f", "i", "o"]);
    assert_eq!(names("lstm+forget-fixed+no-output-gate"), ["i"]);
    assert_eq!(names("gru/pool"), ["z", "r"]);
    assert!(names("rnn").is_empty());
    // The accuracy scorer refuses a gate the model lacks too.
    let w = model();
    let scorer = Scorer::new(&w, IDS.to_vec(), vec![1], IDS.len()).unwrap();
    let e = scorer
        .correct(&Surgery::parse("z@all=1").unwrap(), 0, 1)
        .unwrap_err();
    assert!(e.to_string().contains("an LSTM has no z gate"), "{e}");
}
