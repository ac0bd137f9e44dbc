//! The fused WGSL kernels against burn's reference ops, on a native wgpu device (lavapipe in
//! CI): the recurrence (forward outputs and every gradient, for odd shapes: H not a multiple of
//! the workgroup size, H above it, B = 1, T = 1, T = 512, the time loop cut into several
//! dispatches), the classifier head, the loss and Adam; then whole training runs. The fused CPU
//! LSTM (`src/trainer/ops/lstm/cpu_kernel.rs`) gets the same recurrence comparisons on burn's
//! CPU backend, and so do the fused CPU GRU and tanh RNN (`src/trainer/ops/{gru,rnn}/`, T = 300
//! for the long case).
//!
//! The wgpu tests need the `gpu` feature (the default; `scripts/test` builds without it, and the
//! browser tests run the same WGSL checks on WebGPU).

use burn::tensor::{Device, Tensor};
use lstm_lab::data::csv::{ColumnChoice, read_labelled_texts};
use lstm_lab::data::{DataConfig, prepare};
use lstm_lab::gpu::block_on;
use lstm_lab::rng::Rng;
use lstm_lab::settings::Recurrence;
use lstm_lab::trainer::lstm_layer::{Lstm, tensor};
use lstm_lab::trainer::ops::{self, Path, check};
use lstm_lab::trainer::{Compute, TrainConfig, Trainer};
#[cfg(feature = "gpu")]
use std::sync::OnceLock;

#[cfg(feature = "gpu")]
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

#[cfg(feature = "gpu")]
#[test]
fn fused_matches_reference_forward_and_every_gradient() {
    let Some(device) = wgpu_or_skip() else { return };
    let results = block_on(check::compare_all(&device)).expect("device");
    // Every recurrence case (output and seven gradients), the heads (one output and K), the
    // losses (binary and softmax cross-entropy), Adam, then the embedding + LSTM op's cases
    // (output and seven gradients).
    let heads = check::CASES.len()..check::CASES.len() + check::HEAD_CASES.len();
    let losses = heads.end..heads.end + check::LOSS_CASES.len();
    assert_eq!(results.len(), losses.end + 1 + check::EMBEDDED_CASES.len());
    for c in &results[heads] {
        assert!(c.label.starts_with("head"), "{}", c.label);
        assert_eq!(c.errors.len(), 4, "{}: logits and three gradients", c.label);
    }
    for c in &results[losses] {
        assert!(c.label.starts_with("loss"), "{}", c.label);
        assert_eq!(c.errors.len(), 3, "{}: loss, gradient, statistics", c.label);
    }
    for c in &results[results.len() - check::EMBEDDED_CASES.len()..] {
        assert!(c.label.starts_with("embedding + LSTM"), "{}", c.label);
        assert_eq!(c.errors.len(), 8, "{}: output and seven gradients", c.label);
    }
    for c in &results[..check::CASES.len()] {
        assert_eq!(c.errors.len(), 8, "{}: output and seven gradients", c.label);
    }
    for c in &results {
        assert_close(c);
    }
}

#[test]
fn cpu_fused_matches_reference_forward_and_every_gradient() {
    let results = block_on(check::compare_cpu()).expect("CPU backend");
    // Every recurrence case, then the head shapes, the softmax cross-entropy cases (the binary
    // loss is burn's ops on the CPU: nothing to compare) and Adam.
    let heads = check::CASES.len()..check::CASES.len() + check::HEAD_CASES.len();
    let softmax = check::LOSS_CASES.iter().filter(|(_, o)| *o > 1).count();
    let losses = heads.end..heads.end + softmax;
    assert_eq!(results.len(), losses.end + 1);
    for c in &results[..check::CASES.len()] {
        assert_eq!(c.errors.len(), 8, "{}: output and seven gradients", c.label);
    }
    let adam = results.last().expect("Adam");
    assert!(adam.label.starts_with("CPU adam"), "{}", adam.label);
    assert_eq!(adam.errors.len(), 3, "the parameter and both moments");
    for c in &results[heads] {
        assert!(c.label.starts_with("CPU head"), "{}", c.label);
        assert_eq!(c.errors.len(), 4, "{}: logits and three gradients", c.label);
    }
    for c in &results[losses] {
        assert!(c.label.starts_with("CPU loss"), "{}", c.label);
        assert_eq!(c.errors.len(), 3, "{}: loss, gradient, statistics", c.label);
    }
    for c in &results {
        assert_close(c);
    }
    assert_close(&block_on(check::compare(&Device::flex(), check::LONG, 98)).expect("CPU backend"));
}

