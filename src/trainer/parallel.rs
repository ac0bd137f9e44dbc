//! Data-parallel training on the CPU: a batch cut into shards, one per worker.
//!
//! A wasm module without threads runs on one core, so the page trains on several Web Workers.
//! Each holds a [`Replica`] of the model and the dataset; for every training batch the lead
//! worker (the one with the [`Trainer`](super::train::Trainer)) hands out the rows:
//!
//! ```text
//! lead:     plan(batch) → shards ──► every replica: set_weights(w); gradient(shard)
//!           ◄── ShardResult (∂L/∂w of its shard, scaled by rows/batch rows; loss; correct)
//! lead:     Σ shard gradients = the batch's mean gradient → one Adam step → new w
//! ```
//!
//! Scaling each shard's mean loss by its share of the batch makes the sum of shard gradients
//! the gradient of the batch mean, so N workers take the same steps as one (up to the order of
//! float sums). Validation batches are sharded the same way, forward only.
//!
//! Weights and gradients travel as one flat `f32` vector in [`flatten`]'s order.

use super::device::Compute;
use super::model::{ModelConfig, ModelWeights, SentimentModel, Shaped};
use super::ops::batch::{Batch, targets};
use super::ops::{self, Path};
use crate::data::Split;
use crate::settings::Recurrence;
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, ExecutionError};
use serde::{Deserialize, Serialize};

/// Floats in the flat vector of a model of this size.
pub fn flat_len(c: ModelConfig) -> usize {
    c.parameter_count()
}

/// Every parameter in one vector, in PyTorch's names and layouts, in
/// [`ModelConfig::parameters`]' order: `embedding.weight`, the cell's `weight_ih`, `weight_hh`,
/// `bias_ih`, `bias_hh`, the post's `out` layer when on, `linear.weight`, `linear.bias`.
pub fn flatten(w: &ModelWeights) -> Vec<f32> {
    w.parts().concat()
}

/// The inverse of [`flatten`].
pub fn unflatten(config: ModelConfig, flat: &[f32]) -> Result<ModelWeights, String> {
    if flat.len() != flat_len(config) {
        return Err(format!(
            "the weights have {} values where a model of {config:?} has {}",
            flat.len(),
            flat_len(config)
        ));
    }
    let mut rest = flat;
    Ok(ModelWeights::from_parts(config, |n| {
        let (head, tail) = rest.split_at(n);
        rest = tail;
        head.to_vec()
    }))
}

/// What one worker computed for its shard of a training batch.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardResult {
    /// ∂(shard mean loss · rows / batch rows)/∂w, in [`flatten`]'s order.
    pub grads: Vec<f32>,
    /// The shard's loss summed over its rows.
    pub loss_sum: f64,
    pub correct: f64,
    pub rows: usize,
}

/// What one worker computed for its shard of a validation batch.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardEval {
    pub loss_sum: f64,
    pub correct: f64,
    pub rows: usize,
    /// The predicted class of each of its rows.
    pub predicted: Vec<u8>,
}

/// The work of one step, cut into shards of row indices (one per worker; some may be empty).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Plan {
    /// Rows of the training split; `batch_rows` is the whole batch (the sum of the shards).
    Train {
        shards: Vec<Vec<usize>>,
        batch_rows: usize,
    },
    /// Rows of the validation split.
    Validate {
        shards: Vec<Vec<usize>>,
    },
    Done,
}

/// Cut `rows` into `workers` contiguous shards, as even as possible (earlier ones one longer).
pub fn shard(rows: &[usize], workers: usize) -> Vec<Vec<usize>> {
    let workers = workers.max(1);
    let (per, extra) = (rows.len() / workers, rows.len() % workers);
    let mut out = Vec::with_capacity(workers);
    let mut start = 0;
    for w in 0..workers {
        let len = per + usize::from(w < extra);
        out.push(rows[start..start + len].to_vec());
        start += len;
    }
    out
}

/// A copy of the model that computes gradients and evaluations of shards.
#[derive(Clone)]
pub struct Replica {
    model: SentimentModel,
    /// Which implementation runs the model's ops: decided once, here.
    path: Path,
    /// With autodiff.
    device: Device,
}

impl Replica {
    /// A copy of the model of `weights` on `compute`, its ops chosen by `recurrence`.
    pub fn new(weights: &ModelWeights, recurrence: Recurrence, compute: &Compute) -> Self {
        let path = Path::resolve(recurrence, compute.device(), weights.config.hidden);
        let device = compute.device().clone().autodiff();
        Self {
            model: SentimentModel::from_weights(weights, &device),
            path,
            device,
        }
    }

    pub fn config(&self) -> ModelConfig {
        self.model.config()
    }

    /// Replace every weight (the lead's after its optimiser step).
    pub fn set_weights(&mut self, flat: &[f32]) -> Result<(), String> {
        let weights = unflatten(self.config(), flat)?;
        self.model = SentimentModel::from_weights(&weights, &self.device);
        Ok(())
    }

