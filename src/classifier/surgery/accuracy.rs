//! The accuracy of an edited model on a validation sample, fast enough for the page (1,000
//! reviews of 128 positions in a few seconds of wasm, split between a few workers).
//!
//! Every LSTM (each variant, either readout) takes the fast path: the same f64 arithmetic as the
//! reference cell with the surgery's edits ([`crate::classifier::trace::lstm_step_with`]),
//! arranged for speed:
//! - each word's input half of the gates, `W_ih · x + b_ih + b_hh`, is computed once per word of
//!   the vocabulary the sample uses, not once per position (a surgery does not change it);
//! - [`LANES`] reviews step together, so each row of `W_hh` is read once for all of them and
//!   their dot products are independent chains the CPU can overlap.
//!
//! Only the summation order differs from the reference, so logits agree to rounding (the tests
//! hold them to 1e-9). The GRU and the plain RNN are traced review by review with the very steps
//! the inspection shows ([`crate::classifier::trace::trace_with`]): slower, and the same numbers.

use super::{Surgery, SurgeryError};
use crate::classifier::split::{split_last, split_pooled};
use crate::classifier::{Architecture, Cell, ModelWeights, Readout, argmax};
use crate::lstm::cell::sigmoid;

/// Reviews stepped together.
const LANES: usize = 4;

/// How the scorer runs the model.
enum Path {
    /// Any LSTM: its f64 weights rearranged for speed.
    Lanes(Box<LstmLanes>),
    /// A GRU or plain RNN: the inspection's trace of each review, from the model itself.
    Traced(Box<ModelWeights>),
}

/// An LSTM's weights as the lanes step it.
struct LstmLanes {
    /// `W_hh`, `[4H × H]`.
    w_hh: Vec<f64>,
    /// Per vocabulary id, `W_ih · x_id + b_ih + b_hh` (`[4H]`), for the ids the rows use.
    input_part: Vec<Vec<f64>>,
    /// The post's `relu(Linear(h))` layer feeding the readout, when the variant has it.
    out_layer: Option<(Vec<f32>, Vec<f32>)>,
}

/// A model ready to score padded rows under any surgery.
pub struct Scorer {
    /// The model's architecture: what a surgery is checked against.
    arch: Architecture,
    hidden: usize,
    maxlen: usize,
    path: Path,
    /// The head, `[O × W]` (`W` = 2H pooled, H last), and its biases.
    head: Vec<f64>,
    head_bias: Vec<f64>,
    /// The rows, `[N × maxlen]`, and their class ids, in the scorer's order: by padding, most
    /// first, so the reviews stepped together start their words at nearly the same step.
    rows: Vec<u32>,
    labels: Vec<u8>,
    /// Per row in the scorer's order: its leading padding positions, and its index as given.
    pads: Vec<usize>,
    order: Vec<usize>,
}

impl Scorer {
    /// Ready to score `rows` (`[N × maxlen]`, ids below the model's vocabulary, checked) with
    /// their `labels`.
    pub fn new(
        weights: &ModelWeights,
        rows: Vec<u32>,
        labels: Vec<u8>,
        maxlen: usize,
    ) -> Result<Self, SurgeryError> {
        let arch = weights.config.arch;
        let bad = |why: String| SurgeryError::Part {
            part: "validation sample".into(),
            why,
        };
        if maxlen == 0 || rows.len() != labels.len() * maxlen {
            return Err(bad(format!(
                "{} ids are not {} rows of {maxlen}",
                rows.len(),
                labels.len()
            )));
        }
        let c = weights.config;
        if let Some(id) = rows.iter().find(|&&id| id as usize >= c.vocab) {
            return Err(bad(format!(
                "id {id} is outside the model's vocabulary of {}",
                c.vocab
            )));
        }
        if let Some(l) = labels.iter().find(|&&l| l as usize >= c.classes()) {
            return Err(bad(format!(
                "class {l} is not one of the model's {}",
                c.classes()
            )));
        }
        let path = match arch.cell {
            Cell::Lstm => Path::Lanes(Box::new(LstmLanes::new(weights, &rows))),
            Cell::Gru | Cell::Rnn => Path::Traced(Box::new(weights.clone())),
        };
        let f64s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
        // Every review starts from the zero state, so through its front padding it is in the same
        // state as any other review: the lanes of a group step only one of them until the first
        // of them reaches a word (≈ 10 % of the IMDB sample's positions are padding).
        let pad_of = |r: usize| {
            let row = &rows[r * maxlen..(r + 1) * maxlen];
            row.iter().take_while(|&&id| id == 0).count()
        };
        let mut order: Vec<usize> = (0..labels.len()).collect();
        order.sort_unstable_by_key(|&r| std::cmp::Reverse(pad_of(r)));
        let pads = order.iter().map(|&r| pad_of(r)).collect();
        let rows = order
            .iter()
            .flat_map(|&r| rows[r * maxlen..(r + 1) * maxlen].iter().copied())
            .collect();
        let labels = order.iter().map(|&r| labels[r]).collect();
        Ok(Self {
            arch,
            hidden: c.hidden,
            maxlen,
            path,
            head: f64s(&weights.linear_weight),
            head_bias: f64s(&weights.linear_bias),
            rows,
            labels,
            pads,
            order,
        })
    }