#[test]
fn cpu_gru_and_rnn_match_reference_forward_and_every_gradient() {
    let results = block_on(check::compare_cells()).expect("CPU backend");
    let n = check::CPU_CELL_CASES.len();
    assert_eq!(
        results.len(),
        2 * n,
        "every shape, for the GRU then the RNN"
    );
    for (c, cell) in results.iter().zip(
        ["GRU", "RNN"]
            .iter()
            .flat_map(|c| std::iter::repeat_n(c, n)),
    ) {
        assert!(c.label.starts_with(&format!("CPU {cell} ")), "{}", c.label);
        assert_eq!(c.errors.len(), 7, "{}: output and six gradients", c.label);
        assert_close(c);
    }
    for (i, cell) in check::Cell::ALL.into_iter().enumerate() {
        let long = block_on(check::compare_cell(
            cell,
            check::CPU_CELL_LONG,
            120 + i as u64,
        ));
        assert_close(&long.expect("CPU backend"));
    }
}

fn assert_close(c: &check::Comparison) {
    println!("{}: worst relative error {:.2e}", c.label, c.worst());
    for (name, error) in &c.errors {
        assert!(
            *error <= check::TOLERANCE,
            "{} {name}: fused and reference differ by {error:e}",
            c.label
        );
    }
}

#[cfg(feature = "gpu")]
#[test]
fn fused_matches_reference_through_512_steps() {
    let Some(device) = wgpu_or_skip() else { return };
    assert_close(&block_on(check::compare(&device, check::LONG, 99)).expect("device"));
}

#[cfg(feature = "gpu")]
#[test]
fn fused_forward_without_autodiff_and_routing() {
    let Some(device) = wgpu_or_skip() else { return };
    let resolve = |device: &Device, hidden| Path::resolve(Recurrence::Fused, device, hidden);
    assert_eq!(resolve(&device, 100), Path::Wgsl);
    assert_eq!(resolve(&device, ops::MAX_HIDDEN + 1), Path::Reference);
    assert_eq!(
        resolve(&Device::flex(), 100),
        Path::Cpu,
        "only wgpu runs the WGSL kernels"
    );
    assert_eq!(
        Path::resolve(Recurrence::Reference, &device, 100),
        Path::Reference
    );
    forward_without_autodiff(&device);
}

#[test]
fn cpu_fused_forward_without_autodiff() {
    forward_without_autodiff(&Device::flex());
}

/// Inference (no autodiff): the fused recurrence against burn's ops.
fn forward_without_autodiff(device: &Device) {
    let mut rng = Rng::new(3);
    let lstm = Lstm::init(6, 20, &mut rng, device);
    let x = tensor(random(&mut rng, 3 * 11 * 6, 1.0), [11, 3, 6], device);
    let run = |path| {
        read(ops::lstm::layer(
            path,
            x.clone(),
            &lstm,
            lstm.zero_state(3, device),
        ))
    };
    let fused = run(Path::resolve(Recurrence::Fused, device, 20));
    let reference = run(Path::Reference);
    let scale = reference.iter().fold(0f32, |m, v| m.max(v.abs()));
    assert!(fused.iter().all(|v| v.is_finite()), "a NaN or ∞ fails");
    for (f, r) in fused.iter().zip(&reference) {
        assert!(
            ((f - r).abs() as f64) <= check::TOLERANCE * (1.0 + scale as f64),
            "inference output: {f} vs {r}"
        );
    }
}

