//! The GRU layer on wgpu: the WGSL kernels (`shaders/gru/forward.wgsl`,
//! `shaders/gru/backward.wgsl`, after `shaders/lstm/common.wgsl`) and their launches in burn's
//! wgpu runtime, with their own backward pass, plugged into burn's autodiff as one operation
//! (the recurrence), as the LSTM's (`ops/lstm/wgpu.rs`):
//!
//! - forward: the input projection of every step with `b_ih` is one burn matmul, outside the
//!   op, so burn's autodiff gives `∂x`, `∂W_ih` and `∂b_ih` from `∂x_proj`; then **one**
//!   dispatch runs every step, `b_hh` riding as one more row of the rearranged `W_hh` (it cannot
//!   join `b_ih`: the reset gate scales `W_hn h + b_hn`);
//! - backward: **one** dispatch walks the steps back and writes `∂x_proj` and the gradient of
//!   the recurrent half `W_hh h + b_hh`; then `∂W_hh` is a single matmul, `∂b_hh` a sum, `∂h₀`
//!   a matmul plus the carried `∂h ⊙ z`.
//!
//! Long sequences are cut into several dispatches as the plain RNN's ([`super::super::rnn`]).
//!
//! The autodiff glue, the dispatch plan and the launch are shared with the plain RNN:
//! [`crate::trainer::ops::wgsl_cell`].

use super::recurrence_shader;
use crate::trainer::ops::rnn::CellLayout;
use crate::trainer::ops::rnn::reference::project_inputs;
use crate::trainer::ops::wgsl::empty_f32;
use crate::trainer::ops::wgsl_cell::{
    WgslCell, check_shapes, chunks, dims, launch, primitive, tensor, wgsl_recurrence,
};
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::FloatTensor;
use burn::backend::wgpu::{CubeTensor, into_contiguous};
use burn::backend::{Cube, Dispatch};
use burn::tensor::{Shape, Tensor};

/// Every hidden state `[T, B, H]` of the GRU on time-major `x` `[T, B, E]` from `h0` `[B, H]`,
/// with PyTorch's weights `w_ih` `[3H, E]`, `w_hh` `[3H, H]`, `b_ih`, `b_hh` `[3H]`: the
/// signature of [`super::reference::forward_time_major`], on a wgpu device.
pub fn gru_layer(
    x: Tensor<3>,
    [w_ih, w_hh]: [Tensor<2>; 2],
    [b_ih, b_hh]: [Tensor<1>; 2],
    h0: Tensor<2>,
) -> Tensor<3> {
    // `h_seq = GRU(x_proj, W_hh, b_hh, h₀)`: `x_proj` `[T, B, 3H]` is the input half with
    // `b_ih`.
    let x_proj = project_inputs(x, w_ih, b_ih);
    Tensor::from_dispatch(<Dispatch as GruRecurrence>::gru_recurrence(
        x_proj.into_dispatch(),
        w_hh.into_dispatch(),
        b_hh.into_dispatch(),
        h0.into_dispatch(),
    ))
}

wgsl_recurrence!(GruRecurrence, gru_recurrence, Gru, [x_proj, w_hh, b_hh, h0]);

/// The GRU's recurrence; inputs `x_proj`, `w_hh`, `b_hh`, `h0`.
#[derive(Debug)]
struct Gru;

/// `W_hh` `[3H, H]` as `[H, H]` vec4s, the three gates of one (k, j) side by side and a zero:
/// forward (given `b_hh`) puts `W[g·H + j, k]` at `[k, j]` (h_{t−1}[k] feeds unit j's gates)
/// and `b_hh` as row H; backward (`None`) `W[g·H + k, j]` (unit k's gate gradients feed dh[j]).
fn gate_vec4s(w_hh: &CubeTensor, b_hh: Option<&CubeTensor>) -> CubeTensor {
    let [gates3, hidden] = dims::<2>(w_hh);
    let w = tensor::<2>(w_hh).reshape([3, gates3 / 3, hidden]);
    let device = w.device();
    let axes = if b_hh.is_some() { [2, 1, 0] } else { [1, 2, 0] };
    let w = Tensor::cat(
        vec![w.permute(axes), Tensor::zeros([hidden, hidden, 1], &device)],
        2,
    );
    let w = match b_hh {
        Some(b_hh) => {
            let b = tensor::<1>(b_hh).reshape([3, hidden]).transpose();
            let b = Tensor::cat(vec![b, Tensor::zeros([hidden, 1], &device)], 1);
            Tensor::cat(vec![w, b.unsqueeze::<3>()], 0)
        }
        None => w,
    };
    into_contiguous(primitive(w))
}

