//! Gate surgery: a trained model with some of its gates forced open or shut, or some units
//! switched off, to see what the model's answer (and its accuracy) owes to them. Every cell
//! Inside the model reads is edited: the LSTM's f, i and o, the GRU's r and z, and any cell's
//! units switched off (the plain RNN has no gates, only that), with either readout.
//!
//! A [`Surgery`] is a list of edits, applied in order at every step after the gates are
//! computed:
//!
//! ```text
//! f@all=1    every unit's forget gate held at 1: the cell keeps everything
//! o@17=0     unit 17's output gate held at 0: its h is always 0, its c still runs
//! off@42     unit 42 switched off: h = 0, for the head and for the next step
//! z@all=1    a GRU's update gates held at 1: every step copies the old h (from zero: h stays 0)
//! r@3=0      a GRU's unit 3 reads no old state into its candidate n
//! ```
//!
//! Units are numbered from 1 in that text (as the page shows them) and from 0 here. The text
//! is what the page keeps in its link (`inside.surgery`), so it parses with a message naming
//! the bad part and formats back to the same text.
//!
//! The edits are pure functions a step calls ([`Surgery::clamp_gates`] or
//! [`Surgery::clamp_gru_gates`] after the gates, [`Surgery::mask_h`] after `h`), so every
//! per-step computation (the inspection's trace, the accuracy over a validation sample) edits
//! the model the same way. Which gates a model has is [`gates_of`]'s answer; an edit of a gate
//! the model lacks is refused by name ([`Surgery::check_model`]).

pub mod accuracy;
pub mod sample;
#[cfg(test)]
mod tests;

use super::{Architecture, Cell, ModelWeights};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A gate the surgery can hold fixed: the LSTM's i, f, o, the GRU's r, z. (The candidates,
/// the LSTM's `g` and the GRU's `n`, are not gates: they are not offered.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    I,
    F,
    O,
    R,
    Z,
}

impl Gate {
    pub fn name(self) -> &'static str {
        match self {
            Gate::I => "i",
            Gate::F => "f",
            Gate::O => "o",
            Gate::R => "r",
            Gate::Z => "z",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [Gate::I, Gate::F, Gate::O, Gate::R, Gate::Z]
            .into_iter()
            .find(|g| g.name() == name)
    }
}

/// The gates a model of `arch` has for the surgery to hold, in the order the page offers them.
/// An LSTM variant whose gate is fixed at 1 (`forget-fixed`'s f, `no-output-gate`'s o)
/// computes no such gate, so it is not offered (and refused, [`Surgery::check_model`]).
pub fn gates_of(arch: &Architecture) -> Vec<Gate> {
    let v = arch.variant;
    match arch.cell {
        Cell::Lstm => [
            (Gate::F, v.forget_fixed),
            (Gate::I, false),
            (Gate::O, v.no_output_gate),
        ]
        .into_iter()
        .filter(|&(_, fixed)| !fixed)
        .map(|(g, _)| g)
        .collect(),
        Cell::Gru => vec![Gate::Z, Gate::R],
        Cell::Rnn => Vec::new(),
    }
}

/// Why `gate` cannot be held in a model of `arch` (`None`: it can).
fn gate_refusal(gate: Gate, arch: &Architecture) -> Option<String> {
    if gates_of(arch).contains(&gate) {
        return None;
    }
    let (v, g) = (arch.variant, gate.name());
    Some(match arch.cell {
        Cell::Lstm if gate == Gate::F && v.forget_fixed => {
            "this LSTM's forget gate is fixed at 1 (forget-fixed): there is no f to hold".into()
        }
        Cell::Lstm if gate == Gate::O && v.no_output_gate => {
            "this LSTM has no output gate (no-output-gate, o fixed at 1): there is no o to hold"
                .into()
        }
        Cell::Lstm => format!("an LSTM has no {g} gate: its gates are f, i and o"),
        Cell::Gru => format!("a GRU has no {g} gate: its gates are r and z"),
        Cell::Rnn => format!(
            "a plain RNN has no {g} gate: it has no gates at all, only h (switch a unit off with off@UNIT)"
        ),
    })
}

