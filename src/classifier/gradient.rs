//! How much each word can still move the verdict: the gradient of one logit with respect to
//! every position's input, by backpropagation through time on the reference cells (f64).
//!
//! For position `t`, `x_t` is the word's embedding row (padding positions have one too: the
//! model reads them). The view shows `‖∂logit/∂x_t‖₂` — the vanishing gradient the post is
//! about, measured on a real review — in two flavours:
//!
//! - **all paths**: the true gradient of the model's logit. With the post's mean ‖ max pooling
//!   every state `h_t` reaches the head in one step (its share of the means, and the maxima it
//!   won), so a word's gradient does not have to survive the recurrence: pooling is a shortcut.
//! - **through the recurrence only**: the gradient of the same logit when the head's inputs
//!   from every state *but the last* are held at their values (a stop-gradient on
//!   `h_1 … h_{T−1}` where the readout reads them). A word then moves the verdict only through
//!   what it changes in the last state `h_T`, step after step through the cell — the path a
//!   last-state readout has, and the one the post's argument is about. Formally, with `u_s` what
//!   the head reads at step `s` and `ū_s` its value on this review,
//!   `logit_rec(x) = head(readout(ū_1, …, ū_{T−1}, u_T(x)))` and the flavour is
//!   `‖∂logit_rec/∂x_t‖` at the review's `x`. With a last-state readout there is no shortcut and
//!   the two flavours are equal.
//!
//! Beside them, `‖∂logit/∂h_t‖` per position, both flavours (the total over later steps and,
//! for all paths, the readout).
//!
//! The logit is output 0 for a two-class model (the positive class's), else the chosen class's
//! (the predicted one by default), as in [`crate::classifier::inspect`].

use crate::classifier::inspect::{
    InspectError, Position, TextWord, check_row, padded, text_layout,
};
use crate::classifier::{Architecture, Cell, ModelWeights, Readout, argmax, class_probabilities};
use crate::data::tokenizer::Tokenizer;
use crate::lstm::cell::{LstmWeights, sigmoid};
use serde::Serialize;

/// The gradient norms of one logit, per position (each `[T]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WordGradients {
    pub steps: usize,
    /// The class whose logit is differentiated (two classes: 1, the positive one).
    pub class: usize,
    pub logit: f64,
    /// `‖∂logit/∂x_t‖`, all paths. Not serialised: the page gets the four as typed arrays.
    #[serde(skip)]
    pub input_all: Vec<f64>,
    /// `‖∂logit/∂x_t‖` through the recurrence only (see the module's doc).
    #[serde(skip)]
    pub input_recurrent: Vec<f64>,
    /// `‖∂logit/∂h_t‖`, all paths.
    #[serde(skip)]
    pub state_all: Vec<f64>,
    /// `‖∂logit/∂h_t‖` through the recurrence only.
    #[serde(skip)]
    pub state_recurrent: Vec<f64>,
}

/// A text's positions, its words and the gradients.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextGradients {
    pub words: Vec<TextWord>,
    pub positions: Vec<Position>,
    /// How many of the positions are padding (they come first).
    pub padding: usize,
    /// The model's cell and readout as a person reads them ("plain RNN", "last state").
    pub cell: &'static str,
    pub readout: &'static str,
    pub gradients: WordGradients,
}

/// The full gradient vectors, per position (what the norms are taken of; the tests read them).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Backprop {
    pub logits: Vec<f64>,
    /// `∂logit/∂x_t`, `[T][E]`: all paths, then through the recurrence only.
    pub input_all: Vec<Vec<f64>>,
    pub input_recurrent: Vec<Vec<f64>>,
    /// `∂logit/∂h_t`, `[T][H]`, the same two ways.
    pub state_all: Vec<Vec<f64>>,
    pub state_recurrent: Vec<Vec<f64>>,
}

