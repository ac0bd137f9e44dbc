//! What sits between the embedding and the head: the recurrent cell (the post's LSTM, a GRU or a
//! plain tanh RNN, each in PyTorch's layout), how the head reads its states (the post's
//! mean ‖ max pooling or the last state), and the LSTM's variants — among them the post's own
//! two mistakes, kept as switches so a class can train them beside the real cell.
//!
//! The post's model is [`Architecture::default`]; it serialises as nothing at all, so settings,
//! links and model files of the post's model read and write exactly as before these choices.

use serde::{Deserialize, Serialize};

/// The recurrent cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// `nn.LSTM`: gates i, f, g, o.
    #[default]
    Lstm,
    /// `nn.GRU`: gates r, z, n.
    Gru,
    /// `nn.RNN` with tanh: one gate-less update.
    Rnn,
}

impl Cell {
    pub const ALL: [Cell; 3] = [Cell::Lstm, Cell::Gru, Cell::Rnn];

    /// Rows of `weight_ih` / `weight_hh` per hidden unit: the stacked gates.
    pub fn gates(self) -> usize {
        match self {
            Cell::Lstm => 4,
            Cell::Gru => 3,
            Cell::Rnn => 1,
        }
    }

    /// As the CLI, links and PyTorch's parameter names spell it.
    pub fn name(self) -> &'static str {
        match self {
            Cell::Lstm => "lstm",
            Cell::Gru => "gru",
            Cell::Rnn => "rnn",
        }
    }

    /// As a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Cell::Lstm => "LSTM",
            Cell::Gru => "GRU",
            Cell::Rnn => "plain RNN",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Cell::ALL
            .into_iter()
            .find(|c| c.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("`{s}` is not a cell; the cells are lstm, gru and rnn"))
    }
}

/// How the head reads the cell's hidden states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Readout {
    /// The post: `[mean over time ‖ max over time]` of every state, padding included → 2H.
    /// Every word reaches the head in one step, so pooling itself shortens gradient paths.
    #[default]
    Pool,
    /// The state after the last step → H. With the post's front padding that is the state
    /// after the last real word; every earlier word reaches the head only through the
    /// recurrence.
    Last,
}

impl Readout {
    pub const ALL: [Readout; 2] = [Readout::Pool, Readout::Last];

    pub fn name(self) -> &'static str {
        match self {
            Readout::Pool => "pool",
            Readout::Last => "last",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Readout::Pool => "mean ‖ max pooling",
            Readout::Last => "last state",
        }
    }

    /// The head's input width for `hidden` units.
    pub fn width(self, hidden: usize) -> usize {
        match self {
            Readout::Pool => 2 * hidden,
            Readout::Last => hidden,
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Readout::ALL
            .into_iter()
            .find(|r| r.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("`{s}` is not a readout; the readouts are pool and last"))
    }
}

/// Switches on the LSTM cell (each off in a real LSTM). Every one but `forget_bias_one` changes
/// what the cell computes, so only the reference ops run it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Variant {
    /// The post's mistake: the candidate `g = σ(·)` instead of tanh, so the cell can only add.
    #[serde(skip_serializing_if = "is_false")]
    pub sigmoid_g: bool,
    /// The post's other mistake: `relu(Linear(H → H)(h_t))` per step feeds the pooling.
    #[serde(skip_serializing_if = "is_false")]
    pub relu_out: bool,
    /// `f = 1`: the cell never forgets (c only accumulates).
    #[serde(skip_serializing_if = "is_false")]
    pub forget_fixed: bool,
    /// `o = 1`: `h = tanh(c)`, the whole memory always shown.
    #[serde(skip_serializing_if = "is_false")]
    pub no_output_gate: bool,
    /// The forget gate's bias starts at 1 (added to `bias_ih`'s f rows): Gers et al.'s and
    /// Jozefowicz et al.'s advice. Initialisation only: the cell is the real one.
    #[serde(skip_serializing_if = "is_false")]
    pub forget_bias_one: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// One switch of [`Variant`]: its name (CLI, links) and what it does.
pub struct Switch {
    pub name: &'static str,
    pub label: &'static str,
    pub get: fn(&Variant) -> bool,
    pub set: fn(&mut Variant, bool),
}

/// Every switch, in the order the page and the CLI list them.
pub const SWITCHES: [Switch; 5] = [
    Switch {
        name: "sigmoid-g",
        label: "the post's σ candidate (g = σ, not tanh)",
        get: |v| v.sigmoid_g,
        set: |v, on| v.sigmoid_g = on,
    },
    Switch {
        name: "relu-out",
        label: "the post's relu(Linear(h)) layer before pooling",
        get: |v| v.relu_out,
        set: |v, on| v.relu_out = on,
    },
    Switch {
        name: "forget-fixed",
        label: "forget gate fixed at 1",
        get: |v| v.forget_fixed,
        set: |v, on| v.forget_fixed = on,
    },
    Switch {
        name: "no-output-gate",
        label: "no output gate (h = tanh c)",
        get: |v| v.no_output_gate,
        set: |v, on| v.no_output_gate = on,
    },
    Switch {
        name: "forget-bias-1",
        label: "forget-gate bias starts at 1",
        get: |v| v.forget_bias_one,
        set: |v, on| v.forget_bias_one = on,
    },
];