/// One edit. `unit` is 0-based; `None` is every unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Edit {
    /// Hold `gate` at 0 (`open` false) or 1 (`open` true).
    Clamp {
        gate: Gate,
        unit: Option<usize>,
        open: bool,
    },
    /// `h = 0` for this unit at every step.
    Off { unit: usize },
}

impl Edit {
    /// What the edit acts on: a later edit of the same target replaces it ([`Surgery::with`]).
    fn target(&self) -> (Option<Gate>, Option<usize>) {
        match *self {
            Edit::Clamp { gate, unit, .. } => (Some(gate), unit),
            Edit::Off { unit } => (None, Some(unit)),
        }
    }

    fn units(&self) -> Option<usize> {
        self.target().1
    }
}

impl fmt::Display for Edit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Edit::Clamp { gate, unit, open } => {
                let at = unit.map_or("all".to_string(), |u| (u + 1).to_string());
                write!(f, "{}@{at}={}", gate.name(), u8::from(open))
            }
            Edit::Off { unit } => write!(f, "off@{}", unit + 1),
        }
    }
}

/// Why a surgery's text or edit was refused; every message names the part at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SurgeryError {
    /// A part of the text that does not read as an edit, and why.
    Part { part: String, why: String },
    /// An edit of a unit the model does not have (1-based, as written).
    NoUnit { edit: String, hidden: usize },
    /// A model the accuracy scorer cannot score (it steps pooled LSTMs only).
    Unsupported(String),
    /// An edit of a gate the model does not have, and why.
    NoGate { edit: String, why: String },
}

impl fmt::Display for SurgeryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SurgeryError::Part { part, why } => write!(f, "surgery `{part}`: {why}"),
            SurgeryError::NoUnit { edit, hidden } => write!(
                f,
                "surgery `{edit}`: the model has units 1–{hidden}, so there is no such unit"
            ),
            SurgeryError::Unsupported(what) => write!(
                f,
                "the accuracy is scored for LSTM models with mean ‖ max pooling; this model is {what}"
            ),
            SurgeryError::NoGate { edit, why } => write!(f, "surgery `{edit}`: {why}"),
        }
    }
}

/// The edits, in the order they apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surgery {
    pub edits: Vec<Edit>,
}

/// Longest surgery text read (a link is not a place for more; it also bounds the work).
const MAX_TEXT: usize = 4000;

fn parse_edit(part: &str) -> Result<Edit, SurgeryError> {
    let bad = |why: &str| SurgeryError::Part {
        part: part.chars().take(40).collect(),
        why: why.to_string(),
    };
    let (what, rest) = part.split_once('@').ok_or_else(|| {
        bad("expected GATE@UNIT=0|1 or off@UNIT, e.g. f@all=1, o@17=0, z@all=1, off@42")
    })?;
    let unit = |text: &str| -> Result<Option<usize>, SurgeryError> {
        if text == "all" {
            return Ok(None);
        }
        match text.parse::<usize>() {
            Ok(0) => Err(bad("units are numbered from 1")),
            Ok(n) => Ok(Some(n - 1)),
            Err(_) => Err(bad("the unit is a number from 1, or `all`")),
        }
    };
    if what == "off" {
        return match unit(rest)? {
            Some(unit) => Ok(Edit::Off { unit }),
            None => Err(bad(
                "off takes one unit (off@all would silence the whole layer)",
            )),
        };
    }
    let gate = Gate::parse(what).ok_or_else(|| {
        bad("the gate is f, i or o (an LSTM's), r or z (a GRU's), or `off` to switch a unit off")
    })?;
    let (at, value) = rest
        .split_once('=')
        .ok_or_else(|| bad("a clamp needs a value: =0 (shut) or =1 (open)"))?;
    let open = match value {
        "0" => false,
        "1" => true,
        _ => return Err(bad("a gate is clamped to 0 or 1")),
    };
    Ok(Edit::Clamp {
        gate,
        unit: unit(at)?,
        open,
    })
}