    /// The gradient of rows `rows` of `split`, scaled for a batch of `batch_rows` rows.
    pub async fn gradient(
        &self,
        split: &Split,
        rows: &[usize],
        batch_rows: usize,
    ) -> Result<ShardResult, ExecutionError> {
        shard_gradient(
            &self.model,
            self.path,
            &self.device,
            split,
            rows,
            batch_rows,
        )
        .await
    }

    /// Loss and correct predictions over rows `rows` of `split`.
    pub async fn evaluate(
        &self,
        split: &Split,
        rows: &[usize],
    ) -> Result<ShardEval, ExecutionError> {
        shard_eval(&self.model, self.path, &self.device, split, rows).await
    }
}

/// [`Replica::gradient`] for any model on an autodiff `device` (the lead uses its own).
pub(crate) async fn shard_gradient(
    model: &SentimentModel,
    path: Path,
    device: &Device,
    split: &Split,
    rows: &[usize],
    batch_rows: usize,
) -> Result<ShardResult, ExecutionError> {
    let config = model.config();
    if rows.is_empty() {
        return Ok(ShardResult {
            grads: vec![0.0; flat_len(config)],
            loss_sum: 0.0,
            correct: 0.0,
            rows: 0,
        });
    }
    let (ids, labels) = split.gather(rows);
    let n = rows.len();
    let batch = Batch::new(&ids, split.maxlen, config.vocab, path, device);
    let targets = targets(&labels, device);
    let logits = model.forward(&batch, path);
    let loss = ops::loss::loss(path, logits.clone(), targets.clone());
    let share = n as f64 / batch_rows as f64;
    let grads = (loss.clone() * share).backward();
    let stats = ops::loss::stats(path, logits.inner(), targets.inner(), Some(loss.inner()));
    let (loss, correct) = ops::loss::read_stats(stats).await?;
    // Every gradient in the parameters' order, PyTorch's layouts: [`flatten`]'s.
    let mut flat = Vec::with_capacity(flat_len(config));
    for p in model.parameter_list() {
        flat.extend(p.host(Some(&grads)).await?);
    }
    Ok(ShardResult {
        grads: flat,
        loss_sum: loss * n as f64,
        correct,
        rows: n,
    })
}

/// [`Replica::evaluate`] for any model (`device` with or without autodiff).
pub(crate) async fn shard_eval(
    model: &SentimentModel,
    path: Path,
    device: &Device,
    split: &Split,
    rows: &[usize],
) -> Result<ShardEval, ExecutionError> {
    if rows.is_empty() {
        return Ok(ShardEval {
            loss_sum: 0.0,
            correct: 0.0,
            rows: 0,
            predicted: Vec::new(),
        });
    }
    let device = device.clone().inner();
    let model = model.valid();
    let (ids, labels) = split.gather(rows);
    let n = rows.len();
    let batch = Batch::new(&ids, split.maxlen, model.config().vocab, path, &device);
    let targets = targets(&labels, &device);
    let logits = model.forward(&batch, path);
    let loss = ops::loss::loss(path, logits.clone(), targets.clone());
    let stats = ops::loss::stats(path, logits.clone(), targets, Some(loss));
    let predicted = ops::loss::read_predicted(logits).await?;
    let (loss, correct) = ops::loss::read_stats(stats).await?;
    Ok(ShardEval {
        loss_sum: loss * n as f64,
        correct,
        rows: n,
        predicted,
    })
}

/// The summed shard gradients as burn gradients of `model`'s parameters (on `device`, without
/// autodiff), ready for the optimiser.
pub(crate) fn gradients_params(
    model: &SentimentModel,
    summed: &[f32],
    device: &Device,
) -> GradientsParams {
    let w = unflatten(model.config(), summed).expect("shard gradients have the model's size");
    let mut grads = GradientsParams::new();
    for (p, values) in model.parameter_list().into_iter().zip(w.parts()) {
        match p.like(values.to_vec(), device) {
            Shaped::Two(t) => grads.register(p.id(), t),
            Shaped::One(t) => grads.register(p.id(), t),
        }
    }
    grads
}

/// Element-wise sum of the shards' gradient vectors.
pub fn sum_gradients(parts: &[ShardResult]) -> Vec<f32> {
    let mut sum = parts.first().map(|p| p.grads.clone()).unwrap_or_default();
    for p in &parts[1.min(parts.len())..] {
        for (s, g) in sum.iter_mut().zip(&p.grads) {
            *s += g;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_round_trips_and_shards_cover_the_rows() {
        for outputs in [1, 3] {
            let config = ModelConfig {
                outputs,
                ..ModelConfig::binary(7, 3, 2)
            };
            let w = ModelWeights::init(config, 3);
            let flat = flatten(&w);
            assert_eq!(flat.len(), flat_len(config));
            assert_eq!(unflatten(config, &flat).unwrap(), w);
            assert!(unflatten(config, &flat[1..]).is_err());
        }

        let rows: Vec<usize> = (10..21).collect();
        let shards = shard(&rows, 3);
        assert_eq!(shards.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 3]);
        assert_eq!(shards.concat(), rows);
        assert_eq!(shard(&rows[..1], 2), vec![vec![10], vec![]]);
    }
}
