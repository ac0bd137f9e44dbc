//! The training loop, cut into small units of work — one training batch or one validation
//! batch per [`Trainer::step`] — so a Web Worker can report progress, pause and stop between
//! them. The CLI drives the same steps in a plain loop.
//!
//! Per epoch: shuffle the training rows (seeded), train on batches of `batch` rows with the
//! loss (BCE for two classes, softmax cross-entropy for more) and Adam, then evaluate the whole
//! validation split: loss, accuracy, and the confusion matrix the per-class scores come from. The best model by validation accuracy
//! is kept on the host; stopping early or diverging falls back to it.

use super::device::Compute;
use super::model::{ModelConfig, ModelWeights, SentimentModel};
use super::ops::batch::{Batch, targets};
use super::ops::{self, Path};
use super::parallel::{
    Plan, ShardEval, ShardResult, flatten, gradients_params, shard, shard_eval, shard_gradient,
    sum_gradients,
};
use super::predict::Predictor;
use crate::classifier::file as modelfile;
use crate::classifier::metrics::Confusion;
use crate::classifier::record::RunRecord;
use crate::data::Prepared;
use crate::rng::Rng;
use crate::settings::{Engine, RunSettings};
use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, ExecutionError};
use serde::Serialize;
use std::fmt;

pub use crate::classifier::record::EpochReport;
pub use crate::settings::TrainConfig;

#[derive(Debug)]
pub enum TrainError {
    Config(String),
    Device(String),
    /// The loss became NaN or infinite: a training batch's (`batch`), or the validation loss
    /// at the end of the epoch (`batch` None); `kept` is the validated epoch whose model was
    /// kept.
    Diverged {
        epoch: usize,
        batch: Option<usize>,
        loss: f64,
        kept: Option<Box<EpochReport>>,
    },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Config(m) => write!(f, "invalid training settings: {m}"),
            TrainError::Device(m) => write!(f, "the compute device failed: {m}"),
            TrainError::Diverged {
                epoch,
                batch,
                loss,
                kept,
            } => {
                match batch {
                    Some(batch) => write!(
                        f,
                        "training stopped: the loss became {loss} at epoch {epoch}, batch {batch}"
                    )?,
                    None => write!(
                        f,
                        "training stopped: the validation loss became {loss} after epoch {epoch}"
                    )?,
                }
                write!(
                    f,
                    ". The weights overflowed — lower the learning rate and start again; "
                )?;
                match kept {
                    Some(r) => write!(
                        f,
                        "the best model so far is kept (epoch {}, validation accuracy {:.4})",
                        r.epoch, r.valid_accuracy
                    ),
                    None => write!(f, "no epoch had finished, so there is no model to keep"),
                }
            }
        }
    }
}

impl std::error::Error for TrainError {}

impl From<ExecutionError> for TrainError {
    fn from(e: ExecutionError) -> Self {
        // Display, not Debug: this text reaches the page.
        TrainError::Device(e.to_string())
    }
}

/// What one call of [`Trainer::step`] did.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StepReport {
    /// A training batch: its mean loss and accuracy.
    Batch {
        epoch: usize,
        batch: usize,
        batches: usize,
        rows: usize,
        loss: f64,
        accuracy: f64,
        done: usize,
        total: usize,
    },
    /// A validation batch.
    Validation {
        epoch: usize,
        rows_done: usize,
        rows: usize,
        done: usize,
        total: usize,
    },
    /// The end of an epoch (after its validation).
    Epoch {
        report: EpochReport,
        done: usize,
        total: usize,
    },
    /// Every epoch is done.
    Finished {
        best_epoch: Option<usize>,
        best_accuracy: Option<f64>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Train { epoch: usize, cursor: usize },
    Validate { epoch: usize, cursor: usize },
    Done,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    loss_sum: f64,
    correct: f64,
    rows: usize,
}

