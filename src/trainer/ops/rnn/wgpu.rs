//! The plain tanh RNN layer on wgpu: the WGSL kernels (`shaders/rnn/forward.wgsl`,
//! `shaders/rnn/backward.wgsl`, after `shaders/lstm/common.wgsl`) and their launches in burn's
//! wgpu runtime, with their own backward pass, plugged into burn's autodiff as one operation
//! (the recurrence), as the LSTM's (`ops/lstm/wgpu.rs`):
//!
//! - forward: the input projection of every step (both biases included) is one burn matmul,
//!   outside the op, so burn's autodiff gives `∂x`, `∂W_ih` and both `∂b` from `∂x_proj`; then
//!   **one** dispatch runs every step;
//! - backward: **one** dispatch walks the steps back and writes the pre-activation gradients
//!   (= `∂x_proj`); then `∂W_hh` for all steps is a single matmul, `∂h₀` another.
//!
//! A sequence long enough that one dispatch would do more than the LSTM's work budget
//! ([`crate::trainer::ops::lstm::layout::WORK_PER_DISPATCH`]) is cut into several dispatches.

use super::{CellLayout, recurrence_shader};
use crate::trainer::ops::MAX_HIDDEN;
use crate::trainer::ops::lstm::layout;
use crate::trainer::ops::wgsl::{empty_f32, launch_wgsl, uniform};
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::wgpu::{CubeTensor, into_contiguous};
use burn::backend::{Backend, Cube, Dispatch, backend_extension};
use burn::tensor::{DType, Shape, Tensor};
use cubecl::CubeCount;

/// Every hidden state `[T, B, H]` of the tanh RNN on time-major `x` `[T, B, E]` from `h0`
/// `[B, H]`, with PyTorch's weights `w_ih` `[H, E]`, `w_hh` `[H, H]`, `b_ih`, `b_hh` `[H]`: the
/// signature of [`super::reference::forward_time_major`], on a wgpu device.
pub fn rnn_layer(
    x: Tensor<3>,
    [w_ih, w_hh]: [Tensor<2>; 2],
    [b_ih, b_hh]: [Tensor<1>; 2],
    h0: Tensor<2>,
) -> Tensor<3> {
    let [steps, batch, input] = x.dims();
    let hidden = w_hh.dims()[1];
    let x_proj = (x.reshape([steps * batch, input]).matmul(w_ih.transpose())
        + (b_ih + b_hh).unsqueeze::<2>())
    .reshape([steps, batch, hidden]);
    rnn_recurrence(x_proj, w_hh, h0)
}

/// `h_seq = RNN(x_proj, W_hh, h₀)`, time-major: `x_proj` `[T, B, H]` is the input half with
/// both biases, `w_hh` `[H, H]`, `h0` `[B, H]`; returns every hidden state `[T, B, H]`.
pub fn rnn_recurrence(x_proj: Tensor<3>, w_hh: Tensor<2>, h0: Tensor<2>) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as RnnRecurrence>::rnn_recurrence(
        x_proj.into_dispatch(),
        w_hh.into_dispatch(),
        h0.into_dispatch(),
    ))
}

