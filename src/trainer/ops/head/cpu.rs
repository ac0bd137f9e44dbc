//! The classifier head on the CPU as one burn autodiff op on the Flex backend, the CPU twin of
//! the WGSL kernels (the equations are in [`super`]).
//!
//! burn's ops took two reductions over `[T, B, H]` (the max with its index search), a
//! concatenation, a matmul and a bias add, and their gradients (the max's a scatter into
//! zeros); here forward and backward are one pass each over the outputs.

use crate::trainer::ops::flex::{contiguous, flex, values};
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, Flex, backend_extension};
use burn::tensor::Tensor;
use std::borrow::Cow;
use std::sync::Arc;

/// What the forward pass computed besides the logits.
#[derive(Clone, Debug, PartialEq)]
pub struct Pooled {
    /// `[B, 2H]`: mean over time, then max over time.
    pub pooled: Vec<f32>,
    /// `[B, H]`: the step of each maximum (the first, on ties).
    pub arg_max: Vec<u32>,
}

/// `logits` `[B, O]` of time-major `h_seq` `[T, B, H]` with `weight` `[2H, O]` and `bias` `[O]`.
pub fn forward(
    h_seq: &[f32],
    [steps, batch, hidden]: [usize; 3],
    weight: &[f32],
    bias: &[f32],
) -> (Vec<f32>, Pooled) {
    let outputs = bias.len();
    assert_eq!(h_seq.len(), steps * batch * hidden, "h_seq is [T, B, H]");
    assert_eq!(weight.len(), 2 * hidden * outputs, "the weight is [2H, O]");
    assert!(steps > 0, "pooling needs a step");
    let width = batch * hidden;
    // Running sums and maxima for every (b, j), walked step by step: contiguous and vectorisable.
    let mut sum = h_seq[..width].to_vec();
    let mut max = h_seq[..width].to_vec();
    let mut arg_max = vec![0u32; width];
    for (t, step) in h_seq.chunks_exact(width).enumerate().skip(1) {
        for k in 0..width {
            let v = step[k];
            sum[k] += v;
            // NaN never wins, as in a comparison-based max: a NaN output shows in the mean.
            if v > max[k] {
                max[k] = v;
                arg_max[k] = t as u32;
            }
        }
    }
    let scale = 1.0 / steps as f32;
    let columns = by_output(weight, outputs);
    let mut pooled = vec![0f32; batch * 2 * hidden];
    let mut logits = vec![0f32; batch * outputs];
    for b in 0..batch {
        let row = &mut pooled[b * 2 * hidden..][..2 * hidden];
        let (mean, top) = row.split_at_mut(hidden);
        for j in 0..hidden {
            mean[j] = sum[b * hidden + j] * scale;
            top[j] = max[b * hidden + j];
        }
        for (o, w) in columns.chunks_exact(2 * hidden).enumerate() {
            logits[b * outputs + o] = bias[o] + row.iter().zip(w).map(|(p, w)| p * w).sum::<f32>();
        }
    }
    (logits, Pooled { pooled, arg_max })
}

/// The weight `[2H, O]` as `[O, 2H]`, so each output's dot product walks memory in order; with
/// one output that is the weight itself, uncopied.
fn by_output(weight: &[f32], outputs: usize) -> Cow<'_, [f32]> {
    if outputs == 1 {
        return Cow::Borrowed(weight);
    }
    let inputs = weight.len() / outputs;
    let mut t = vec![0f32; weight.len()];
    for (k, row) in weight.chunks_exact(outputs).enumerate() {
        for (o, &w) in row.iter().enumerate() {
            t[o * inputs + k] = w;
        }
    }
    Cow::Owned(t)
}

