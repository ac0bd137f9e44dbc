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
//!
//! The autodiff glue, the dispatch plan and the launch are shared with the GRU:
//! [`crate::trainer::ops::wgsl_cell`].

use super::reference::project_inputs;
use super::{CellLayout, recurrence_shader};
use crate::trainer::ops::wgsl::empty_f32;
use crate::trainer::ops::wgsl_cell::{
    WgslCell, check_shapes, chunks, dims, launch, primitive, tensor, wgsl_recurrence,
};
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::FloatTensor;
use burn::backend::wgpu::{CubeTensor, into_contiguous};
use burn::backend::{Cube, Dispatch};
use burn::tensor::{Shape, Tensor};

/// Every hidden state `[T, B, H]` of the tanh RNN on time-major `x` `[T, B, E]` from `h0`
/// `[B, H]`, with PyTorch's weights `w_ih` `[H, E]`, `w_hh` `[H, H]`, `b_ih`, `b_hh` `[H]`: the
/// signature of [`super::reference::forward_time_major`], on a wgpu device.
pub fn rnn_layer(
    x: Tensor<3>,
    [w_ih, w_hh]: [Tensor<2>; 2],
    [b_ih, b_hh]: [Tensor<1>; 2],
    h0: Tensor<2>,
) -> Tensor<3> {
    // `h_seq = RNN(x_proj, W_hh, h₀)`: `x_proj` `[T, B, H]` is the input half with both biases.
    let x_proj = project_inputs(x, w_ih, b_ih + b_hh);
    Tensor::from_dispatch(<Dispatch as RnnRecurrence>::rnn_recurrence(
        x_proj.into_dispatch(),
        w_hh.into_dispatch(),
        h0.into_dispatch(),
    ))
}

wgsl_recurrence!(RnnRecurrence, rnn_recurrence, Rnn, [x_proj, w_hh, h0]);

/// The plain RNN's recurrence; inputs `x_proj`, `w_hh`, `h0`.
#[derive(Debug)]
struct Rnn;

/// What the forward pass keeps for the backward pass.
#[derive(Clone, Debug)]
struct Saved {
    w_hh: CubeTensor,
    /// `[T+1, B, H]`: h₀ then every output.
    h_all: CubeTensor,
}

impl WgslCell<3> for Rnn {
    type Saved = Saved;

    fn h_all(saved: &Saved) -> &CubeTensor {
        &saved.h_all
    }

    fn forward([x_proj, w_hh, h0]: [CubeTensor; 3]) -> Saved {
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
}
