//! Exports for training on several Web Workers (see [`crate::trainer::parallel`] and
//! `www/worker.js`): the lead worker's [`TrainerSession`] plans each step and applies the summed
//! gradients; every other worker holds a [`ReplicaSession`].
//!
//! Weights and gradients cross as `Float32Array`s (a JS array of 380,000 numbers would cost
//! more than the step), rows as `Uint32Array`s.

use super::trainer::{TrainerSession, put_trainer, take_trainer};
use super::{from_js, js_error, to_js};
use crate::classifier::ModelConfig;
use crate::data::Split;
use crate::settings::Recurrence;
use crate::trainer::Compute;
use crate::trainer::parallel::{Replica, ShardEval, ShardResult, unflatten};
use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array, Uint32Array};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// What a replica needs besides the data: the model's size and the LSTM kernel.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct ReplicaConfig {
    model: ModelConfig,
    kernel: Recurrence,
    maxlen: usize,
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(target, &key.into(), value)
        .map(|_| ())
        .map_err(|_| JsError::new(&format!("could not set {key}")))
}

fn get(source: &JsValue, key: &str) -> Result<JsValue, JsError> {
    Reflect::get(source, &key.into()).map_err(|_| JsError::new(&format!("no {key}")))
}

fn number(source: &JsValue, key: &str) -> Result<f64, JsError> {
    get(source, key)?
        .as_f64()
        .ok_or_else(|| JsError::new(&format!("{key} is not a number")))
}

fn split_to_js(split: &Split) -> Result<Object, JsError> {
    let out = Object::new();
    set(&out, "ids", &Uint32Array::from(&split.ids[..]).into())?;
    set(&out, "labels", &Uint8Array::from(&split.labels[..]).into())?;
    Ok(out)
}

fn split_from_js(value: &JsValue, maxlen: usize) -> Result<Split, JsError> {
    let ids = Uint32Array::new(&get(value, "ids")?).to_vec();
    let labels = Uint8Array::new(&get(value, "labels")?).to_vec();
    if ids.len() != labels.len() * maxlen {
        return Err(JsError::new(&format!(
            "a split of {} rows has {} ids, not {} per row",
            labels.len(),
            ids.len(),
            maxlen
        )));
    }
    Ok(Split {
        ids,
        lines: vec![0; labels.len()],
        labels,
        maxlen,
    })
}

/// `{grads?, predicted?, lossSum, correct, rows}`.
fn shard_to_js(
    grads: Option<&[f32]>,
    predicted: Option<&[u8]>,
    loss_sum: f64,
    correct: f64,
    rows: usize,
) -> Result<JsValue, JsError> {
    let out = Object::new();
    if let Some(grads) = grads {
        set(&out, "grads", &Float32Array::from(grads).into())?;
    }
    if let Some(predicted) = predicted {
        set(&out, "predicted", &Uint8Array::from(predicted).into())?;
    }
    set(&out, "lossSum", &loss_sum.into())?;
    set(&out, "correct", &correct.into())?;
    set(&out, "rows", &(rows as f64).into())?;
    Ok(out.into())
}

fn rows_of(rows: &[u32]) -> Vec<usize> {
    rows.iter().map(|&r| r as usize).collect()
}

fn check_rows(rows: &[usize], split: &Split) -> Result<(), JsError> {
    match rows.iter().find(|&&r| r >= split.len()) {
        Some(r) => Err(JsError::new(&format!(
            "row {r} is outside a split of {} rows",
            split.len()
        ))),
        None => Ok(()),
    }
}

#[wasm_bindgen]
impl TrainerSession {
    /// The next unit of work cut into `workers` shards: `{kind: "train", shards, batch_rows}`,
    /// `{kind: "validate", shards}` or `{kind: "done"}`. Call once per step.
    pub fn plan(&self, workers: usize) -> Result<JsValue, JsError> {
        let mut s = self.state.borrow_mut();
        if s.busy {
            return Err(JsError::new("a training step is still running"));
        }
        let trainer = s
            .trainer
            .as_mut()
            .ok_or_else(|| JsError::new("no training run: press Start"))?;
        to_js(&trainer.plan(workers.clamp(1, 64)))
    }

    /// Everything a replica needs to start: `{config, train: {ids, labels}, valid: {…}}`.
    #[wasm_bindgen(js_name = replicaData)]
    pub fn replica_data(&self) -> Result<JsValue, JsError> {
        let s = self.state.borrow();
        let trainer = s
            .trainer
            .as_ref()
            .ok_or_else(|| JsError::new("no training run: press Start"))?;
        let config = ReplicaConfig {
            model: trainer.model().config(),
            kernel: trainer.config.kernel,
            maxlen: trainer.data.config.maxlen,
        };
        let out = Object::new();
        set(&out, "config", &to_js(&config)?)?;
        set(&out, "train", &split_to_js(&trainer.data.train)?.into())?;
        set(&out, "valid", &split_to_js(&trainer.data.valid)?.into())?;
        Ok(out.into())
    }

