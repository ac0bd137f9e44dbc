//! Softmax cross-entropy on the CPU as one burn autodiff op on the Flex backend, the CPU twin of
//! `shaders/loss/cross_entropy_*.wgsl`: one pass over the logits forward, one backward, where
//! burn's ops (a log-softmax — a max, a subtraction, an exp, a sum, a log — a gather and a mean,
//! then each one's gradient) allocated and walked a tensor per op.
//!
//! ```text
//! forward:   m_b = max_c z_bc    s_b = Σ_c e^{z_bc − m_b}    loss = mean_b [ m_b + ln s_b − z_{b,y_b} ]
//! backward:  ∂z_bc = (e^{z_bc − m_b} / s_b − [c = y_b]) · ∂loss / B
//! ```
//!
//! Subtracting the row's largest logit first keeps every exponent ≤ 0, so nothing overflows
//! (the log-sum-exp trick); the forward keeps the softmax for the backward.

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
use std::sync::Arc;

/// The class id a float target holds, if it is one of `0 … classes − 1`.
fn class_of(target: f32, classes: usize) -> Option<usize> {
    (target >= 0.0 && target < classes as f32 && target.fract() == 0.0).then_some(target as usize)
}

/// The mean loss of `logits` `[B, K]` against class ids `targets` `[B]`, and the softmax
/// `[B, K]` for [`backward`]. A target that is not a class id gives a NaN loss.
pub fn forward(logits: &[f32], targets: &[f32]) -> (f32, Vec<f32>) {
    let rows = targets.len();
    assert!(rows > 0, "a loss needs a row");
    assert_eq!(logits.len() % rows, 0, "logits are [B, K]");
    let classes = logits.len() / rows;
    let mut softmax = vec![0f32; logits.len()];
    let mut total = 0f32;
    for ((z, p), &y) in logits
        .chunks_exact(classes)
        .zip(softmax.chunks_exact_mut(classes))
        .zip(targets)
    {
        // A NaN logit never wins the max, but it reaches the sum and makes the loss NaN.
        let top = z
            .iter()
            .copied()
            .fold(z[0], |m, v| if v > m { v } else { m });
        let mut sum = 0f32;
        for (p, &v) in p.iter_mut().zip(z) {
            *p = (v - top).exp();
            sum += *p;
        }
        let scale = 1.0 / sum;
        p.iter_mut().for_each(|p| *p *= scale);
        total += match class_of(y, classes) {
            Some(y) => top + sum.ln() - z[y],
            None => f32::NAN,
        };
    }
    (total / rows as f32, softmax)
}

/// `∂logits` `[B, K]` from the softmax [`forward`] kept and `d_loss`, the gradient of the mean.
pub fn backward(softmax: &[f32], targets: &[f32], d_loss: f32) -> Vec<f32> {
    let rows = targets.len();
    let classes = softmax.len() / rows;
    let scale = d_loss / rows as f32;
    let mut d = softmax.to_vec();
    for (row, &y) in d.chunks_exact_mut(classes).zip(targets) {
        match class_of(y, classes) {
            Some(y) => row[y] -= 1.0,
            None => row.fill(f32::NAN),
        }
        row.iter_mut().for_each(|v| *v *= scale);
    }
    d
}

/// Mean softmax cross-entropy of `logits` `[B, K]` against class ids `targets` `[B]`: `[1]`,
/// differentiable in `logits`. Flex (CPU) devices only.
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    Tensor::from_dispatch(<Dispatch as CpuCrossEntropy>::cpu_cross_entropy(
        logits.into_dispatch(),
        targets.into_dispatch(),
    ))
}

#[backend_extension(Flex, Autodiff)]
pub trait CpuCrossEntropy: Backend {
    fn cpu_cross_entropy(
        logits: FloatTensor<Self>,
        targets: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// What the backward pass needs: the softmax and the targets.
#[derive(Clone, Debug)]
struct Saved {
    softmax: Arc<Vec<f32>>,
    targets: FlexTensor,
    shape: [usize; 2],
}

fn forward_flex(logits: FlexTensor, targets: FlexTensor) -> (FlexTensor, Saved) {
    let [logits, targets] = [logits, targets].map(contiguous);
    let shape = logits.layout().shape().dims::<2>();
    let (loss, softmax) = forward(values(&logits), values(&targets));
    let saved = Saved {
        softmax: Arc::new(softmax),
        targets,
        shape,
    };
    (flex(vec![loss], &[1]), saved)
}

impl CpuCrossEntropy for Flex {
    fn cpu_cross_entropy(logits: FlexTensor, targets: FlexTensor) -> FlexTensor {
        forward_flex(logits, targets).0
    }
}

#[derive(Debug)]
struct CrossEntropyBackward;

impl Backward<Flex, 1> for CrossEntropyBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_loss = contiguous(grads.consume::<Flex>(&ops.node));
        let saved = &ops.state;
        let d = backward(&saved.softmax, values(&saved.targets), values(&d_loss)[0]);
        let [parent] = ops.parents;
        if let Some(node) = parent {
            grads.register::<Flex>(node.id, flex(d, &saved.shape));
        }
    }
}

