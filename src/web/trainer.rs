//! Exports of the Trainer. A `TrainerSession` lives in the Web Worker; the worker owns the
//! training loop and calls `step()` once per unit of work (see `www/worker.js`).
//!
//! Failed calls change nothing: a bad CSV keeps the previous dataset, a bad model file keeps
//! the previous model.

use super::{from_js, js_error, to_js};
use crate::data::csv::{ColumnChoice, LabelledTexts, read_labelled_texts};
use crate::data::preview::{Summary, preview, summarize};
use crate::data::{DataConfig, check_trainable, prepare};
use crate::gpu::AdapterReport;
use crate::modelfile;
use crate::predict::Predictor;
use crate::train::{TrainConfig, Trainer};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Take the trainer out of the session for a step (it is used across an await); the session
/// is busy until [`put_trainer`].
pub(super) fn take_trainer(state: &RefCell<SessionState>) -> Result<Trainer, JsError> {
    let mut s = state.borrow_mut();
    if s.busy {
        return Err(JsError::new("a training step is already running"));
    }
    let trainer = s
        .trainer
        .take()
        .ok_or_else(|| JsError::new("no training run: press Start"))?;
    s.busy = true;
    Ok(trainer)
}

/// Put the trainer back after a step; once training has finished, its model predicts.
pub(super) fn put_trainer(state: &RefCell<SessionState>, trainer: Trainer) {
    let mut s = state.borrow_mut();
    if trainer.is_finished() {
        s.predictor = Some(Rc::new(Predictor::new(
            trainer.data.tokenizer.clone(),
            trainer.data.config.maxlen,
            trainer.model(),
        )));
    }
    s.trainer = Some(trainer);
    s.busy = false;
}

/// Which backend the session computes on, as shown to the user.
#[derive(Clone, Serialize)]
struct DeviceStatus {
    gpu: Option<AdapterReport>,
    /// Why there is no GPU, when there is none.
    reason: Option<String>,
}

#[derive(Default)]
pub(super) struct SessionState {
    gpu: Option<Device>,
    texts: Option<LabelledTexts>,
    /// `None` while a step is running (the trainer is taken out across the await).
    pub(super) trainer: Option<Trainer>,
    pub(super) busy: bool,
    pub(super) predictor: Option<Rc<Predictor>>,
    /// The saved file's description, when the predictor came from a file.
    loaded: Option<modelfile::Header>,
    /// The kind of the last data error (`DataError::kind`).
    last_data_error: Option<&'static str>,
}

#[wasm_bindgen]
pub struct TrainerSession {
    pub(super) state: Rc<RefCell<SessionState>>,
    status: DeviceStatus,
}

#[derive(Deserialize)]
struct StartRequest {
    data: DataConfig,
    train: TrainConfig,
    /// "gpu" or "cpu".
    device: String,
}

/// The dataset's numbers and the run it starts.
#[derive(Serialize)]
struct Prepared {
    #[serde(flatten)]
    data: Summary,
    total_steps: usize,
    device: &'static str,
}

#[derive(Serialize)]
struct ModelInfo {
    vocab: usize,
    embed: usize,
    hidden: usize,
    maxlen: usize,
    words: usize,
    valid_accuracy: Option<f64>,
    epoch: Option<usize>,
}

/// The header row of a CSV (plain or gzip), for choosing columns by hand.
#[wasm_bindgen(js_name = csvHeaders)]
pub fn csv_headers(bytes: &[u8]) -> Result<Vec<String>, JsError> {
    crate::data::csv::read_headers(bytes).map_err(js_error)
}

