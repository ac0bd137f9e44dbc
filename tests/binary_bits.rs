//! The regression guard of issue 22, item 6: the post's binary model (one logit, BCE) trains to
//! exactly the same bits as it did before the K-class head and loss were added (pinned at commit
//! e65ab7f). A short synthetic run on the CPU, on both CPU paths (the CPU kernels and burn's
//! reference ops), one worker and three (the data-parallel shards): every final weight, every
//! epoch's losses and accuracy, as f32/f64 bits folded into one hash each.
//!
//! The bits depend on the summation order of `gemm`'s microkernels, which it picks by CPU
//! features at run time; the pins are for x86-64 with AVX-512F (the machine they were recorded
//! on). Elsewhere the test prints the hashes and checks only that the two runs of each path
//! agree with each other (still a determinism check); record that machine's pins beside these
//! if it is to guard there too.

mod common;

use lstm_lab::data::{DataConfig, synthetic};
use lstm_lab::gpu::block_on;
use lstm_lab::settings::Recurrence;
use lstm_lab::trainer::model::ModelWeights;
use lstm_lab::trainer::{Compute, EpochReport, TrainConfig, Trainer};

/// FNV-1a over 32-bit words: order-sensitive, so a reordered sum or a moved weight changes it.
#[derive(Default)]
struct Fnv(u64);

impl Fnv {
    fn word(&mut self, w: u32) {
        if self.0 == 0 {
            self.0 = 0xcbf2_9ce4_8422_2325;
        }
        for byte in w.to_le_bytes() {
            self.0 ^= byte as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn floats(&mut self, v: &[f32]) {
        v.iter().for_each(|x| self.word(x.to_bits()));
    }
    fn double(&mut self, x: f64) {
        let bits = x.to_bits();
        self.word(bits as u32);
        self.word((bits >> 32) as u32);
    }
}

fn hash_run(weights: &ModelWeights, history: &[EpochReport]) -> u64 {
    let mut h = Fnv::default();
    h.floats(&weights.embedding);
    h.floats(&weights.lstm.weight_ih);
    h.floats(&weights.lstm.weight_hh);
    h.floats(&weights.lstm.bias_ih);
    h.floats(&weights.lstm.bias_hh);
    h.floats(&weights.linear_weight);
    h.floats(&weights.linear_bias);
    for r in history {
        for x in [
            r.train_loss,
            r.train_accuracy,
            r.valid_loss,
            r.valid_accuracy,
        ] {
            h.double(x);
        }
    }
    h.0
}

fn setup(kernel: Recurrence) -> (lstm_lab::data::Prepared, TrainConfig) {
    let data = synthetic(
        400,
        DataConfig {
            vocab: 300,
            maxlen: 24,
            ..Default::default()
        },
    );
    let config = TrainConfig {
        embed: 12,
        hidden: 10,
        batch: 32,
        lr: 1e-2,
        epochs: 2,
        seed: 7,
        kernel,
        arch: Default::default(),
    };
    (data, config)
}

/// One worker: [`Trainer::step`] to the end.
fn single(kernel: Recurrence) -> u64 {
    let (data, config) = setup(kernel);
    let mut trainer = Trainer::new(data, config, &Compute::cpu()).unwrap();
    while !trainer.is_finished() {
        block_on(trainer.step()).unwrap();
    }
    let weights = block_on(trainer.model().to_weights()).unwrap();
    hash_run(&weights, &trainer.history)
}

/// Three workers: the trainer and two replicas, each with a third of every batch.
fn sharded(kernel: Recurrence) -> u64 {
    let (data, config) = setup(kernel);
    let mut lead = Trainer::new(data.clone(), config, &Compute::cpu()).unwrap();
    common::train_sharded(&mut lead, &data, 2);
    let weights = block_on(lead.model().to_weights()).unwrap();
    hash_run(&weights, &lead.history)
}

/// `gemm`'s microkernels on this machine: the pins below hold for the AVX-512 ones.
fn pinned_here() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

#[test]
fn the_binary_run_is_bit_for_bit_what_it_was() {
    // (name, hash of the run, its pin at e65ab7f)
    let runs = [
        ("CPU kernels, 1 worker", single(Recurrence::Fused), PIN_CPU),
        (
            "reference, 1 worker",
            single(Recurrence::Reference),
            reference_pins().0,
        ),
        (
            "CPU kernels, 3 workers",
            sharded(Recurrence::Fused),
            PIN_CPU_SHARDED,
        ),
        (
            "reference, 3 workers",
            sharded(Recurrence::Reference),
            reference_pins().1,
        ),
    ];
    for (name, got, _) in &runs {
        println!("{name}: {got:#018x}");
    }
    // Deterministic: the same run twice gives the same bits.
    assert_eq!(single(Recurrence::Fused), runs[0].1, "a rerun differs");
    if !pinned_here() {
        eprintln!("no AVX-512F here: the pins (recorded with it) are not compared");
        return;
    }
    for (name, got, pin) in runs {
        assert_eq!(
            got, pin,
            "{name}: the binary run's bits changed ({got:#018x}, pinned {pin:#018x})"
        );
    }
}

const PIN_CPU: u64 = 0x1f047e1e49cbff46;
/// The reference path's pins (one worker, sharded). burn's own matmuls run on gemm, which picks
/// its microkernels at run time: the AVX-512F ones where the CPU has AVX-512F (its `x86-v4`
/// feature, on since issue 26), the FMA ones elsewhere, and the two sum in different orders. So
/// the reference run has one pair of pins per kernel family; the CPU kernels' pins are the same
/// on both (their gate passes give the scalar bits at every width).
fn reference_pins() -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
    {
        // Recorded on an Intel Xeon (model 207) with AVX-512.
        return (0x2d1dba44be1ec751, 0x82ea7914c3e1d3f8);
    }
    // Recorded before issue 26 on AMD EPYC and Intel Xeon machines, both then on the FMA kernels.
    (0x5c003a983fa35fc9, 0x7e11f095b5f5fc87)
}
const PIN_CPU_SHARDED: u64 = 0x284a58a19e0a70a7;
