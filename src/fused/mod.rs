//! The fused LSTM recurrence: hand-written WGSL kernels in burn's wgpu runtime, with their own
//! backward pass, plugged into burn's autodiff as one operation.
//!
//! In a browser the cost of an LSTM is the number of GPU dispatches per time step, not its
//! arithmetic. burn's stock ops issue dozens per step (matmul, four slices, four activations,
//! the cell update — and twice that backward). Here:
//!
//! - forward: the input projection of every step is one burn matmul (outside this module);
//!   then **one** dispatch per step (`shaders/lstm_forward.wgsl`) does the 4H-wide recurrent
//!   product, all four gates and the `c`, `h` updates, and keeps the gate activations;
//! - backward: **one** dispatch per step (`shaders/lstm_backward.wgsl`) carries `∂L/∂h` through
//!   `W_hh` and `∂L/∂c` through the forget gate and writes the gate pre-activation gradients of
//!   that step; then `∂W_hh` for all steps is a single matmul, `∂h₀` another.
//!
//! All launches go to burn's stream in order: no CPU round trip inside the loop.
//!
//! The reference path ([`crate::lstm::module::Lstm::forward`], plain burn ops) stays as the test
//! oracle and as the fallback on backends other than wgpu.

use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::wgpu::{
    CubeTensor, KernelSource, SourceKernel, SourceTemplate, into_contiguous,
};
use burn::backend::{Backend, Cube, Dispatch, DispatchDevice, backend_extension};
use burn::tensor::{DType, Device, Shape, Tensor};
use cubecl::prelude::KernelId;
use cubecl::server::{KernelArguments, MetadataBindingInfo};
use cubecl::{CubeCount, CubeDim, RuntimeId};

pub mod check;

const COMMON: &str = include_str!("../../shaders/lstm_common.wgsl");
const FORWARD: &str = include_str!("../../shaders/lstm_forward.wgsl");
const BACKWARD: &str = include_str!("../../shaders/lstm_backward.wgsl");

/// Threads per workgroup; one workgroup per sequence of the batch.
const WORKGROUP: u32 = 128;
/// Largest hidden size the kernels take: the backward kernel keeps one step's 4H gate
/// gradients of a sequence in workgroup memory (4 × 1024 floats = WebGPU's 16 KiB minimum).
pub const MAX_HIDDEN: usize = 1024;

/// Launches burn may gather into one GPU command submission. cubecl's default (32) would cut a
/// 128-step recurrence into four submissions; with this every step of a sequence goes in one.
pub const TASKS_PER_SUBMISSION: usize = 1024;

/// Whether the fused kernels can run on `device` for this hidden size.
pub fn supported(device: &Device, hidden: usize) -> bool {
    let on_wgpu = match device.clone().inner().as_dispatch() {
        DispatchDevice::Cube(d) => d.runtime() == RuntimeId::Wgpu,
        _ => false,
    };
    on_wgpu && hidden <= MAX_HIDDEN
}

/// `h_seq = LSTM(x_proj, W_hh, h₀, c₀)`, all `[T, B, ·]` time-major:
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

/// A WGSL kernel from `shaders/`, specialised by the values substituted into its template.
struct Kernel {
    name: &'static str,
    source: &'static str,
    max_hidden: usize,
}

impl KernelSource for Kernel {
    fn source(&self) -> SourceTemplate {
        SourceTemplate::new(COMMON)
            .add_template(self.source)
            .register("wg", WORKGROUP.to_string())
            .register("max_hidden", self.max_hidden.to_string())
            .register("max_gates", (4 * self.max_hidden).to_string())
    }

    fn id(&self) -> KernelId {
        // The cache key must cover every substituted value: the source itself is not hashed.
        KernelId::new::<Self>().info((self.name, WORKGROUP, self.max_hidden))
    }

    fn lang(&self) -> &'static str {
        "wgsl"
    }
}

/// Workgroup memory is sized at compile time; round the hidden size up so a few pipelines
/// serve every size.
fn bucket(hidden: usize) -> usize {
    hidden.next_power_of_two().clamp(32, MAX_HIDDEN)
}

/// The per-launch uniform: `t, batch, hidden, steps`, packed two `u32` per word.
fn params(t: usize, batch: usize, hidden: usize, steps: usize) -> MetadataBindingInfo {
    let w = |lo: usize, hi: usize| lo as u64 | ((hi as u64) << 32);
    MetadataBindingInfo::custom(vec![w(t, batch), w(hidden, steps)])
}

fn empty(like: &CubeTensor, dims: [usize; 3]) -> CubeTensor {
    let shape = Shape::new(dims);
    let handle = like.client.empty(shape.num_elements() * 4);
    CubeTensor::new_contiguous(
        like.client.clone(),
        like.device.clone(),
        shape,
        handle,
        DType::F32,
    )
}

fn dims<const D: usize>(t: &CubeTensor) -> [usize; D] {
    t.meta.shape().dims::<D>()
}

fn launch(
    kernel: Kernel,
    like: &CubeTensor,
    batch: usize,
    buffers: &[&CubeTensor],
    info: MetadataBindingInfo,
) {
    let mut args = KernelArguments::new();
    for b in buffers {
        args = args.with_buffer(b.handle.clone().binding());
    }
    like.client.launch(
        Box::new(SourceKernel::new(kernel, CubeDim::new_1d(WORKGROUP))),
        CubeCount::Static(batch as u32, 1, 1),
        args.with_info(info),
    );
}