/// Gradients of `h_seq` `[T, B, H]`, the weight `[2H, O]` and the bias `[O]` from `d_logits`
/// `[B, O]`.
pub fn backward(
    d_logits: &[f32],
    [steps, batch, hidden]: [usize; 3],
    weight: &[f32],
    kept: &Pooled,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let outputs = weight.len() / (2 * hidden);
    assert_eq!(d_logits.len(), batch * outputs, "d_logits is [B, O]");
    let width = batch * hidden;
    let scale = 1.0 / steps as f32;
    // ∂pooled[b, k] = Σ_o ∂logit[b, o] · w[k, o], summed from the first term on rather than
    // from zero: with one output it is that one product, bit for bit (0 + −0 would be +0).
    let d_pooled = |b: usize, k: usize| {
        let d = &d_logits[b * outputs..][..outputs];
        let w = &weight[k * outputs..][..outputs];
        let mut acc = d[0] * w[0];
        for o in 1..outputs {
            acc += d[o] * w[o];
        }
        acc
    };
    // Every step gets the mean's share; the maxima's steps get the max's share on top.
    let mut mean_share = vec![0f32; width];
    for b in 0..batch {
        for j in 0..hidden {
            mean_share[b * hidden + j] = d_pooled(b, j) * scale;
        }
    }
    let mut d_h = Vec::with_capacity(steps * width);
    for _ in 0..steps {
        d_h.extend_from_slice(&mean_share);
    }
    for b in 0..batch {
        for j in 0..hidden {
            let k = b * hidden + j;
            d_h[kept.arg_max[k] as usize * width + k] += d_pooled(b, hidden + j);
        }
    }
    let mut d_weight = vec![0f32; 2 * hidden * outputs];
    for (b, d) in d_logits.chunks_exact(outputs).enumerate() {
        let row = &kept.pooled[b * 2 * hidden..][..2 * hidden];
        for (dw, p) in d_weight.chunks_exact_mut(outputs).zip(row) {
            for (dw, d) in dw.iter_mut().zip(d) {
                *dw += d * p;
            }
        }
    }
    let d_bias = (0..outputs)
        .map(|o| (0..batch).map(|b| d_logits[b * outputs + o]).sum::<f32>())
        .collect();
    (d_h, d_weight, d_bias)
}

/// `logits[b] = [mean_t h ‖ max_t h][b] · weight + bias` for time-major `h_seq` `[T, B, H]`,
/// `weight` `[2H, O]` (burn's Linear layout), `bias` `[O]`: `[B, O]`. Flex (CPU) devices only.
pub fn pool_linear(h_seq: Tensor<3>, weight: Tensor<2>, bias: Tensor<1>) -> Tensor<2> {
    Tensor::from_dispatch(<Dispatch as CpuPoolLinear>::cpu_pool_linear(
        h_seq.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
    ))
}