#[wasm_bindgen]
impl TrainerSession {
    /// Open a session; `prefer_gpu` asks burn for WebGPU, falling back to the CPU backend.
    pub async fn create(prefer_gpu: bool) -> Result<TrainerSession, JsError> {
        let mut state = SessionState::default();
        let status = if !prefer_gpu {
            DeviceStatus {
                gpu: None,
                reason: Some("the CPU was chosen".into()),
            }
        } else {
            match Device::wgpu_options()
                .tasks_max(crate::fused::TASKS_PER_SUBMISSION)
                .init_with_setup_async()
                .await
            {
                Ok((device, setup)) => {
                    state.gpu = Some(device);
                    DeviceStatus {
                        gpu: Some(AdapterReport::from_info(&setup.adapter.get_info())),
                        reason: None,
                    }
                }
                Err(e) => DeviceStatus {
                    gpu: None,
                    reason: Some(format!("WebGPU could not start: {e}")),
                },
            }
        };
        Ok(TrainerSession {
            state: Rc::new(RefCell::new(state)),
            status,
        })
    }

    /// `{gpu: {name, backend, …} | null, reason}`.
    #[wasm_bindgen(js_name = deviceStatus)]
    pub fn device_status(&self) -> Result<JsValue, JsError> {
        to_js(&self.status)
    }

    /// Read a CSV (plain or gzip). On success it replaces the session's dataset and returns a
    /// preview; on failure the previous dataset stays and the error names the line.
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(&self, bytes: &[u8], columns: JsValue) -> Result<JsValue, JsError> {
        let columns: ColumnChoice = if columns.is_null() || columns.is_undefined() {
            ColumnChoice::default()
        } else {
            from_js(columns, "columns")?
        };
        let read = read_labelled_texts(bytes, &columns)
            .and_then(|texts| check_trainable(&texts).map(|()| texts));
        self.state.borrow_mut().last_data_error = read.as_ref().err().map(|e| e.kind());
        let texts = read.map_err(js_error)?;
        let value = to_js(&preview(&texts))?;
        self.state.borrow_mut().texts = Some(texts);
        Ok(value)
    }

    /// The kind of the last `loadCsv` failure (`crate::data::DataError::kind`), or `undefined`
    /// after a success: the worker offers the column chooser on "missing-column",
    /// "same-column" and "empty-texts".
    #[wasm_bindgen(js_name = lastDataErrorKind)]
    pub fn last_data_error_kind(&self) -> Option<String> {
        self.state.borrow().last_data_error.map(String::from)
    }

    /// Split, tokenise and build a fresh model; the previous run (if any) is discarded.
    pub fn start(&self, request: JsValue) -> Result<JsValue, JsError> {
        let request: StartRequest = from_js(request, "training settings")?;
        let mut state = self.state.borrow_mut();
        if state.busy {
            return Err(JsError::new("a training step is still running"));
        }
        let texts = state
            .texts
            .as_ref()
            .ok_or_else(|| JsError::new("load a CSV file first"))?;
        request.train.validate().map_err(js_error)?;
        let data = prepare(texts, request.data).map_err(js_error)?;
        let (device, device_name) = match (request.device.as_str(), &state.gpu) {
            ("gpu", Some(gpu)) => (gpu.clone(), "gpu"),
            ("gpu", None) => {
                return Err(JsError::new("WebGPU is not available here; choose the CPU"));
            }
            _ => (Device::flex(), "cpu"),
        };
        let summary = summarize(texts, &data);
        let trainer = Trainer::new(data, request.train, &device).map_err(js_error)?;
        let prepared = Prepared {
            data: summary,
            total_steps: trainer.total_steps(),
            device: device_name,
        };
        state.trainer = Some(trainer);
        state.predictor = None;
        state.loaded = None;
        to_js(&prepared)
    }