/// What the forward pass keeps for the backward pass.
#[derive(Clone, Debug)]
pub struct Saved {
    w_hh: CubeTensor,
    h0: CubeTensor,
    c0: CubeTensor,
    h_seq: CubeTensor,
    c_seq: CubeTensor,
    gates: CubeTensor,
}

fn forward(x_proj: CubeTensor, w_hh: CubeTensor, h0: CubeTensor, c0: CubeTensor) -> Saved {
    assert_eq!(x_proj.dtype, DType::F32, "the fused LSTM runs in float32");
    let x_proj = into_contiguous(x_proj);
    let [steps, batch, gates4] = dims::<3>(&x_proj);
    let hidden = gates4 / 4;
    assert!(
        hidden <= MAX_HIDDEN,
        "hidden size {hidden} exceeds {MAX_HIDDEN}"
    );
    let w_hh = into_contiguous(w_hh);
    // Wᵀ so that neighbouring threads (units) read neighbouring weights.
    let w_hh_t = into_contiguous(
        Tensor::<2>::from_primitive::<Cube>(w_hh.clone())
            .transpose()
            .try_into_primitive::<Cube>()
            .expect("Cube"),
    );
    let (h0, c0) = (into_contiguous(h0), into_contiguous(c0));
    let h_seq = empty(&x_proj, [steps, batch, hidden]);
    let c_seq = empty(&x_proj, [steps, batch, hidden]);
    let gates = empty(&x_proj, [steps, batch, gates4]);
    for t in 0..steps {
        launch(
            Kernel {
                name: "lstm_forward",
                source: FORWARD,
                max_hidden: bucket(hidden),
            },
            &x_proj,
            batch,
            &[&x_proj, &w_hh_t, &h0, &c0, &h_seq, &c_seq, &gates],
            params(t, batch, hidden, steps),
        );
    }
    Saved {
        w_hh,
        h0,
        c0,
        h_seq,
        c_seq,
        gates,
    }
}

/// Gradients of `x_proj`, `w_hh`, `h0`, `c0` from the gradient of `h_seq`.
fn backward(saved: &Saved, d_h_seq: CubeTensor) -> [CubeTensor; 4] {
    let d_h_seq = into_contiguous(d_h_seq);
    let [steps, batch, hidden] = dims::<3>(&saved.h_seq);
    let d_gates = empty(&saved.gates, [steps, batch, 4 * hidden]);
    let dc_carry = empty(&saved.gates, [1, batch, hidden]);
    for t in (0..steps).rev() {
        launch(
            Kernel {
                name: "lstm_backward",
                source: BACKWARD,
                max_hidden: bucket(hidden),
            },
            &d_h_seq,
            batch,
            &[
                &d_h_seq,
                &saved.w_hh,
                &saved.gates,
                &saved.c_seq,
                &saved.c0,
                &d_gates,
                &dc_carry,
            ],
            params(t, batch, hidden, steps),
        );
    }
    // The rest are plain matmuls over all steps at once.
    let tensor = |t: &CubeTensor| Tensor::<3>::from_primitive::<Cube>(t.clone());
    let primitive = |t: Tensor<2>| t.try_into_primitive::<Cube>().expect("Cube");
    let dg = tensor(&d_gates);
    let w_hh = Tensor::<2>::from_primitive::<Cube>(saved.w_hh.clone());
    let h0 = Tensor::<2>::from_primitive::<Cube>(saved.h0.clone());
    // h_{t−1} for every step: h₀, then h₁…h_{T−1}.
    let h_prev = if steps == 1 {
        h0.unsqueeze::<3>()
    } else {
        Tensor::cat(
            vec![
                h0.unsqueeze::<3>(),
                tensor(&saved.h_seq).narrow(0, 0, steps - 1),
            ],
            0,
        )
    };
    let dg_flat = dg.clone().reshape([steps * batch, 4 * hidden]);
    let d_w_hh = dg_flat
        .transpose()
        .matmul(h_prev.reshape([steps * batch, hidden]));
    let d_h0 = dg.narrow(0, 0, 1).reshape([batch, 4 * hidden]).matmul(w_hh);
    let d_c0 = tensor(&dc_carry).reshape([batch, hidden]);
    [d_gates, primitive(d_w_hh), primitive(d_h0), primitive(d_c0)]
}

impl LstmRecurrence for Cube {
    fn lstm_recurrence(
        x_proj: CubeTensor,
        w_hh: CubeTensor,
        h0: CubeTensor,
        c0: CubeTensor,
    ) -> CubeTensor {
        forward(x_proj, w_hh, h0, c0).h_seq
    }
}

#[derive(Debug)]
struct RecurrenceBackward;

impl Backward<Cube, 4> for RecurrenceBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_h_seq = grads.consume::<Cube>(&ops.node);
        let [d_x, d_w, d_h0, d_c0] = backward(&ops.state, d_h_seq);
        for (node, grad) in ops.parents.into_iter().zip([d_x, d_w, d_h0, d_c0]) {
            if let Some(node) = node {
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
        match RecurrenceBackward
            .prepare::<C>(nodes)
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let saved = forward(
                    x_proj.into_primitive(),
                    w_hh.into_primitive(),
                    h0.into_primitive(),
                    c0.into_primitive(),
                );
                let out = saved.h_seq.clone();
                prep.finish(saved, out)
            }
            OpsKind::UnTracked(prep) => prep.finish(
                forward(
                    x_proj.into_primitive(),
                    w_hh.into_primitive(),
                    h0.into_primitive(),
                    c0.into_primitive(),
                )
                .h_seq,
            ),
        }
    }
}
