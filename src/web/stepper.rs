//! Exports of the Cell stepper and the gradient-flow plot.

use super::{from_js, js_error, to_js};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct PresetName {
    id: &'static str,
    name: &'static str,
}

/// `cell` as a link or a menu writes it (`lstm`, `gru`, `rnn`).
fn cell(name: &str) -> Result<crate::classifier::Cell, JsError> {
    crate::classifier::Cell::parse(name).map_err(js_error)
}

/// The presets of `cell`: `[{id, name}]`.
#[wasm_bindgen(js_name = stepperPresets)]
pub fn stepper_presets(cell_name: &str) -> Result<JsValue, JsError> {
    let list: Vec<PresetName> = crate::stepper::cell_presets::presets(cell(cell_name)?)
        .iter()
        .map(|&(id, name)| PresetName { id, name })
        .collect();
    to_js(&list)
}

/// A preset's weights, start state and sequence, for `cell`.
#[wasm_bindgen(js_name = stepperPreset)]
pub fn stepper_preset(cell_name: &str, id: &str, seed: u32) -> Result<JsValue, JsError> {
    let setup = crate::stepper::cell_presets::preset(cell(cell_name)?, id, seed as u64);
    to_js(&setup.map_err(js_error)?)
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

/// Every step of the sequence: an LSTM's for the real cell and the post's variant, a GRU's or
/// plain RNN's with the gradient back through time (the setup's `cell` says which).
#[wasm_bindgen(js_name = stepperRun)]
pub fn stepper_run(setup: JsValue) -> Result<JsValue, JsError> {
    let setup: crate::stepper::StepperSetup = from_js(setup, "stepper setup")?;
    to_js(&crate::stepper::cells::run_any(&setup).map_err(js_error)?)
}

/// `‖∂L/∂h_t‖` for an RNN and an LSTM, by the CPU reference backward passes (f64). A Promise,
/// as before, so the page's call does not change.
#[wasm_bindgen(js_name = gradientFlow)]
pub fn gradient_flow(config: JsValue) -> Result<js_sys::Promise, JsError> {
    let config: crate::gradflow::GradFlowConfig = from_js(config, "gradient-flow settings")?;
    let flow = crate::gradflow::gradient_flow(&config).map_err(js_error)?;
    Ok(js_sys::Promise::resolve(&to_js(&flow)?))
}
