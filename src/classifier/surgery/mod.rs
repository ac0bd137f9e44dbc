//! Gate surgery: the trained LSTM with some of its gates forced open or shut, or some units
//! switched off, to see what the model's answer (and its accuracy) owes to them.
//!
//! A [`Surgery`] is a list of edits, applied in order at every step after the gates are
//! computed:
//!
//! ```text
//! f@all=1    every unit's forget gate held at 1: the cell keeps everything
//! o@17=0     unit 17's output gate held at 0: its h is always 0, its c still runs
//! off@42     unit 42 switched off: h = 0, for the head and for the next step
//! ```
//!
//! Units are numbered from 1 in that text (as the page shows them) and from 0 here. The text
//! is what the page keeps in its link (`inside.surgery`), so it parses with a message naming
//! the bad part and formats back to the same text.
//!
//! The edits are pure functions a step calls ([`Surgery::clamp_gates`] after the gates,
//! [`Surgery::mask_h`] after `h`), so every per-step computation (the inspection's trace, the
//! accuracy over a validation sample) edits the model the same way.

pub mod accuracy;
pub mod sample;
#[cfg(test)]
mod tests;

use super::{Cell, ModelWeights, Readout};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A gate the surgery can hold fixed. (`g` is the candidate, not a gate: it is not offered.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    I,
    F,
    O,
}

impl Gate {
    pub fn name(self) -> &'static str {
        match self {
            Gate::I => "i",
            Gate::F => "f",
            Gate::O => "o",
        }
    }
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
    /// A model the surgery cannot edit.
    Unsupported(String),
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
                "gate surgery edits LSTM models with mean ‖ max pooling; this model is {what}"
            ),
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
    let (what, rest) = part
        .split_once('@')
        .ok_or_else(|| bad("expected GATE@UNIT=0|1 or off@UNIT, e.g. f@all=1, o@17=0, off@42"))?;
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
    let gate = match what {
        "i" => Gate::I,
        "f" => Gate::F,
        "o" => Gate::O,
        _ => return Err(bad("the gate is i, f or o (or `off` to switch a unit off)")),
    };
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

    /// Whether `weights` can be edited: an LSTM with all its gates (the post's σ candidate
    /// too), pooled, with the units the edits name.
    pub fn check_model(&self, weights: &ModelWeights) -> Result<(), SurgeryError> {
        let arch = weights.config.arch;
        let v = arch.variant;
        if arch.cell != Cell::Lstm
            || arch.readout != Readout::Pool
            || v.relu_out
            || v.forget_fixed
            || v.no_output_gate
        {
            return Err(SurgeryError::Unsupported(arch.describe()));
        }
        self.check_units(weights.config.hidden)
    }

    /// Holds the gates this surgery clamps, after the cell computed them (each `[H]`).
    pub fn clamp_gates(&self, i: &mut [f64], f: &mut [f64], o: &mut [f64]) {
        for edit in &self.edits {
            if let Edit::Clamp { gate, unit, open } = *edit {
                let values = match gate {
                    Gate::I => &mut *i,
                    Gate::F => &mut *f,
                    Gate::O => &mut *o,
                };
                let value = if open { 1.0 } else { 0.0 };
                match unit {
                    Some(u) => values[u] = value,
                    None => values.fill(value),
                }
            }
        }
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