    /// The current weights, flat (`Float32Array`).
    #[wasm_bindgen(js_name = flatWeights)]
    pub fn flat_weights(&self) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let trainer = take_trainer(&state)?;
            let result = trainer.flat_weights().await;
            put_trainer(&state, trainer);
            let flat = result.map_err(js_error)?;
            Ok(Float32Array::from(&flat[..]).into())
        })
    }

    /// This worker's own shard of the planned step (`kind` "train" or "validate").
    #[wasm_bindgen(js_name = shardWork)]
    pub fn shard_work(&self, kind: String, rows: Vec<u32>, batch_rows: usize) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let trainer = take_trainer(&state)?;
            let rows = rows_of(&rows);
            let result = async {
                match kind.as_str() {
                    "train" => {
                        check_rows(&rows, &trainer.data.train)?;
                        let r = trainer
                            .shard_gradient(&rows, batch_rows)
                            .await
                            .map_err(js_error)?;
                        shard_to_js(Some(&r.grads), None, r.loss_sum, r.correct, r.rows)
                    }
                    "validate" => {
                        check_rows(&rows, &trainer.data.valid)?;
                        let r = trainer.shard_eval(&rows).await.map_err(js_error)?;
                        shard_to_js(None, Some(&r.predicted), r.loss_sum, r.correct, r.rows)
                    }
                    other => Err(JsError::new(&format!("unknown shard kind {other}"))),
                }
            }
            .await;
            put_trainer(&state, trainer);
            Ok(result?)
        })
    }

    /// Finish the planned step with every worker's shard (this one's first): the optimiser step
    /// for a training batch. Resolves to a `StepReport`, as `step()` does.
    #[wasm_bindgen(js_name = finishStep)]
    pub fn finish_step(&self, kind: String, parts: Array) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut trainer = take_trainer(&state)?;
            let result = async {
                match kind.as_str() {
                    "train" => {
                        let mut shards = Vec::with_capacity(parts.length() as usize);
                        for part in parts.iter() {
                            shards.push(ShardResult {
                                grads: Float32Array::new(&get(&part, "grads")?).to_vec(),
                                loss_sum: number(&part, "lossSum")?,
                                correct: number(&part, "correct")?,
                                rows: number(&part, "rows")? as usize,
                            });
                        }
                        trainer.finish_train(&shards).await.map_err(js_error)
                    }
                    "validate" => {
                        let mut shards = Vec::with_capacity(parts.length() as usize);
                        for part in parts.iter() {
                            let rows = number(&part, "rows")? as usize;
                            let predicted = Uint8Array::new(&get(&part, "predicted")?).to_vec();
                            if predicted.len() != rows {
                                return Err(JsError::new(&format!(
                                    "a validation shard of {rows} rows predicted {}",
                                    predicted.len()
                                )));
                            }
                            shards.push(ShardEval {
                                loss_sum: number(&part, "lossSum")?,
                                correct: number(&part, "correct")?,
                                rows,
                                predicted,
                            });
                        }
                        trainer.finish_validation(&shards).await.map_err(js_error)
                    }
                    other => Err(JsError::new(&format!("unknown step kind {other}"))),
                }
            }
            .await;
            put_trainer(&state, trainer);
            Ok(to_js(&result?)?)
        })
    }
}

/// A copy of the model in a helper worker: the gradient or the evaluation of the shards the
/// lead hands it, with the lead's weights.
#[wasm_bindgen]
pub struct ReplicaSession {
    replica: Rc<RefCell<Replica>>,
    train: Rc<Split>,
    valid: Rc<Split>,
}

#[wasm_bindgen]
impl ReplicaSession {
    /// From the lead's `replicaData()` and `flatWeights()`.
    pub fn create(data: JsValue, weights: &[f32]) -> Result<ReplicaSession, JsError> {
        let config: ReplicaConfig = from_js(get(&data, "config")?, "replica settings")?;
        let train = split_from_js(&get(&data, "train")?, config.maxlen)?;
        let valid = split_from_js(&get(&data, "valid")?, config.maxlen)?;
        let start = unflatten(config.model, weights).map_err(js_error)?;
        Ok(Self {
            replica: Rc::new(RefCell::new(Replica::new(
                &start,
                config.kernel,
                &Compute::cpu(),
            ))),
            train: Rc::new(train),
            valid: Rc::new(valid),
        })
    }

    #[wasm_bindgen(js_name = setWeights)]
    pub fn set_weights(&self, weights: &[f32]) -> Result<(), JsError> {
        self.replica
            .borrow_mut()
            .set_weights(weights)
            .map_err(js_error)
    }

    /// This replica's shard of a step (`kind` "train" or "validate"): `{grads?, lossSum, correct, rows}`.
    pub fn work(&self, kind: String, rows: Vec<u32>, batch_rows: usize) -> js_sys::Promise {
        let (replica, train, valid) =
            (self.replica.clone(), self.train.clone(), self.valid.clone());
        future_to_promise(async move {
            let rows = rows_of(&rows);
            // A copy (the tensors are shared, not copied): no borrow is held across the await.
            let replica = replica.borrow().clone();
            let out = match kind.as_str() {
                "train" => {
                    check_rows(&rows, &train)?;
                    let r = replica
                        .gradient(&train, &rows, batch_rows)
                        .await
                        .map_err(js_error)?;
                    shard_to_js(Some(&r.grads), None, r.loss_sum, r.correct, r.rows)?
                }
                "validate" => {
                    check_rows(&rows, &valid)?;
                    let r = replica.evaluate(&valid, &rows).await.map_err(js_error)?;
                    shard_to_js(None, Some(&r.predicted), r.loss_sum, r.correct, r.rows)?
                }
                other => return Err(JsError::new(&format!("unknown shard kind {other}")).into()),
            };
            Ok(out)
        })
    }
}