impl Variant {
    /// The switches that are on, by name.
    pub fn names(&self) -> Vec<&'static str> {
        SWITCHES
            .iter()
            .filter(|s| (s.get)(self))
            .map(|s| s.name)
            .collect()
    }

    /// `a,b,…` of switch names (empty or `none`: the real LSTM).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut v = Variant::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "none" {
                continue;
            }
            let switch = SWITCHES.iter().find(|s| s.name == name).ok_or_else(|| {
                let all: Vec<_> = SWITCHES.iter().map(|s| s.name).collect();
                format!(
                    "`{name}` is not an LSTM variant; the variants are {}",
                    all.join(", ")
                )
            })?;
            (switch.set)(&mut v, true);
        }
        Ok(v)
    }

    /// Whether the cell computes what a real LSTM does (the fused kernels run it).
    pub fn is_real_cell(&self) -> bool {
        !(self.sigmoid_g || self.forget_fixed || self.no_output_gate)
    }
}

/// The recurrent part of a model: cell, readout and the LSTM's variants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Architecture {
    #[serde(skip_serializing_if = "is_default")]
    pub cell: Cell,
    #[serde(skip_serializing_if = "is_default")]
    pub readout: Readout,
    #[serde(skip_serializing_if = "is_default")]
    pub variant: Variant,
}

pub(crate) fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

impl Architecture {
    /// The post's model: an LSTM read by mean ‖ max pooling.
    pub fn is_post(&self) -> bool {
        is_default(self)
    }

    /// Refuses variants on a cell that has no such gates.
    pub fn validate(&self) -> Result<(), String> {
        if self.cell != Cell::Lstm && self.variant != Variant::default() {
            return Err(format!(
                "the variants ({}) are switches on the LSTM's gates; the {} has none of them",
                self.variant.names().join(", "),
                self.cell.label()
            ));
        }
        Ok(())
    }

    /// Whether the fused kernels compute this cell (on both engines): what the recurrence op
    /// asks every step, without building [`Self::unfused_reason`]'s message.
    pub fn fused(&self) -> bool {
        self.variant.is_real_cell()
    }

    /// Why the fused kernels do not compute this cell (burn's reference ops run it then);
    /// `None` when they do. Every cell has fused kernels on both engines; only the variants
    /// that change the LSTM's gates have none.
    pub fn unfused_reason(&self) -> Option<String> {
        if !self.fused() {
            return Some(format!(
                "the variant {} changes the cell, so burn's reference ops run it",
                self.variant.names().join(", ")
            ));
        }
        None
    }

    /// A short name such as `gru/last` or `lstm/pool+sigmoid-g`.
    pub fn describe(&self) -> String {
        let mut s = format!("{}/{}", self.cell.name(), self.readout.name());
        for n in self.variant.names() {
            s.push('+');
            s.push_str(n);
        }
        s
    }

    /// Parses [`Self::describe`]'s form: `cell[/readout][+variant…]`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut parts = s.trim().split('+');
        let head = parts.next().unwrap_or("");
        let (cell, readout) = match head.split_once('/') {
            Some((c, r)) => (Cell::parse(c)?, Readout::parse(r)?),
            None => (Cell::parse(head)?, Readout::default()),
        };
        let variant = Variant::parse(&parts.collect::<Vec<_>>().join(","))?;
        let arch = Self {
            cell,
            readout,
            variant,
        };
        arch.validate()?;
        Ok(arch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_post_serialises_as_nothing_and_names_round_trip() {
        assert_eq!(
            serde_json::to_string(&Architecture::default()).unwrap(),
            "{}"
        );
        let gru: Architecture = serde_json::from_str(r#"{"cell":"gru","readout":"last"}"#).unwrap();
        assert_eq!((gru.cell, gru.readout), (Cell::Gru, Readout::Last));
        for s in [
            "lstm/pool",
            "gru/last",
            "rnn/pool",
            "lstm/last+sigmoid-g+relu-out",
        ] {
            assert_eq!(Architecture::parse(s).unwrap().describe(), s);
        }
        assert_eq!(Architecture::parse("GRU").unwrap().describe(), "gru/pool");
        let v = Architecture::parse("lstm+forget-bias-1").unwrap();
        assert!(v.variant.forget_bias_one && v.unfused_reason().is_none());
        assert!(
            Architecture::parse("lstm+no-output-gate")
                .unwrap()
                .unfused_reason()
                .is_some()
        );
        for cell in ["gru", "rnn/last"] {
            let arch = Architecture::parse(cell).unwrap();
            assert!(arch.unfused_reason().is_none() && arch.unfused_reason().is_none());
        }
    }

    #[test]
    fn bad_names_are_refused_by_name() {
        assert!(
            Architecture::parse("lsmt")
                .unwrap_err()
                .contains("`lsmt` is not a cell")
        );
        assert!(
            Architecture::parse("gru/first")
                .unwrap_err()
                .contains("`first` is not a readout")
        );
        assert!(
            Architecture::parse("lstm+forget")
                .unwrap_err()
                .contains("`forget` is not an LSTM variant")
        );
        let e = Architecture::parse("rnn+sigmoid-g").unwrap_err();
        assert!(e.contains("plain RNN has none"), "{e}");
    }
}