/// What one step keeps for its backward pass.
enum Saved {
    Rnn {
        h: Vec<f64>,
    },
    Gru {
        h_prev: Vec<f64>,
        r: Vec<f64>,
        z: Vec<f64>,
        n: Vec<f64>,
        /// `W_hn h + b_hn`, the recurrent product the reset gate scales.
        hn: Vec<f64>,
    },
    Lstm {
        c_prev: Vec<f64>,
        /// The activations i, f, g, o (f and o are 1 when a variant fixes them).
        i: Vec<f64>,
        f: Vec<f64>,
        g: Vec<f64>,
        o: Vec<f64>,
        tanh_c: Vec<f64>,
    },
}

/// `W · v + b` for a row-major `W` of `b.len()` rows.
fn affine(w: &[f64], v: &[f64], b: &[f64]) -> Vec<f64> {
    w.chunks_exact(v.len())
        .zip(b)
        .map(|(row, b)| b + row.iter().zip(v).map(|(w, x)| w * x).sum::<f64>())
        .collect()
}

/// `Wᵀ · v` for a row-major `W` of `v.len()` rows and `cols` columns.
fn transposed(w: &[f64], v: &[f64], cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; cols];
    for (row, &vr) in w.chunks_exact(cols).zip(v) {
        if vr != 0.0 {
            out.iter_mut().zip(row).for_each(|(o, w)| *o += w * vr);
        }
    }
    out
}

/// The model's f64 weights, as the backward pass reads them.
struct Net<'a> {
    arch: Architecture,
    cell: LstmWeights<f64>,
    /// The post's `relu(Linear(H → H))` per step, when on.
    out_layer: Option<(Vec<f64>, Vec<f64>)>,
    weights: &'a ModelWeights,
}

impl<'a> Net<'a> {
    fn new(weights: &'a ModelWeights) -> Self {
        let to64 = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
        Self {
            arch: weights.config.arch,
            cell: weights.lstm.cast::<f64>(),
            out_layer: weights.out_layer.as_ref().map(|(w, b)| (to64(w), to64(b))),
            weights,
        }
    }

    /// One step forward from `h_prev` (and the LSTM's `c_prev`): the new state and what the
    /// backward pass needs.
    fn step(&self, x: &[f64], h_prev: &[f64], c_prev: &[f64]) -> (Vec<f64>, Vec<f64>, Saved) {
        let w = &self.cell;
        let h = w.hidden;
        let ax = affine(&w.weight_ih, x, &w.bias_ih);
        let ah = affine(&w.weight_hh, h_prev, &w.bias_hh);
        match self.arch.cell {
            Cell::Rnn => {
                let new: Vec<f64> = (0..h).map(|k| (ax[k] + ah[k]).tanh()).collect();
                (new.clone(), vec![], Saved::Rnn { h: new })
            }
            Cell::Gru => {
                let r: Vec<f64> = (0..h).map(|k| sigmoid(ax[k] + ah[k])).collect();
                let z: Vec<f64> = (0..h).map(|k| sigmoid(ax[h + k] + ah[h + k])).collect();
                let hn = ah[2 * h..].to_vec();
                let n: Vec<f64> = (0..h)
                    .map(|k| (ax[2 * h + k] + r[k] * hn[k]).tanh())
                    .collect();
                let new = (0..h)
                    .map(|k| (1.0 - z[k]) * n[k] + z[k] * h_prev[k])
                    .collect();
                let saved = Saved::Gru {
                    h_prev: h_prev.to_vec(),
                    r,
                    z,
                    n,
                    hn,
                };
                (new, vec![], saved)
            }
            Cell::Lstm => {
                let v = self.arch.variant;
                let pre = |gate: usize| -> Vec<f64> {
                    (0..h)
                        .map(|k| ax[gate * h + k] + ah[gate * h + k])
                        .collect()
                };
                let one = vec![1.0; h];
                let i: Vec<f64> = pre(0).into_iter().map(sigmoid).collect();
                let f = match v.forget_fixed {
                    true => one.clone(),
                    false => pre(1).into_iter().map(sigmoid).collect(),
                };
                let g: Vec<f64> = match v.sigmoid_g {
                    true => pre(2).into_iter().map(sigmoid).collect(),
                    false => pre(2).into_iter().map(f64::tanh).collect(),
                };
                let o = match v.no_output_gate {
                    true => one,
                    false => pre(3).into_iter().map(sigmoid).collect(),
                };
                let c: Vec<f64> = (0..h).map(|k| f[k] * c_prev[k] + i[k] * g[k]).collect();
                let tanh_c: Vec<f64> = c.iter().map(|c| c.tanh()).collect();
                let new = (0..h).map(|k| o[k] * tanh_c[k]).collect();
                let saved = Saved::Lstm {
                    c_prev: c_prev.to_vec(),
                    i,
                    f,
                    g,
                    o,
                    tanh_c,
                };
                (new, c, saved)
            }
        }
    }