#[backend_extension(Cube, Autodiff)]
pub trait RnnRecurrence: Backend {
    fn rnn_recurrence(
        x_proj: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

fn dims<const D: usize>(t: &CubeTensor) -> [usize; D] {
    t.meta.shape().dims::<D>()
}

fn tensor<const D: usize>(t: &CubeTensor) -> Tensor<D> {
    Tensor::<D>::from_primitive::<Cube>(t.clone())
}

fn primitive<const D: usize>(t: Tensor<D>) -> CubeTensor {
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
    shader: crate::trainer::ops::shader::Shader,
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
        batch <= crate::trainer::ops::wgsl::MAX_WORKGROUPS,
        "a batch of {batch} sequences needs more workgroups than WebGPU guarantees"
    );
    [steps, batch, hidden]
}

/// What the forward pass keeps for the backward pass.
#[derive(Clone, Debug)]
struct Saved {
    w_hh: CubeTensor,
    /// `[T+1, B, H]`: h₀ then every output.
    h_all: CubeTensor,
}

impl Saved {
    fn h_seq(&self) -> CubeTensor {
        let steps = dims::<3>(&self.h_all)[0] - 1;
        primitive(tensor::<3>(&self.h_all).narrow(0, 1, steps))
    }
}

fn forward(x_proj: CubeTensor, w_hh: CubeTensor, h0: CubeTensor) -> Saved {
    let [steps, batch, hidden] = check_shapes(&x_proj, 1);
    let x_proj = into_contiguous(x_proj);
    let w_hh = into_contiguous(w_hh);
    let w_t = into_contiguous(primitive(tensor::<2>(&w_hh).transpose()));
    let h0 = into_contiguous(h0);
    let layout = CellLayout::new(hidden);
    let h_all = empty_f32(&x_proj, Shape::new([steps + 1, batch, hidden]));
    for (t0, count) in chunks(hidden, batch, steps) {
        launch(
            recurrence_shader(true, layout),
            layout,
            &[&x_proj, &w_t, &h0, &h_all],
            (t0, count, batch, steps),
        );
    }
    Saved { w_hh, h_all }
}

/// Gradients of `x_proj`, `w_hh`, `h0` from the gradient of `h_seq`, those `wanted` only.
fn backward(saved: &Saved, d_h_seq: CubeTensor, wanted: [bool; 3]) -> [Option<CubeTensor>; 3] {
    let d_h_seq = into_contiguous(d_h_seq);
    let [steps, batch, hidden] = dims::<3>(&d_h_seq);
    let layout = CellLayout::new(hidden);
    let d_pre = empty_f32(&d_h_seq, Shape::new([steps, batch, hidden]));
    for (t0, count) in chunks(hidden, batch, steps).into_iter().rev() {
        launch(
            recurrence_shader(false, layout),
            layout,
            &[&d_h_seq, &saved.w_hh, &saved.h_all, &d_pre],
            (t0, count, batch, steps),
        );
    }
    let [_, want_w, want_h0] = wanted;
    let dp = tensor::<3>(&d_pre);
    // h_{t−1} for every step is the first T rows of h_all: no copy.
    let d_w_hh = want_w.then(|| {
        let h_prev = tensor::<3>(&saved.h_all).narrow(0, 0, steps);
        primitive(
            dp.clone()
                .reshape([steps * batch, hidden])
                .transpose()
                .matmul(h_prev.reshape([steps * batch, hidden])),
        )
    });
    let d_h0 = want_h0.then(|| {
        primitive(
            dp.clone()
                .narrow(0, 0, 1)
                .reshape([batch, hidden])
                .matmul(tensor::<2>(&saved.w_hh)),
        )
    });
    [Some(d_pre), d_w_hh, d_h0]
}

impl RnnRecurrence for Cube {
    fn rnn_recurrence(x_proj: CubeTensor, w_hh: CubeTensor, h0: CubeTensor) -> CubeTensor {
        forward(x_proj, w_hh, h0).h_seq()
    }
}

#[derive(Debug)]
struct RecurrenceBackward;

/// Parents: `x_proj`, `w_hh`, `h0`.
impl Backward<Cube, 3> for RecurrenceBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_h_seq = grads.consume::<Cube>(&ops.node);
        let wanted = ops.parents.each_ref().map(|p| p.is_some());
        let computed = backward(&ops.state, d_h_seq, wanted);
        for (node, grad) in ops.parents.into_iter().zip(computed) {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<Cube>(node.id, grad);
            }
        }
    }
}

impl<C: CheckpointStrategy> RnnRecurrence for Autodiff<Cube, C> {
    fn rnn_recurrence(
        x_proj: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let nodes = [x_proj.node(), w_hh.node(), h0.node()];
        let saved = forward(
            x_proj.into_primitive(),
            w_hh.into_primitive(),
            h0.into_primitive(),
        );
        let out = saved.h_seq();
        match RecurrenceBackward
            .prepare::<C>(nodes)
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish(saved, out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }
}
