//! Exports of the Cell stepper and the gradient-flow plot.

use super::{from_js, js_error, to_js};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct PresetName {
    id: &'static str,
    name: &'static str,
}

/// The stepper's presets: `[{id, name}]`.
#[wasm_bindgen(js_name = stepperPresets)]
pub fn stepper_presets() -> Result<JsValue, JsError> {
    let list: Vec<PresetName> = crate::stepper::PRESETS
        .iter()
        .map(|&(id, name)| PresetName { id, name })
        .collect();
    to_js(&list)
}

/// A preset's weights, start state and sequence.
#[wasm_bindgen(js_name = stepperPreset)]
pub fn stepper_preset(id: &str, seed: u32) -> Result<JsValue, JsError> {
    to_js(&crate::stepper::preset(id, seed as u64).map_err(js_error)?)
}

/// The setup at new sizes, keeping the weights that still fit.
#[wasm_bindgen(js_name = stepperResize)]
pub fn stepper_resize(setup: JsValue, input: usize, hidden: usize) -> Result<JsValue, JsError> {
    use crate::stepper::{MAX_HIDDEN, MAX_INPUT};
    if !(1..=MAX_INPUT).contains(&input) || !(1..=MAX_HIDDEN).contains(&hidden) {
        return Err(JsError::new(&format!(
            "input size must be 1–{MAX_INPUT} and hidden size 1–{MAX_HIDDEN} (got {input} and {hidden})"
        )));
    }
    let setup: crate::stepper::StepperSetup = from_js(setup, "stepper setup")?;
    to_js(&crate::stepper::resize(&setup, input, hidden))
}

/// Every step of the sequence, for the real cell and the post's variant.
#[wasm_bindgen(js_name = stepperRun)]
pub fn stepper_run(setup: JsValue) -> Result<JsValue, JsError> {
    let setup: crate::stepper::StepperSetup = from_js(setup, "stepper setup")?;
    to_js(&crate::stepper::run(&setup).map_err(js_error)?)
}

/// `‖∂L/∂h_t‖` for an RNN and an LSTM, by the CPU reference backward passes (f64). A Promise,
/// as before, so the page's call does not change.
#[wasm_bindgen(js_name = gradientFlow)]
pub fn gradient_flow(config: JsValue) -> Result<js_sys::Promise, JsError> {
    let config: crate::gradflow::GradFlowConfig = from_js(config, "gradient-flow settings")?;
    let flow = crate::gradflow::gradient_flow(&config).map_err(js_error)?;
    Ok(js_sys::Promise::resolve(&to_js(&flow)?))
}
