//! Binary cross-entropy on logits as one burn autodiff op on wgpu (`shaders/loss/forward.wgsl`
//! forward, `shaders/loss/backward.wgsl` backward). The forward kernel also counts the right
//! predictions for the progress report, into the same buffer ([`stats_of`] reads both).

use super::{backward_shader, forward_shader};
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

/// Mean binary cross-entropy of `logits` `[B]` against 0/1 `targets` `[B]`: `[1]`,
/// differentiable in `logits`. wgpu devices only. The buffer under the result also holds the
/// batch's count of right predictions: see [`stats_of`].
pub fn bce_with_logits(logits: Tensor<1>, targets: Tensor<1>) -> Tensor<1> {
    Tensor::from_dispatch(<Dispatch as BceWithLogits>::bce_with_logits(
        logits.into_dispatch(),
        targets.into_dispatch(),
    ))
}

/// `[mean loss, number of right predictions]` of a batch of logits `[B, O]`, not
/// differentiable, in one dispatch: the binary loss (O = 1) or the softmax cross-entropy.
/// `logits` and `targets` on a wgpu device without autodiff.
pub fn loss_and_correct(logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    let [rows, outputs] = logits.dims();
    if outputs > 1 {
        return super::wgpu_cross_entropy::loss_and_correct(logits, targets);
    }
    let (logits, targets) = (cube(logits.reshape([rows])), cube(targets));
    Tensor::from_primitive::<Cube>(forward(&logits, &targets, true))
}

/// `[mean loss, right predictions]` of the batch whose loss [`bce_with_logits`] or
/// [`super::wgpu_cross_entropy::cross_entropy`] computed, without a dispatch: the loss kernel
/// wrote both into the buffer under `loss` (a one-element view of it). `None` for a loss from
/// anywhere else.
pub fn stats_of(loss: Tensor<1>) -> Option<Tensor<1>> {
    let loss = loss.try_into_primitive::<Cube>().ok()?;
    let both = 2 * std::mem::size_of::<f32>() as u64;
    let is_ours = loss.meta.shape().num_elements() == 1
        && loss.handle.size() >= both
        && loss.handle.offset_start.unwrap_or(0) == 0;
    is_ours.then(|| {
        let view = CubeTensor::new_contiguous(
            loss.client.clone(),
            loss.device.clone(),
            Shape::new([2]),
            loss.handle.clone(),
            loss.dtype,
        );
        Tensor::from_primitive::<Cube>(view)
    })
}

#[backend_extension(Cube, Autodiff)]
pub trait BceWithLogits: Backend {
    fn bce_with_logits(logits: FloatTensor<Self>, targets: FloatTensor<Self>) -> FloatTensor<Self>;
}

pub(super) fn cube<const D: usize>(t: Tensor<D>) -> CubeTensor {
    into_contiguous(t.try_into_primitive::<Cube>().expect("a wgpu tensor"))
}

fn len(t: &CubeTensor) -> usize {
    t.meta.shape().num_elements()
}

fn info(n: usize) -> MetadataBindingInfo {
    uniform(&[n as u32, 0])
}

/// `[loss]`, or with `with_correct` `[loss, correct]`; [`loss_view`] makes the second a loss.
fn forward(logits: &CubeTensor, targets: &CubeTensor, with_correct: bool) -> CubeTensor {
    let out = empty_f32(logits, Shape::new([1 + with_correct as usize]));
    launch_wgsl(
        forward_shader(with_correct),
        256,
        CubeCount::Static(1, 1, 1),
        &[logits, targets, &out],
        info(len(logits)),
    );
    out
}

/// The loss `[1]` as a view of the first element of `[loss, correct]`.
pub(super) fn loss_view(both: CubeTensor) -> CubeTensor {
    CubeTensor::new_contiguous(
        both.client.clone(),
        both.device.clone(),
        Shape::new([1]),
        both.handle,
        both.dtype,
    )
}

fn backward(logits: &CubeTensor, targets: &CubeTensor, d_loss: &CubeTensor) -> CubeTensor {
    let n = len(logits);
    let d_logits = empty_f32(logits, logits.meta.shape().clone());
    launch_wgsl(
        backward_shader(),
        256,
        CubeCount::Static(n.div_ceil(256).max(1) as u32, 1, 1),
        &[logits, targets, d_loss, &d_logits],
        info(n),
    );
    d_logits
}

impl BceWithLogits for Cube {
    fn bce_with_logits(logits: CubeTensor, targets: CubeTensor) -> CubeTensor {
        loss_view(forward(
            &into_contiguous(logits),
            &into_contiguous(targets),
            true,
        ))
    }
}

#[derive(Debug)]
struct BceBackward;

impl Backward<Cube, 1> for BceBackward {
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

impl<C: CheckpointStrategy> BceWithLogits for Autodiff<Cube, C> {
    fn bce_with_logits(logits: FloatTensor<Self>, targets: FloatTensor<Self>) -> FloatTensor<Self> {
        let node = logits.node();
        let logits = into_contiguous(logits.into_primitive());
        let targets = into_contiguous(targets.into_primitive());
        let loss = loss_view(forward(&logits, &targets, true));
        match BceBackward.prepare::<C>([node]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish((logits, targets), loss),
            OpsKind::UnTracked(prep) => prep.finish(loss),
        }
    }
}
