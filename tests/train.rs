//! The classifier and its training loop: against PyTorch (`tests/fixtures/sentiment_torch.json`)
//! for one step, then whole runs on learnable synthetic data.

mod common;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor};
use lstm_lab::classifier::Architecture;
use lstm_lab::classifier::file as modelfile;
use lstm_lab::data::{DataConfig, synthetic};
use lstm_lab::gpu::block_on;
use lstm_lab::lstm::cell::LstmWeights;
use lstm_lab::settings::Recurrence;
use lstm_lab::trainer::lstm_layer::tensor;
use lstm_lab::trainer::model::{ModelConfig, ModelWeights, SentimentModel};
use lstm_lab::trainer::ops::batch::Batch;
use lstm_lab::trainer::ops::{self, Path};
use lstm_lab::trainer::parallel::{Plan, ShardEval};
use lstm_lab::trainer::{Compute, Predictor, StepReport, TrainConfig, Trainer};
use serde_json::Value;

const TOL: f64 = 2e-5;

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn assert_close(what: &str, got: &[f32], want: &[f32], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let (g, w) = (*g as f64, *w as f64);
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

fn torch_weights(w: &Value, config: ModelConfig) -> ModelWeights {
    ModelWeights {
        config,
        embedding: floats(&w["embedding.weight"]),
        lstm: LstmWeights {
            input: config.embed,
            hidden: config.hidden,
            weight_ih: floats(&w["lstm.weight_ih_l0"]),
            weight_hh: floats(&w["lstm.weight_hh_l0"]),
            bias_ih: floats(&w["lstm.bias_ih_l0"]),
            bias_hh: floats(&w["lstm.bias_hh_l0"]),
        },
        out_layer: None,
        linear_weight: floats(&w["linear.weight"]),
        linear_bias: floats(&w["linear.bias"]),
    }
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// burn's reference ops and the fused CPU LSTM (`src/trainer/ops/lstm/cpu_kernel.rs`), each against PyTorch.
#[test]
fn one_training_step_matches_pytorch() {
    for recurrence in [Recurrence::Reference, Recurrence::Fused] {
        one_training_step_matches_pytorch_with(recurrence);
    }
}

fn one_training_step_matches_pytorch_with(recurrence: Recurrence) {
    let f: Value = serde_json::from_str(include_str!("fixtures/sentiment_torch.json")).unwrap();
    let n = |k: &str| f[k].as_u64().unwrap() as usize;
    let config = ModelConfig::binary(n("vocab"), n("embed"), n("hidden"));
    let (batch, steps) = (n("batch"), n("steps"));
    let device = Device::flex().autodiff();
    let model = SentimentModel::from_weights(&torch_weights(&f["weights"], config), &device);
    let ids: Vec<u32> = f["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as u32)
        .collect();
    let path = Path::resolve(recurrence, &device, config.hidden);
    let logits = model.forward(&Batch::new(&ids, steps, config.vocab, path, &device), path);
    assert_close("logits", &read(logits.clone()), &floats(&f["logits"]), TOL);
    let targets = tensor(floats(&f["labels"]), [batch], &device);
    let loss = ops::loss::loss(path, logits, targets);
    assert_close(
        "loss",
        &read(loss.clone()),
        &[f["loss"].as_f64().unwrap() as f32],
        TOL,
    );

    let grads = loss.backward();
    let g = &f["grad"];
    let grad = |p: Tensor<2>| read(p.grad(&grads).expect("gradient"));
    let grad1 = |p: Tensor<1>| read(p.grad(&grads).expect("gradient"));
    assert_close(
        "grad embedding",
        &grad(model.embedding.weight.val()),
        &floats(&g["embedding.weight"]),
        TOL,
    );
    assert_close(
        "grad weight_ih",
        &grad(model.lstm.weight_ih.val()),
        &floats(&g["lstm.weight_ih_l0"]),
        TOL,
    );
    assert_close(
        "grad weight_hh",
        &grad(model.lstm.weight_hh.val()),
        &floats(&g["lstm.weight_hh_l0"]),
        TOL,
    );
    assert_close(
        "grad bias_ih",
        &grad1(model.lstm.bias_ih.val()),
        &floats(&g["lstm.bias_ih_l0"]),
        TOL,
    );
    assert_close(
        "grad bias_hh",
        &grad1(model.lstm.bias_hh.val()),
        &floats(&g["lstm.bias_hh_l0"]),
        TOL,
    );
    assert_close(
        "grad linear",
        &grad(model.linear.weight.val()),
        &floats(&g["linear.weight"]),
        TOL,
    );

    // One Adam(1e-3) step, with PyTorch's epsilon, lands on PyTorch's weights.
    let mut optim = AdamConfig::new().with_epsilon(1e-8).init();
    let params = GradientsParams::from_grads(grads, &model);
    let model = optim.step(1e-3, model, params);
    let after = block_on(model.to_weights()).unwrap();
    let want = torch_weights(&f["after_adam_step"], config);
    assert_close(
        "embedding after Adam",
        &after.embedding,
        &want.embedding,
        1e-6,
    );
    assert_close(
        "weight_hh after Adam",
        &after.lstm.weight_hh,
        &want.lstm.weight_hh,
        1e-6,
    );
    assert_close(
        "linear after Adam",
        &after.linear_weight,
        &want.linear_weight,
        1e-6,
    );
}

fn small_setup(epochs: usize) -> (lstm_lab::data::Prepared, TrainConfig) {
    let data = synthetic(
        600,
        DataConfig {
            vocab: 400,
            maxlen: 32,
            ..Default::default()
        },
    );
    let config = TrainConfig {
        embed: 16,
        hidden: 16,
        batch: 32,
        lr: 1e-2,
        epochs,
        seed: 3,
        ..TrainConfig::default()
    };
    (data, config)
}

fn small_run(epochs: usize) -> (Trainer, Vec<StepReport>) {
    let (data, config) = small_setup(epochs);
    let mut trainer = Trainer::new(data, config, &Compute::cpu()).unwrap();
    let mut reports = Vec::new();
    while !trainer.is_finished() {
        reports.push(block_on(trainer.step()).unwrap());
    }
    (trainer, reports)
}

#[test]
fn training_lowers_the_loss_and_learns() {
    let (trainer, reports) = small_run(3);
    let losses: Vec<f64> = reports
        .iter()
        .filter_map(|r| match r {
            StepReport::Batch { loss, .. } => Some(*loss),
            _ => None,
        })
        .collect();
    assert_eq!(losses.len(), 3 * trainer.train_batches());
    let first: f64 = losses[..3].iter().sum::<f64>() / 3.0;
    let last: f64 = losses[losses.len() - 3..].iter().sum::<f64>() / 3.0;
    assert!(last < first * 0.7, "loss {first:.3} → {last:.3}");
    let epochs: Vec<_> = reports
        .iter()
        .filter(|r| matches!(r, StepReport::Epoch { .. }))
        .collect();
    assert_eq!(epochs.len(), 3);
    let best = trainer.best().unwrap().clone();
    assert!(
        best.valid_accuracy > 0.8,
        "validation accuracy {}",
        best.valid_accuracy
    );
    // Every unit of work was counted, and the run then reports itself finished.
    match reports.last().unwrap() {
        StepReport::Epoch { done, total, .. } => assert_eq!(done, total),
        other => panic!("the last report is an epoch: {other:?}"),
    }
    let mut trainer = trainer;
    let finished = block_on(trainer.step()).unwrap();
    assert_eq!(
        finished,
        StepReport::Finished {
            best_epoch: Some(best.epoch),
            best_accuracy: Some(best.valid_accuracy)
        }
    );
}

#[test]
fn saved_model_predicts_like_the_trained_one() {
    let (trainer, _) = small_run(1);
    let bytes = block_on(trainer.model_file()).unwrap();
    let loaded = modelfile::load(&bytes).unwrap();
    let live = trainer.predictor();
    let restored = Predictor::from_saved(&loaded, &Compute::cpu());
    for text in [
        "good1 good2 w17 good4",
        "bad3 w9 bad1 bad0 w4000",
        "nothing known here",
    ] {
        let a = block_on(live.predict(text)).unwrap();
        let b = block_on(restored.predict(text)).unwrap();
        assert!(
            (a.probability - b.probability).abs() < 1e-6,
            "{text}: {} vs {}",
            a.probability,
            b.probability
        );
        assert_eq!(a.tokens, b.tokens);
    }
    let good = block_on(restored.predict("good1 good2 good3 good0 w5 w6")).unwrap();
    assert_eq!(good.label, "positive", "{good:?}");
    assert!(good.tokens.iter().filter(|t| t.used).count() >= 4);
}

#[test]
fn stopping_keeps_the_best_validated_model() {
    let data = synthetic(
        200,
        DataConfig {
            vocab: 200,
            maxlen: 16,
            ..Default::default()
        },
    );
    let config = TrainConfig {
        embed: 8,
        hidden: 8,
        batch: 25,
        lr: 1e-2,
        epochs: 4,
        seed: 5,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(data, config, &Compute::cpu()).unwrap();
    while !matches!(block_on(trainer.step()).unwrap(), StepReport::Epoch { .. }) {}
    let best = block_on(trainer.model().valid().to_weights()).unwrap();
    block_on(trainer.step()).unwrap(); // one more batch changes the weights…
    assert_ne!(block_on(trainer.model().to_weights()).unwrap(), best);
    trainer.stop(); // …and stopping goes back to the validated ones.
    assert!(trainer.is_finished());
    assert_eq!(block_on(trainer.model().to_weights()).unwrap(), best);
    assert!(matches!(
        block_on(trainer.step()).unwrap(),
        StepReport::Finished {
            best_epoch: Some(1),
            ..
        }
    ));
}

/// Run `trainer` to its end (or its first error), collecting the epochs' reports.
fn epochs_until_end(trainer: &mut Trainer) -> Result<Vec<lstm_lab::trainer::EpochReport>, String> {
    let mut epochs = Vec::new();
    while !trainer.is_finished() {
        match block_on(trainer.step()) {
            Ok(StepReport::Epoch { report, .. }) => epochs.push(report),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(epochs)
}

#[test]
fn a_resumed_run_goes_on_at_the_next_epoch_from_the_saved_weights() {
    let (data, config) = small_setup(3);
    let mut first = Trainer::new(data.clone(), config, &Compute::cpu()).unwrap();
    // Two epochs, as a page that was reloaded during the third would have kept them.
    let mut kept = Vec::new();
    while kept.len() < 2 {
        if let StepReport::Epoch { report, .. } = block_on(first.step()).unwrap() {
            kept.push(report);
        }
    }
    let last = block_on(first.model().to_weights()).unwrap();
    let (best_report, best_weights) = first
        .best_weights()
        .map(|(r, w)| (r.clone(), w.clone()))
        .unwrap();
    let mut resumed = Trainer::resume(
        data.clone(),
        config,
        &Compute::cpu(),
        &last,
        kept.clone(),
        Some((best_report, best_weights)),
    )
    .unwrap();
    assert_eq!(block_on(resumed.model().to_weights()).unwrap(), last);
    // Two of the three epochs' batches are done already.
    assert_eq!(resumed.done_steps(), 2 * resumed.total_steps() / 3);
    assert_eq!(resumed.total_steps(), first.total_steps());
    let rest = epochs_until_end(&mut resumed).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].epoch, 3);
    assert_eq!(resumed.history.len(), 3);
    assert_eq!(&resumed.history[..2], &kept[..]);
    // Adam starts again, so the third epoch is not the uninterrupted run's, but it still learns.
    let uninterrupted = epochs_until_end(&mut first).unwrap();
    assert_eq!(uninterrupted[0].epoch, 3);
    assert!(rest[0].valid_accuracy > 0.8, "{:?}", rest[0]);

    // Nothing left to train, or another model's sizes: refused.
    let err = Trainer::resume(
        data.clone(),
        config,
        &Compute::cpu(),
        &last,
        resumed.history.clone(),
        None,
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "invalid training settings: the run already trained 3 of its 3 epochs"
    );
    let other = TrainConfig {
        hidden: 8,
        ..config
    };
    let err = Trainer::resume(data, other, &Compute::cpu(), &last, kept, None)
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("the saved model has vocabulary 400, embedding 16, hidden size 16 and 2 classes, the settings 400, 16, 8 and 2"),
        "{err}"
    );
}

#[test]
fn a_diverging_run_stops_and_keeps_only_a_validated_finite_model() {
    // Weights an overflow has left non-finite (how a huge learning rate ends; the browser test
    // blows them up for real), put in through `resume`.
    let (data, config) = small_setup(3);
    let mut broken = ModelWeights::init(
        ModelConfig::binary(data.config.vocab, config.embed, config.hidden),
        1,
    );
    broken.linear_bias[0] = f32::INFINITY;

    // No validated epoch: no model to keep, none to predict with.
    let mut trainer = Trainer::resume(
        data.clone(),
        config,
        &Compute::cpu(),
        &broken,
        Vec::new(),
        None,
    )
    .unwrap();
    let err = epochs_until_end(&mut trainer).unwrap_err();
    assert!(
        err.starts_with(
            "training stopped: the loss became NaN at epoch 1, batch 1. The weights overflowed"
        ),
        "{err}"
    );
    assert!(
        err.ends_with("no epoch had finished, so there is no model to keep"),
        "{err}"
    );
    assert!(trainer.is_finished() && trainer.diverged() && !trainer.has_usable_model());

    // A validated epoch, then the overflow: that epoch's model is kept.
    let mut first = Trainer::new(data.clone(), config, &Compute::cpu()).unwrap();
    let report = loop {
        if let StepReport::Epoch { report, .. } = block_on(first.step()).unwrap() {
            break report;
        }
    };
    let validated = block_on(first.model().to_weights()).unwrap();
    let mut trainer = Trainer::resume(
        data.clone(),
        config,
        &Compute::cpu(),
        &broken,
        vec![report.clone()],
        Some((report.clone(), validated.clone())),
    )
    .unwrap();
    let err = epochs_until_end(&mut trainer).unwrap_err();
    assert!(
        err.starts_with("training stopped: the loss became NaN at epoch 2, batch 1."),
        "{err}"
    );
    assert!(
        err.ends_with(&format!(
            "the best model so far is kept (epoch 1, validation accuracy {:.4})",
            report.valid_accuracy
        )),
        "{err}"
    );
    assert!(trainer.has_usable_model());
    assert_eq!(block_on(trainer.model().to_weights()).unwrap(), validated);

    // A finite training loss, then a validation loss that is not (the last step overflowed):
    // that epoch is not kept.
    let mut trainer = Trainer::new(data, config, &Compute::cpu()).unwrap();
    let err = loop {
        match trainer.plan(1) {
            Plan::Train { .. } => {
                block_on(trainer.step()).unwrap();
            }
            Plan::Validate { shards } => {
                let eval = ShardEval {
                    loss_sum: f64::NAN,
                    correct: 0.0,
                    rows: shards[0].len(),
                    predicted: vec![0; shards[0].len()],
                };
                if let Err(e) = block_on(trainer.finish_validation(&[eval])) {
                    break e.to_string();
                }
            }
            Plan::Done => panic!("the run ended without diverging"),
        }
    };
    assert!(
        err.starts_with("training stopped: the validation loss became NaN after epoch 1."),
        "{err}"
    );
    assert!(trainer.best().is_none() && !trainer.has_usable_model());
}

#[test]
fn bad_settings_are_refused_with_the_reason() {
    let data = synthetic(10, DataConfig::default());
    let config = TrainConfig {
        lr: 0.0,
        ..TrainConfig::default()
    };
    let err = Trainer::new(data, config, &Compute::cpu()).err().unwrap();
    assert_eq!(
        err.to_string(),
        "invalid training settings: learning rate 0 must be above 0 and at most 1e30"
    );
}

/// A batch is built time-major on the host; each of its rows gets the logit the reference cell
/// (float64, one row at a time) gives that row, on every path.
/// Every cell, readout and variant a run can choose.
fn every_arch() -> Vec<Architecture> {
    [
        "lstm/pool",
        "lstm/last",
        "gru/pool",
        "gru/last",
        "rnn/pool",
        "rnn/last",
        "lstm/pool+sigmoid-g",
        "lstm/pool+relu-out",
        "lstm/last+forget-fixed+no-output-gate",
        "lstm/pool+forget-bias-1",
    ]
    .map(|s| Architecture::parse(s).unwrap())
    .to_vec()
}

/// The burn model on each path gives each row the logits of the host's f64 reference cells,
/// for every cell, readout and variant: two independent implementations agree.
#[test]
fn time_major_batches_give_each_rows_logit() {
    let device = Device::flex();
    for arch in every_arch() {
        let config = ModelConfig {
            outputs: 3,
            ..ModelConfig::binary(50, 4, 6).with_arch(arch)
        };
        for config in [
            ModelConfig {
                outputs: 1,
                ..config
            },
            config,
        ] {
            let weights = ModelWeights::init(config, 9);
            let model = SentimentModel::from_weights(&weights, &device);
            assert_eq!(model.config(), config);
            let (rows, maxlen) = (3, 5);
            let ids: Vec<u32> = (0..rows * maxlen).map(|i| (i * 7 % 50) as u32).collect();
            let each_row: Vec<f32> = ids
                .chunks(maxlen)
                .flat_map(|row| weights.reference_logits(row).unwrap())
                .map(|v| v as f32)
                .collect();
            for path in [Path::Reference, Path::Cpu] {
                let batch = Batch::new(&ids, maxlen, config.vocab, path, &device);
                let logits = read(model.forward(&batch, path));
                assert_eq!(logits.len(), rows * config.outputs);
                let what = format!("{} {path:?} logits", arch.describe());
                assert_close(&what, &logits, &each_row, 1e-5);
                // Step t of row r sits at [t, r]; only the WGSL path needs the words' positions.
                let t = batch.ids.into_data().try_to_vec::<i32>().unwrap();
                let (step, row) = (1, 2);
                assert_eq!(t[step * rows + row] as u32, ids[row * maxlen + step]);
                assert!(batch.positions.is_none());
            }
            // The weights come back as they went in, the post's `out` layer too.
            assert_eq!(block_on(model.to_weights()).unwrap(), weights);
        }
    }
}

/// Each cell, readout and variant trains (2 epochs on the synthetic texts) and learns; its file
/// and its PyTorch export keep the architecture, and the loaded model predicts the same.
#[test]
fn every_cell_readout_and_variant_trains_saves_and_exports() {
    for arch in every_arch() {
        let (data, config) = small_setup(2);
        let config = TrainConfig { arch, ..config };
        let name = arch.describe();
        let mut trainer = Trainer::new(data, config, &Compute::cpu()).unwrap();
        while !trainer.is_finished() {
            block_on(trainer.step()).unwrap();
        }
        let best = trainer
            .history
            .iter()
            .map(|e| e.valid_accuracy)
            .fold(0.0, f64::max);
        assert!(best > 0.75, "{name}: best validation accuracy {best}");
        let bytes = block_on(trainer.model_file()).unwrap();
        let loaded = modelfile::load(&bytes).unwrap();
        assert_eq!(loaded.weights.config.arch, arch, "{name}");
        let exported = lstm_lab::classifier::torch::export(&loaded).unwrap();
        let back = lstm_lab::classifier::torch::from_safetensors(&exported.model).unwrap();
        assert_eq!(
            back, loaded.weights,
            "{name}: the export reads back as it was"
        );
        let live = trainer.predictor();
        let restored = Predictor::from_saved(&loaded, &Compute::cpu());
        for text in ["good1 good2 w17 good4", "bad3 w9 bad1 bad0 w4000"] {
            let a = block_on(live.predict(text)).unwrap();
            let b = block_on(restored.predict(text)).unwrap();
            assert!(
                (a.probability - b.probability).abs() < 1e-6,
                "{name} {text}: {} vs {}",
                a.probability,
                b.probability
            );
        }
    }
}

/// Three workers — the trainer and two replicas, each with a third of every batch — train the
/// same model as one: the same per-epoch losses to 1e-4 (only the order of float sums differs).
#[test]
fn sharded_training_takes_the_same_steps_as_one_worker() {
    let (data, config) = small_setup(2);
    let (single, _) = small_run(2);
    let device = Compute::cpu();
    let mut lead = Trainer::new(data.clone(), config, &device).unwrap();
    let steps = common::train_sharded(&mut lead, &data, 2);
    assert_eq!(steps, single.total_steps());
    assert_eq!(lead.history.len(), 2);
    for (a, b) in lead.history.iter().zip(&single.history) {
        for (what, x, y) in [
            ("training loss", a.train_loss, b.train_loss),
            ("validation loss", a.valid_loss, b.valid_loss),
        ] {
            assert!(
                ((x - y) / y).abs() <= 1e-4,
                "epoch {}: {what} {x} (3 workers) vs {y} (1 worker)",
                a.epoch
            );
        }
        assert!((a.valid_accuracy - b.valid_accuracy).abs() <= 1.0 / 300.0);
    }
    // A planned step refuses shards that do not add up to its batch.
    let (data, config) = small_setup(1);
    let mut trainer = Trainer::new(data, config, &device).unwrap();
    let Plan::Train { shards, batch_rows } = trainer.plan(2) else {
        panic!("a training batch comes first")
    };
    let part = block_on(trainer.shard_gradient(&shards[0], batch_rows)).unwrap();
    let err = block_on(trainer.finish_train(&[part])).unwrap_err();
    assert!(
        err.to_string()
            .contains("the shards hold 16 rows of a batch of 32"),
        "{err}"
    );
}

/// Three classes of synthetic texts, each marked by its own words ("red…", "green…", "blue…"),
/// with a fourth value dropped: the K-class model trains on softmax cross-entropy, its per-class
/// scores come from the confusion matrix, its file names the classes, and the loaded model
/// predicts the same classes with the same probabilities.
#[test]
fn a_three_class_run_learns_scores_each_class_and_saves_its_names() {
    use lstm_lab::data::csv::{LabelChoice, read_labelled_texts};
    use lstm_lab::data::prepare;
    let mut csv = String::from("text,label\n");
    let mut rng = lstm_lab::rng::Rng::new(5);
    for i in 0..480 {
        let topic = ["red", "green", "blue", "junk"][i % 4];
        let words: Vec<String> = (0..20)
            .map(|_| match rng.below(4) {
                0 => format!("{topic}{}", rng.below(3)),
                _ => format!("w{}", rng.below(300)),
            })
            .collect();
        csv += &format!("{},{topic}\n", words.join(" "));
    }
    let mut texts = read_labelled_texts(csv.as_bytes(), &Default::default()).unwrap();
    texts
        .relabel(&LabelChoice {
            drop: vec!["junk".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(texts.classes, ["blue", "green", "red"]);
    let data = prepare(
        &texts,
        DataConfig {
            vocab: 400,
            maxlen: 20,
            ..Default::default()
        },
    )
    .unwrap();
    let config = TrainConfig {
        embed: 16,
        hidden: 16,
        batch: 32,
        lr: 1e-2,
        epochs: 3,
        seed: 3,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(data, config, &Compute::cpu()).unwrap();
    assert_eq!(trainer.model().config().outputs, 3);
    while !trainer.is_finished() {
        block_on(trainer.step()).unwrap();
    }
    let best = trainer.best().unwrap().clone();
    assert!(
        best.valid_accuracy > 0.8,
        "accuracy {}",
        best.valid_accuracy
    );
    // The scores are the confusion matrix's, and it counts every validation row once.
    let m = &best.confusion;
    assert_eq!(m.total() as usize, trainer.data.valid.len());
    assert!((m.accuracy() - best.valid_accuracy).abs() < 1e-9);
    assert_eq!(best.valid_per_class.len(), 3);
    assert!((best.valid_macro_f1 - m.macro_f1()).abs() < 1e-12);
    assert_eq!(trainer.valid_predictions().len(), trainer.data.valid.len());

    let bytes = block_on(trainer.model_file()).unwrap();
    let loaded = modelfile::load(&bytes).unwrap();
    assert_eq!(loaded.header.run.class_names(), ["blue", "green", "red"]);
    let restored = Predictor::from_saved(&loaded, &Compute::cpu());
    let live = trainer.predictor();
    // Texts like the training ones: 20 words, a few of them the topic's.
    let like = |topic: &str| {
        (0..20)
            .map(|i| match i % 4 {
                1 => format!("{topic}{}", i % 3),
                _ => format!("w{}", i * 7),
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    for class in ["red", "green", "blue"] {
        let text = like(class);
        let text = text.as_str();
        let a = block_on(live.predict(text)).unwrap();
        let b = block_on(restored.predict(text)).unwrap();
        assert_eq!(
            (a.label.as_str(), b.label.as_str()),
            (class, class),
            "{text}"
        );
        assert_eq!(a.classes.len(), 3);
        assert!((a.probability - b.probability).abs() < 1e-6);
        let sum: f64 = a.classes.iter().map(|c| c.probability).sum();
        assert!((sum - 1.0).abs() < 1e-6, "probabilities sum to 1: {sum}");
        assert!(
            a.classes
                .windows(2)
                .all(|w| w[0].probability >= w[1].probability)
        );
    }
}
