//! The fused WGSL LSTM against burn's reference ops, on a native wgpu device (lavapipe in CI):
//! forward outputs and every gradient, for odd shapes (H not a multiple of the workgroup size,
//! H above it, B = 1, T = 1, T = 512, the time loop cut into several dispatches).

use burn::optim::Optimizer;
use burn::tensor::{Device, Tensor};
use lstm_lab::data::csv::{ColumnChoice, read_labelled_texts};
use lstm_lab::data::{DataConfig, prepare};
use lstm_lab::fused;
use lstm_lab::fused::adam::FusedAdam;
use lstm_lab::fused_check as check;
use lstm_lab::gpu::block_on;
use lstm_lab::lstm::module::{Lstm, LstmKernel, tensor};
use lstm_lab::rng::Rng;
use lstm_lab::train::TrainConfig;
use lstm_lab::train::Trainer;
use std::sync::OnceLock;

/// burn's wgpu runtime can be initialised once per process; the tests share it.
fn wgpu_or_skip() -> Option<Device> {
    static DEVICE: OnceLock<Result<Device, String>> = OnceLock::new();
    match DEVICE.get_or_init(|| Device::wgpu_options().init().map_err(|e| format!("{e:?}"))) {
        Ok(device) => Some(device.clone()),
        Err(e) if std::env::var("LSTM_LAB_ALLOW_NO_GPU").as_deref() == Ok("1") => {
            eprintln!("skipping fused-kernel test: {e}");
            None
        }
        Err(e) => panic!(
            "no wgpu device: {e}\n(install mesa-vulkan-drivers, or set LSTM_LAB_ALLOW_NO_GPU=1)"
        ),
    }
}