impl Tally {
    fn add(&mut self, mean_loss: f64, correct: f64, rows: usize) {
        self.loss_sum += mean_loss * rows as f64;
        self.correct += correct;
        self.rows += rows;
    }
    fn loss(&self) -> f64 {
        self.loss_sum / self.rows.max(1) as f64
    }
    fn accuracy(&self) -> f64 {
        self.correct / self.rows.max(1) as f64
    }
}

pub struct Trainer {
    pub config: TrainConfig,
    pub data: Prepared,
    /// With autodiff.
    device: Device,
    /// Which implementation runs the model's ops: decided once, here.
    path: Path,
    engine: Engine,
    /// CPU workers sharing each batch (see [`Self::with_workers`]).
    workers: u32,
    model: Option<SentimentModel>,
    eval_model: Option<SentimentModel>,
    optim: ModuleOptimizer,
    phase: Phase,
    order: Vec<usize>,
    train_tally: Tally,
    valid_tally: Tally,
    /// The validation split's predicted class per row, filled batch by batch.
    valid_predicted: Vec<u8>,
    /// Those of the last validated epoch (for the examples behind a confusion cell).
    last_valid_predicted: Vec<u8>,
    done: usize,
    pub history: Vec<EpochReport>,
    best: Option<(EpochReport, ModelWeights)>,
    /// The loss became NaN or infinite: without a validated epoch to fall back on, the model's
    /// weights are not worth predicting with.
    diverged: bool,
}

impl Trainer {
    /// A fresh model for `data`, trained with `config` on `compute`.
    pub fn new(data: Prepared, config: TrainConfig, compute: &Compute) -> Result<Self, TrainError> {
        config.validate().map_err(|e| TrainError::Config(e.0))?;
        let path = Path::resolve(config.kernel, compute.device(), config.hidden);
        let device = compute.device().clone().autodiff();
        let engine = compute.engine();
        let classes = data.classes.len();
        if !(2..=crate::data::labels::MAX_CLASSES).contains(&classes) {
            return Err(TrainError::Config(format!(
                "{classes} classes; a model has 2 to {}",
                crate::data::labels::MAX_CLASSES
            )));
        }
        let model_config = ModelConfig {
            outputs: ModelConfig::outputs_for(classes),
            ..ModelConfig::binary(data.config.vocab, config.embed, config.hidden)
                .with_arch(config.arch)
        };
        let model =
            SentimentModel::from_weights(&ModelWeights::init(model_config, config.seed), &device);
        Ok(Self {
            config,
            data,
            device,
            path,
            engine,
            workers: 1,
            model: Some(model),
            eval_model: None,
            optim: ops::adam::optimizer(path),
            phase: Phase::Train {
                epoch: 1,
                cursor: 0,
            },
            order: Vec::new(),
            train_tally: Tally::default(),
            valid_tally: Tally::default(),
            valid_predicted: Vec::new(),
            last_valid_predicted: Vec::new(),
            done: 0,
            history: Vec::new(),
            best: None,
            diverged: false,
        })
    }