    /// One unit of work. Resolves to a `StepReport` (`kind`: batch, validation, epoch, finished).
    pub fn step(&self) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut trainer = take_trainer(&state)?;
            let result = trainer.step().await;
            put_trainer(&state, trainer);
            let report = result.map_err(js_error)?;
            Ok(to_js(&report)?)
        })
    }

    /// Stop training now; the model becomes the best validated so far. Returns that epoch's
    /// report, or null if no epoch was validated.
    pub fn stop(&self) -> Result<JsValue, JsError> {
        let mut s = self.state.borrow_mut();
        if s.busy {
            return Err(JsError::new(
                "a training step is still running; stop after it",
            ));
        }
        let Some(trainer) = s.trainer.as_mut() else {
            return Ok(JsValue::NULL);
        };
        trainer.stop();
        let best = trainer.best().cloned();
        let predictor = Predictor::new(
            trainer.data.tokenizer.clone(),
            trainer.data.config.maxlen,
            trainer.model(),
        );
        s.predictor = Some(Rc::new(predictor));
        to_js(&best)
    }

    /// Whether there is a model to predict with or save.
    #[wasm_bindgen(js_name = hasModel)]
    pub fn has_model(&self) -> bool {
        self.state.borrow().predictor.is_some()
    }

    /// Probability, label and the words the model read.
    pub fn predict(&self, text: String) -> js_sys::Promise {
        let predictor = self.state.borrow().predictor.clone();
        future_to_promise(async move {
            let predictor = predictor.ok_or_else(|| JsError::new("train or load a model first"))?;
            let p = predictor
                .predict(&text)
                .await
                .map_err(|e| JsError::new(&format!("the device failed: {e}")))?;
            Ok(to_js(&p)?)
        })
    }

    /// The model, its vocabulary and settings as one file (a `Uint8Array`).
    pub fn save(&self) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let (weights_source, tokenizer, data, train, validated) = {
                let s = state.borrow();
                if s.busy {
                    return Err(
                        JsError::new("a training step is running; pause or stop first").into(),
                    );
                }
                match (&s.trainer, &s.loaded, &s.predictor) {
                    (_, Some(header), Some(p)) => (
                        p.clone(),
                        p.tokenizer.clone(),
                        header.data,
                        header.train,
                        header.validated.clone(),
                    ),
                    (Some(t), None, Some(p)) => (
                        p.clone(),
                        t.data.tokenizer.clone(),
                        t.data.config,
                        Some(t.config),
                        t.best().cloned(),
                    ),
                    _ => return Err(JsError::new("train or load a model first").into()),
                }
            };
            let weights = weights_source
                .weights()
                .await
                .map_err(|e| JsError::new(&format!("the device failed: {e}")))?;
            let bytes = modelfile::save(&weights, &tokenizer, data, train, validated);
            Ok(js_sys::Uint8Array::from(&bytes[..]).into())
        })
    }

    /// The validation reviews of this tab's run worth looking inside (`crate::examples`): the
    /// model's mistakes, its surest and its least sure answers, `per_kind` of each.
    pub fn examples(&self, per_kind: usize) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let (predictor, valid) = {
                let s = state.borrow();
                if s.busy {
                    return Err(
                        JsError::new("a training step is running; pause or stop first").into(),
                    );
                }
                match (&s.trainer, &s.loaded, &s.predictor) {
                    (Some(t), None, Some(p)) => (p.clone(), t.data.valid.clone()),
                    _ => {
                        return Err(JsError::new(
                            "examples come from a model trained in this tab (a loaded model has no validation set here)",
                        )
                        .into());
                    }
                }
            };
            let model = predictor.model();
            let device = model.embedding.weight.val().device();
            let p = crate::examples::probabilities(model, &valid, 256, &device)
                .await
                .map_err(|e| JsError::new(&format!("the device failed: {e}")))?;
            // Borrowed again only now: a JS call during the await may have used the state.
            let s = state.borrow();
            let texts = s
                .texts
                .as_ref()
                .ok_or_else(|| JsError::new("the training data is gone; load it again"))?;
            let source = format!(
                "validation reviews of the data trained on in this tab ({} the model did not train on)",
                valid.len()
            );
            Ok(to_js(&crate::examples::pick(
                texts, &valid, &p, per_kind, source,
            ))?)
        })
    }

    /// A small training run (the post's layer sizes, batch 32 × 32 words, synthetic reviews)
    /// on `engine` ("gpu" or "cpu"), for the worker to time one step of each engine and train on
    /// the faster: the first step compiles kernels, so the worker times the second.
    #[wasm_bindgen(js_name = engineProbe)]
    pub fn engine_probe(&self, engine: &str) -> Result<EngineProbe, JsError> {
        let device = match engine {
            "gpu" => self
                .state
                .borrow()
                .gpu
                .clone()
                .ok_or_else(|| JsError::new("this session has no WebGPU device"))?,
            "cpu" => Device::flex(),
            other => return Err(JsError::new(&format!("unknown engine `{other}`"))),
        };
        let config = TrainConfig {
            batch: PROBE_BATCH,
            epochs: 1,
            ..TrainConfig::default()
        };
        let data = crate::data::synthetic(
            PROBE_BATCH * 4,
            DataConfig {
                maxlen: 32,
                train_fraction: 0.9,
                ..DataConfig::default()
            },
        );
        let trainer = Trainer::new(data, config, &device).map_err(js_error)?;
        Ok(EngineProbe {
            trainer: Rc::new(RefCell::new(Some(trainer))),
        })
    }

    /// Run the fused kernels against burn's reference ops (forward and every gradient, several
    /// shapes): on this session's GPU if it has one, then the fused CPU LSTM. Resolves to
    /// `[{label, errors: [[name, error]…]}]`.
    #[wasm_bindgen(js_name = fusedSelfTest)]
    pub fn fused_self_test(&self) -> js_sys::Promise {
        let gpu = self.state.borrow().gpu.clone();
        future_to_promise(async move {
            let failed =
                |e: burn::tensor::ExecutionError| JsError::new(&format!("the device failed: {e}"));
            // The WGSL kernels when there is WebGPU, then the CPU LSTM (this module's SIMD build).
            let mut results = match gpu {
                Some(gpu) => crate::fused_check::compare_all(&gpu)
                    .await
                    .map_err(failed)?,
                None => Vec::new(),
            };
            results.extend(crate::fused_check::compare_cpu().await.map_err(failed)?);
            Ok(to_js(&results)?)
        })
    }

    /// Load a saved model for prediction. On failure the current model stays.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(&self, bytes: &[u8]) -> Result<JsValue, JsError> {
        let saved = modelfile::load(bytes).map_err(js_error)?;
        let mut s = self.state.borrow_mut();
        if s.busy {
            return Err(JsError::new(
                "a training step is running; stop it before loading a model",
            ));
        }
        let device = s.gpu.clone().unwrap_or_else(Device::flex);
        let h = &saved.header;
        let info = ModelInfo {
            vocab: h.model.vocab,
            embed: h.model.embed,
            hidden: h.model.hidden,
            maxlen: h.data.maxlen,
            words: h.words.len(),
            valid_accuracy: h.validated.as_ref().map(|r| r.valid_accuracy),
            epoch: h.validated.as_ref().map(|r| r.epoch),
        };
        s.predictor = Some(Rc::new(Predictor::from_saved(&saved, &device)));
        s.loaded = Some(saved.header);
        to_js(&info)
    }
}

const PROBE_BATCH: usize = 32;

/// See [`TrainerSession::engine_probe`].
#[wasm_bindgen]
pub struct EngineProbe {
    trainer: Rc<RefCell<Option<Trainer>>>,
}

#[wasm_bindgen]
impl EngineProbe {
    /// One training step; resolves when its loss is back on the host.
    pub fn step(&self) -> js_sys::Promise {
        let cell = self.trainer.clone();
        future_to_promise(async move {
            let mut trainer = cell
                .borrow_mut()
                .take()
                .ok_or_else(|| JsError::new("the probe is already stepping"))?;
            let result = trainer.step().await;
            *cell.borrow_mut() = Some(trainer);
            result.map_err(js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }
}
