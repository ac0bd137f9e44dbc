//! The LSTM recurrence on wgpu: the WGSL kernels (`shaders/lstm/forward.wgsl`,
//! `shaders/lstm/backward.wgsl`, after `shaders/lstm/common.wgsl`) and their launches in burn's
//! wgpu runtime, with their own backward pass, plugged into burn's autodiff as one operation:
//!
//! - forward: the input projection of every step is one burn matmul (outside this op, in
//!   [`super::reference::project_inputs`]); then **one** dispatch runs every step: the 4H-wide
//!   recurrent product, all four gates and the `c`, `h` updates, keeping the gate activations;
//! - backward: **one** dispatch walks the steps back, carrying `∂L/∂h` through `W_hh` and
//!   `∂L/∂c` through the forget gate, and writes the gate pre-activation gradients; then
//!   `∂W_hh` for all steps is a single matmul, `∂h₀` another.
//!
//! A sequence so long that one dispatch would do more than [`layout::WORK_PER_DISPATCH`]
//! multiply-adds is cut into several dispatches (a GPU watchdog resets a device whose single
//! dispatch runs for seconds). The embedded op ([`super::wgpu_embedded`]) runs the same kernels.

use super::layout::{self, Layout};
use super::recurrence_shader;
use crate::trainer::ops::MAX_HIDDEN;
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
use cubecl::server::MetadataBindingInfo;

/// `h_seq = LSTM(x_proj, W_hh, h₀, c₀)` on wgpu, all `[T, B, ·]` time-major:
/// `x_proj` `[T, B, 4H]` is the input half of every gate (biases included), `w_hh` `[4H, H]`,
/// `h0`, `c0` `[B, H]`; returns every hidden state `[T, B, H]`.
pub fn lstm_recurrence(
    x_proj: Tensor<3>,
    w_hh: Tensor<2>,
    h0: Tensor<2>,
    c0: Tensor<2>,
) -> Tensor<3> {
    Tensor::from_dispatch(<Dispatch as LstmRecurrence>::lstm_recurrence(
        x_proj.into_dispatch(),
        w_hh.into_dispatch(),
        h0.into_dispatch(),
        c0.into_dispatch(),
    ))
}

