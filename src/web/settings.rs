//! A run's settings for the page's form (`crate::settings`): their defaults, limits and
//! presets, and the form's values turned into a checked `RunSettings`, so the page repeats
//! none of them.
//!
//! Named values cross as `[name, value]` pairs, not maps: a map type's code costs the first
//! view's module several kB.

use super::{from_js, js_error, to_js};
use crate::classifier::arch::{Architecture, Cell, Readout, SWITCHES};
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
    /// `[name, label]` of each cell, readout and LSTM variant (src/classifier/arch.rs), the
    /// post's first.
    cells: Vec<(&'static str, &'static str)>,
    readouts: Vec<(&'static str, &'static str)>,
    switches: Vec<(&'static str, &'static str)>,
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
        cells: Cell::ALL.iter().map(|c| (c.name(), c.label())).collect(),
        readouts: Readout::ALL.iter().map(|r| (r.name(), r.label())).collect(),
        switches: SWITCHES.iter().map(|s| (s.name, s.label)).collect(),
    })
}

/// A model's architecture as the page shows it: its parts by name, its short name
/// (`gru/last`, `lstm/pool+sigmoid-g`) and why the fused kernels do not run it, if they do not.
#[derive(Serialize)]
struct ArchInfo {
    arch: Architecture,
    name: String,
    cell: &'static str,
    readout: &'static str,
    /// The LSTM variants that are on, by name.
    switches: Vec<&'static str>,
    /// Why the fused kernels do not run it (on either engine); null when they do.
    unfused: Option<String>,
}

fn arch_info(arch: Architecture) -> Result<JsValue, JsError> {
    arch.validate().map_err(|e| JsError::new(&e))?;
    to_js(&ArchInfo {
        arch,
        name: arch.describe(),
        cell: arch.cell.name(),
        readout: arch.readout.name(),
        switches: arch.variant.names(),
        unfused: arch.unfused_reason(),
    })
}

/// `describeArch(arch)`: an architecture (`{cell, readout, variant}`, absent parts the post's)
/// as [`ArchInfo`]; refused when its variants do not fit its cell.
#[wasm_bindgen(js_name = describeArch)]
pub fn describe_arch(arch: JsValue) -> Result<JsValue, JsError> {
    arch_info(from_js(arch, "the model's architecture")?)
}

/// `parseArch('rnn/last')`: an architecture's short name (`cell[/readout][+variant…]`, as links
/// and the CLI write it) as [`ArchInfo`]; the error says what is wrong with it.
#[wasm_bindgen(js_name = parseArch)]
pub fn parse_arch(text: &str) -> Result<JsValue, JsError> {
    arch_info(Architecture::parse(text).map_err(|e| JsError::new(&e))?)
}

/// What the form holds.
#[derive(Deserialize)]
struct Form {
    /// `[name, value]` of each number field (`vocab`, `lr`, …, `workers`).
    fields: Vec<(String, f64)>,
    engine: Engine,
    kernel: Recurrence,
    /// The model: cell, readout and variants (absent: the post's LSTM with pooling).
    #[serde(default)]
    arch: Architecture,
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
    run.train.arch = form.arch;
    run.train.arch.validate().map_err(|e| JsError::new(&e))?;
    let run = run.with_fields(form.fields).map_err(js_error)?;
    to_js(&run)
}