fn random(rng: &mut Rng, n: usize, scale: f64) -> Vec<f32> {
    (0..n).map(|_| (rng.normal() * scale) as f32).collect()
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn fused_matches_reference_forward_and_every_gradient() {
    let Some(device) = wgpu_or_skip() else { return };
    let results = block_on(check::compare_all(&device)).expect("device");
    assert_eq!(results.len(), check::CASES.len());
    for c in &results {
        assert_close(c);
    }
}

fn assert_close(c: &check::Comparison) {
    println!("{:?}: worst relative error {:.2e}", c.case, c.worst());
    assert_eq!(c.errors.len(), 8, "output and seven gradients");
    for (name, error) in &c.errors {
        assert!(
            *error <= check::TOLERANCE,
            "{:?} {name}: fused and reference differ by {error:e}",
            c.case
        );
    }
}

#[test]
fn fused_matches_reference_through_512_steps() {
    let Some(device) = wgpu_or_skip() else { return };
    assert_close(&block_on(check::compare(&device, check::LONG, 99)).expect("device"));
}

#[test]
fn fused_forward_without_autodiff_and_routing() {
    let Some(device) = wgpu_or_skip() else { return };
    assert!(fused::supported(&device, 100));
    assert!(!fused::supported(&device, fused::MAX_HIDDEN + 1));
    assert!(
        !fused::supported(&Device::flex(), 100),
        "only wgpu runs the WGSL kernels"
    );
    let mut rng = Rng::new(3);
    let lstm = Lstm::init(6, 20, &mut rng, &device);
    let x = tensor(random(&mut rng, 3 * 11 * 6, 1.0), [3, 11, 6], &device);
    let fused = read(lstm.forward_sequence(x.clone(), LstmKernel::Fused));
    let reference = read(lstm.forward_sequence(x, LstmKernel::Reference));
    let scale = reference.iter().fold(0f32, |m, v| m.max(v.abs()));
    for (f, r) in fused.iter().zip(&reference) {
        assert!(
            ((f - r).abs() as f64) <= check::TOLERANCE * (1.0 + scale as f64),
            "inference output: {f} vs {r}"
        );
    }
}

const ROWS: usize = 1200;

/// Per-epoch (train loss, valid loss, valid accuracy) of a short run on real reviews.
fn epochs_on_real_reviews(device: &Device, kernel: LstmKernel) -> Vec<(f64, f64, f64)> {
    let bytes = std::fs::read("www/sample/imdb-sample.csv.gz").expect("the page's sample");
    let mut texts = read_labelled_texts(&bytes, &ColumnChoice::default()).expect("sample CSV");
    texts.texts.truncate(ROWS);
    texts.labels.truncate(ROWS);
    texts.lines.truncate(ROWS);
    let data = prepare(
        &texts,
        DataConfig {
            vocab: 1000,
            maxlen: 48,
            ..DataConfig::default()
        },
    )
    .expect("prepared");
    let config = TrainConfig {
        embed: 16,
        hidden: 24,
        batch: 64,
        lr: 2e-2,
        epochs: 3,
        seed: 5,
        kernel,
    };
    let mut trainer = Trainer::new(data, config, device).expect("trainer");
    while !trainer.is_finished() {
        block_on(trainer.step()).expect("step");
    }
    trainer
        .history
        .iter()
        .map(|r| (r.train_loss, r.valid_loss, r.valid_accuracy))
        .collect()
}

#[test]
fn fused_and_reference_kernels_train_the_same_model() {
    let Some(device) = wgpu_or_skip() else { return };
    let fused = epochs_on_real_reviews(&device, LstmKernel::Fused);
    let reference = epochs_on_real_reviews(&device, LstmKernel::Reference);
    println!("fused {fused:?}\nreference {reference:?}");
    assert_eq!(fused.len(), 3);
    for (epoch, (f, r)) in fused.iter().zip(&reference).enumerate() {
        for (what, a, b) in [("training loss", f.0, r.0), ("validation loss", f.1, r.1)] {
            assert!(
                a.is_finite() && ((a - b) / b).abs() <= 1e-3,
                "epoch {}: {what} {a} (fused) vs {b} (reference)",
                epoch + 1
            );
        }
        assert!(
            (f.2 - r.2).abs() <= 0.01,
            "epoch {}: validation accuracy {} (fused) vs {} (reference)",
            epoch + 1,
            f.2,
            r.2
        );
    }
    // It learned something, so the comparison is not between two untrained models.
    assert!(fused[2].0 < fused[0].0, "training loss fell: {fused:?}");
    // 600 held-out reviews: chance is 0.5 ± 0.02.
    assert!(
        fused[2].2 > 0.57,
        "above chance on held-out reviews: {fused:?}"
    );
}

#[test]
fn fused_adam_matches_burns_adam_step_by_step() {
    let Some(device) = wgpu_or_skip() else { return };
    let fused = FusedAdam::new(0.9, 0.999, 1e-8);
    let reference = fused.reference();
    let mut rng = Rng::new(8);
    // 70,001 elements: not a multiple of the 256 threads of a workgroup.
    for shape in [[7usize, 5], [1, 70_001]] {
        let n = shape[0] * shape[1];
        let initial = random(&mut rng, n, 1.0);
        let start = tensor(initial.clone(), shape, &device);
        let (mut a, mut b) = (start.clone(), start);
        let (mut state_a, mut state_b) = (None, None);
        for step in 0..4 {
            let grad = tensor(random(&mut rng, n, 0.1), shape, &device);
            (a, state_a) = fused.step(1e-2, a, grad.clone(), state_a);
            (b, state_b) = reference.step(1e-2, b, grad, state_b);
            let (got, want) = (read(a.clone()), read(b.clone()));
            let error = check::relative_error(&got, &want);
            assert!(error <= 1e-6, "{shape:?} step {step}: error {error:e}");
            let (sa, sb) = (state_a.as_ref().unwrap(), state_b.as_ref().unwrap());
            assert_eq!(sa.momentum.time, sb.momentum.time);
            for (x, y) in [
                (&sa.momentum.moment_1, &sb.momentum.moment_1),
                (&sa.momentum.moment_2, &sb.momentum.moment_2),
            ] {
                let error = check::relative_error(&read(x.clone()), &read(y.clone()));
                assert!(
                    error <= 1e-6,
                    "{shape:?} step {step}: moments differ by {error:e}"
                );
            }
        }
        assert_ne!(read(a), initial, "the parameter moved");
    }
}

#[test]
fn fused_loss_matches_burns_loss_and_gradient() {
    let Some(device) = wgpu_or_skip() else { return };
    let device = device.autodiff();
    let mut rng = Rng::new(21);
    // 300 rows: more than the 256 threads that sum them; logits from tiny to saturating.
    let n = 300;
    let mut values = random(&mut rng, n, 4.0);
    values[0] = 40.0;
    values[1] = -40.0;
    let labels: Vec<f32> = (0..n).map(|i| (i % 3 == 0) as u8 as f32).collect();
    let targets = tensor(labels.clone(), [n], &device);
    let run = |fused: bool| {
        let logits = tensor(values.clone(), [n], &device).require_grad();
        let loss = if fused {
            fused::loss::bce_with_logits(logits.clone(), targets.clone())
        } else {
            lstm_lab::model::bce_with_logits(logits.clone(), targets.clone())
        };
        let grads = (loss.clone() * 3.0).backward();
        (
            read(loss.detach()),
            read(logits.grad(&grads).expect("gradient")),
        )
    };
    let (loss, grad) = run(true);
    let (want_loss, want_grad) = run(false);
    assert!(
        check::relative_error(&loss, &want_loss) <= 1e-6,
        "{loss:?} vs {want_loss:?}"
    );
    let error = check::relative_error(&grad, &want_grad);
    assert!(error <= 1e-6, "gradient differs by {error:e}");

    let stats = read(fused::loss::loss_and_correct(
        tensor(values.clone(), [n], &device).inner(),
        targets.inner(),
    ));
    let correct = values
        .iter()
        .zip(&labels)
        .filter(|(z, y)| (**z > 0.0) == (**y > 0.5))
        .count();
    assert_eq!(stats.len(), 2);
    assert!((stats[0] - want_loss[0]).abs() <= 1e-6 * want_loss[0].abs());
    assert_eq!(stats[1], correct as f32);
}

#[test]
fn fused_head_matches_pooling_and_linear_in_burn_ops() {
    let Some(device) = wgpu_or_skip() else { return };
    let device = device.autodiff();
    let mut rng = Rng::new(33);
    // H = 130: more units than the head kernels' 128 threads.
    for (steps, batch, hidden) in [(1, 1, 3), (7, 5, 130), (128, 3, 100)] {
        let h_values = random(&mut rng, steps * batch * hidden, 1.0);
        let w_values = random(&mut rng, 2 * hidden, 0.3);
        let b_value = random(&mut rng, 1, 0.3);
        let coef = tensor(random(&mut rng, batch, 1.0), [batch], &device);
        let run = |fused: bool| {
            let h = tensor(h_values.clone(), [steps, batch, hidden], &device).require_grad();
            let w = tensor(w_values.clone(), [2 * hidden, 1], &device).require_grad();
            let b = tensor(b_value.clone(), [1], &device).require_grad();
            let logits = if fused {
                fused::head::pool_linear(h.clone(), w.clone(), b.clone())
            } else {
                let outputs = h.clone().swap_dims(0, 1);
                let pooled = Tensor::cat(vec![outputs.clone().mean_dim(1), outputs.max_dim(1)], 2)
                    .reshape([batch, 2 * hidden]);
                (pooled.matmul(w.clone()) + b.clone().unsqueeze::<2>()).reshape([batch])
            };
            let grads = (logits.clone() * coef.clone()).sum().backward();
            [
                read(logits.detach()),
                read(h.grad(&grads).expect("grad h")),
                read(w.grad(&grads).expect("grad w")),
                read(b.grad(&grads).expect("grad b")),
            ]
        };
        let (got, want) = (run(true), run(false));
        for (name, (g, w)) in ["logits", "grad h", "grad weight", "grad bias"]
            .iter()
            .zip(got.iter().zip(&want))
        {
            let error = check::relative_error(g, w);
            assert!(
                error <= 1e-5,
                "{steps}×{batch}×{hidden} {name}: error {error:e}"
            );
        }
    }
}
