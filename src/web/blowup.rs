//! Exports of the Blow-up lab.

use super::{from_js, js_error, to_js};
use crate::blowup::{BlowupConfig, ProblemCache, cpu, gpu::BlowupGpu};
use crate::gpu::Gpu;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
enum GpuStatus {
    Ready {
        adapter: crate::gpu::AdapterReport,
        float: crate::blowup::gpu::FloatBehaviour,
    },
    Unavailable {
        reason: String,
    },
}

/// The Blow-up lab's engines and its matrix cache.
#[wasm_bindgen]
pub struct BlowupLab {
    inner: Rc<LabState>,
}

#[derive(Default)]
struct LabState {
    cache: RefCell<ProblemCache>,
    gpu: RefCell<Option<Rc<BlowupGpu>>>,
}

#[wasm_bindgen]
impl BlowupLab {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<BlowupLab, JsError> {
        Ok(Self {
            inner: Rc::new(LabState::default()),
        })
    }

    /// Try to get a WebGPU device. Resolves to `{status: "ready", adapter, float}` or
    /// `{status: "unavailable", reason}`; it never rejects for a missing GPU.
    #[wasm_bindgen(js_name = initGpu)]
    pub fn init_gpu(&self) -> js_sys::Promise {
        let state = self.inner.clone();
        future_to_promise(async move {
            let status = match Gpu::acquire().await {
                Err(e) => GpuStatus::Unavailable {
                    reason: e.to_string(),
                },
                Ok(gpu) => match BlowupGpu::new(gpu).await {
                    Err(e) => GpuStatus::Unavailable {
                        reason: e.to_string(),
                    },
                    Ok(engine) => {
                        let status = GpuStatus::Ready {
                            adapter: engine.gpu().report.clone(),
                            float: engine.float_behaviour,
                        };
                        *state.gpu.borrow_mut() = Some(Rc::new(engine));
                        status
                    }
                },
            };
            Ok(to_js(&status)?)
        })
    }

    /// Run on the CPU in float32. `config`: `{n, steps, scale, init, seed}`.
    #[wasm_bindgen(js_name = runCpu)]
    pub fn run_cpu(&self, config: JsValue) -> Result<JsValue, JsError> {
        let config: BlowupConfig = from_js(config, "Blow-up settings")?;
        let mut cache = self.inner.cache.borrow_mut();
        let problem = cache.get(&config).map_err(js_error)?;
        to_js(&cpu::run_f32(problem, &config))
    }

    /// Run on the GPU; the Promise resolves to the same shape as `runCpu` returns.
    #[wasm_bindgen(js_name = runGpu)]
    pub fn run_gpu(&self, config: JsValue) -> Result<js_sys::Promise, JsError> {
        let config: BlowupConfig = from_js(config, "Blow-up settings")?;
        let engine = self
            .inner
            .gpu
            .borrow()
            .clone()
            .ok_or_else(|| JsError::new("WebGPU is not initialised (call initGpu first)"))?;
        // Encode and submit now, while the cache is borrowed; only the read-back is awaited.
        let pending = {
            let mut cache = self.inner.cache.borrow_mut();
            let problem = cache.get(&config).map_err(js_error)?;
            engine.submit(problem, &config).map_err(js_error)?
        };
        Ok(future_to_promise(async move {
            let trajectory = pending.finish().await.map_err(js_error)?;
            Ok(to_js(&trajectory)?)
        }))
    }
}