impl<C: CheckpointStrategy> CpuCrossEntropy for Autodiff<Flex, C> {
    fn cpu_cross_entropy(
        logits: FloatTensor<Self>,
        targets: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let node = logits.node();
        let (loss, saved) = forward_flex(logits.into_primitive(), targets.into_primitive());
        match CrossEntropyBackward
            .prepare::<C>([node])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish(saved, loss),
            OpsKind::UnTracked(prep) => prep.finish(loss),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the definition, computed in float64 on a small case; huge logits do not overflow.
    #[test]
    fn matches_the_definition_and_survives_huge_logits() {
        let logits = [1.0f32, 2.0, 0.5, -1.0, 0.0, 3.0, 800.0, -800.0, 799.0];
        let targets = [1.0f32, 0.0, 2.0];
        let (loss, softmax) = forward(&logits, &targets);
        let mut want = 0f64;
        let mut want_softmax = Vec::new();
        for (z, &y) in logits.chunks(3).zip(&targets) {
            let top = z.iter().fold(f64::MIN, |m, &v| m.max(v as f64));
            let sum: f64 = z.iter().map(|&v| (v as f64 - top).exp()).sum();
            want += top + sum.ln() - z[y as usize] as f64;
            want_softmax.extend(z.iter().map(|&v| (v as f64 - top).exp() / sum));
        }
        want /= 3.0;
        assert!(loss.is_finite());
        assert!(
            (loss as f64 - want).abs() < 1e-5 * (1.0 + want.abs()),
            "{loss} vs {want}"
        );
        for (p, w) in softmax.iter().zip(&want_softmax) {
            assert!((*p as f64 - w).abs() < 1e-6, "{softmax:?}");
        }
        // ∂/∂z = (softmax − one-hot) · d_loss / B.
        let d = backward(&softmax, &targets, 2.0);
        for (i, (g, p)) in d.iter().zip(&want_softmax).enumerate() {
            let hot = (i % 3) as f32 == targets[i / 3];
            let want = (p - hot as u8 as f64) * 2.0 / 3.0;
            assert!((*g as f64 - want).abs() < 1e-6, "∂z[{i}] {g} vs {want}");
        }
    }

    /// The gradient against central differences of the loss itself.
    #[test]
    fn gradient_matches_finite_differences() {
        let logits: Vec<f32> = (0..12).map(|i| ((i * 7 % 11) as f32 - 5.0) / 3.0).collect();
        let targets = [3.0f32, 0.0, 2.0];
        let (_, softmax) = forward(&logits, &targets);
        let d = backward(&softmax, &targets, 1.0);
        let h = 1e-2f32;
        for i in 0..logits.len() {
            let at = |delta: f32| {
                let mut z = logits.clone();
                z[i] += delta;
                forward(&z, &targets).0
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            assert!(
                (d[i] - numeric).abs() < 1e-3,
                "∂z[{i}]: {} vs {numeric}",
                d[i]
            );
        }
    }

    /// A target that is not a class id (out of range, negative, fractional) poisons the loss
    /// and its gradient row instead of indexing outside the row.
    #[test]
    fn a_target_that_is_not_a_class_gives_nan() {
        for bad in [3.0f32, -1.0, 0.5, f32::NAN] {
            let (loss, softmax) = forward(&[0.0, 1.0, 2.0, 0.5, 0.5, 0.5], &[1.0, bad]);
            assert!(loss.is_nan(), "target {bad}");
            let d = backward(&softmax, &[1.0, bad], 1.0);
            assert!(d[..3].iter().all(|v| v.is_finite()));
            assert!(d[3..].iter().all(|v| v.is_nan()));
        }
    }
}
