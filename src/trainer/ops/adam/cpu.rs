//! Adam's step on the CPU: one pass over the parameter, the WGSL kernel's arithmetic element by
//! element.

use super::{FusedAdam, scalars};
use crate::trainer::ops::flex::{contiguous, flex, values};
use burn::backend::Flex;
use burn::optim::{AdamState, AdaptiveMomentumState, LearningRate};
use burn::tensor::Tensor;

/// One pass over the parameter on the CPU: the WGSL kernel's arithmetic, element by element.
pub(super) fn step<const D: usize>(
    adam: &FusedAdam,
    lr: LearningRate,
    tensor: Tensor<D>,
    grad: Tensor<D>,
    state: Option<AdamState<D>>,
) -> (Tensor<D>, Option<AdamState<D>>) {
    let moments = state.map(|s| s.momentum);
    let (time, factor, epsilon) = scalars(adam, moments.as_ref());
    let shape = tensor.shape();
    let dims: Vec<usize> = shape.iter().copied().collect();
    let host = |t: Tensor<D>| contiguous(t.try_into_primitive::<Flex>().expect("a CPU tensor"));
    let (param, grad) = (host(tensor), host(grad));
    let kept = moments.map(|m| (host(m.moment_1), host(m.moment_2)));
    let (beta_1, beta_2, lr) = (adam.beta_1, adam.beta_2, lr as f32);
    let (param_v, grad_v) = (values(&param), values(&grad));
    let n = param_v.len();
    // At the first step there are no moments: zeros give the same arithmetic
    // (β·0 + x is x exactly).
    let zeros;
    let (m1_in, m2_in) = match &kept {
        Some((m1, m2)) => (values(m1), values(m2)),
        None => {
            zeros = vec![0f32; n];
            (&zeros[..], &zeros[..])
        }
    };
    let (mut p_out, mut m1_out, mut m2_out) = (vec![0f32; n], vec![0f32; n], vec![0f32; n]);
    let inputs = param_v.iter().zip(grad_v).zip(m1_in.iter().zip(m2_in));
    let outputs = p_out
        .iter_mut()
        .zip(m1_out.iter_mut().zip(m2_out.iter_mut()));
    for (((&p, &g), (&m1, &m2)), (p_new, (m1_new, m2_new))) in inputs.zip(outputs) {
        let m = beta_1 * m1 + (1.0 - beta_1) * g;
        let v = beta_2 * m2 + (1.0 - beta_2) * (g * g);
        *p_new = p - (m * factor) / (v.sqrt() + epsilon) * lr;
        *m1_new = m;
        *m2_new = v;
    }
    let [p, m1, m2] =
        [p_out, m1_out, m2_out].map(|v| Tensor::<D>::from_primitive::<Flex>(flex(v, &dims)));
    let state = AdamState::new(AdaptiveMomentumState::new(time, m1, m2));
    (p, Some(state))
}
