//! `dataStages`: the Trainer's data stages timed in the page (`crate::data::stages`), for
//! `scripts/bench`.

use super::{from_js, js_error, to_js};
use crate::data::DataConfig;
use crate::data::stages::time_stages;
use wasm_bindgen::prelude::*;

/// `performance.now()` (in a page or a worker), else `Date.now()`.
fn now_ms() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    performance
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
            now.dyn_into::<js_sys::Function>()
                .ok()?
                .call0(&p)
                .ok()?
                .as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// Read `bytes` (a CSV, plain or gzip) and prepare it with the data settings `config`, as the
/// Trainer does; milliseconds per stage (`StageTimes`).
#[wasm_bindgen(js_name = dataStages)]
pub fn data_stages(bytes: &[u8], config: JsValue) -> Result<JsValue, JsError> {
    let config: DataConfig = from_js(config, "data settings")?;
    config.validate().map_err(js_error)?;
    to_js(&time_stages(bytes, config, now_ms).map_err(js_error)?)
}
