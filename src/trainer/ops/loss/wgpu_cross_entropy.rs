//! Softmax cross-entropy as one burn autodiff op on wgpu: one dispatch forward
//! (`shaders/loss/cross_entropy_forward.wgsl`), which also counts the right predictions into the
//! result's buffer as the binary loss does ([`super::wgpu::stats_of`] reads both), and one
//! backward (`shaders/loss/cross_entropy_backward.wgsl`). The equations are in [`super::cpu`].

use super::wgpu::{cube, loss_view};
use super::{cross_entropy_backward_shader, cross_entropy_forward_shader};
use crate::trainer::ops::wgsl::{empty_f32, launch_wgsl, uniform};
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::wgpu::{CubeTensor, into_contiguous};
use burn::backend::{Backend, Cube, Dispatch, backend_extension};
use burn::tensor::{Shape, Tensor};
use cubecl::CubeCount;
use cubecl::server::MetadataBindingInfo;

/// Threads of a workgroup, in both kernels.
const THREADS: usize = 256;

/// Mean softmax cross-entropy of `logits` `[B, K]` against class ids `targets` `[B]`: `[1]`,
/// differentiable in `logits`. wgpu devices only. The buffer under the result also holds the
/// batch's count of right predictions: see [`super::wgpu::stats_of`].
pub fn cross_entropy(logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    Tensor::from_dispatch(<Dispatch as CrossEntropy>::cross_entropy(
        logits.into_dispatch(),
        targets.into_dispatch(),
    ))
}

/// `[mean loss, rows whose largest logit is the target's]`, not differentiable, in one
/// dispatch. `logits` `[B, K]` and `targets` on a wgpu device without autodiff.
pub fn loss_and_correct(logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    let (logits, targets) = (cube(logits), cube(targets));
    Tensor::from_primitive::<Cube>(forward(&logits, &targets, true))
}

#[backend_extension(Cube, Autodiff)]
pub trait CrossEntropy: Backend {
    fn cross_entropy(logits: FloatTensor<Self>, targets: FloatTensor<Self>) -> FloatTensor<Self>;
}

fn info(logits: &CubeTensor) -> MetadataBindingInfo {
    let [rows, classes] = logits.meta.shape().dims::<2>();
    uniform(&[rows as u32, classes as u32])
}

/// `[loss]`, or with `with_correct` `[loss, correct]`.
fn forward(logits: &CubeTensor, targets: &CubeTensor, with_correct: bool) -> CubeTensor {
    let out = empty_f32(logits, Shape::new([1 + with_correct as usize]));
    launch_wgsl(
        cross_entropy_forward_shader(with_correct),
        THREADS,
        CubeCount::Static(1, 1, 1),
        &[logits, targets, &out],
        info(logits),
    );
    out
}

/// One thread per row: its softmax, minus the target's one-hot, scaled.
fn backward(logits: &CubeTensor, targets: &CubeTensor, d_loss: &CubeTensor) -> CubeTensor {
    let [rows, _] = logits.meta.shape().dims::<2>();
    let d_logits = empty_f32(logits, logits.meta.shape().clone());
    launch_wgsl(
        cross_entropy_backward_shader(),
        THREADS,
        CubeCount::Static(rows.div_ceil(THREADS).max(1) as u32, 1, 1),
        &[logits, targets, d_loss, &d_logits],
        info(logits),
    );
    d_logits
}

impl CrossEntropy for Cube {
    fn cross_entropy(logits: CubeTensor, targets: CubeTensor) -> CubeTensor {
        loss_view(forward(
            &into_contiguous(logits),
            &into_contiguous(targets),
            true,
        ))
    }
}

#[derive(Debug)]
struct CrossEntropyBackward;

impl Backward<Cube, 1> for CrossEntropyBackward {
    /// The logits and the targets.
    type State = (CubeTensor, CubeTensor);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_loss = into_contiguous(grads.consume::<Cube>(&ops.node));
        let (logits, targets) = &ops.state;
        let [parent] = ops.parents;
        if let Some(node) = parent {
            grads.register::<Cube>(node.id, backward(logits, targets, &d_loss));
        }
    }
}

impl<C: CheckpointStrategy> CrossEntropy for Autodiff<Cube, C> {
    fn cross_entropy(logits: FloatTensor<Self>, targets: FloatTensor<Self>) -> FloatTensor<Self> {
        let node = logits.node();
        let logits = into_contiguous(logits.into_primitive());
        let targets = into_contiguous(targets.into_primitive());
        let loss = loss_view(forward(&logits, &targets, true));
        match CrossEntropyBackward
            .prepare::<C>([node])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((logits, targets), loss),
            OpsKind::UnTracked(prep) => prep.finish(loss),
        }
    }
}