/// What the forward pass keeps for the backward pass.
#[derive(Clone, Debug)]
struct Saved {
    w_hh: CubeTensor,
    /// `[T+1, B, H]`: h₀ then every output.
    h_all: CubeTensor,
    /// `[T, B, H]` vec4s: r, z, n and the recurrent half of n before r scales it.
    gates: CubeTensor,
}

impl WgslCell<4> for Gru {
    type Saved = Saved;

    fn h_all(saved: &Saved) -> &CubeTensor {
        &saved.h_all
    }

    fn forward([x_proj, w_hh, b_hh, h0]: [CubeTensor; 4]) -> Saved {
        let [steps, batch, hidden] = check_shapes(&x_proj, 3);
        let x_proj = into_contiguous(x_proj);
        let w_hh = into_contiguous(w_hh);
        let w3 = gate_vec4s(&w_hh, Some(&b_hh));
        let h0 = into_contiguous(h0);
        let layout = CellLayout::new(hidden);
        let h_all = empty_f32(&x_proj, Shape::new([steps + 1, batch, hidden]));
        let gates = empty_f32(&x_proj, Shape::new([steps, batch, 4 * hidden]));
        for (t0, count) in chunks(hidden, batch, steps) {
            launch(
                recurrence_shader(true, layout),
                layout,
                &[&x_proj, &w3, &h0, &h_all, &gates],
                (t0, count, batch, steps),
            );
        }
        Saved { w_hh, h_all, gates }
    }

    /// Gradients of `x_proj`, `w_hh`, `b_hh`, `h0` from the gradient of `h_seq`, those `wanted`
    /// only (`∂x_proj` always comes out of the kernel).
    fn backward(saved: &Saved, d_h_seq: CubeTensor, wanted: [bool; 4]) -> [Option<CubeTensor>; 4] {
        let d_h_seq = into_contiguous(d_h_seq);
        let [steps, batch, hidden] = dims::<3>(&d_h_seq);
        let layout = CellLayout::new(hidden);
        let w3 = gate_vec4s(&saved.w_hh, None);
        let d_x = empty_f32(&d_h_seq, Shape::new([steps, batch, 3 * hidden]));
        let d_hg = empty_f32(&d_h_seq, Shape::new([steps, batch, 3 * hidden]));
        let dh_carry = empty_f32(&d_h_seq, Shape::new([batch, hidden]));
        for (t0, count) in chunks(hidden, batch, steps).into_iter().rev() {
            launch(
                recurrence_shader(false, layout),
                layout,
                &[
                    &d_h_seq,
                    &w3,
                    &saved.gates,
                    &saved.h_all,
                    &d_x,
                    &d_hg,
                    &dh_carry,
                ],
                (t0, count, batch, steps),
            );
        }
        let [_, want_w, want_b, want_h0] = wanted;
        let dg = tensor::<3>(&d_hg).reshape([steps * batch, 3 * hidden]);
        let d_w_hh = want_w.then(|| {
            // h_{t−1} for every step is the first T rows of h_all: no copy.
            let h_prev = tensor::<3>(&saved.h_all).narrow(0, 0, steps);
            primitive(
                dg.clone()
                    .transpose()
                    .matmul(h_prev.reshape([steps * batch, hidden])),
            )
        });
        let d_b_hh = want_b.then(|| primitive(dg.clone().sum_dim(0).reshape([3 * hidden])));
        let d_h0 = want_h0.then(|| {
            let through_w = tensor::<3>(&d_hg)
                .narrow(0, 0, 1)
                .reshape([batch, 3 * hidden])
                .matmul(tensor::<2>(&saved.w_hh));
            primitive(through_w + tensor::<2>(&dh_carry))
        });
        [Some(d_x), d_w_hh, d_b_hh, d_h0]
    }
}
