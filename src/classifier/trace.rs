//! Every value a trained model's cell computed on one padded row of ids, position by position,
//! in f64 on the host: what Inside the model's heatmaps show and its per-word split reads.
//!
//! Each cell has its own quantities ([`quantities`]): the LSTM's gates i, f, g, o, its cell
//! state c and hidden state h; the GRU's reset gate r, update gate z, candidate n and h; the
//! plain RNN's h alone. With the post's `relu(Linear(h))` layer on, `y` is what the head pools.
//!
//! One small step function per cell keeps every intermediate visible: [`lstm_step`] in
//! particular computes its four gate vectors, then the state from them, so a change to a gate
//! (forcing it open or shut) has one place to go. The LSTM step does the same f64 operations
//! in the same order as the reference cell [`crate::lstm::cell::LstmWeights::step`], so its
//! numbers are that cell's bit for bit (the Cell stepper shows the same values).

use super::ModelWeights;
use super::arch::{Architecture, Cell, Variant};
use super::surgery::{Gate, Surgery};
use crate::lstm::cell::{LstmWeights, sigmoid};
use serde::Serialize;

/// One per-step quantity of a cell, as the page names and colours it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Quantity {
    /// Its symbol (`f`, `z`, …): the key of its values in the trace.
    pub name: &'static str,
    /// What it is, in a few words (`forget gate f`).
    pub label: &'static str,
    /// The range its values keep to, when bounded (the heatmap's colour scale); `None`:
    /// unbounded, scaled by the review's largest |value|.
    pub range: Option<[f64; 2]>,
    /// What to read in it.
    pub about: &'static str,
}

const GATE: Option<[f64; 2]> = Some([0.0, 1.0]);
const SIGNED: Option<[f64; 2]> = Some([-1.0, 1.0]);

const H: Quantity = Quantity {
    name: "h",
    label: "hidden state h",
    range: SIGNED,
    about: "what the cell passes on: the next step and the head read it",
};

/// The quantities the cell of `arch` computes at every step, in the order the page lists them.
pub fn quantities(arch: &Architecture) -> Vec<Quantity> {
    let v = arch.variant;
    let mut all = match arch.cell {
        Cell::Lstm => vec![
            Quantity {
                name: "i",
                label: "input gate i",
                range: GATE,
                about: "how much of the candidate g is written into c",
            },
            Quantity {
                name: "f",
                label: "forget gate f",
                range: GATE,
                about: if v.forget_fixed {
                    "fixed at 1 in this variant: c is never forgotten"
                } else {
                    "how much of c is kept: near 1 a unit remembers across words"
                },
            },
            Quantity {
                name: "g",
                label: "cell candidate g",
                // The post's σ candidate can only add.
                range: if v.sigmoid_g { GATE } else { SIGNED },
                about: "what would be written into c (its sign: for or against)",
            },
            Quantity {
                name: "o",
                label: "output gate o",
                range: GATE,
                about: if v.no_output_gate {
                    "fixed at 1 in this variant: h = tanh c"
                } else {
                    "how much of tanh c is shown as h"
                },
            },
            Quantity {
                name: "c",
                label: "cell state c",
                range: None,
                about: "the memory: only multiplied by f and added to",
            },
            H,
        ],
        Cell::Gru => vec![
            Quantity {
                name: "r",
                label: "reset gate r",
                range: GATE,
                about: "how much of the old state the candidate n may read",
            },
            Quantity {
                name: "z",
                label: "update gate z",
                range: GATE,
                about: "how much of the old h is kept: z = 1 copies it, z = 0 takes n",
            },
            Quantity {
                name: "n",
                label: "candidate n",
                range: SIGNED,
                about: "the new state proposed from the word and the reset old state",
            },
            H,
        ],
        Cell::Rnn => vec![Quantity {
            about: "the whole memory: rewritten through tanh at every word",
            ..H
        }],
    };
    if v.relu_out {
        all.push(Quantity {
            name: "y",
            label: "relu(Linear h) y",
            range: None,
            about: "the post's extra layer: what the head pools instead of h",
        });
    }
    all
}

/// Every quantity at every position, `[T × H]` row-major (position `t`, unit `j` at
/// `t · H + j`). A quantity the cell does not have is empty: `quantities` lists the others.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub i: Vec<f64>,
    pub f: Vec<f64>,
    pub g: Vec<f64>,
    pub o: Vec<f64>,
    pub c: Vec<f64>,
    pub r: Vec<f64>,
    pub z: Vec<f64>,
    pub n: Vec<f64>,
    pub h: Vec<f64>,
    /// The post's `relu(Linear(h))`, when the model has that layer.
    pub y: Vec<f64>,
    pub quantities: Vec<Quantity>,
}

