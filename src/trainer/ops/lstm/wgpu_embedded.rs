//! The embedding and the LSTM layer on wgpu as one burn autodiff op: token ids in, every hidden
//! state out, and every gradient in its own backward — the GPU twin of [`super::cpu`],
//! with the embedding taken in too, because on a GPU what a training step costs is dispatches:
//!
//! ```text
//! forward (4):   x = E[ids]                        burn's select
//!                A = x W_ihᵀ                       burn's matmul (no bias add: see below)
//!                W_hh for both directions, b       shaders/lstm/weights.wgsl
//!                every step                        shaders/lstm/forward.wgsl (bias from the weights)
//! backward (4):  dA for every step                 shaders/lstm/backward.wgsl
//!                ∂W_hh = Σ_t dA_tᵀ h_{t−1}         burn's matmul
//!                ∂W_ih = dAᵀ x                     burn's matmul
//!                ∂E, ∂b_ih = ∂b_hh                 shaders/lstm/embedding_backward.wgsl
//! ```
//!
//! Built from separate ops the same took 16 (the bias sum and its add, a weight layout per
//! direction, `∂x` as a matmul and a copy, the embedding's gradient as a zero fill and a
//! scatter, the bias gradient as a reduction). `∂E` needs each word's positions in the batch,
//! which the host knows when it builds the batch ([`Positions`]): the kernel sums a word's gate
//! gradients, then multiplies once by `W_ih`, so `∂x` is never materialised.

use super::wgpu::{Saved as Recurrence, recurrence_grads, run_backward, run_forward};
use super::{embedding_backward_shader, weights_shader};
use crate::trainer::ops::batch::{Batch, Positions};
use crate::trainer::ops::wgsl::{MAX_WORKGROUPS, empty_f32, launch_wgsl, uniform};
use burn::backend::autodiff::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::wgpu::{CubeTensor, into_contiguous};
use burn::backend::{Backend, Cube, Dispatch, backend_extension};
use burn::tensor::{Int, Shape, Tensor};
use cubecl::CubeCount;

/// Every hidden state `[T, B, H]` of the LSTM layer on the embeddings of `batch`'s ids, from
/// the state `h0`, `c0` `[B, H]`, with PyTorch's weights. wgpu devices only; `batch` was built
/// for [`crate::trainer::ops::Path::Wgsl`], so it carries its words' positions.
pub fn embedded_lstm(
    batch: &Batch,
    embedding: Tensor<2>,
    [w_ih, w_hh]: [Tensor<2>; 2],
    [b_ih, b_hh]: [Tensor<1>; 2],
    [h0, c0]: [Tensor<2>; 2],
) -> Tensor<3> {
    let Positions { order, starts } = batch
        .positions
        .clone()
        .expect("a batch built for the WGSL path carries its words' positions");
    Tensor::from_dispatch(<Dispatch as EmbeddedLstm>::embedded_lstm(
        batch.ids.clone().into_dispatch(),
        order.into_dispatch(),
        starts.into_dispatch(),
        embedding.into_dispatch(),
        w_ih.into_dispatch(),
        w_hh.into_dispatch(),
        b_ih.into_dispatch(),
        b_hh.into_dispatch(),
        h0.into_dispatch(),
        c0.into_dispatch(),
    ))
}

