//! Adam's step on wgpu: one dispatch per parameter (`shaders/adam/step.wgsl`).

use super::{FusedAdam, scalars};
use crate::trainer::ops::wgsl::{MAX_WORKGROUPS, empty_f32, launch_wgsl, uniform};
use burn::backend::Cube;
use burn::backend::wgpu::{CubeTensor, into_contiguous};
use burn::optim::{AdamState, AdaptiveMomentumState, LearningRate};
use burn::tensor::Tensor;
use cubecl::CubeCount;

const THREADS: usize = 256;

fn cube<const D: usize>(t: Tensor<D>) -> CubeTensor {
    into_contiguous(t.try_into_primitive::<Cube>().expect("a wgpu tensor"))
}

fn like(t: &CubeTensor) -> CubeTensor {
    empty_f32(t, t.meta.shape().clone())
}

pub(super) fn step<const D: usize>(
    adam: &FusedAdam,
    lr: LearningRate,
    tensor: Tensor<D>,
    grad: Tensor<D>,
    state: Option<AdamState<D>>,
) -> (Tensor<D>, Option<AdamState<D>>) {
    let moments = state.map(|s| s.momentum);
    let (time, factor, epsilon) = scalars(adam, moments.as_ref());
    let n = tensor.shape().num_elements();
    let (param, grad) = (cube(tensor), cube(grad));
    // At the first step there are no moments: the kernel does not read them, so fresh
    // (unwritten) buffers stand in. Not `grad` itself: WebGPU refuses one buffer bound to
    // two writable bindings.
    let (m1, m2) = match &moments {
        Some(m) => (cube(m.moment_1.clone()), cube(m.moment_2.clone())),
        None => (like(&param), like(&param)),
    };
    let outputs = [like(&param), like(&param), like(&param)];

    let per_row = MAX_WORKGROUPS * THREADS;
    let rows = n.div_ceil(per_row).max(1);
    let columns = n.min(per_row).div_ceil(THREADS).max(1);
    let info = uniform(&[
        n as u32,
        moments.is_none() as u32,
        adam.beta_1.to_bits(),
        adam.beta_2.to_bits(),
        (lr as f32).to_bits(),
        factor.to_bits(),
        epsilon.to_bits(),
        (columns * THREADS) as u32,
    ]);
    launch_wgsl(
        super::shader(),
        THREADS,
        CubeCount::Static(columns as u32, rows as u32, 1),
        &[
            &param,
            &grad,
            &m1,
            &m2,
            &outputs[0],
            &outputs[1],
            &outputs[2],
        ],
        info,
    );

    let [p, m1, m2] = outputs.map(Tensor::<D>::from_primitive::<Cube>);
    let state = AdamState::new(AdaptiveMomentumState::new(time, m1, m2));
    (p, Some(state))
}
