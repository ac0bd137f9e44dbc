//! PyTorch in and out (`src/classifier/torch.rs`): a model saved by PyTorch
//! (`tests/fixtures/torch_model/`, made by `make_torch_model.py`) loads and gives PyTorch's
//! logits; our export has PyTorch's names, shapes and dtypes and round-trips exactly; every
//! malformed file is refused with a message naming the problem.
//!
//! The last test writes an export of one of our models, with our logits, for
//! `make_torch_model.py --check-export DIR` (PyTorch is not needed to run the tests).

use lstm_lab::classifier::file::{self as modelfile, SavedModel};
use lstm_lab::classifier::torch::{self as torch_io, NAMES, TorchIoError};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use serde_json::Value;

const MODEL: &[u8] = include_bytes!("fixtures/torch_model/model.safetensors");
const VOCAB: &[u8] = include_bytes!("fixtures/torch_model/vocab.json");
const TOL: f64 = 1e-5;

fn expected() -> Value {
    serde_json::from_str(include_str!("fixtures/torch_model/expected.json")).unwrap()
}

fn rows(v: &Value) -> Vec<Vec<u32>> {
    serde_json::from_value(v.clone()).unwrap()
}

fn torch_logits() -> Vec<f64> {
    serde_json::from_value(expected()["logits"].clone()).unwrap()
}

fn fixture() -> SavedModel {
    torch_io::import(MODEL, VOCAB, Some(12)).unwrap()
}

#[test]
fn a_pytorch_model_loads_with_its_vocabulary() {
    let saved = fixture();
    let c = saved.weights.config;
    assert_eq!((c.vocab, c.embed, c.hidden), (50, 8, 6));
    assert_eq!(saved.header.run.data.vocab, 50);
    assert_eq!(saved.header.run.data.maxlen, 12);
    // Indices 1–49 kept; "beyond" (50) and "embedding" (52) have no embedding row.
    assert_eq!(saved.header.words.len(), 49);
    assert_eq!(saved.header.words[..3], ["the", "a", "and"]);
    let e = expected();
    let tokenizer = saved.tokenizer();
    for (text, ids) in e["texts"]
        .as_array()
        .unwrap()
        .iter()
        .zip(rows(&e["text_ids"]))
    {
        let text = text.as_str().unwrap();
        assert_eq!(tokenizer.encode(text, 12), ids, "Keras' ids for {text:?}");
    }
    // The file round-trips through our own format.
    let reloaded = modelfile::load(&saved.to_bytes()).unwrap();
    assert_eq!(reloaded, saved);
}

#[test]
fn the_reference_cell_gives_pytorchs_logits() {
    let saved = fixture();
    for (ids, want) in rows(&expected()["ids"]).iter().zip(torch_logits()) {
        let got = saved.weights.reference_logit(ids).unwrap();
        assert!(
            (got - want).abs() <= TOL,
            "{ids:?}: {got} vs PyTorch {want}"
        );
    }
}

#[cfg(feature = "trainer")]
fn burn_logits(
    saved: &SavedModel,
    ids: &[Vec<u32>],
    recurrence: lstm_lab::settings::Recurrence,
) -> Vec<f64> {
    use burn::tensor::Device;
    use lstm_lab::trainer::model::SentimentModel;
    use lstm_lab::trainer::ops::Path;
    use lstm_lab::trainer::ops::batch::Batch;
    let device = Device::flex();
    let model = SentimentModel::from_weights(&saved.weights, &device);
    let flat: Vec<u32> = ids.concat();
    let maxlen = ids[0].len();
    let config = saved.weights.config;
    let path = Path::resolve(recurrence, &device, config.hidden);
    let batch = Batch::new(&flat, maxlen, config.vocab, path, &device);
    let logits = model.forward(&batch, path);
    let values = logits.into_data().try_to_vec::<f32>().unwrap();
    values.into_iter().map(f64::from).collect()
}

/// The trainer's model on the CPU backend, with burn's ops and with the fused CPU LSTM.
#[cfg(feature = "trainer")]
#[test]
fn the_burn_model_on_the_cpu_gives_pytorchs_logits() {
    use lstm_lab::settings::Recurrence;
    let saved = fixture();
    let ids = rows(&expected()["ids"]);
    for kernel in [Recurrence::Reference, Recurrence::Fused] {
        let got = burn_logits(&saved, &ids, kernel);
        for ((g, w), row) in got.iter().zip(torch_logits()).zip(&ids) {
            assert!(
                (g - w).abs() <= TOL,
                "{kernel:?} {row:?}: {g} vs PyTorch {w}"
            );
        }
    }
}