    /// The index, as given to [`Scorer::new`], of the row at `position` in the scorer's order
    /// (the order of [`Scorer::logits`] and of the ranges of [`Scorer::correct`]).
    pub fn row(&self, position: usize) -> usize {
        self.order[position]
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The logits of rows `start..end` of the scorer's order ([`Scorer::row`]) under `surgery`
    /// (units checked), `[rows][outputs]`.
    pub fn logits(&self, surgery: &Surgery, start: usize, end: usize) -> Vec<Vec<f64>> {
        let end = end.min(self.len());
        let mut out = Vec::with_capacity(end.saturating_sub(start));
        let mut first = start;
        match &self.path {
            Path::Lanes(lstm) => {
                while first < end {
                    let lanes = (end - first).min(LANES);
                    out.extend(self.lanes(lstm, surgery, first, lanes));
                    first += lanes;
                }
            }
            Path::Traced(weights) => {
                out.extend((start..end).map(|k| self.traced(weights, surgery, k)));
            }
        }
        out
    }

    /// Row `k`'s logits, from the inspection's trace of the edited model.
    fn traced(&self, weights: &ModelWeights, surgery: &Surgery, k: usize) -> Vec<f64> {
        let row = &self.rows[k * self.maxlen..(k + 1) * self.maxlen];
        let trace = crate::classifier::trace::trace_with(weights, row, surgery)
            .expect("every id was checked against the vocabulary");
        let split = match self.arch.readout {
            Readout::Pool => split_pooled(weights, trace.readout_input(), self.maxlen),
            Readout::Last => split_last(weights, trace.readout_input(), self.maxlen),
        };
        (0..weights.config.outputs)
            .map(|o| split.logit_of(weights, o))
            .collect()
    }

    /// How many of rows `start..end` (the scorer's order) the edited model gets right: over
    /// `0..len()`, every row once.
    pub fn correct(
        &self,
        surgery: &Surgery,
        start: usize,
        end: usize,
    ) -> Result<usize, SurgeryError> {
        surgery.check_arch(&self.arch, self.hidden)?;
        let logits = self.logits(surgery, start, end);
        Ok(logits
            .iter()
            .zip(&self.labels[start.min(self.len())..])
            .filter(|(z, label)| predicted(z) == **label as usize)
            .count())
    }

    /// `lanes` rows from `first`, stepped together; their logits.
    fn lanes(
        &self,
        lstm: &LstmLanes,
        surgery: &Surgery,
        first: usize,
        lanes: usize,
    ) -> Vec<Vec<f64>> {
        let (h, t_max) = (self.hidden, self.maxlen);
        let g = 4 * h;
        let variant = self.arch.variant;
        let pooled = self.arch.readout == Readout::Pool;
        // What the readout reads of each lane: h, or the post's relu(Linear(h)) of it. Pooling
        // keeps its running sum and max; the last state keeps the last output.
        let width = lstm.out_layer.as_ref().map_or(h, |(_, b)| b.len());
        let mut hs = vec![vec![0.0; h]; lanes];
        let mut cs = vec![vec![0.0; h]; lanes];
        let mut outs = vec![vec![0.0; width]; lanes];
        let mut sums = vec![vec![0.0; width]; lanes];
        let mut maxs = vec![vec![f64::NEG_INFINITY; width]; lanes];
        let mut pre = vec![vec![0.0; g]; lanes];
        let (mut i, mut f, mut gg, mut o) =
            (vec![0.0; h], vec![0.0; h], vec![0.0; h], vec![0.0; h]);
        // Rows are sorted by padding, most first: the last lane has the fewest. Before its
        // first word every lane is in the same state, so only lane 0 steps; then it is copied.
        let shared = self.pads[first + lanes - 1];
        let spread = |lanes: [&mut Vec<Vec<f64>>; 5]| {
            for v in lanes {
                let (first, rest) = v.split_at_mut(1);
                for other in rest {
                    other.clone_from(&first[0]);
                }
            }
        };
        for t in 0..t_max {
            if t == shared && t > 0 {
                spread([&mut hs, &mut cs, &mut outs, &mut sums, &mut maxs]);
            }
            let active = if t < shared { 1 } else { lanes };
            for (b, p) in pre.iter_mut().enumerate().take(active) {
                let id = self.rows[(first + b) * t_max + t] as usize;
                p.copy_from_slice(&lstm.input_part[id]);
            }
            lstm.recurrent(h, &hs, &mut pre, active);
            for b in 0..active {
                let p = &pre[b];
                let (pi, rest) = p.split_at(h);
                let (pf, rest) = rest.split_at(h);
                let (pg, po) = rest.split_at(h);
                activate(pi, &mut i, sigmoid);
                // The variants' switches, as `trace::lstm_step_with` has them.
                match variant.forget_fixed {
                    true => f.fill(1.0),
                    false => activate(pf, &mut f, sigmoid),
                }
                match variant.no_output_gate {
                    true => o.fill(1.0),
                    false => activate(po, &mut o, sigmoid),
                }
                match variant.sigmoid_g {
                    true => activate(pg, &mut gg, sigmoid),
                    false => activate(pg, &mut gg, f64::tanh),
                }
                surgery.clamp_gates(&mut i, &mut f, &mut o);
                let (hb, cb) = (&mut hs[b], &mut cs[b]);
                for ((((hk, ck), &ik), &fk), (&gk, &ok)) in hb
                    .iter_mut()
                    .zip(cb.iter_mut())
                    .zip(&i)
                    .zip(&f)
                    .zip(gg.iter().zip(&o))
                {
                    *ck = fk * *ck + ik * gk;
                    *hk = ok * ck.tanh();
                }
                surgery.mask_h(hb);
                match &lstm.out_layer {
                    Some((w, bias)) => {
                        outs[b] = crate::classifier::reference::relu_layer(w, bias, hb);
                    }
                    None => outs[b].copy_from_slice(hb),
                }
                if pooled {
                    for ((&v, s), m) in outs[b]
                        .iter()
                        .zip(sums[b].iter_mut())
                        .zip(maxs[b].iter_mut())
                    {
                        *s += v;
                        if v > *m {
                            *m = v;
                        }
                    }
                }
            }
        }
        if shared >= t_max {
            spread([&mut hs, &mut cs, &mut outs, &mut sums, &mut maxs]);
        }
        (0..lanes)
            .map(|b| {
                let feature = |j: usize| match pooled {
                    true if j < width => sums[b][j] / t_max as f64,
                    true => maxs[b][j - width],
                    false => outs[b][j],
                };
                let head_width = if pooled { 2 * width } else { width };
                self.head_bias
                    .iter()
                    .enumerate()
                    .map(|(out, &bias)| {
                        let row = &self.head[out * head_width..(out + 1) * head_width];
                        bias + row
                            .iter()
                            .enumerate()
                            .map(|(j, w)| w * feature(j))
                            .sum::<f64>()
                    })
                    .collect()
            })
            .collect()
    }
}

impl LstmLanes {
    /// `weights`' LSTM, with the input part of the gates for every id `rows` use.
    fn new(weights: &ModelWeights, rows: &[u32]) -> Self {
        let c = weights.config;
        let (e, g) = (c.embed, c.gate_rows());
        let lstm = &weights.lstm;
        let mut input_part = vec![Vec::new(); c.vocab];
        for &id in rows {
            let slot = &mut input_part[id as usize];
            if !slot.is_empty() {
                continue;
            }
            let x = &weights.embedding[id as usize * e..(id as usize + 1) * e];
            *slot = (0..g)
                .map(|r| {
                    let row = &lstm.weight_ih[r * e..(r + 1) * e];
                    let dot: f64 = row.iter().zip(x).map(|(&w, &x)| w as f64 * x as f64).sum();
                    lstm.bias_ih[r] as f64 + lstm.bias_hh[r] as f64 + dot
                })
                .collect();
        }
        Self {
            w_hh: lstm.weight_hh.iter().map(|&w| w as f64).collect(),
            input_part,
            out_layer: weights.out_layer.clone(),
        }
    }

