//! The fused LSTM recurrence: hand-written WGSL kernels in burn's wgpu runtime, with their own
//! backward pass, plugged into burn's autodiff as one operation.
//!
//! In a browser the cost of an LSTM is the number of GPU dispatches, not its arithmetic. burn's
//! stock ops issue dozens per time step (matmul, four slices, four activations, the cell update
//! — and twice that backward). Here the time loop lives inside the kernels: each workgroup owns
//! whole sequences, so step t+1 only needs what the same workgroup wrote at step t, and a
//! `workgroupBarrier()` between steps replaces a dispatch.
//!
//! - forward: the input projection of every step is one burn matmul (outside this module);
//!   then **one** dispatch (`shaders/lstm_forward.wgsl`) runs every step: the 4H-wide recurrent
//!   product, all four gates and the `c`, `h` updates, keeping the gate activations;
//! - backward: **one** dispatch (`shaders/lstm_backward.wgsl`) walks the steps back, carrying
//!   `∂L/∂h` through `W_hh` and `∂L/∂c` through the forget gate, and writes the gate
//!   pre-activation gradients; then `∂W_hh` for all steps is a single matmul, `∂h₀` another.
//!
//! A sequence so long that one dispatch would do more than [`layout::WORK_PER_DISPATCH`]
//! multiply-adds is cut into several dispatches (a GPU watchdog resets a device whose single
//! dispatch runs for seconds). [`layout`] says how a workgroup shares a step.
//!
//! On burn's CPU backend (Flex) the whole layer — input projection included — is one op of its
//! own ([`cpu_layer`] on [`cpu`]): a 4-gate GEMM per step and straight-line gate math, each
//! slice of the batch on its own thread; the head has a CPU twin too ([`cpu_head`]).
//!
//! The reference path ([`crate::lstm::module::Lstm::forward`], plain burn ops) stays as the test
//! oracle and as the fallback on other backends.

#[cfg(feature = "gpu")]
use burn::backend::DispatchDevice;
#[cfg(feature = "gpu")]
use burn::backend::autodiff::{
    Autodiff,
    checkpoint::{base::Checkpointer, strategy::CheckpointStrategy},
    grads::Gradients,
    ops::{Backward, Ops, OpsKind},
};
#[cfg(feature = "gpu")]
use burn::backend::tensor::FloatTensor;
#[cfg(feature = "gpu")]
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::tensor::Device;
#[cfg(feature = "gpu")]
use burn::tensor::Tensor;

pub mod cpu;
pub mod cpu_head;
pub mod cpu_layer;
pub mod layout;
// The WGSL kernels and what launches them exist only with the `gpu` feature (burn's wgpu
// backend); without it the crate trains on the CPU alone and builds in a fraction of the time.
pub mod adam;
#[cfg(feature = "gpu")]
pub mod head;
#[cfg(feature = "gpu")]
pub mod layer;
#[cfg(feature = "gpu")]
pub mod loss;
#[cfg(feature = "gpu")]
mod wgsl;

pub use layout::{Layout, Tuning, set_tuning, with_tuning};
#[cfg(feature = "gpu")]
pub(crate) use wgsl::{Wgsl, empty_f32, launch_wgsl, uniform};

/// Largest hidden size the kernels take: the backward kernel keeps one step's 4H gate
/// gradients of a sequence in workgroup memory (4 × 1024 floats = WebGPU's 16 KiB minimum).
pub const MAX_HIDDEN: usize = 1024;

/// Launches burn may gather into one GPU command submission. cubecl's default (32) would cut a
/// training step into several submissions; with this a whole step goes in one.
pub const TASKS_PER_SUBMISSION: usize = 1024;

/// Whether `device` (or the device under its autodiff) is burn's wgpu runtime.
#[cfg(feature = "gpu")]
pub(crate) fn on_wgpu(device: &Device) -> bool {
    match device.clone().inner().as_dispatch() {
        DispatchDevice::Cube(d) => d.runtime() == cubecl::RuntimeId::Wgpu,
        _ => false,
    }
}

/// Without the `gpu` feature there is no wgpu device.
#[cfg(not(feature = "gpu"))]
pub(crate) fn on_wgpu(_device: &Device) -> bool {
    false
}

/// Whether the fused WGSL kernels can run on `device` for this hidden size.
pub fn supported(device: &Device, hidden: usize) -> bool {
    on_wgpu(device) && hidden <= MAX_HIDDEN
}

/// `h_seq = LSTM(x_proj, W_hh, h₀, c₀)` on wgpu, all `[T, B, ·]` time-major:
/// `x_proj` `[T, B, 4H]` is the input half of every gate (biases included), `w_hh` `[4H, H]`,
/// `h0`, `c0` `[B, H]`; returns every hidden state `[T, B, H]`.
#[cfg(feature = "gpu")]
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

#[cfg(feature = "gpu")]
#[backend_extension(Cube, Autodiff)]
pub trait LstmRecurrence: Backend {
    fn lstm_recurrence(
        x_proj: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// A backend with a fused recurrence of its own: a forward pass that keeps what its backward
/// pass needs. One autodiff op ([`RecurrenceBackward`]) serves every such backend.
#[cfg(feature = "gpu")]
pub(crate) trait FusedRecurrence: Backend {
    type Saved: Clone + Send + std::fmt::Debug + 'static;
    fn fused_forward(
        x_proj: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> Self::Saved;
    /// Every hidden state `[T, B, H]`.
    fn fused_output(saved: &Self::Saved) -> FloatTensor<Self>;
    /// Gradients of `x_proj`, `w_hh`, `h0`, `c0`; those not `wanted` may be skipped.
    fn fused_backward(
        saved: &Self::Saved,
        d_h_seq: FloatTensor<Self>,
        wanted: [bool; 4],
    ) -> [Option<FloatTensor<Self>>; 4];
}

#[cfg(feature = "gpu")]
#[derive(Debug)]
struct RecurrenceBackward;

#[cfg(feature = "gpu")]
impl<B: FusedRecurrence> Backward<B, 4> for RecurrenceBackward {
    type State = B::Saved;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_h_seq = grads.consume::<B>(&ops.node);
        let wanted = ops.parents.each_ref().map(|p| p.is_some());
        let computed = B::fused_backward(&ops.state, d_h_seq, wanted);
        for (node, grad) in ops.parents.into_iter().zip(computed) {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<B>(node.id, grad);
            }
        }
    }
}

#[cfg(feature = "gpu")]
impl<B: FusedRecurrence, C: CheckpointStrategy> LstmRecurrence for Autodiff<B, C> {
    fn lstm_recurrence(
        x_proj: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let nodes = [x_proj.node(), w_hh.node(), h0.node(), c0.node()];
        let forward = || {
            B::fused_forward(
                x_proj.into_primitive(),
                w_hh.into_primitive(),
                h0.into_primitive(),
                c0.into_primitive(),
            )
        };
        match <RecurrenceBackward as Backward<B, 4>>::prepare::<C>(RecurrenceBackward, nodes)
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let saved = forward();
                let out = B::fused_output(&saved);
                prep.finish(saved, out)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::fused_output(&forward())),
        }
    }
}