#[backend_extension(Cube, Autodiff)]
pub trait LstmRecurrence: Backend {
    fn lstm_recurrence(
        x_proj: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// The per-launch uniform: `t0, count, batch, steps`.
fn params(t0: usize, count: usize, batch: usize, steps: usize) -> MetadataBindingInfo {
    uniform(&[t0 as u32, count as u32, batch as u32, steps as u32])
}

fn empty(like: &CubeTensor, dims: [usize; 3]) -> CubeTensor {
    empty_f32(like, Shape::new(dims))
}

fn dims<const D: usize>(t: &CubeTensor) -> [usize; D] {
    t.meta.shape().dims::<D>()
}

fn launch(
    kernel: crate::trainer::ops::shader::Shader,
    layout: &Layout,
    batch: usize,
    buffers: &[&CubeTensor],
    info: MetadataBindingInfo,
) {
    let workgroups = CubeCount::Static(layout.workgroups(batch) as u32, 1, 1);
    launch_wgsl(kernel, layout.threads(), workgroups, buffers, info);
}

/// `W_hh` `[4H, H]` rearranged to `[H, H, 4]` with the four gates of one (k, j) side by side:
/// `forward` puts `W[g·H + j, k]` at `[k, j, g]` (h_{t−1}[k] feeds unit j's gates), backward
/// `W[g·H + k, j]` (unit k's gate gradients feed dh[j]). Either way neighbouring threads (j)
/// read neighbouring vec4s.
fn gate_vec4s(w_hh: &CubeTensor, forward: bool) -> CubeTensor {
    let [gates4, hidden] = dims::<2>(w_hh);
    let w = Tensor::<2>::from_primitive::<Cube>(w_hh.clone()).reshape([4, gates4 / 4, hidden]);
    let axes = if forward { [2, 1, 0] } else { [1, 2, 0] };
    into_contiguous(w.permute(axes).try_into_primitive::<Cube>().expect("Cube"))
}

/// The dispatches of a sequence of `steps` steps: `(t0, count)`, in time order.
fn chunks(layout: &Layout, batch: usize, steps: usize) -> Vec<(usize, usize)> {
    let per = layout.steps_per_dispatch(batch, steps);
    (0..steps)
        .step_by(per)
        .map(|t0| (t0, per.min(steps - t0)))
        .collect()
}

/// What the forward pass keeps for the backward pass.
#[derive(Clone, Debug)]
pub struct Saved {
    pub(crate) w_hh: CubeTensor,
    pub(crate) c0: CubeTensor,
    /// `[T+1, B, H]`: h₀ then every output.
    pub(crate) h_all: CubeTensor,
    pub(crate) c_seq: CubeTensor,
    /// `[T, B, H, 4]`.
    pub(crate) gates: CubeTensor,
    pub(crate) layout: Layout,
}

impl Saved {
    /// The layer's output `[T, B, H]`: a view of `h_all` without h₀.
    pub(crate) fn h_seq(&self) -> CubeTensor {
        let steps = dims::<3>(&self.h_all)[0] - 1;
        Tensor::<3>::from_primitive::<Cube>(self.h_all.clone())
            .narrow(0, 1, steps)
            .try_into_primitive::<Cube>()
            .expect("Cube")
    }
}

fn forward(x_proj: CubeTensor, w_hh: CubeTensor, h0: CubeTensor, c0: CubeTensor) -> Saved {
    let w_hh = into_contiguous(w_hh);
    let w4 = gate_vec4s(&w_hh, true);
    run_forward(x_proj, w_hh, &w4, false, h0, c0)
}

/// The forward kernels over every step: `w4` is `W_hh` laid out for them (with the summed
/// bias as one more row when `bias`), `w_hh` is kept for the backward pass.
pub(crate) fn run_forward(
    x_proj: CubeTensor,
    w_hh: CubeTensor,
    w4: &CubeTensor,
    bias: bool,
    h0: CubeTensor,
    c0: CubeTensor,
) -> Saved {
    assert_eq!(x_proj.dtype, DType::F32, "the fused LSTM runs in float32");
    let x_proj = into_contiguous(x_proj);
    let [steps, batch, gates4] = dims::<3>(&x_proj);
    let hidden = gates4 / 4;
    assert!(
        (1..=MAX_HIDDEN).contains(&hidden),
        "hidden size {hidden} is outside 1–{MAX_HIDDEN}"
    );
    let layout = layout::current(hidden, batch);
    let (h0, c0) = (into_contiguous(h0), into_contiguous(c0));
    let h_all = empty(&x_proj, [steps + 1, batch, hidden]);
    let c_seq = empty(&x_proj, [steps, batch, hidden]);
    let gates = empty(&x_proj, [steps, batch, gates4]);
    for (t0, count) in chunks(&layout, batch, steps) {
        launch(
            recurrence_shader(true, layout, bias),
            &layout,
            batch,
            &[&x_proj, w4, &h0, &c0, &h_all, &c_seq, &gates],
            params(t0, count, batch, steps),
        );
    }
    Saved {
        w_hh,
        c0,
        h_all,
        c_seq,
        gates,
        layout,
    }
}

/// Gradients of `x_proj`, `w_hh`, `h0`, `c0` from the gradient of `h_seq`; only those in
/// `wanted` are computed (the rest cost dispatches for nothing).
fn backward(saved: &Saved, d_h_seq: CubeTensor, wanted: [bool; 4]) -> [Option<CubeTensor>; 4] {
    let w4 = gate_vec4s(&saved.w_hh, false);
    let (d_gates, dc_carry) = run_backward(saved, d_h_seq, &w4);
    let [_, want_w, want_h0, want_c0] = wanted;
    let [d_w_hh, d_h0, d_c0] =
        recurrence_grads(saved, &d_gates, &dc_carry, [want_w, want_h0, want_c0]);
    [Some(d_gates), d_w_hh, d_h0, d_c0]
}

/// `∂W_hh`, `∂h₀` and `∂c₀` from the gate gradients (one matmul each for the first two), those
/// `wanted` only.
pub(crate) fn recurrence_grads(
    saved: &Saved,
    d_gates: &CubeTensor,
    dc_carry: &CubeTensor,
    wanted: [bool; 3],
) -> [Option<CubeTensor>; 3] {
    let [steps, batch, hidden] = dims::<3>(&saved.c_seq);
    let tensor = |t: &CubeTensor| Tensor::<3>::from_primitive::<Cube>(t.clone());
    let primitive = |t: Tensor<2>| t.try_into_primitive::<Cube>().expect("Cube");
    let dg = tensor(d_gates);
    let [want_w, want_h0, want_c0] = wanted;
    // h_{t−1} for every step is the first T rows of h_all: no copy.
    let d_w_hh = want_w.then(|| {
        let h_prev = tensor(&saved.h_all).narrow(0, 0, steps);
        primitive(
            dg.clone()
                .reshape([steps * batch, 4 * hidden])
                .transpose()
                .matmul(h_prev.reshape([steps * batch, hidden])),
        )
    });
    let d_h0 = want_h0.then(|| {
        let w_hh = Tensor::<2>::from_primitive::<Cube>(saved.w_hh.clone());
        primitive(
            dg.clone()
                .narrow(0, 0, 1)
                .reshape([batch, 4 * hidden])
                .matmul(w_hh),
        )
    });
    let d_c0 = want_c0.then(|| primitive(tensor(dc_carry).reshape([batch, hidden])));
    [d_w_hh, d_h0, d_c0]
}

/// The backward kernels over every step, with `W_hh` laid out for them in `w4`: the gate
/// pre-activation gradients `[T, B, 4H]` and `∂L/∂c₀` `[1, B, H]`.
pub(crate) fn run_backward(
    saved: &Saved,
    d_h_seq: CubeTensor,
    w4: &CubeTensor,
) -> (CubeTensor, CubeTensor) {
    let d_h_seq = into_contiguous(d_h_seq);
    let [steps, batch, hidden] = dims::<3>(&saved.c_seq);
    let d_gates = empty(&saved.gates, [steps, batch, 4 * hidden]);
    let dc_carry = empty(&saved.gates, [1, batch, hidden]);
    for (t0, count) in chunks(&saved.layout, batch, steps).into_iter().rev() {
        launch(
            recurrence_shader(false, saved.layout, false),
            &saved.layout,
            batch,
            &[
                &d_h_seq,
                w4,
                &saved.gates,
                &saved.c_seq,
                &saved.c0,
                &d_gates,
                &dc_carry,
            ],
            params(t0, count, batch, steps),
        );
    }
    (d_gates, dc_carry)
}

impl LstmRecurrence for Cube {
    fn lstm_recurrence(
        x_proj: CubeTensor,
        w_hh: CubeTensor,
        h0: CubeTensor,
        c0: CubeTensor,
    ) -> CubeTensor {
        forward(x_proj, w_hh, h0, c0).h_seq()
    }
}

#[derive(Debug)]
struct RecurrenceBackward;

/// Parents: `x_proj`, `w_hh`, `h0`, `c0`.
impl Backward<Cube, 4> for RecurrenceBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
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

impl<C: CheckpointStrategy> LstmRecurrence for Autodiff<Cube, C> {
    fn lstm_recurrence(
        x_proj: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let nodes = [x_proj.node(), w_hh.node(), h0.node(), c0.node()];
        let saved = forward(
            x_proj.into_primitive(),
            w_hh.into_primitive(),
            h0.into_primitive(),
            c0.into_primitive(),
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