#[backend_extension(Cube, Autodiff)]
pub trait EmbeddedLstm: Backend {
    #[allow(clippy::too_many_arguments)]
    fn embedded_lstm(
        ids: IntTensor<Self>,
        order: IntTensor<Self>,
        starts: IntTensor<Self>,
        embedding: FloatTensor<Self>,
        w_ih: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_ih: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> FloatTensor<Self>;
}

/// What the backward pass needs besides the recurrence's own state.
#[derive(Clone, Debug)]
pub struct Saved {
    recurrence: Recurrence,
    /// `[T·B, E]`: the embeddings the layer read.
    x: CubeTensor,
    w_ih: CubeTensor,
    /// `W_hh` laid out for the backward kernel.
    w4_bwd: CubeTensor,
    order: CubeTensor,
    starts: CubeTensor,
    vocab: usize,
}

fn float<const D: usize>(t: CubeTensor) -> Tensor<D> {
    Tensor::from_primitive::<Cube>(t)
}

fn cube<const D: usize>(t: Tensor<D>) -> CubeTensor {
    t.try_into_primitive::<Cube>().expect("a wgpu tensor")
}

/// Both recurrence layouts of `W_hh`, the forward one with the summed bias as a last row.
fn weight_layouts(w_hh: &CubeTensor, b_ih: &CubeTensor, b_hh: &CubeTensor) -> [CubeTensor; 2] {
    let hidden = w_hh.meta.shape().dims::<2>()[1];
    let w4_fwd = empty_f32(w_hh, Shape::new([hidden + 1, hidden, 4]));
    let w4_bwd = empty_f32(w_hh, Shape::new([hidden, hidden, 4]));
    let threads = hidden * hidden + hidden;
    let groups = threads.div_ceil(256);
    let (x, y) = (groups.min(MAX_WORKGROUPS), groups.div_ceil(MAX_WORKGROUPS));
    launch_wgsl(
        weights_shader(),
        256,
        CubeCount::Static(x as u32, y as u32, 1),
        &[w_hh, b_ih, b_hh, &w4_fwd, &w4_bwd],
        uniform(&[hidden as u32, 0]),
    );
    [w4_fwd, w4_bwd]
}

#[allow(clippy::too_many_arguments)]
fn forward(
    ids: CubeTensor,
    order: CubeTensor,
    starts: CubeTensor,
    embedding: CubeTensor,
    w_ih: CubeTensor,
    w_hh: CubeTensor,
    b_ih: CubeTensor,
    b_hh: CubeTensor,
    h0: CubeTensor,
    c0: CubeTensor,
) -> Saved {
    let [steps, batch] = ids.meta.shape().dims::<2>();
    let vocab = embedding.meta.shape().dims::<2>()[0];
    let [w_hh, b_ih, b_hh, w_ih] = [w_hh, b_ih, b_hh, w_ih].map(into_contiguous);
    let ids = Tensor::<2, Int>::from_primitive::<Cube>(ids).reshape([steps * batch]);
    let x = float::<2>(embedding).select(0, ids);
    let x_proj = x.clone().matmul(float::<2>(w_ih.clone()).transpose());
    let gates4 = x_proj.dims()[1];
    let [w4_fwd, w4_bwd] = weight_layouts(&w_hh, &b_ih, &b_hh);
    let x_proj = cube(x_proj.reshape([steps, batch, gates4]));
    let recurrence = run_forward(x_proj, w_hh, &w4_fwd, true, h0, c0);
    Saved {
        recurrence,
        x: into_contiguous(cube(x)),
        w_ih,
        w4_bwd,
        order: into_contiguous(order),
        starts: into_contiguous(starts),
        vocab,
    }
}

/// `∂E` `[V, E]` and `∂b` `[4H]` from the gate gradients (one dispatch).
fn embedding_and_bias_grads(saved: &Saved, d_gates: &CubeTensor) -> [CubeTensor; 2] {
    let [steps, batch, gates4] = d_gates.meta.shape().dims::<3>();
    let input = saved.x.meta.shape().dims::<2>()[1];
    let d_emb = empty_f32(d_gates, Shape::new([saved.vocab, input]));
    let d_bias = empty_f32(d_gates, Shape::new([gates4]));
    // One workgroup of 64 threads per word, then enough for the bias's 4H columns.
    let groups = saved.vocab + gates4.div_ceil(64);
    let (x, y) = (groups.min(MAX_WORKGROUPS), groups.div_ceil(MAX_WORKGROUPS));
    launch_wgsl(
        embedding_backward_shader(gates4),
        64,
        CubeCount::Static(x as u32, y as u32, 1),
        &[
            d_gates,
            &saved.order,
            &saved.starts,
            &saved.w_ih,
            &d_emb,
            &d_bias,
        ],
        uniform(&[
            (steps * batch) as u32,
            saved.vocab as u32,
            input as u32,
            x as u32,
        ]),
    );
    [d_emb, d_bias]
}

impl EmbeddedLstm for Cube {
    fn embedded_lstm(
        ids: CubeTensor,
        order: CubeTensor,
        starts: CubeTensor,
        embedding: CubeTensor,
        w_ih: CubeTensor,
        w_hh: CubeTensor,
        b_ih: CubeTensor,
        b_hh: CubeTensor,
        h0: CubeTensor,
        c0: CubeTensor,
    ) -> CubeTensor {
        forward(
            ids, order, starts, embedding, w_ih, w_hh, b_ih, b_hh, h0, c0,
        )
        .recurrence
        .h_seq()
    }
}

#[derive(Debug)]
struct LayerBackward;

/// Parents: the embedding, `w_ih`, `w_hh`, `b_ih`, `b_hh`, `h0`, `c0` (the ids are not
/// differentiable).
impl Backward<Cube, 7> for LayerBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 7>, grads: &mut Gradients, _: &mut Checkpointer) {
        let d_h_seq = grads.consume::<Cube>(&ops.node);
        let saved = &ops.state;
        let wanted = ops.parents.each_ref().map(|p| p.is_some());
        let (d_gates, dc_carry) = run_backward(&saved.recurrence, d_h_seq, &saved.w4_bwd);
        let [steps, batch, gates4] = d_gates.meta.shape().dims::<3>();
        let [d_w_hh, d_h0, d_c0] = recurrence_grads(
            &saved.recurrence,
            &d_gates,
            &dc_carry,
            [wanted[2], wanted[5], wanted[6]],
        );
        // ∂W_ih = dAᵀ x: [4H, T·B] · [T·B, E].
        let d_w_ih = wanted[1].then(|| {
            let da = float::<3>(d_gates.clone()).reshape([steps * batch, gates4]);
            cube(da.transpose().matmul(float::<2>(saved.x.clone())))
        });
        let needs_rest = wanted[0] || wanted[3] || wanted[4];
        let [d_emb, d_bias] = match needs_rest {
            true => embedding_and_bias_grads(saved, &d_gates).map(Some),
            false => [None, None],
        };
        let computed = [
            d_emb.filter(|_| wanted[0]),
            d_w_ih,
            d_w_hh,
            d_bias.clone().filter(|_| wanted[3]),
            d_bias.filter(|_| wanted[4]),
            d_h0,
            d_c0,
        ];
        for (node, grad) in ops.parents.into_iter().zip(computed) {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<Cube>(node.id, grad);
            }
        }
    }
}

impl<C: CheckpointStrategy> EmbeddedLstm for Autodiff<Cube, C> {
    fn embedded_lstm(
        ids: IntTensor<Self>,
        order: IntTensor<Self>,
        starts: IntTensor<Self>,
        embedding: FloatTensor<Self>,
        w_ih: FloatTensor<Self>,
        w_hh: FloatTensor<Self>,
        b_ih: FloatTensor<Self>,
        b_hh: FloatTensor<Self>,
        h0: FloatTensor<Self>,
        c0: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let nodes = [&embedding, &w_ih, &w_hh, &b_ih, &b_hh, &h0, &c0].map(|t| t.node());
        let [embedding, w_ih, w_hh, b_ih, b_hh, h0, c0] =
            [embedding, w_ih, w_hh, b_ih, b_hh, h0, c0].map(|t| t.into_primitive());
        let saved = forward(
            ids, order, starts, embedding, w_ih, w_hh, b_ih, b_hh, h0, c0,
        );
        let out = saved.recurrence.h_seq();
        match LayerBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(saved, out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }
}
