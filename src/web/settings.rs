//! A run's settings for the page's form (`crate::settings`): their defaults, limits and
//! presets, and the form's values turned into a checked `RunSettings`, so the page repeats
//! none of them.
//!
//! Named values cross as `[name, value]` pairs, not maps: a map type's code costs the first
//! view's module several kB.

use super::{from_js, js_error, to_js};
use crate::settings::{Engine, Recurrence, RunSettings, SETTINGS};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// One field of the form.
#[derive(Serialize)]
struct Field {
    /// Its input is `#trainer-<field>`.
    field: &'static str,
    name: &'static str,
    min: f64,
    max: f64,
    /// 0: any.
    step: f64,
    integer: bool,
}

#[derive(Serialize)]
struct Schema {
    defaults: RunSettings,
    fields: Vec<Field>,
    /// `[name, [[field, value]…]]` per preset; a preset leaves the CPU workers as they are.
    presets: Vec<(&'static str, Vec<(&'static str, f64)>)>,
}

/// `{defaults, fields: [{field, name, min, max, step, integer}], presets: [[name, [[field, value]…]]…]}`.
#[wasm_bindgen(js_name = runSettings)]
pub fn run_settings() -> Result<JsValue, JsError> {
    let fields = SETTINGS
        .iter()
        .map(|s| Field {
            field: s.field,
            name: s.name,
            min: s.form_min(),
            max: s.form_max(),
            step: s.step,
            integer: s.integer,
        })
        .collect();
    // A preset sets what a run is, not how many workers this device gives it.
    let presets = RunSettings::presets()
        .into_iter()
        .map(|(name, run)| {
            let fields = run.fields().into_iter().filter(|(f, _)| *f != "workers");
            (name, fields.collect())
        })
        .collect();
    to_js(&Schema {
        defaults: RunSettings::default(),
        fields,
        presets,
    })
}

/// What the form holds.
#[derive(Deserialize)]
struct Form {
    /// `[name, value]` of each number field (`vocab`, `lr`, …, `workers`).
    fields: Vec<(String, f64)>,
    engine: Engine,
    kernel: Recurrence,
}

/// The form's values as a `RunSettings`, every value checked: the error names the setting and
/// its limits.
#[wasm_bindgen(js_name = runFromForm)]
pub fn run_from_form(form: JsValue) -> Result<JsValue, JsError> {
    let form: Form = from_js(form, "the training settings")?;
    let mut run = RunSettings {
        engine: form.engine,
        ..RunSettings::default()
    };
    run.train.kernel = form.kernel;
    let run = run.with_fields(form.fields).map_err(js_error)?;
    to_js(&run)
}