#[backend_extension(Flex, Autodiff)]
pub trait CpuPoolLinear: Backend {
    fn cpu_pool_linear(
        h_seq: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

#[derive(Clone, Debug)]
struct Saved {
    dims: [usize; 3],
    weight: FlexTensor,
    kept: Arc<Pooled>,
}

fn forward_flex(h_seq: FlexTensor, weight: FlexTensor, bias: FlexTensor) -> (FlexTensor, Saved) {
    let [h_seq, weight, bias] = [h_seq, weight, bias].map(contiguous);
    let dims = h_seq.layout().shape().dims::<3>();
    let (logits, kept) = forward(values(&h_seq), dims, values(&weight), values(&bias));
    let outputs = values(&bias).len();
    let saved = Saved {
        dims,
        weight,
        kept: Arc::new(kept),
    };
    (flex(logits, &[dims[1], outputs]), saved)
}

impl CpuPoolLinear for Flex {
    fn cpu_pool_linear(h_seq: FlexTensor, weight: FlexTensor, bias: FlexTensor) -> FlexTensor {
        forward_flex(h_seq, weight, bias).0
    }
}

#[derive(Debug)]
struct HeadBackward;

impl Backward<Flex, 3> for HeadBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_logits = contiguous(grads.consume::<Flex>(&ops.node));
        let saved = &ops.state;
        let (d_h, d_w, d_b) = backward(
            values(&d_logits),
            saved.dims,
            values(&saved.weight),
            &saved.kept,
        );
        let (hidden, outputs) = (saved.dims[2], d_b.len());
        let computed = [
            flex(d_h, &saved.dims),
            flex(d_w, &[2 * hidden, outputs]),
            flex(d_b, &[outputs]),
        ];
        for (node, grad) in ops.parents.into_iter().zip(computed) {
            if let Some(node) = node {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

impl<C: CheckpointStrategy> CpuPoolLinear for Autodiff<Flex, C> {
    fn cpu_pool_linear(
        h_seq: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let nodes = [h_seq.node(), weight.node(), bias.node()];
        let (logits, saved) = forward_flex(
            h_seq.into_primitive(),
            weight.into_primitive(),
            bias.into_primitive(),
        );
        match HeadBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(saved, logits),
            OpsKind::UnTracked(prep) => prep.finish(logits),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a direct computation on a small case with a known maximum and a tie.
    #[test]
    fn pools_and_differentiates_by_hand() {
        // T = 3, B = 2, H = 2; h[t][b][j].
        let h = [
            [[1.0, -1.0], [0.5, 2.0]],
            [[3.0, -2.0], [0.5, 1.0]],
            [[2.0, -3.0], [-1.0, 0.0]],
        ];
        let flat: Vec<f32> = h.iter().flatten().flatten().copied().collect();
        let weight = [0.1, 0.2, 0.3, 0.4];
        let (logits, kept) = forward(&flat, [3, 2, 2], &weight, &[0.5]);
        // b = 0: mean (2, −2), max (3, −1) at steps (1, 0).
        // b = 1: mean (0, 1), max (0.5, 2) at steps (0 — the first of a tie, 0).
        assert_eq!(kept.pooled, vec![2.0, -2.0, 3.0, -1.0, 0.0, 1.0, 0.5, 2.0]);
        assert_eq!(kept.arg_max, vec![1, 0, 0, 0]);
        let want = |p: [f32; 4]| 0.5 + p.iter().zip(&weight).map(|(a, b)| a * b).sum::<f32>();
        assert_eq!(
            logits,
            vec![want([2.0, -2.0, 3.0, -1.0]), want([0.0, 1.0, 0.5, 2.0])]
        );

        let (d_h, d_w, d_b) = backward(&[1.0, -2.0], [3, 2, 2], &weight, &kept);
        assert_eq!(d_b, vec![-1.0]);
        let expect_w = [2.0 - 0.0, -2.0 - 2.0, 3.0 - 1.0, -1.0 - 4.0];
        for (g, w) in d_w.iter().zip(expect_w) {
            assert!((g - w).abs() < 1e-6, "{d_w:?}");
        }
        // ∂h[t][0][0] = 1·0.1/3 + [t = 1]·0.3; ∂h[t][1][1] = −2·(0.2/3 + [t = 0]·0.4).
        let at = |t: usize, b: usize, j: usize| d_h[(t * 2 + b) * 2 + j];
        for t in 0..3 {
            let top = if t == 1 { 0.3 } else { 0.0 };
            assert!((at(t, 0, 0) - (0.1 / 3.0 + top)).abs() < 1e-6);
            let top = if t == 0 { 0.4 } else { 0.0 };
            assert!((at(t, 1, 1) - -2.0 * (0.2 / 3.0 + top)).abs() < 1e-6);
        }
    }

    /// Three outputs: each is the one-output head with that column of the weight, forward and
    /// backward, and the gradients add up over the outputs.
    #[test]
    fn several_outputs_are_columns_of_one_output_heads() {
        let dims = [4, 3, 5];
        let (outputs, inputs) = (3, 10);
        let h: Vec<f32> = (0..60)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 7.0)
            .collect();
        let weight: Vec<f32> = (0..inputs * outputs)
            .map(|i| ((i * 13 % 17) as f32 - 8.0) / 9.0)
            .collect();
        let bias = [0.25, -0.5, 1.0];
        let d_logits: Vec<f32> = (0..3 * outputs).map(|i| (i as f32 - 4.0) / 3.0).collect();
        let column =
            |o: usize| -> Vec<f32> { (0..inputs).map(|k| weight[k * outputs + o]).collect() };
        let (logits, kept) = forward(&h, dims, &weight, &bias);
        let (d_h, d_w, d_b) = backward(&d_logits, dims, &weight, &kept);
        let mut d_h_sum = vec![0f32; d_h.len()];
        for o in 0..outputs {
            let (one, kept_one) = forward(&h, dims, &column(o), &bias[o..=o]);
            assert_eq!(kept_one, kept);
            for b in 0..3 {
                assert!(
                    (logits[b * outputs + o] - one[b]).abs() < 1e-6,
                    "logit {b} {o}"
                );
            }
            let d_one: Vec<f32> = (0..3).map(|b| d_logits[b * outputs + o]).collect();
            let (dh, dw, db) = backward(&d_one, dims, &column(o), &kept);
            for k in 0..inputs {
                assert!((d_w[k * outputs + o] - dw[k]).abs() < 1e-5, "∂w {k} {o}");
            }
            assert!((d_b[o] - db[0]).abs() < 1e-6);
            for (s, v) in d_h_sum.iter_mut().zip(dh) {
                *s += v;
            }
        }
        for (a, b) in d_h.iter().zip(&d_h_sum) {
            assert!((a - b).abs() < 1e-5, "∂h {a} vs {b}");
        }
    }
}