    /// One step backward: from `∂/∂h_t` (and the LSTM's `∂/∂c_t`) to `∂/∂x_t`, `∂/∂h_{t−1}`
    /// and `∂/∂c_{t−1}`.
    fn step_back(&self, s: &Saved, dh: &[f64], dc: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let w = &self.cell;
        let (e, h) = (w.input, w.hidden);
        match s {
            Saved::Rnn { h: new } => {
                let da: Vec<f64> = (0..h).map(|k| dh[k] * (1.0 - new[k] * new[k])).collect();
                (
                    transposed(&w.weight_ih, &da, e),
                    transposed(&w.weight_hh, &da, h),
                    vec![],
                )
            }
            Saved::Gru {
                h_prev,
                r,
                z,
                n,
                hn,
            } => {
                // h = (1 − z) n + z h_prev; n = tanh(a_n + r ⊙ hn).
                let dn: Vec<f64> = (0..h)
                    .map(|k| dh[k] * (1.0 - z[k]) * (1.0 - n[k] * n[k]))
                    .collect();
                let dr = (0..h).map(|k| dn[k] * hn[k] * r[k] * (1.0 - r[k]));
                let dz = (0..h).map(|k| dh[k] * (h_prev[k] - n[k]) * z[k] * (1.0 - z[k]));
                let rz: Vec<f64> = dr.chain(dz).collect();
                let dax = [&rz[..], &dn].concat();
                let rn: Vec<f64> = (0..h).map(|k| dn[k] * r[k]).collect();
                let dah = [&rz[..], &rn].concat();
                let mut dh_prev = transposed(&w.weight_hh, &dah, h);
                dh_prev
                    .iter_mut()
                    .zip(dh.iter().zip(z))
                    .for_each(|(d, (dh, z))| *d += dh * z);
                (transposed(&w.weight_ih, &dax, e), dh_prev, vec![])
            }
            Saved::Lstm {
                c_prev,
                i,
                f,
                g,
                o,
                tanh_c,
            } => {
                let v = self.arch.variant;
                let dc: Vec<f64> = (0..h)
                    .map(|k| dc[k] + dh[k] * o[k] * (1.0 - tanh_c[k] * tanh_c[k]))
                    .collect();
                let sig = |a: f64| a * (1.0 - a);
                // A gate a variant fixes at 1 has no pre-activation: nothing flows into it.
                let gate = |fixed: bool, d: &dyn Fn(usize) -> f64| -> Vec<f64> {
                    (0..h).map(|k| if fixed { 0.0 } else { d(k) }).collect()
                };
                let da = [
                    gate(false, &|k| dc[k] * g[k] * sig(i[k])),
                    gate(v.forget_fixed, &|k| dc[k] * c_prev[k] * sig(f[k])),
                    gate(false, &|k| {
                        let slope = if v.sigmoid_g {
                            sig(g[k])
                        } else {
                            1.0 - g[k] * g[k]
                        };
                        dc[k] * i[k] * slope
                    }),
                    gate(v.no_output_gate, &|k| dh[k] * tanh_c[k] * sig(o[k])),
                ]
                .concat();
                let dc_prev = (0..h).map(|k| dc[k] * f[k]).collect();
                (
                    transposed(&w.weight_ih, &da, e),
                    transposed(&w.weight_hh, &da, h),
                    dc_prev,
                )
            }
        }
    }