impl Trace {
    /// The values of quantity `name`, if the cell has it.
    pub fn values(&self, name: &str) -> Option<&[f64]> {
        let v = match name {
            "i" => &self.i,
            "f" => &self.f,
            "g" => &self.g,
            "o" => &self.o,
            "c" => &self.c,
            "r" => &self.r,
            "z" => &self.z,
            "n" => &self.n,
            "h" => &self.h,
            "y" => &self.y,
            _ => return None,
        };
        self.quantities
            .iter()
            .any(|q| q.name == name)
            .then_some(v.as_slice())
    }

    /// What the head reads at each step, `[T × H]`: `y` when the model has the post's layer,
    /// else `h`.
    pub fn readout_input(&self) -> &[f64] {
        if self.y.is_empty() { &self.h } else { &self.y }
    }
}

/// `pre[r] += Σ_k m[r, k] · v[k]`, summed left to right onto `pre[r]` as the reference cell
/// does (so the LSTM's numbers are bit-identical to it).
fn add_product(m: &[f64], v: &[f64], pre: &mut [f64]) {
    for (p, row) in pre.iter_mut().zip(m.chunks_exact(v.len())) {
        *p = row.iter().zip(v).fold(*p, |acc, (&a, &b)| acc + a * b);
    }
}

/// One LSTM step's values, each `[H]`.
#[derive(Clone, Debug, PartialEq)]
pub struct LstmValues {
    pub i: Vec<f64>,
    pub f: Vec<f64>,
    pub g: Vec<f64>,
    pub o: Vec<f64>,
    pub c: Vec<f64>,
    pub h: Vec<f64>,
}

/// One LSTM step from `(h, c)` on input `x`, with the `variant`'s switches on the gates.
pub fn lstm_step(
    w: &LstmWeights<f64>,
    variant: Variant,
    x: &[f64],
    h: &[f64],
    c: &[f64],
) -> LstmValues {
    lstm_step_with(w, variant, x, h, c, &Surgery::default())
}

/// [`lstm_step`] with `surgery`'s gates held and units switched off (see
/// `crate::classifier::surgery`).
pub fn lstm_step_with(
    w: &LstmWeights<f64>,
    variant: Variant,
    x: &[f64],
    h: &[f64],
    c: &[f64],
    surgery: &Surgery,
) -> LstmValues {
    let n = w.hidden;
    let mut pre: Vec<f64> = w
        .bias_ih
        .iter()
        .zip(&w.bias_hh)
        .map(|(a, b)| a + b)
        .collect();
    add_product(&w.weight_ih, x, &mut pre);
    add_product(&w.weight_hh, h, &mut pre);
    let gate = |k: usize| &pre[k * n..(k + 1) * n];
    let mut i: Vec<f64> = gate(0).iter().map(|&v| sigmoid(v)).collect();
    let mut f: Vec<f64> = match variant.forget_fixed {
        true => vec![1.0; n],
        false => gate(1).iter().map(|&v| sigmoid(v)).collect(),
    };
    let g: Vec<f64> = match variant.sigmoid_g {
        true => gate(2).iter().map(|&v| sigmoid(v)).collect(),
        false => gate(2).iter().map(|v| v.tanh()).collect(),
    };
    let mut o: Vec<f64> = match variant.no_output_gate {
        true => vec![1.0; n],
        false => gate(3).iter().map(|&v| sigmoid(v)).collect(),
    };
    surgery.clamp_gates(&mut i, &mut f, &mut o);
    // Here every gate is a plain vector: the state below is built from these alone.
    let c_new: Vec<f64> = (0..n).map(|k| f[k] * c[k] + i[k] * g[k]).collect();
    let mut h_new: Vec<f64> = (0..n).map(|k| o[k] * c_new[k].tanh()).collect();
    surgery.mask_h(&mut h_new);
    LstmValues {
        i,
        f,
        g,
        o,
        c: c_new,
        h: h_new,
    }
}

/// One GRU step's values, each `[H]`.
#[derive(Clone, Debug, PartialEq)]
pub struct GruValues {
    pub r: Vec<f64>,
    pub z: Vec<f64>,
    pub n: Vec<f64>,
    pub h: Vec<f64>,
}

/// One GRU step from `h` on input `x` (PyTorch's form: r scales `W_hn h + b_hn`): the shared
/// step of `crate::lstm::gru`, which the Cell stepper runs too.
pub fn gru_step(w: &LstmWeights<f64>, x: &[f64], h: &[f64]) -> GruValues {
    gru_step_with(w, x, h, &Surgery::default())
}

