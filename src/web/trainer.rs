//! Exports of the Trainer. A `TrainerSession` lives in the Web Worker; the worker owns the
//! training loop and calls `step()` once per unit of work (see `www/worker.js`).
//!
//! Failed calls change nothing: a bad CSV keeps the previous dataset, a bad model file keeps
//! the previous model.

use super::{from_js, js_error, to_js};
use crate::budget::{self, Limits};
use crate::classifier::file as modelfile;
use crate::data::csv::{ColumnChoice, LabelChoice, LabelledTexts, read_labelled_texts};
use crate::data::preview::{Summary, preview, summarize};
use crate::data::{DataConfig, prepare};
use crate::gpu::AdapterReport;
use crate::settings::{Engine, RunSettings};
use crate::trainer::{Compute, EpochReport, Predictor, TrainConfig, TrainError, Trainer};
use serde::Serialize;
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
    if trainer.is_finished() && trainer.has_usable_model() {
        s.predictor = Some(Rc::new(trainer.predictor()));
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
    /// The WebGPU device's buffer limits (burn asks for the adapter's own).
    limits: Option<GpuLimits>,
}

#[derive(Clone, Copy, Serialize)]
struct GpuLimits {
    max_storage_buffer_binding_size: u64,
    max_buffer_size: u64,
}

impl GpuLimits {
    /// The largest buffer a kernel can bind: cubecl's page size is the same minimum.
    fn buffer(&self) -> u64 {
        self.max_storage_buffer_binding_size
            .min(self.max_buffer_size)
    }
}

#[derive(Default)]
pub(super) struct SessionState {
    gpu: Option<Compute>,
    texts: Option<LabelledTexts>,
    /// How the loaded texts' label values became classes.
    choice: LabelChoice,
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

/// The loaded texts' size, for the memory estimate (none loaded yet: zeros).
fn data_size(texts: Option<&LabelledTexts>) -> budget::DataSize {
    budget::DataSize {
        rows: texts.map_or(0, |t| t.texts.len() as u64),
        text_bytes: texts.map_or(0, |t| t.texts.iter().map(|s| s.len() as u64).sum()),
    }
}

/// The dataset's numbers and the run it starts.
#[derive(Serialize)]
struct RunSummary {
    #[serde(flatten)]
    data: Summary,
    total_steps: usize,
    /// Steps already done (a resumed run).
    done_steps: usize,
    engine: Engine,
    /// The classes' names by class id.
    classes: Vec<String>,
    /// Validation rows of each class.
    valid_class_rows: Vec<usize>,
    /// The validation accuracy of always answering the most common class: the line the model
    /// must beat.
    majority_accuracy: f64,
    /// The model's trained parameters (every weight and bias), as its sizes and architecture
    /// give them.
    parameters: usize,
}

/// See [`TrainerSession::checkpoint`].
async fn checkpoint(trainer: &Trainer) -> Result<JsValue, TrainError> {
    let Some((best_report, best_weights)) = trainer.best_weights() else {
        return Ok(JsValue::NULL);
    };
    let file = |weights, report: &EpochReport| {
        let record = trainer.record(Some(report.clone()));
        let bytes = modelfile::save(weights, &trainer.data.tokenizer, &record);
        js_sys::Uint8Array::from(&bytes[..])
    };
    let out = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&out, &key.into(), value);
    let _ = set("best", &file(best_weights, best_report).into());
    let last = trainer.history.last().filter(|r| !r.is_best);
    let last = match last {
        Some(report) if !trainer.is_finished() => {
            let weights = trainer.model().to_weights().await?;
            file(&weights, report).into()
        }
        _ => JsValue::NULL,
    };
    let _ = set("last", &last);
    Ok(out.into())
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
    classes: Vec<String>,
}

/// A validation row behind a cell of the confusion matrix.
#[derive(Serialize)]
struct CellRow {
    line: u64,
    text: String,
}