    /// What the head reads from one state: `h`, or the post's `relu(Linear(h))`.
    fn read(&self, h: &[f64]) -> Vec<f64> {
        match &self.out_layer {
            None => h.to_vec(),
            Some((w, b)) => affine(w, h, b).into_iter().map(|v| v.max(0.0)).collect(),
        }
    }

    /// `∂/∂h` from `∂/∂u` through [`Self::read`].
    fn read_back(&self, h: &[f64], du: &[f64]) -> Vec<f64> {
        match &self.out_layer {
            None => du.to_vec(),
            Some((w, b)) => {
                let pre = affine(w, h, b);
                let gated: Vec<f64> = du
                    .iter()
                    .zip(&pre)
                    .map(|(d, p)| if *p > 0.0 { *d } else { 0.0 })
                    .collect();
                transposed(w, &gated, h.len())
            }
        }
    }

    /// The head's features from every step's `u`: mean ‖ max (and each max's first winning
    /// step, as argmax picks) or the last.
    fn features(&self, us: &[Vec<f64>]) -> (Vec<f64>, Vec<usize>) {
        let h = self.cell.hidden;
        let last = us.last().expect("at least one step");
        match self.arch.readout {
            Readout::Last => (last.clone(), vec![]),
            Readout::Pool => {
                let mut mean = vec![0.0; h];
                let mut max = vec![f64::NEG_INFINITY; h];
                let mut winner = vec![0; h];
                for (t, u) in us.iter().enumerate() {
                    for k in 0..h {
                        mean[k] += u[k] / us.len() as f64;
                        if u[k] > max[k] {
                            max[k] = u[k];
                            winner[k] = t;
                        }
                    }
                }
                ([mean, max].concat(), winner)
            }
        }
    }

    /// `∂logit/∂u_t` of output `o` straight from the head (no recurrence), for every `t`.
    fn direct(&self, o: usize, steps: usize, winner: &[usize]) -> Vec<Vec<f64>> {
        let h = self.cell.hidden;
        let (row, _) = self.weights.head_row(o);
        let row: Vec<f64> = row.iter().map(|&w| w as f64).collect();
        let mut du = vec![vec![0.0; h]; steps];
        match self.arch.readout {
            Readout::Last => du[steps - 1] = row,
            Readout::Pool => {
                for d in du.iter_mut() {
                    d.iter_mut()
                        .zip(&row[..h])
                        .for_each(|(d, w)| *d = w / steps as f64);
                }
                for (k, &t) in winner.iter().enumerate() {
                    du[t][k] += row[h + k];
                }
            }
        }
        du
    }
}