/// [`gru_step`] with `surgery`'s r and z held and units switched off: the shared step computes
/// the gates, the held ones replace them, and n and h are computed again from the gates as
/// held (with the shared step's expressions, so an unheld gate gives its numbers bit for bit).
pub fn gru_step_with(w: &LstmWeights<f64>, x: &[f64], h: &[f64], surgery: &Surgery) -> GruValues {
    let s = crate::lstm::gru::gru_step(w, x, h);
    let (mut r, mut z, mut n, mut h_new) = (s.r, s.z, s.n, s.h);
    if surgery.holds(Gate::R) || surgery.holds(Gate::Z) {
        surgery.clamp_gru_gates(&mut r, &mut z);
        n = (0..w.hidden)
            .map(|k| (s.n_x[k] + r[k] * s.n_h[k]).tanh())
            .collect();
        h_new = (0..w.hidden)
            .map(|k| (1.0 - z[k]) * n[k] + z[k] * h[k])
            .collect();
    }
    surgery.mask_h(&mut h_new);
    GruValues { r, z, n, h: h_new }
}

/// One plain tanh RNN step from `h` on input `x` (the shared step of `crate::lstm::gru`).
pub fn rnn_step(w: &LstmWeights<f64>, x: &[f64], h: &[f64]) -> Vec<f64> {
    rnn_step_with(w, x, h, &Surgery::default())
}

/// [`rnn_step`] with `surgery`'s units switched off (the RNN has no gates to hold).
pub fn rnn_step_with(w: &LstmWeights<f64>, x: &[f64], h: &[f64], surgery: &Surgery) -> Vec<f64> {
    let mut h_new = crate::lstm::gru::rnn_step(w, x, h).h;
    surgery.mask_h(&mut h_new);
    h_new
}

/// Run the model's cell over one padded row of `ids` from zero state (padding included, as
/// the model reads it), keeping every quantity. `None` when an id is not below `vocab`.
pub fn trace(weights: &ModelWeights, ids: &[u32]) -> Option<Trace> {
    trace_with(weights, ids, &Surgery::default())
}