impl Surgery {
    /// Reads the link's form, edits separated by commas (spaces around them ignored); the empty
    /// text is no surgery.
    pub fn parse(text: &str) -> Result<Self, SurgeryError> {
        if text.len() > MAX_TEXT {
            return Err(SurgeryError::Part {
                part: text.chars().take(40).collect(),
                why: format!("longer than {MAX_TEXT} characters"),
            });
        }
        let edits = text
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(parse_edit)
            .collect::<Result<_, _>>()?;
        Ok(Self { edits })
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// This surgery with `edit` added last, replacing an earlier edit of the same target.
    pub fn with(mut self, edit: Edit) -> Self {
        self.edits.retain(|e| e.target() != edit.target());
        self.edits.push(edit);
        self
    }

    /// Every edit names a unit of a `hidden`-unit layer.
    pub fn check_units(&self, hidden: usize) -> Result<(), SurgeryError> {
        match self
            .edits
            .iter()
            .find(|e| e.units().is_some_and(|u| u >= hidden))
        {
            Some(e) => Err(SurgeryError::NoUnit {
                edit: e.to_string(),
                hidden,
            }),
            None => Ok(()),
        }
    }

    /// Whether `weights` can be edited: every gate an edit holds is one the model has
    /// ([`gates_of`]), and every unit named is one of its units. Any cell and readout.
    pub fn check_model(&self, weights: &ModelWeights) -> Result<(), SurgeryError> {
        self.check_arch(&weights.config.arch, weights.config.hidden)
    }

    /// [`Surgery::check_model`] for a model of `arch` with `hidden` units.
    pub fn check_arch(&self, arch: &Architecture, hidden: usize) -> Result<(), SurgeryError> {
        for edit in &self.edits {
            if let Edit::Clamp { gate, .. } = *edit
                && let Some(why) = gate_refusal(gate, arch)
            {
                return Err(SurgeryError::NoGate {
                    edit: edit.to_string(),
                    why,
                });
            }
        }
        self.check_units(hidden)
    }

    /// Holds `gate` where this surgery clamps it, in edit order (so `z@all=1,z@3=0` leaves
    /// unit 3 shut), after the cell computed it (`[H]`).
    fn clamp(&self, which: Gate, values: &mut [f64]) {
        for edit in &self.edits {
            if let Edit::Clamp { gate, unit, open } = *edit
                && gate == which
            {
                let value = if open { 1.0 } else { 0.0 };
                match unit {
                    Some(u) => values[u] = value,
                    None => values.fill(value),
                }
            }
        }
    }

    /// Holds the LSTM gates this surgery clamps, after the cell computed them (each `[H]`).
    pub fn clamp_gates(&self, i: &mut [f64], f: &mut [f64], o: &mut [f64]) {
        self.clamp(Gate::I, i);
        self.clamp(Gate::F, f);
        self.clamp(Gate::O, o);
    }

    /// Holds the GRU gates this surgery clamps, after the cell computed them (each `[H]`).
    pub fn clamp_gru_gates(&self, r: &mut [f64], z: &mut [f64]) {
        self.clamp(Gate::R, r);
        self.clamp(Gate::Z, z);
    }

    /// Whether any edit holds `gate` (a step can skip recomputing what depends on it).
    pub fn holds(&self, which: Gate) -> bool {
        self.edits
            .iter()
            .any(|e| matches!(*e, Edit::Clamp { gate, .. } if gate == which))
    }

    /// Zeroes the units this surgery switches off, after the cell computed `h` (`[H]`).
    pub fn mask_h(&self, h: &mut [f64]) {
        for edit in &self.edits {
            if let Edit::Off { unit } = *edit {
                h[unit] = 0.0;
            }
        }
    }
}

impl fmt::Display for Surgery {
    /// The link's form, which [`Surgery::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, e) in self.edits.iter().enumerate() {
            if k > 0 {
                f.write_str(",")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