/// Forward over `xs`, then backward from output `o`'s logit twice: with the head's direct
/// gradient at every step (all paths) and at the last step only (through the recurrence).
/// Returns `None` for `o` outside the head.
pub(crate) fn backprop(weights: &ModelWeights, xs: &[Vec<f64>], o: usize) -> Option<Backprop> {
    if xs.is_empty() || o >= weights.config.outputs {
        return None;
    }
    let net = Net::new(weights);
    let hidden = weights.config.hidden;
    let (mut h, mut c) = (vec![0.0; hidden], vec![0.0; hidden]);
    let mut saved = Vec::with_capacity(xs.len());
    let mut hs = Vec::with_capacity(xs.len());
    for x in xs {
        let (nh, nc, s) = net.step(x, &h, &c);
        saved.push(s);
        hs.push(nh.clone());
        (h, c) = (nh, nc);
    }
    let us: Vec<Vec<f64>> = hs.iter().map(|h| net.read(h)).collect();
    let (features, winner) = net.features(&us);
    let logits = (0..weights.config.outputs)
        .map(|o| {
            let (row, b) = weights.head_row(o);
            b as f64
                + row
                    .iter()
                    .zip(&features)
                    .map(|(&w, f)| w as f64 * f)
                    .sum::<f64>()
        })
        .collect();
    let steps = xs.len();
    let direct: Vec<Vec<f64>> = net
        .direct(o, steps, &winner)
        .iter()
        .zip(&hs)
        .map(|(du, h)| net.read_back(h, du))
        .collect();
    let through = |all: bool| {
        let mut dx = vec![vec![]; steps];
        let mut dhs = vec![vec![]; steps];
        let (mut dh_next, mut dc_next) = (vec![0.0; hidden], vec![0.0; hidden]);
        for t in (0..steps).rev() {
            let dh: Vec<f64> = match all || t == steps - 1 {
                true => dh_next.iter().zip(&direct[t]).map(|(a, b)| a + b).collect(),
                false => dh_next.clone(),
            };
            let (x, h_prev, c_prev) = net.step_back(&saved[t], &dh, &dc_next);
            (dx[t], dhs[t], dh_next, dc_next) = (x, dh, h_prev, c_prev);
            if dc_next.is_empty() {
                dc_next = vec![0.0; hidden];
            }
        }
        (dx, dhs)
    };
    let (input_all, state_all) = through(true);
    // With a last-state readout the head reads only h_T: the two flavours are one.
    let (input_recurrent, state_recurrent) = match weights.config.arch.readout {
        Readout::Last => (input_all.clone(), state_all.clone()),
        Readout::Pool => through(false),
    };
    Some(Backprop {
        logits,
        input_all,
        input_recurrent,
        state_all,
        state_recurrent,
    })
}

fn norms(vs: &[Vec<f64>]) -> Vec<f64> {
    vs.iter()
        .map(|v| v.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect()
}

/// The gradient norms of `class`'s logit (`None`: the predicted class; two classes: the one
/// logit) over one padded row of ids.
pub fn gradients(
    weights: &ModelWeights,
    ids: &[u32],
    class: Option<usize>,
) -> Result<WordGradients, InspectError> {
    check_row(weights, ids, class)?;
    let (classes, e) = (weights.config.classes(), weights.config.embed);
    let xs: Vec<Vec<f64>> = ids
        .iter()
        .map(|&id| {
            let row = &weights.embedding[id as usize * e..(id as usize + 1) * e];
            row.iter().map(|&v| v as f64).collect()
        })
        .collect();
    // Which output: the predicted class needs the logits first (a forward pass is cheap
    // beside the two backward ones, so it is simply done twice).
    let output = match (classes, class) {
        (2, _) => 0,
        (_, Some(c)) => c,
        (_, None) => {
            let b = backprop(weights, &xs, 0).expect("rows and output 0 exist");
            argmax(&class_probabilities(&b.logits))
        }
    };
    let b = backprop(weights, &xs, output).expect("rows checked, output below classes");
    Ok(WordGradients {
        steps: ids.len(),
        class: if classes == 2 { 1 } else { output },
        logit: b.logits[output],
        input_all: norms(&b.input_all),
        input_recurrent: norms(&b.input_recurrent),
        state_all: norms(&b.state_all),
        state_recurrent: norms(&b.state_recurrent),
    })
}

/// Tokenize `text` as training did (kept words, the last `maxlen`, padded at the front) and take
/// its gradients; the positions and words as [`crate::classifier::inspect::inspect_text`] gives
/// them.
pub fn gradients_text(
    weights: &ModelWeights,
    tokenizer: &Tokenizer,
    maxlen: usize,
    text: &str,
    class: Option<usize>,
) -> Result<TextGradients, InspectError> {
    let (ids, padding) = padded(tokenizer, maxlen, text);
    let (positions, words) = text_layout(tokenizer, maxlen, text, &ids, padding);
    Ok(TextGradients {
        words,
        positions,
        padding,
        cell: weights.config.arch.cell.label(),
        readout: weights.config.arch.readout.label(),
        gradients: gradients(weights, &ids, class)?,
    })
}

#[cfg(test)]
#[path = "gradient_tests.rs"]
mod tests;