    /// Go on with a run that was interrupted after `history.len()` epochs (a reload of the
    /// page): from `weights` (the last epoch's), at the next epoch, with the same data and
    /// settings, so each epoch shuffles its rows as the uninterrupted run would have. `best` is
    /// the best epoch so far and its weights. Adam's moments were not kept: the optimiser
    /// starts again, so the steps differ from those the uninterrupted run would have taken.
    pub fn resume(
        data: Prepared,
        config: TrainConfig,
        compute: &Compute,
        weights: &ModelWeights,
        history: Vec<EpochReport>,
        best: Option<(EpochReport, ModelWeights)>,
    ) -> Result<Self, TrainError> {
        let mut trainer = Self::new(data, config, compute)?;
        let expected = trainer.model().config();
        for w in std::iter::once(weights).chain(best.as_ref().map(|(_, w)| w)) {
            if w.config != expected {
                return Err(TrainError::Config(format!(
                    "the saved model has vocabulary {}, embedding {}, hidden size {} and {} classes, the settings {}, {}, {} and {}",
                    w.config.vocab,
                    w.config.embed,
                    w.config.hidden,
                    w.config.classes(),
                    expected.vocab,
                    expected.embed,
                    expected.hidden,
                    expected.classes()
                )));
            }
        }
        let done = history.len();
        if done >= config.epochs {
            return Err(TrainError::Config(format!(
                "the run already trained {done} of its {} epochs",
                config.epochs
            )));
        }
        trainer.model = Some(SentimentModel::from_weights(weights, &trainer.device));
        trainer.phase = Phase::Train {
            epoch: done + 1,
            cursor: 0,
        };
        trainer.done = done * (trainer.train_batches() + trainer.valid_batches());
        trainer.history = history;
        trainer.best = best;
        Ok(trainer)
    }

    /// Which implementation runs the model's ops.
    pub fn path(&self) -> Path {
        self.path
    }

    /// A run whose batches `workers` CPU workers share (the page's data-parallel training: see
    /// [`Self::plan`]); recorded with the model.
    pub fn with_workers(mut self, workers: u32) -> Self {
        self.workers = workers;
        self
    }

    /// This run's settings.
    pub fn settings(&self) -> RunSettings {
        RunSettings {
            data: self.data.config,
            train: self.config,
            engine: self.engine,
            workers: self.workers,
        }
    }

    /// What a model file of this run records, its weights from `validated`.
    pub fn record(&self, validated: Option<EpochReport>) -> RunRecord {
        RunRecord::trained(&self.settings(), &self.data.classes, validated)
    }

    /// The current model as a model file, recording the best validated epoch.
    pub async fn model_file(&self) -> Result<Vec<u8>, TrainError> {
        let weights = self.model().to_weights().await?;
        let record = self.record(self.best().cloned());
        Ok(modelfile::save(&weights, &self.data.tokenizer, &record))
    }

    /// The current model, ready to predict (on the same path).
    pub fn predictor(&self) -> Predictor {
        let maxlen = self.data.config.maxlen;
        Predictor::new(
            self.data.tokenizer.clone(),
            maxlen,
            self.data.classes.clone(),
            self.model(),
            self.path,
        )
    }

    pub fn train_batches(&self) -> usize {
        self.data.train.len().div_ceil(self.config.batch)
    }

    fn valid_batches(&self) -> usize {
        self.data.valid.len().div_ceil(self.config.batch)
    }

    /// Units of work in the whole run (training plus validation batches).
    pub fn total_steps(&self) -> usize {
        self.config.epochs * (self.train_batches() + self.valid_batches())
    }

