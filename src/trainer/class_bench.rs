//! One training step of the classifier with K classes, timed: what `lstm-lab bench classes`
//! measures — the K-class head and loss (Linear(2H → K), softmax cross-entropy) against the
//! post's binary ones (one logit, BCE) at the same sizes, through the same ops as
//! [`super::Trainer`]'s step.

use super::Compute;
use super::lstm_layer::tensor;
use super::model::{ModelConfig, ModelWeights, SentimentModel};
use super::ops::batch::{Batch, targets};
use super::ops::{self, Path};
use crate::gpu::block_on;
use crate::rng::Rng;
use crate::settings::Recurrence;
use burn::module::Param;
use burn::optim::GradientsParams;
use std::time::Instant;

/// Seconds on the wall clock since the first call.
pub fn wall_clock() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// The sizes of a step: `batch` reviews of `steps` ids from a vocabulary of `vocab`, embedding
/// `embed`, hidden size `hidden`.
#[derive(Clone, Copy, Debug)]
pub struct StepSizes {
    pub batch: usize,
    pub steps: usize,
    pub vocab: usize,
    pub embed: usize,
    pub hidden: usize,
}

/// Each of `reps` training steps (after one warm-up step) of a model for `classes` classes on
/// `compute`, on random ids and labels, timed by `clock` (seconds: the wall, or the process's
/// CPU time, which a busy shared machine disturbs less); and the path they ran on.
pub fn time_steps(
    compute: &Compute,
    sizes: StepSizes,
    classes: usize,
    reps: usize,
    clock: fn() -> f64,
) -> Result<(Path, Vec<f64>), String> {
    let StepSizes {
        batch,
        steps,
        vocab,
        embed,
        hidden,
    } = sizes;
    if !(2..=255).contains(&classes) {
        return Err(format!("{classes} classes: from 2 to 255"));
    }
    let path = Path::resolve(Recurrence::Fused, compute.device(), hidden);
    let device = compute.device().clone().autodiff();
    let o = ModelConfig::outputs_for(classes);
    let config = ModelConfig {
        outputs: o,
        ..ModelConfig::binary(vocab, embed, hidden)
    };
    let mut model = SentimentModel::from_weights(&ModelWeights::init(config, 1), &device);
    let mut rng = Rng::new(22);
    let mut random = |n: usize| {
        (0..n)
            .map(|_| (rng.normal() * 0.1) as f32)
            .collect::<Vec<_>>()
    };
    model.linear.weight =
        Param::from_tensor(tensor(random(2 * hidden * o), [2 * hidden, o], &device));
    model.linear.bias = Some(Param::from_tensor(tensor(random(o), [o], &device)));
    let ids: Vec<u32> = (0..batch * steps)
        .map(|_| rng.below(vocab as u64) as u32)
        .collect();
    let labels: Vec<u8> = (0..batch)
        .map(|_| rng.below(classes as u64) as u8)
        .collect();
    let mut optim = ops::adam::optimizer(path);
    let mut model = Some(model);
    let mut step = || -> Result<f64, String> {
        let start = clock();
        let m = model.take().expect("a model between steps");
        let b = Batch::new(&ids, steps, vocab, path, &device);
        let y = targets(&labels, &device);
        let logits = m.forward(&b, path);
        let loss = ops::loss::loss(path, logits.clone(), y.clone());
        let stats = ops::loss::stats(path, logits.inner(), y.inner(), Some(loss.clone().inner()));
        let grads = GradientsParams::from_grads(loss.backward(), &m);
        model = Some(optim.step(1e-3_f64, m, grads));
        block_on(ops::loss::read_stats(stats)).map_err(|e| format!("{e:?}"))?;
        Ok(clock() - start)
    };
    step()?; // warm-up: allocations, kernel compilation
    let times = (0..reps).map(|_| step()).collect::<Result<_, _>>()?;
    Ok((path, times))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny step runs for two classes and for K, on the CPU kernels.
    #[test]
    fn times_a_binary_and_a_k_class_step() {
        let sizes = StepSizes {
            batch: 3,
            steps: 4,
            vocab: 20,
            embed: 5,
            hidden: 6,
        };
        for classes in [2, 5] {
            let (path, times) = time_steps(&Compute::cpu(), sizes, classes, 2, wall_clock).unwrap();
            assert_eq!(path, Path::Cpu);
            assert_eq!(times.len(), 2);
            assert!(times.iter().all(|t| *t > 0.0));
        }
        assert!(time_steps(&Compute::cpu(), sizes, 1, 1, wall_clock).is_err());
    }
}