/// See [`TrainerSession::confusion_cell`].
#[derive(Serialize)]
struct CellRows {
    truth: String,
    predicted: String,
    /// All rows in the cell (the list holds at most `limit`).
    total: usize,
    rows: Vec<CellRow>,
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
                limits: None,
            }
        } else {
            match Compute::gpu_async().await {
                Ok((gpu, setup)) => {
                    state.gpu = Some(gpu);
                    let limits = setup.limits;
                    DeviceStatus {
                        gpu: Some(AdapterReport::from_info(&setup.adapter)),
                        reason: None,
                        limits: Some(GpuLimits {
                            max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
                            max_buffer_size: limits.max_buffer_size,
                        }),
                    }
                }
                Err(e) => DeviceStatus {
                    gpu: None,
                    reason: Some(format!("WebGPU could not start: {e}")),
                    limits: None,
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
        // A file that reads but cannot be trained on yet (a class of one row, a single class)
        // loads: its preview names the problem, and the user merges or drops classes.
        let read = read_labelled_texts(bytes, &columns);
        self.state.borrow_mut().last_data_error = read.as_ref().err().map(|e| e.kind());
        let texts = read.map_err(js_error)?;
        let choice = LabelChoice::default();
        let value = to_js(&preview(&texts, &choice))?;
        let mut s = self.state.borrow_mut();
        s.texts = Some(texts);
        s.choice = choice;
        Ok(value)
    }

    /// Map the loaded texts' label values to classes again (`LabelChoice`: fold case, merge,
    /// drop, the positive class) and return the new preview. On failure (more than 100 classes)
    /// the classes stay as they were.
    pub fn relabel(&self, choice: JsValue) -> Result<JsValue, JsError> {
        let choice: LabelChoice = from_js(choice, "the label choice")?;
        let mut s = self.state.borrow_mut();
        if s.busy {
            return Err(JsError::new("a training step is running; stop it first"));
        }
        let texts = s
            .texts
            .as_mut()
            .ok_or_else(|| JsError::new("load a CSV file first"))?;
        texts.relabel(&choice).map_err(js_error)?;
        let value = to_js(&preview(texts, &choice))?;
        s.choice = choice;
        Ok(value)
    }

    /// Up to `limit` validation texts of class `truth` that the model put in class `predicted`
    /// at the last validated epoch (a cell of the confusion matrix), in split order.
    #[wasm_bindgen(js_name = confusionCell)]
    pub fn confusion_cell(
        &self,
        truth: usize,
        predicted: usize,
        limit: usize,
    ) -> Result<JsValue, JsError> {
        let s = self.state.borrow();
        let trainer = s
            .trainer
            .as_ref()
            .ok_or_else(|| JsError::new("no training run in this tab: train a model first"))?;
        let texts = s
            .texts
            .as_ref()
            .ok_or_else(|| JsError::new("the training data is gone; load it again"))?;
        let classes = &trainer.data.classes;
        if truth >= classes.len() || predicted >= classes.len() {
            return Err(JsError::new(&format!(
                "the model has {} classes; there is no cell ({truth}, {predicted})",
                classes.len()
            )));
        }
        let valid = &trainer.data.valid;
        let by_line: std::collections::HashMap<u64, usize> = texts
            .lines
            .iter()
            .enumerate()
            .map(|(i, &l)| (l, i))
            .collect();
        let in_cell: Vec<usize> = trainer
            .valid_predictions()
            .iter()
            .enumerate()
            .filter(|&(k, &p)| valid.labels[k] as usize == truth && p as usize == predicted)
            .map(|(k, _)| k)
            .collect();
        let rows = in_cell
            .iter()
            .take(limit)
            .map(|&k| CellRow {
                line: valid.lines[k],
                text: by_line
                    .get(&valid.lines[k])
                    .map(|&i| texts.texts[i].clone())
                    .unwrap_or_default(),
            })
            .collect();
        to_js(&CellRows {
            truth: classes[truth].clone(),
            predicted: classes[predicted].clone(),
            total: in_cell.len(),
            rows,
        })
    }

    /// The data check and the baseline (`crate::data::check::DataCheck`) of the loaded texts,
    /// split and encoded as a run with these data settings (`DataConfig`) would.
    #[wasm_bindgen(js_name = dataCheck)]
    pub fn data_check(&self, config: JsValue) -> Result<JsValue, JsError> {
        let config: DataConfig = from_js(config, "data settings")?;
        config.validate().map_err(js_error)?;
        let state = self.state.borrow();
        let texts = state
            .texts
            .as_ref()
            .ok_or_else(|| JsError::new("load a CSV file first"))?;
        to_js(&crate::data::check::check(texts, config, &texts.classes).map_err(js_error)?)
    }

    /// The kind of the last `loadCsv` failure (`crate::data::DataError::kind`), or `undefined`
    /// after a success: the worker offers the column chooser on "missing-column",
    /// "same-column" and "empty-texts".
    #[wasm_bindgen(js_name = lastDataErrorKind)]
    pub fn last_data_error_kind(&self) -> Option<String> {
        self.state.borrow().last_data_error.map(String::from)
    }

    /// The memory a run with these settings (`RunSettings`) needs on this session's device
    /// (`crate::budget::Estimate`: `summary`, `problem`, …), counting the loaded data.
    #[wasm_bindgen(js_name = memoryEstimate)]
    pub fn memory_estimate(&self, settings: JsValue) -> Result<JsValue, JsError> {
        let settings: RunSettings = from_js(settings, "training settings")?;
        let data = data_size(self.state.borrow().texts.as_ref());
        to_js(&budget::estimate(&settings, data, self.limits()))
    }

    fn limits(&self) -> Limits {
        Limits {
            gpu_buffer: self.status.limits.map(|l| l.buffer()),
        }
    }

    /// What this worker's memory holds now: `{heap, gpu}`: the bytes the Rust allocator has
    /// handed out and not taken back (every allocation of this wasm module), and burn's GPU
    /// allocator's `{bytes_in_use, bytes_reserved, number_allocs}` (null without a GPU).
    #[wasm_bindgen(js_name = memoryUsage)]
    pub fn memory_usage(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Gpu {
            bytes_in_use: u64,
            bytes_reserved: u64,
            number_allocs: u64,
        }
        #[derive(Serialize)]
        struct Usage {
            heap: u64,
            gpu: Option<Gpu>,
        }
        let gpu = self.state.borrow().gpu.clone();
        let gpu = gpu.and_then(|g| g.pool_usage()).map(|u| Gpu {
            bytes_in_use: u.bytes_in_use,
            bytes_reserved: u.bytes_reserved,
            number_allocs: u.number_allocs,
        });
        to_js(&Usage {
            heap: super::heap_in_use() as u64,
            gpu,
        })
    }

    /// Split, tokenise and build a fresh model for `settings` (`RunSettings`); the previous run
    /// (if any) is discarded. A run whose memory cannot fit (`crate::budget`: a GPU buffer over
    /// the device's limit, a CPU worker over WebAssembly's 4 GiB) is refused before anything is
    /// allocated, with a message naming the setting to lower.
    pub fn start(&self, settings: JsValue) -> Result<JsValue, JsError> {
        let settings: RunSettings = from_js(settings, "training settings")?;
        let (trainer, summary) = self.build(&settings, |data, compute| {
            Trainer::new(data, settings.train, compute)
        })?;
        self.install(trainer);
        to_js(&summary)
    }

    /// Like `start`, but from a saved run (a reload of the page lost it): `last` is the model
    /// file of its last epoch (null when that was the best), `best` the best epoch's, `history`
    /// its epoch reports. The data must be what the run trained on: the same settings on the
    /// same texts must give the same vocabulary. Adam's moments were not saved, so the optimiser
    /// starts again.
    pub fn resume(
        &self,
        settings: JsValue,
        last: Option<Vec<u8>>,
        best: Vec<u8>,
        history: JsValue,
    ) -> Result<JsValue, JsError> {
        let settings: RunSettings = from_js(settings, "training settings")?;
        let history: Vec<EpochReport> = from_js(history, "the saved run's epochs")?;
        let best =
            modelfile::load(&best).map_err(|e| JsError::new(&format!("the saved model: {e}")))?;
        let last = last
            .map(|bytes| modelfile::load(&bytes))
            .transpose()
            .map_err(|e| JsError::new(&format!("the saved last epoch: {e}")))?;
        let best_report = best
            .header
            .run
            .validated
            .clone()
            .ok_or_else(|| JsError::new("the saved model records no validated epoch"))?;
        let (trainer, summary) = self.build(&settings, |data, compute| {
            let saved_classes = best.header.run.class_names();
            if data.classes != saved_classes {
                return Err(TrainError::Config(format!(
                    "the saved run trained on the classes {}, the loaded data has {}: choose the same classes again",
                    saved_classes.join(", "),
                    data.classes.join(", ")
                )));
            }
            if data.tokenizer.words != best.header.words {
                return Err(TrainError::Config(
                    "the loaded data is not what the saved run trained on (these settings give it another vocabulary)"
                        .into(),
                ));
            }
            let start = last.as_ref().map_or(&best.weights, |l| &l.weights);
            Trainer::resume(
                data,
                settings.train,
                compute,
                start,
                history,
                Some((best_report, best.weights.clone())),
            )
        })?;
        self.install(trainer);
        to_js(&summary)
    }

    /// Check the settings and the memory they need, prepare the data and build a trainer.
    fn build(
        &self,
        settings: &RunSettings,
        make: impl FnOnce(crate::data::Prepared, &Compute) -> Result<Trainer, TrainError>,
    ) -> Result<(Trainer, RunSummary), JsError> {
        let state = self.state.borrow();
        if state.busy {
            return Err(JsError::new("a training step is still running"));
        }
        let texts = state
            .texts
            .as_ref()
            .ok_or_else(|| JsError::new("load a CSV file first"))?;
        settings.validate().map_err(js_error)?;
        let estimate = budget::estimate(settings, data_size(Some(texts)), self.limits());
        if let Some(problem) = estimate.problem {
            return Err(JsError::new(&problem));
        }
        let data = prepare(texts, settings.data).map_err(js_error)?;
        let compute = match (settings.engine, &state.gpu) {
            (Engine::Gpu, Some(gpu)) => gpu.clone(),
            (Engine::Gpu, None) => {
                return Err(JsError::new("WebGPU is not available here; choose the CPU"));
            }
            (Engine::Cpu, _) => Compute::cpu(),
        };
        let summary = summarize(texts, &data);
        let classes = data.classes.clone();
        let mut valid_class_rows = vec![0; classes.len()];
        for &l in &data.valid.labels {
            valid_class_rows[l as usize] += 1;
        }
        let majority_accuracy = valid_class_rows.iter().copied().max().unwrap_or(0) as f64
            / data.valid.len().max(1) as f64;
        // Replicas only help the CPU engine (a GPU is one device, whoever drives it).
        let workers = match settings.engine {
            Engine::Gpu => 1,
            Engine::Cpu => settings.workers,
        };
        let trainer = make(data, &compute)
            .map_err(js_error)?
            .with_workers(workers);
        let summary = RunSummary {
            data: summary,
            total_steps: trainer.total_steps(),
            done_steps: trainer.done_steps(),
            engine: settings.engine,
            classes,
            valid_class_rows,
            majority_accuracy,
            parameters: trainer.model().config().parameter_count(),
        };
        Ok((trainer, summary))
    }

    fn install(&self, trainer: Trainer) {
        let mut state = self.state.borrow_mut();
        state.trainer = Some(trainer);
        state.predictor = None;
        state.loaded = None;
    }

    /// After an epoch, what a reload must not lose: `{best, last}`, model files (`Uint8Array`)
    /// of the best epoch so far and of the epoch just finished (null when it is the best, or
    /// when the run is over and its model is the best). Resolves to null before the first
    /// validated epoch.
    pub fn checkpoint(&self) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let trainer = take_trainer(&state)?;
            let result = checkpoint(&trainer).await;
            put_trainer(&state, trainer);
            Ok(result.map_err(js_error)?)
        })
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
        if !trainer.has_usable_model() {
            return to_js(&best);
        }
        s.predictor = Some(Rc::new(trainer.predictor()));
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
            let (predictor, record) = {
                let s = state.borrow();
                if s.busy {
                    return Err(
                        JsError::new("a training step is running; pause or stop first").into(),
                    );
                }
                match (&s.trainer, &s.loaded, &s.predictor) {
                    (_, Some(header), Some(p)) => (p.clone(), header.run.clone()),
                    (Some(t), None, Some(p)) => (p.clone(), t.record(t.best().cloned())),
                    _ => return Err(JsError::new("train or load a model first").into()),
                }
            };
            let weights = predictor
                .weights()
                .await
                .map_err(|e| JsError::new(&format!("the device failed: {e}")))?;
            let bytes = modelfile::save(&weights, &predictor.tokenizer, &record);
            Ok(js_sys::Uint8Array::from(&bytes[..]).into())
        })
    }

    /// The validation reviews of this tab's run worth looking inside (`crate::trainer::showcase`): the
    /// model's mistakes, its surest and its least sure answers, `per_kind` of each.
    pub fn examples(&self, per_kind: usize) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let (predictor, valid, classes) = {
                let s = state.borrow();
                if s.busy {
                    return Err(
                        JsError::new("a training step is running; pause or stop first").into(),
                    );
                }
                match (&s.trainer, &s.loaded, &s.predictor) {
                    (Some(t), None, Some(p)) => {
                        (p.clone(), t.data.valid.clone(), t.data.classes.clone())
                    }
                    _ => {
                        return Err(JsError::new(
                            "examples come from a model trained in this tab (a loaded model has no validation set here)",
                        )
                        .into());
                    }
                }
            };
            let p = predictor
                .probabilities(&valid, 256)
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
            Ok(to_js(&crate::trainer::showcase::pick(
                texts, &valid, &p, &classes, per_kind, source,
            ))?)
        })
    }

    /// Up to `count` reviews of this tab's validation split, spread over it, tokenised (a
    /// `ValidationSample` as JSON, see `crate::classifier::surgery::sample`): what gate surgery
    /// in "Inside the model" scores a model trained here on. Without the unedited accuracy,
    /// which the page counts with the same scorer as the edited one.
    #[wasm_bindgen(js_name = validationSample)]
    pub fn validation_sample(&self, count: usize) -> Result<Vec<u8>, JsError> {
        use crate::classifier::surgery::sample::ValidationSample;
        let s = self.state.borrow();
        let trainer = match (&s.trainer, &s.loaded) {
            (Some(t), None) => t,
            _ => {
                return Err(JsError::new(
                    "a validation sample comes from a model trained in this tab",
                ));
            }
        };
        let valid = &trainer.data.valid;
        let count = count.clamp(1, valid.len().max(1));
        let every = (valid.len() / count).max(1);
        let source = match every {
            1 => format!(
                "the {} validation reviews of the data trained on in this tab",
                valid.len()
            ),
            _ => format!(
                "{count} of the {} validation reviews of the data trained on in this tab, every {every}th",
                valid.len()
            ),
        };
        let sample = ValidationSample::every(
            &valid.ids,
            &valid.labels,
            valid.maxlen,
            count,
            trainer.data.classes.clone(),
            source,
        );
        serde_json::to_vec(&sample).map_err(|e| JsError::new(&e.to_string()))
    }

    /// A small training run (the post's layer sizes, batch 32 × 32 words, synthetic reviews)
    /// on `engine` ("gpu" or "cpu"), for the worker to time one step of each engine and train on
    /// the faster: the first step compiles kernels, so the worker times the second.
    #[wasm_bindgen(js_name = engineProbe)]
    pub fn engine_probe(&self, engine: &str) -> Result<EngineProbe, JsError> {
        let compute = match engine {
            "gpu" => self
                .state
                .borrow()
                .gpu
                .clone()
                .ok_or_else(|| JsError::new("this session has no WebGPU device"))?,
            "cpu" => Compute::cpu(),
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
        let trainer = Trainer::new(data, config, &compute).map_err(js_error)?;
        Ok(EngineProbe {
            trainer: Rc::new(RefCell::new(Some(trainer))),
        })
    }

    /// Run the fused kernels against burn's reference ops (forward and every gradient, several
    /// shapes): on this session's GPU if it has one, then the fused CPU LSTM, GRU and plain RNN.
    /// Resolves to
    /// `[{label, errors: [[name, error]…]}]`.
    #[wasm_bindgen(js_name = fusedSelfTest)]
    pub fn fused_self_test(&self) -> js_sys::Promise {
        let gpu = self.state.borrow().gpu.clone();
        future_to_promise(async move {
            // The WGSL kernels when there is WebGPU, then the CPU cells (this module's SIMD build).
            let results = crate::trainer::ops::check::self_test(gpu.as_ref())
                .await
                .map_err(|e| JsError::new(&format!("the device failed: {e}")))?;
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
        let compute = s.gpu.clone().unwrap_or_else(Compute::cpu);
        let h = &saved.header;
        let info = ModelInfo {
            vocab: h.model.vocab,
            embed: h.model.embed,
            hidden: h.model.hidden,
            maxlen: h.run.data.maxlen,
            words: h.words.len(),
            valid_accuracy: h.run.validated.as_ref().map(|r| r.valid_accuracy),
            epoch: h.run.validated.as_ref().map(|r| r.epoch),
            classes: h.run.class_names(),
        };
        s.predictor = Some(Rc::new(Predictor::from_saved(&saved, &compute)));
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
