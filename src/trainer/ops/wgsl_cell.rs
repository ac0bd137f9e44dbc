//! The WGSL GRU and tanh RNN recurrences ([`super::gru::wgpu`], [`super::rnn::wgpu`]) as one
//! burn autodiff op each on wgpu, as the CPU side's [`super::cpu_cell`]: the two cells differ
//! only in their launches and what their forward pass keeps ([`WgslCell`]), so the autodiff
//! glue, the dispatch plan and the launch are written once, and [`wgsl_recurrence!`] declares
//! each cell's burn extension.
//!
//! A sequence long enough that one dispatch would do more than the LSTM's work budget
//! ([`crate::trainer::ops::lstm::layout::WORK_PER_DISPATCH`]) is cut into several dispatches.

use super::MAX_HIDDEN;
use super::lstm::layout;
use super::rnn::CellLayout;
use super::wgsl::{launch_wgsl, uniform};
use burn::backend::Cube;
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::wgpu::CubeTensor;
use burn::tensor::{DType, Tensor};
use cubecl::CubeCount;
use std::marker::PhantomData;

/// One cell's recurrence on wgpu, over its `N` inputs (`x_proj` first, `[T, B, G·H]`).
pub(crate) trait WgslCell<const N: usize>: Send + std::fmt::Debug + 'static {
    /// What the forward pass keeps for the backward pass.
    type Saved: Clone + Send + std::fmt::Debug + 'static;

    /// Runs every step; what it keeps.
    fn forward(inputs: [CubeTensor; N]) -> Self::Saved;

    /// `[T+1, B, H]`: h₀ then every output, kept by the forward pass.
    fn h_all(saved: &Self::Saved) -> &CubeTensor;

    /// Gradients of the inputs from the gradient of `h_seq`, those `wanted` only.
    fn backward(
        saved: &Self::Saved,
        d_h_seq: CubeTensor,
        wanted: [bool; N],
    ) -> [Option<CubeTensor>; N];
}

/// Every output `[T, B, H]` of a forward pass (the last T rows of `h_all`).
fn h_seq<K: WgslCell<N>, const N: usize>(saved: &K::Saved) -> CubeTensor {
    let h_all = K::h_all(saved);
    let steps = dims::<3>(h_all)[0] - 1;
    primitive(tensor::<3>(h_all).narrow(0, 1, steps))
}

/// `K`'s recurrence on plain wgpu: the outputs only.
pub(crate) fn forward<K: WgslCell<N>, const N: usize>(inputs: [CubeTensor; N]) -> CubeTensor {
    h_seq::<K, N>(&K::forward(inputs))
}

#[derive(Debug)]
struct CellBackward<K>(PhantomData<K>);

impl<K: WgslCell<N>, const N: usize> Backward<Cube, N> for CellBackward<K> {
    type State = K::Saved;

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_h_seq = grads.consume::<Cube>(&ops.node);
        let wanted = ops.parents.each_ref().map(|p| p.is_some());
        let computed = K::backward(&ops.state, d_h_seq, wanted);
        for (node, grad) in ops.parents.into_iter().zip(computed) {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<Cube>(node.id, grad);
            }
        }
    }
}

/// `K`'s recurrence as one op on autodiff over wgpu: tracked, it keeps `K::Saved`.
pub(crate) fn autodiff<K: WgslCell<N>, C: CheckpointStrategy, const N: usize>(
    inputs: [FloatTensor<Autodiff<Cube, C>>; N],
) -> FloatTensor<Autodiff<Cube, C>> {
    let nodes = inputs.each_ref().map(|t| t.node());
    let saved = K::forward(inputs.map(|t| t.into_primitive()));
    let out = h_seq::<K, N>(&saved);
    let op = CellBackward::<K>(PhantomData);
    match op.prepare::<C>(nodes).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish(saved, out),
        OpsKind::UnTracked(prep) => prep.finish(out),
    }
}

/// Declares the burn extension `$Trait::$method($inputs…)` of a recurrence on wgpu and
/// autodiff over wgpu, run by the [`WgslCell`] `$Kernel`.
macro_rules! wgsl_recurrence {
    ($Trait:ident, $method:ident, $Kernel:ty, [$($input:ident),+]) => {
        #[burn::backend::backend_extension(Cube, Autodiff)]
        pub trait $Trait: burn::backend::Backend {
            fn $method($($input: FloatTensor<Self>),+) -> FloatTensor<Self>;
        }

        impl $Trait for Cube {
            fn $method($($input: FloatTensor<Self>),+) -> FloatTensor<Self> {
                $crate::trainer::ops::wgsl_cell::forward::<$Kernel, _>([$($input),+])
            }
        }

        impl<C: burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy> $Trait
            for Autodiff<Cube, C>
        {
            fn $method($($input: FloatTensor<Self>),+) -> FloatTensor<Self> {
                $crate::trainer::ops::wgsl_cell::autodiff::<$Kernel, C, _>([$($input),+])
            }
        }
    };
}
pub(crate) use wgsl_recurrence;

pub(crate) fn dims<const D: usize>(t: &CubeTensor) -> [usize; D] {
    t.meta.shape().dims::<D>()
}

pub(crate) fn tensor<const D: usize>(t: &CubeTensor) -> Tensor<D> {
    Tensor::<D>::from_primitive::<Cube>(t.clone())
}

pub(crate) fn primitive<const D: usize>(t: Tensor<D>) -> CubeTensor {
    t.try_into_primitive::<Cube>().expect("Cube")
}

/// The dispatches of a sequence of `steps` steps: `(t0, count)`, in time order (the LSTM's
/// budget and its tuning override, [`layout::Tuning::steps_per_dispatch`]).
pub(crate) fn chunks(hidden: usize, batch: usize, steps: usize) -> Vec<(usize, usize)> {
    let per = layout::current(hidden, batch).steps_per_dispatch(batch, steps);
    (0..steps)
        .step_by(per)
        .map(|t0| (t0, per.min(steps - t0)))
        .collect()
}

/// Launch one recurrence kernel over every sequence of the batch, one workgroup each.
pub(crate) fn launch(
    shader: super::shader::Shader,
    layout: CellLayout,
    buffers: &[&CubeTensor],
    (t0, count, batch, steps): (usize, usize, usize, usize),
) {
    let info = uniform(&[t0 as u32, count as u32, batch as u32, steps as u32]);
    let workgroups = CubeCount::Static(batch as u32, 1, 1);
    launch_wgsl(shader, layout.threads, workgroups, buffers, info);
}

/// Checks the shapes the kernels take; `gates` rows per unit in `x_proj`.
pub(crate) fn check_shapes(x_proj: &CubeTensor, gates: usize) -> [usize; 3] {
    assert_eq!(
        x_proj.dtype,
        DType::F32,
        "the fused recurrence runs in float32"
    );
    let [steps, batch, width] = dims::<3>(x_proj);
    let hidden = width / gates;
    assert!(
        (1..=MAX_HIDDEN).contains(&hidden),
        "hidden size {hidden} is outside 1–{MAX_HIDDEN}"
    );
    assert!(
        batch <= super::wgsl::MAX_WORKGROUPS,
        "a batch of {batch} sequences needs more workgroups than WebGPU guarantees"
    );
    [steps, batch, hidden]
}