/// [`trace`] of the model edited by `surgery` (checked against the model by the caller).
pub fn trace_with(weights: &ModelWeights, ids: &[u32], surgery: &Surgery) -> Option<Trace> {
    let config = &weights.config;
    let (e, size) = (config.embed, config.hidden);
    if ids.iter().any(|&id| id as usize >= config.vocab) {
        return None;
    }
    let w = weights.lstm.cast::<f64>();
    let arch = config.arch;
    let mut out = Trace {
        quantities: quantities(&arch),
        ..Trace::default()
    };
    let mut h = vec![0.0; size];
    let mut c = vec![0.0; size];
    for &id in ids {
        let row = &weights.embedding[id as usize * e..(id as usize + 1) * e];
        let x: Vec<f64> = row.iter().map(|&v| v as f64).collect();
        match arch.cell {
            Cell::Lstm => {
                let s = lstm_step_with(&w, arch.variant, &x, &h, &c, surgery);
                out.i.extend(&s.i);
                out.f.extend(&s.f);
                out.g.extend(&s.g);
                out.o.extend(&s.o);
                out.c.extend(&s.c);
                (h, c) = (s.h, s.c);
            }
            Cell::Gru => {
                let s = gru_step_with(&w, &x, &h, surgery);
                out.r.extend(&s.r);
                out.z.extend(&s.z);
                out.n.extend(&s.n);
                h = s.h;
            }
            Cell::Rnn => h = rnn_step_with(&w, &x, &h, surgery),
        }
        out.h.extend(&h);
        if let Some((lw, lb)) = &weights.out_layer {
            out.y.extend(super::reference::relu_layer(lw, lb, &h));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::ModelConfig;

    fn model(arch: &str, seed: u64) -> ModelWeights {
        let arch = Architecture::parse(arch).unwrap();
        ModelWeights::init(ModelConfig::binary(20, 4, 5).with_arch(arch), seed)
    }

    const IDS: [u32; 7] = [0, 0, 3, 7, 7, 19, 2];

    /// Every cell and variant: the trace's state is the independent reference's (PyTorch's
    /// equations in `reference.rs`, written apart), each quantity has `T × H` values and
    /// only the cell's own quantities are present.
    #[test]
    fn every_cell_traces_the_reference_states() {
        for arch in [
            "lstm/pool",
            "lstm/last",
            "gru/pool",
            "gru/last",
            "rnn/pool",
            "rnn/last",
            "lstm+sigmoid-g+forget-fixed",
            "lstm+no-output-gate",
            "lstm+relu-out",
        ] {
            let w = model(arch, 4);
            let t = trace(&w, &IDS).unwrap();
            let reference = w.reference_outputs(&IDS).unwrap();
            let read = t.readout_input();
            for (s, row) in reference.iter().enumerate() {
                for (j, v) in row.iter().enumerate() {
                    let ours = read[s * 5 + j];
                    assert!(
                        (ours - v).abs() < 1e-13,
                        "{arch} t {s} unit {j}: {ours} vs {v}"
                    );
                }
            }
            let names: Vec<_> = t.quantities.iter().map(|q| q.name).collect();
            for q in ["i", "f", "g", "o", "c", "r", "z", "n", "h", "y"] {
                match t.values(q) {
                    Some(v) => assert_eq!(v.len(), IDS.len() * 5, "{arch} {q}"),
                    None => assert!(!names.contains(&q), "{arch} lists {q} without values"),
                }
            }
            assert!(t.values("h").is_some() && t.values("x").is_none());
        }
        let names = |a: &str| -> Vec<&str> {
            quantities(&Architecture::parse(a).unwrap())
                .iter()
                .map(|q| q.name)
                .collect()
        };
        assert_eq!(names("lstm"), ["i", "f", "g", "o", "c", "h"]);
        assert_eq!(names("gru/last"), ["r", "z", "n", "h"]);
        assert_eq!(names("rnn"), ["h"]);
        assert_eq!(names("lstm+relu-out"), ["i", "f", "g", "o", "c", "h", "y"]);
    }

    /// The LSTM's trace is the reference cell's, bit for bit (what the Cell stepper shows).
    #[test]
    fn the_lstm_trace_is_the_reference_cell_bit_for_bit() {
        for arch in ["lstm", "lstm+sigmoid-g"] {
            let w = model(arch, 5);
            let t = trace(&w, &IDS).unwrap();
            let steps = w.reference_steps(&IDS).unwrap();
            for (s, step) in steps.iter().enumerate() {
                let at = s * 5..(s + 1) * 5;
                assert_eq!(t.i[at.clone()], step.act.i[..]);
                assert_eq!(t.f[at.clone()], step.act.f[..]);
                assert_eq!(t.g[at.clone()], step.act.g[..]);
                assert_eq!(t.o[at.clone()], step.act.o[..]);
                assert_eq!(t.c[at.clone()], step.c[..]);
                assert_eq!(t.h[at], step.h[..]);
            }
        }
    }

    /// The GRU's r, z and n satisfy its equations at every step, recomputed here from the
    /// weights and the previous state with PyTorch's gate order r, z, n.
    #[test]
    fn the_gru_gates_satisfy_the_cell_equation_at_every_step() {
        let w = model("gru/pool", 6);
        let t = trace(&w, &IDS).unwrap();
        let (e, size) = (4, 5);
        let cell = w.lstm.cast::<f64>();
        let mut h = vec![0.0; size];
        for (s, &id) in IDS.iter().enumerate() {
            let x: Vec<f64> = (0..e)
                .map(|k| w.embedding[id as usize * e + k] as f64)
                .collect();
            let dot = |m: &[f64], row: usize, v: &[f64]| -> f64 {
                v.iter()
                    .enumerate()
                    .map(|(k, vk)| m[row * v.len() + k] * vk)
                    .sum()
            };
            let pre_x = |row: usize| dot(&cell.weight_ih, row, &x) + cell.bias_ih[row];
            let pre_h = |row: usize| dot(&cell.weight_hh, row, &h) + cell.bias_hh[row];
            let next: Vec<f64> = (0..size)
                .map(|j| {
                    let at = s * size + j;
                    let r = 1.0 / (1.0 + (-(pre_x(j) + pre_h(j))).exp());
                    let z = 1.0 / (1.0 + (-(pre_x(size + j) + pre_h(size + j))).exp());
                    let n = (pre_x(2 * size + j) + r * pre_h(2 * size + j)).tanh();
                    assert!((t.r[at] - r).abs() < 1e-14, "r at {s}, {j}");
                    assert!((t.z[at] - z).abs() < 1e-14, "z at {s}, {j}");
                    assert!((t.n[at] - n).abs() < 1e-14, "n at {s}, {j}");
                    let next = (1.0 - z) * n + z * h[j];
                    assert!((t.h[at] - next).abs() < 1e-14, "h at {s}, {j}");
                    next
                })
                .collect();
            h = next;
        }
    }

    #[test]
    fn an_id_outside_the_vocabulary_gives_no_trace() {
        assert_eq!(trace(&model("gru", 1), &[1, 20]), None);
    }
}