const ROWS: usize = 1200;

/// Per-epoch (train loss, valid loss, valid accuracy) of a short run on real reviews.
fn epochs_on_real_reviews(device: &Device, kernel: Recurrence) -> Vec<(f64, f64, f64)> {
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
        arch: Default::default(),
    };
    let compute = Compute::from(device.clone());
    let mut trainer = Trainer::new(data, config, &compute).expect("trainer");
    while !trainer.is_finished() {
        block_on(trainer.step()).expect("step");
    }
    trainer
        .history
        .iter()
        .map(|r| (r.train_loss, r.valid_loss, r.valid_accuracy))
        .collect()
}

#[cfg(feature = "gpu")]
#[test]
fn fused_and_reference_kernels_train_the_same_model() {
    let Some(device) = wgpu_or_skip() else { return };
    same_training(&device);
}

#[test]
fn cpu_fused_and_reference_train_the_same_model() {
    same_training(&Device::flex());
}

fn same_training(device: &Device) {
    let device = device.clone();
    let fused = epochs_on_real_reviews(&device, Recurrence::Fused);
    let reference = epochs_on_real_reviews(&device, Recurrence::Reference);
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

#[cfg(feature = "gpu")]
#[test]
fn gru_and_rnn_wgsl_match_reference_forward_and_every_gradient() {
    use lstm_lab::classifier::arch::Cell;
    let Some(device) = wgpu_or_skip() else { return };
    let mut results = block_on(check::compare_cells_wgsl(&device)).expect("device");
    assert_eq!(results.len(), 2 * check::CELL_CASES.len());
    for c in &results {
        assert_eq!(c.errors.len(), 7, "{}: output and six gradients", c.label);
    }
    for cell in [Cell::Rnn, Cell::Gru] {
        results.push(
            block_on(check::compare_cell_wgsl(
                &device,
                cell,
                check::CELL_LONG,
                97,
            ))
            .expect("device"),
        );
    }
    for c in &results {
        assert_close(c);
    }
}

/// The whole model with each cell on the WGSL path (the GRU's and the plain RNN's kernels, the
/// LSTM's embedded op) and each readout gives each row the logits of the host's float64 cells.
#[cfg(feature = "gpu")]
#[test]
fn every_cell_on_the_gpu_gives_the_host_cells_logits() {
    use lstm_lab::classifier::Architecture;
    use lstm_lab::trainer::model::{ModelConfig, ModelWeights, SentimentModel};
    use lstm_lab::trainer::ops::batch::Batch;
    let Some(device) = wgpu_or_skip() else { return };
    for arch in ["lstm/pool", "gru/pool", "gru/last", "rnn/pool", "rnn/last"] {
        let arch = Architecture::parse(arch).unwrap();
        let config = ModelConfig::binary(50, 4, 6).with_arch(arch);
        let weights = ModelWeights::init(config, 5);
        let model = SentimentModel::from_weights(&weights, &device);
        let (rows, maxlen) = (3, 7);
        let ids: Vec<u32> = (0..rows * maxlen).map(|i| (i * 11 % 50) as u32).collect();
        let path = Path::resolve(Recurrence::Fused, &device, config.hidden);
        assert_eq!(path, Path::Wgsl);
        let batch = Batch::new(&ids, maxlen, config.vocab, path, &device);
        let logits = read(model.forward(&batch, path));
        for (row, got) in ids.chunks(maxlen).zip(&logits) {
            let want = weights.reference_logits(row).unwrap()[0];
            assert!(
                (*got as f64 - want).abs() < 1e-4 * (1.0 + want.abs()),
                "{}: {got} vs {want}",
                arch.describe()
            );
        }
    }
}
