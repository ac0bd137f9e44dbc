//! The browser boundary: every wasm export lives here, and every one returns
//! `Result<_, JsError>` (or a Promise that rejects with an `Error`), so no panic is needed to
//! report a problem. Values cross as plain JS objects through serde-wasm-bindgen.

use crate::blowup::{BlowupConfig, ProblemCache, cpu, gpu::BlowupGpu};
use crate::gpu::Gpu;
use serde::Serialize;
use std::cell::RefCell;
use std::fmt::Display;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

unsafe extern "C" {
    fn __wasm_call_ctors();
}

/// Runs once when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    // cubecl registers its kernels through link-time constructors. Calling them once here stops
    // wasm-ld from wrapping every export in a constructor call (measured: 50× slower tensor ops).
    unsafe { __wasm_call_ctors() };
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        report_panic(&info.to_string());
    }));
}

/// A panic is a bug: tell the page (it shows a banner) as well as the console.
fn report_panic(message: &str) {
    let global = js_sys::global();
    if let Ok(callback) = js_sys::Reflect::get(&global, &"lstmLabPanic".into())
        && let Some(callback) = callback.dyn_ref::<js_sys::Function>()
    {
        let _ = callback.call1(&JsValue::NULL, &message.into());
    }
}

pub(crate) fn js_error(e: impl Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Serialise for JS with `None` as `null` and maps as plain objects.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

pub(crate) fn from_js<T: serde::de::DeserializeOwned>(
    value: JsValue,
    what: &str,
) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// Build version, so the page can show what it runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

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