    /// Units of work done so far (counting the epochs a resumed run had done before).
    pub fn done_steps(&self) -> usize {
        self.done
    }

    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Done
    }

    pub fn model(&self) -> &SentimentModel {
        self.model
            .as_ref()
            .expect("the model is only taken inside a step")
    }

    /// Do the next unit of work.
    pub async fn step(&mut self) -> Result<StepReport, TrainError> {
        match self.phase {
            Phase::Train { epoch, cursor } => self.train_batch(epoch, cursor).await,
            Phase::Validate { epoch, cursor } => self.validate_batch(epoch, cursor).await,
            Phase::Done => Ok(self.finished()),
        }
    }

    fn finished(&self) -> StepReport {
        StepReport::Finished {
            best_epoch: self.best.as_ref().map(|(r, _)| r.epoch),
            best_accuracy: self.best.as_ref().map(|(r, _)| r.valid_accuracy),
        }
    }

    /// At the start of an epoch: this epoch's seeded order of the training rows.
    fn begin_epoch(&mut self, epoch: usize) {
        self.order = (0..self.data.train.len()).collect();
        Rng::stream(self.config.seed, 1000 + epoch as u64).shuffle(&mut self.order);
        self.train_tally = Tally::default();
    }

    async fn train_batch(&mut self, epoch: usize, cursor: usize) -> Result<StepReport, TrainError> {
        let n = self.data.train.len();
        if cursor == 0 {
            self.begin_epoch(epoch);
        }
        let end = (cursor + self.config.batch).min(n);
        let (ids, labels) = self.data.train.gather(&self.order[cursor..end]);
        let (path, device) = (self.path, &self.device);
        let model = self.model.take().expect("model present between steps");
        let batch = Batch::new(
            &ids,
            self.data.config.maxlen,
            model.config().vocab,
            path,
            device,
        );
        let targets = targets(&labels, device);
        let logits = model.forward(&batch, path);
        let loss = ops::loss::loss(path, logits.clone(), targets.clone());
        let stats = ops::loss::stats(
            path,
            logits.inner(),
            targets.inner(),
            Some(loss.clone().inner()),
        );
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.model = Some(self.optim.step(self.config.lr, model, grads));
        let (loss, correct) = ops::loss::read_stats(stats).await?;
        self.batch_done(epoch, cursor, end, loss, correct)
    }

    /// Book a finished training batch (rows `cursor..end` of this epoch's order) and move on.
    fn batch_done(
        &mut self,
        epoch: usize,
        cursor: usize,
        end: usize,
        loss: f64,
        correct: f64,
    ) -> Result<StepReport, TrainError> {
        let (n, rows) = (self.data.train.len(), end - cursor);
        let batch = cursor / self.config.batch + 1;
        if !loss.is_finite() {
            self.phase = Phase::Done;
            self.diverged = true;
            self.restore_best();
            return Err(TrainError::Diverged {
                epoch,
                batch: Some(batch),
                loss,
                kept: self.best().cloned().map(Box::new),
            });
        }
        self.train_tally.add(loss, correct, rows);
        self.done += 1;
        self.phase = if end == n {
            self.eval_model = Some(self.model().valid());
            self.valid_tally = Tally::default();
            Phase::Validate { epoch, cursor: 0 }
        } else {
            Phase::Train { epoch, cursor: end }
        };
        Ok(StepReport::Batch {
            epoch,
            batch,
            batches: self.train_batches(),
            rows,
            loss,
            accuracy: correct / rows as f64,
            done: self.done,
            total: self.total_steps(),
        })
    }

    async fn validate_batch(
        &mut self,
        epoch: usize,
        cursor: usize,
    ) -> Result<StepReport, TrainError> {
        let n = self.data.valid.len();
        let end = (cursor + self.config.batch).min(n);
        let order: Vec<usize> = (cursor..end).collect();
        let (ids, labels) = self.data.valid.gather(&order);
        let rows = end - cursor;
        let model = self
            .eval_model
            .as_ref()
            .expect("evaluation model set at the end of training");
        let (path, device) = (self.path, self.device.clone().inner());
        let vocab = model.config().vocab;
        let batch = Batch::new(&ids, self.data.config.maxlen, vocab, path, &device);
        let targets = targets(&labels, &device);
        let logits = model.forward(&batch, path);
        let stats = ops::loss::stats(path, logits.clone(), targets, None);
        let predicted = ops::loss::read_predicted(logits).await?;
        let (loss, correct) = ops::loss::read_stats(stats).await?;
        self.validation_done(epoch, end, loss, correct, rows, &predicted)
            .await
    }

    /// Book a finished validation batch (rows up to `end`); at the end of the split, the epoch.
    async fn validation_done(
        &mut self,
        epoch: usize,
        end: usize,
        loss: f64,
        correct: f64,
        rows: usize,
        predicted: &[u8],
    ) -> Result<StepReport, TrainError> {
        let n = self.data.valid.len();
        self.valid_tally.add(loss, correct, rows);
        self.valid_predicted.extend_from_slice(predicted);
        self.done += 1;
        if end < n {
            self.phase = Phase::Validate { epoch, cursor: end };
            return Ok(StepReport::Validation {
                epoch,
                rows_done: end,
                rows: n,
                done: self.done,
                total: self.total_steps(),
            });
        }
        self.eval_model = None;
        // The training loss was finite before the last optimiser step, but that step may have
        // overflowed the weights: a model whose validation loss is not finite is never kept.
        let valid_loss = self.valid_tally.loss();
        if !valid_loss.is_finite() {
            self.phase = Phase::Done;
            self.diverged = true;
            self.restore_best();
            return Err(TrainError::Diverged {
                epoch,
                batch: None,
                loss: valid_loss,
                kept: self.best().cloned().map(Box::new),
            });
        }
        let valid_accuracy = self.valid_tally.accuracy();
        let is_best = self
            .best
            .as_ref()
            .is_none_or(|(b, _)| valid_accuracy > b.valid_accuracy);
        let confusion = self.confusion(&self.valid_predicted);
        self.last_valid_predicted = std::mem::take(&mut self.valid_predicted);
        let report = EpochReport {
            epoch,
            train_loss: self.train_tally.loss(),
            train_accuracy: self.train_tally.accuracy(),
            valid_loss,
            valid_accuracy,
            is_best,
            valid_macro_f1: confusion.macro_f1(),
            valid_per_class: confusion.scores(),
            confusion,
        };
        if is_best {
            let weights = self.model().to_weights().await?;
            self.best = Some((report.clone(), weights));
        }
        self.history.push(report.clone());
        self.phase = if epoch == self.config.epochs {
            self.restore_best();
            Phase::Done
        } else {
            Phase::Train {
                epoch: epoch + 1,
                cursor: 0,
            }
        };
        Ok(StepReport::Epoch {
            report,
            done: self.done,
            total: self.total_steps(),
        })
    }

    // ————— data-parallel steps (see `super::parallel`) —————

    /// The next unit of work cut into `workers` shards. Call once per step, then
    /// [`Self::finish_train`] or [`Self::finish_validation`] with every shard's result.
    pub fn plan(&mut self, workers: usize) -> Plan {
        match self.phase {
            Phase::Train { epoch, cursor } => {
                if cursor == 0 {
                    self.begin_epoch(epoch);
                }
                let end = (cursor + self.config.batch).min(self.data.train.len());
                Plan::Train {
                    shards: shard(&self.order[cursor..end], workers),
                    batch_rows: end - cursor,
                }
            }
            Phase::Validate { cursor, .. } => {
                let end = (cursor + self.config.batch).min(self.data.valid.len());
                let rows: Vec<usize> = (cursor..end).collect();
                Plan::Validate {
                    shards: shard(&rows, workers),
                }
            }
            Phase::Done => Plan::Done,
        }
    }

    /// This trainer's own share of a planned training batch.
    pub async fn shard_gradient(
        &self,
        rows: &[usize],
        batch_rows: usize,
    ) -> Result<ShardResult, TrainError> {
        let model = self.model();
        Ok(shard_gradient(
            model,
            self.path,
            &self.device,
            &self.data.train,
            rows,
            batch_rows,
        )
        .await?)
    }

    /// This trainer's own share of a planned validation batch.
    pub async fn shard_eval(&self, rows: &[usize]) -> Result<ShardEval, TrainError> {
        let model = self.model();
        Ok(shard_eval(model, self.path, &self.device, &self.data.valid, rows).await?)
    }

    /// Every weight, flat (for the replicas), in [`super::parallel::flatten`]'s order.
    pub async fn flat_weights(&self) -> Result<Vec<f32>, TrainError> {
        Ok(flatten(&self.model().to_weights().await?))
    }

    /// The end of the batch planned at `cursor` in a split of `len` rows, if the shards' `rows`
    /// add up to it.
    fn planned_end(&self, cursor: usize, len: usize, rows: usize) -> Result<usize, TrainError> {
        let end = (cursor + self.config.batch).min(len);
        if rows != end - cursor {
            return Err(TrainError::Config(format!(
                "the shards hold {rows} rows of a batch of {}",
                end - cursor
            )));
        }
        Ok(end)
    }

    /// One optimiser step with the sum of every shard's gradient of the planned batch.
    pub async fn finish_train(&mut self, parts: &[ShardResult]) -> Result<StepReport, TrainError> {
        let Phase::Train { epoch, cursor } = self.phase else {
            return Err(TrainError::Config("no training batch was planned".into()));
        };
        let rows: usize = parts.iter().map(|p| p.rows).sum();
        let end = self.planned_end(cursor, self.data.train.len(), rows)?;
        let model = self.model.take().expect("model present between steps");
        let grads = gradients_params(&model, &sum_gradients(parts), &self.device.clone().inner());
        self.model = Some(self.optim.step(self.config.lr, model, grads));
        let loss = parts.iter().map(|p| p.loss_sum).sum::<f64>() / rows as f64;
        let correct = parts.iter().map(|p| p.correct).sum();
        self.batch_done(epoch, cursor, end, loss, correct)
    }

    /// Book every shard of the planned validation batch.
    pub async fn finish_validation(
        &mut self,
        parts: &[ShardEval],
    ) -> Result<StepReport, TrainError> {
        let Phase::Validate { epoch, cursor } = self.phase else {
            return Err(TrainError::Config("no validation batch was planned".into()));
        };
        let rows: usize = parts.iter().map(|p| p.rows).sum();
        let end = self.planned_end(cursor, self.data.valid.len(), rows)?;
        let loss = parts.iter().map(|p| p.loss_sum).sum::<f64>() / rows.max(1) as f64;
        let correct = parts.iter().map(|p| p.correct).sum();
        let predicted: Vec<u8> = parts.iter().flat_map(|p| p.predicted.clone()).collect();
        self.validation_done(epoch, end, loss, correct, rows, &predicted)
            .await
    }

    /// The validation split's confusion matrix for `predicted` (its first rows' classes).
    fn confusion(&self, predicted: &[u8]) -> Confusion {
        let mut m = Confusion::new(self.data.classes.len());
        for (&truth, &p) in self.data.valid.labels.iter().zip(predicted) {
            m.add(truth as usize, p as usize);
        }
        m
    }

    /// The predicted class of every validation row, at the last validated epoch (empty before
    /// one); with [`Prepared::valid`]'s rows, the examples behind each confusion cell.
    pub fn valid_predictions(&self) -> &[u8] {
        &self.last_valid_predicted
    }

    /// Stop here: from now on the model is the best one validated so far (or the current one
    /// if no epoch has been validated yet).
    pub fn stop(&mut self) {
        self.phase = Phase::Done;
        self.eval_model = None;
        self.restore_best();
    }

    fn restore_best(&mut self) {
        if let Some((_, weights)) = &self.best {
            self.model = Some(SentimentModel::from_weights(weights, &self.device));
        }
    }

    /// The epoch report of the kept model, if any epoch was validated.
    pub fn best(&self) -> Option<&EpochReport> {
        self.best.as_ref().map(|(r, _)| r)
    }

    /// The best validated epoch and its weights (on the host), if any.
    pub fn best_weights(&self) -> Option<(&EpochReport, &ModelWeights)> {
        self.best.as_ref().map(|(r, w)| (r, w))
    }

    /// Whether the current model is worth predicting with: not after a divergence with no
    /// validated epoch to fall back on (its weights are NaN or infinite).
    pub fn has_usable_model(&self) -> bool {
        !self.diverged || self.best.is_some()
    }

    /// Whether the run stopped because its loss became NaN or infinite.
    pub fn diverged(&self) -> bool {
        self.diverged
    }
}