    /// `pre[b] += W_hh · hs[b]` for each lane: each row of `W_hh` once for every lane.
    fn recurrent(&self, h: usize, hs: &[Vec<f64>], pre: &mut [Vec<f64>], lanes: usize) {
        for (r, row) in self.w_hh.chunks_exact(h).enumerate() {
            if lanes == LANES {
                // Four independent sums: the CPU overlaps their additions.
                // (Zipped, not indexed: no bounds check in the innermost loop.)
                let (mut a0, mut a1, mut a2, mut a3) = (0.0, 0.0, 0.0, 0.0);
                let lanes = hs[0].iter().zip(&hs[1]).zip(&hs[2]).zip(&hs[3]);
                for (&w, (((&x0, &x1), &x2), &x3)) in row.iter().zip(lanes) {
                    a0 += w * x0;
                    a1 += w * x1;
                    a2 += w * x2;
                    a3 += w * x3;
                }
                pre[0][r] += a0;
                pre[1][r] += a1;
                pre[2][r] += a2;
                pre[3][r] += a3;
            } else {
                for b in 0..lanes {
                    pre[b][r] += row.iter().zip(&hs[b]).map(|(w, x)| w * x).sum::<f64>();
                }
            }
        }
    }
}

/// `out[k] = act(pre[k])`.
fn activate(pre: &[f64], out: &mut [f64], act: fn(f64) -> f64) {
    for (o, &p) in out.iter_mut().zip(pre) {
        *o = act(p);
    }
}

/// The class a head's logits give: one logit, positive above 0; more, the largest.
pub fn predicted(logits: &[f64]) -> usize {
    match logits {
        [z] => usize::from(*z > 0.0),
        _ => argmax(logits),
    }
}