/// `(name, dtype, shape, bytes)` of every tensor, by name.
fn tensors(bytes: &[u8]) -> Vec<(String, Dtype, Vec<usize>, Vec<u8>)> {
    let mut all: Vec<_> = SafeTensors::deserialize(bytes)
        .unwrap()
        .tensors()
        .into_iter()
        .map(|(name, t)| (name, t.dtype(), t.shape().to_vec(), t.data().to_vec()))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[test]
fn the_export_is_pytorchs_file_again() {
    let saved = fixture();
    let files = torch_io::export(&saved).unwrap();
    // Same names, dtypes, shapes and bytes as the file PyTorch wrote.
    assert_eq!(tensors(&files.model), tensors(MODEL));
    let mut names: Vec<String> = tensors(&files.model).into_iter().map(|t| t.0).collect();
    names.sort();
    let mut want: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
    want.sort();
    assert_eq!(names, want);
    // vocab.json: Keras' word_index for the kept words.
    let vocab: serde_json::Map<String, Value> = serde_json::from_slice(&files.vocab).unwrap();
    let keras: serde_json::Map<String, Value> = serde_json::from_slice(VOCAB).unwrap();
    assert_eq!(vocab.len(), 49);
    for (word, index) in &vocab {
        assert_eq!(keras[word], *index, "{word}");
    }
    // And back, exactly; the export records maxlen, so it comes back without being given.
    let again = torch_io::import(&files.model, &files.vocab, None).unwrap();
    assert_eq!(again, saved);
}

#[test]
fn a_model_of_ours_round_trips_exactly() {
    let ours = modelfile::load(include_bytes!("fixtures/format_v1.lstmlab")).unwrap();
    let files = torch_io::export(&ours).unwrap();
    let back = torch_io::import(&files.model, &files.vocab, None).unwrap();
    assert_eq!(back.weights, ours.weights);
    assert_eq!(back.header.words, ours.header.words);
    assert_eq!(back.header.run.data.maxlen, ours.header.run.data.maxlen);
    assert_eq!(
        back.tokenizer()
            .encode("the film was good, a great film", 6),
        ours.tokenizer()
            .encode("the film was good, a great film", 6)
    );
}

#[test]
fn maxlen_is_the_posts_unless_given_or_recorded() {
    assert_eq!(torch_io::recorded_maxlen(MODEL).unwrap(), None);
    let default = torch_io::import(MODEL, VOCAB, None).unwrap();
    assert_eq!(default.header.run.data.maxlen, 128);
    let files = torch_io::export(&fixture()).unwrap();
    assert_eq!(torch_io::recorded_maxlen(&files.model).unwrap(), Some(12));
    let given = torch_io::import(&files.model, &files.vocab, Some(40)).unwrap();
    assert_eq!(given.header.run.data.maxlen, 40);
    let e = torch_io::import(MODEL, VOCAB, Some(0)).unwrap_err();
    assert_eq!(e.to_string(), "sequence length 0 is outside 1–2048");
}

#[test]
fn sizes_outside_trainings_bounds_are_refused() {
    use lstm_lab::classifier::{ModelConfig, ModelWeights};
    // One embedding row: a vocabulary of padding alone, below the 2 training accepts.
    let weights = ModelWeights::init(ModelConfig::binary(1, 2, 3), 1);
    let model = torch_io::to_safetensors(&weights, 8).unwrap();
    let e = torch_io::import(&model, b"{}", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid data settings: vocabulary 1 is outside 2–65536"
    );
}

/// The fixture's tensors with one change, written as safetensors.
fn edited(edit: impl FnOnce(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>)) -> Vec<u8> {
    let mut all = tensors(MODEL);
    edit(&mut all);
    let views = all
        .iter()
        .map(|(name, dtype, shape, data)| {
            (
                name.clone(),
                TensorView::new(*dtype, shape.clone(), data).unwrap(),
            )
        })
        .collect::<Vec<_>>();
    safetensors::serialize(views, None).unwrap()
}

fn error(model: &[u8]) -> String {
    torch_io::import(model, VOCAB, None)
        .unwrap_err()
        .to_string()
}

fn rename(all: &mut [(String, Dtype, Vec<usize>, Vec<u8>)], from: &str, to: &str) {
    all.iter_mut().find(|t| t.0 == from).unwrap().0 = to.to_string();
}

#[test]
fn a_wrong_name_names_both_tensors() {
    let model = edited(|all| rename(all, "lstm.weight_ih_l0", "lstm.weight_ih"));
    let e = torch_io::from_safetensors(&model).unwrap_err();
    assert_eq!(
        e,
        TorchIoError::Unexpected {
            name: "lstm.weight_ih".into(),
            missing: vec!["lstm.weight_ih_l0".into()]
        }
    );
    assert_eq!(
        e.to_string(),
        "model.safetensors has a tensor `lstm.weight_ih` that this model does not have (its \
         tensors are embedding.weight, lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, \
         lstm.bias_hh_l0, linear.weight, linear.bias); missing: `lstm.weight_ih_l0`"
    );
}

#[test]
fn a_missing_tensor_is_named() {
    let model = edited(|all| all.retain(|t| t.0 != "linear.bias"));
    assert_eq!(
        error(&model),
        "model.safetensors has no tensor `linear.bias` (the model needs embedding.weight, \
         lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0, linear.weight, \
         linear.bias)"
    );
}

#[test]
fn an_extra_tensor_is_named() {
    // A second LSTM layer.
    let model = edited(|all| {
        let extra = all
            .iter()
            .find(|t| t.0 == "lstm.weight_hh_l0")
            .unwrap()
            .clone();
        all.push(("lstm.weight_hh_l1".into(), extra.1, extra.2, extra.3));
    });
    let e = error(&model);
    assert!(
        e.starts_with(
            "model.safetensors has a tensor `lstm.weight_hh_l1` that this model does not have"
        ),
        "{e}"
    );
    assert!(!e.contains("missing"), "{e}");
}

#[test]
fn a_wrong_shape_says_expected_and_found() {
    // weight_ih for an embedding of 7 instead of 8.
    let model = edited(|all| {
        let t = all.iter_mut().find(|t| t.0 == "lstm.weight_ih_l0").unwrap();
        t.2 = vec![24, 7];
        t.3.truncate(24 * 7 * 4);
    });
    assert_eq!(
        error(&model),
        "tensor `lstm.weight_ih_l0` has shape [24, 7]; expected [24, 8] (vocabulary 50 and \
         embedding 8 from embedding.weight, hidden 6 from lstm.weight_hh_l0)"
    );
    // The tensor the sizes come from: 4H rows for H columns.
    let model = edited(|all| {
        let t = all.iter_mut().find(|t| t.0 == "lstm.weight_hh_l0").unwrap();
        t.2 = vec![6, 24];
    });
    assert_eq!(
        error(&model),
        "tensor `lstm.weight_hh_l0` has shape [6, 24]; expected [96, 24] ([4 × hidden, hidden])"
    );
    let model = edited(|all| {
        let t = all.iter_mut().find(|t| t.0 == "embedding.weight").unwrap();
        t.2 = vec![400];
    });
    assert_eq!(
        error(&model),
        "tensor `embedding.weight` has shape [400]; expected [vocabulary, embedding size], both at least 1"
    );
    let model = edited(|all| {
        let t = all.iter_mut().find(|t| t.0 == "linear.weight").unwrap();
        t.2 = vec![12, 1];
    });
    assert!(
        error(&model).starts_with("tensor `linear.weight` has shape [12, 1]; expected [outputs, 12] (2 × hidden 6), outputs 1 for two classes or 3–100"),
        "{}",
        error(&model)
    );
}

#[test]
fn a_wrong_dtype_says_what_was_found() {
    let model = edited(|all| {
        let t = all.iter_mut().find(|t| t.0 == "linear.bias").unwrap();
        let v = f32::from_le_bytes(t.3[..4].try_into().unwrap()) as f64;
        (t.1, t.3) = (Dtype::F64, v.to_le_bytes().to_vec());
    });
    let e = torch_io::from_safetensors(&model).unwrap_err();
    assert_eq!(
        e,
        TorchIoError::Dtype {
            name: "linear.bias".into(),
            found: "F64".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "tensor `linear.bias` is F64; only F32 is accepted (in PyTorch, call model.float() before saving)"
    );
    let model = edited(|all| {
        let t = all.iter_mut().find(|t| t.0 == "embedding.weight").unwrap();
        t.1 = Dtype::BF16;
        t.3.truncate(t.3.len() / 2);
    });
    assert!(error(&model).starts_with("tensor `embedding.weight` is BF16;"));
}

#[test]
fn not_safetensors_and_non_finite_weights_are_refused() {
    let e = error(b"LSTMLAB\0 is another format");
    assert!(
        e.starts_with("model.safetensors cannot be read as safetensors: "),
        "{e}"
    );
    assert!(error(&MODEL[..MODEL.len() - 8]).starts_with("model.safetensors cannot be read"));
    let model = edited(|all| {
        let t = all.iter_mut().find(|t| t.0 == "lstm.bias_hh_l0").unwrap();
        t.3[12..16].copy_from_slice(&f32::NAN.to_le_bytes());
    });
    assert_eq!(
        error(&model),
        "tensor `lstm.bias_hh_l0` holds NaN at index 3; a model needs finite weights"
    );
}

fn vocab_error(json: &str) -> String {
    torch_io::parse_vocab(json.as_bytes(), 5)
        .unwrap_err()
        .to_string()
}

#[test]
fn a_bad_vocabulary_names_the_problem() {
    assert_eq!(
        torch_io::parse_vocab(br#"{"b": 2, "a": 1, "far": 9}"#, 5).unwrap(),
        ["a", "b"]
    );
    assert!(vocab_error("{\"a\": 1,").starts_with("vocab.json: not JSON: "));
    assert_eq!(
        vocab_error(r#"["a", "b"]"#),
        "vocab.json: expected an object {\"word\": index, …} (Keras's word_index), found an array"
    );
    assert_eq!(
        vocab_error(r#"{"a": 1, "b": "2"}"#),
        "vocab.json: the index of “b” is \"2\", not a whole number of at least 1"
    );
    assert_eq!(
        vocab_error(r#"{"a": 1, "b": -2}"#),
        "vocab.json: the index of “b” is -2, not a whole number of at least 1"
    );
    assert_eq!(
        vocab_error(r#"{"a": 0}"#),
        "vocab.json: “a” has index 0, which is padding; word indices start at 1"
    );
    assert_eq!(
        vocab_error(r#"{"a": 1, "b": 1}"#),
        "vocab.json: “a” and “b” both have index 1"
    );
    assert_eq!(
        vocab_error(r#"{"a": 1, "c": 3}"#),
        "vocab.json: no word has index 2, but “c” has index 3: the indices below the vocabulary \
         size 5 must run 1, 2, 3… without a gap"
    );
    let e = torch_io::import(MODEL, b"[]", None).unwrap_err();
    assert!(matches!(e, TorchIoError::Vocab(_)), "{e}");
}

/// Our model, exported, with our logits and ids: the input of
/// `make_torch_model.py --check-export DIR`.
#[cfg(feature = "trainer")]
#[test]
fn writes_an_export_for_pytorch_to_check() {
    use lstm_lab::settings::Recurrence;
    let ours = modelfile::load(include_bytes!("fixtures/format_v1.lstmlab")).unwrap();
    let maxlen = ours.header.run.data.maxlen;
    let tokenizer = ours.tokenizer();
    let texts = [
        "The film was good, a great film!",
        "bad plot, awful actor: a poor movie",
        "good",
        "nothing known here",
        "the the the film film film movie movie",
    ];
    let ids: Vec<Vec<u32>> = texts.iter().map(|t| tokenizer.encode(t, maxlen)).collect();
    let logits = burn_logits(&ours, &ids, Recurrence::Fused);
    for (row, logit) in ids.iter().zip(&logits) {
        let reference = ours.weights.reference_logit(row).unwrap();
        assert!(
            (reference - logit).abs() <= TOL,
            "{row:?}: {reference} vs {logit}"
        );
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("torch_export");
    std::fs::create_dir_all(&dir).unwrap();
    let files = torch_io::export(&ours).unwrap();
    std::fs::write(dir.join(torch_io::MODEL_FILE), &files.model).unwrap();
    std::fs::write(dir.join(torch_io::VOCAB_FILE), &files.vocab).unwrap();
    let check = serde_json::json!({
        "maxlen": maxlen, "texts": texts, "text_ids": ids, "ids": ids, "logits": logits,
    });
    std::fs::write(dir.join("ours.json"), check.to_string()).unwrap();
    println!(
        "check with: python3 tests/fixtures/make_torch_model.py --check-export {}",
        dir.display()
    );
}

/// `lstm-lab export` then `lstm-lab import`, through the CLI's own argument handling.
#[cfg(all(feature = "trainer", not(target_family = "wasm")))]
#[test]
fn the_cli_exports_and_imports() {
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_torch");
    let out = tmp.join("export");
    let _ = std::fs::remove_dir_all(&tmp);
    let model = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/format_v1.lstmlab"
    );
    let saved = tmp.join("back.lstmlab");
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        lstm_lab::cli::run(&args)
    };
    run(&["export", "--model", model, "--out", &out.to_string_lossy()]).unwrap();
    assert!(out.join("model.safetensors").is_file() && out.join("vocab.json").is_file());
    let dir = out.to_string_lossy().to_string();
    let save = saved.to_string_lossy().to_string();
    run(&["import", "--dir", &dir, "--save", &save, "--maxlen", "9"]).unwrap();
    let original = modelfile::load(include_bytes!("fixtures/format_v1.lstmlab")).unwrap();
    let back = modelfile::load(&std::fs::read(&saved).unwrap()).unwrap();
    assert_eq!(back.weights, original.weights);
    assert_eq!(back.header.words, original.header.words);
    assert_eq!(back.header.run.data.maxlen, 9);
    let e = run(&["import", "--dir", &tmp.to_string_lossy(), "--save", &save]).unwrap_err();
    assert!(e.contains("model.safetensors: No such file"), "{e}");
    let e = run(&["import", "--dir", &dir, "--save", &save, "--maxlen", "x"]).unwrap_err();
    // Checked against the command's table before anything is read: the option, then the usage.
    assert!(
        e.starts_with("--maxlen: `x` is not a whole number (0 or more)\n\nusage: lstm-lab"),
        "{e}"
    );
}

/// A GRU read by its last state and a plain RNN read by pooling, saved by PyTorch
/// (`tests/fixtures/torch_cells/`, made by `make_cells_model.py`): each imports as that cell
/// and readout (from the names and `linear.weight`'s width alone) and gives PyTorch's logits;
/// our export has exactly PyTorch's names and shapes, so `load_state_dict(strict=True)` takes
/// it, and it records the architecture.
#[test]
fn pytorch_gru_and_rnn_models_load_and_give_pytorchs_logits() {
    let expected: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/torch_cells/expected.json")).unwrap();
    let rows: Vec<Vec<u32>> = serde_json::from_value(expected["rows"].clone()).unwrap();
    for (name, bytes) in [
        (
            "gru_last",
            &include_bytes!("fixtures/torch_cells/gru_last.safetensors")[..],
        ),
        (
            "rnn_pool",
            &include_bytes!("fixtures/torch_cells/rnn_pool.safetensors")[..],
        ),
    ] {
        let weights = torch_io::from_safetensors(bytes).unwrap();
        assert_eq!(weights.config.arch.describe(), name.replace('_', "/"));
        let want: Vec<f64> = serde_json::from_value(expected[name].clone()).unwrap();
        let got: Vec<f64> = rows
            .iter()
            .flat_map(|row| weights.reference_logits(row).unwrap())
            .collect();
        assert_eq!(got.len(), want.len(), "{name}");
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-5 * (1.0 + w.abs()), "{name}: {g} vs {w}");
        }
        let ours = torch_io::to_safetensors(&weights, 9).unwrap();
        let shapes = |b: &[u8]| {
            let file = safetensors::SafeTensors::deserialize(b).unwrap();
            let mut all: Vec<(String, Vec<usize>)> = file
                .tensors()
                .into_iter()
                .map(|(n, t)| (n, t.shape().to_vec()))
                .collect();
            all.sort();
            all
        };
        assert_eq!(shapes(&ours), shapes(bytes), "{name}: names and shapes");
        assert_eq!(torch_io::from_safetensors(&ours).unwrap(), weights);
    }
}
