//! The plain RNN layer from burn's stock ops, step by step: the oracle the fused kernels are
//! checked against, and the path where none runs.

use crate::trainer::ops::lstm::reference::time_steps;
use burn::tensor::Tensor;

/// Every hidden state `[T, B, H]` of the tanh RNN on time-major `x` `[T, B, E]` from `h0`
/// `[B, H]`, with PyTorch's weights `w_ih` `[H, E]`, `w_hh` `[H, H]`, `b_ih`, `b_hh` `[H]`.
pub fn forward_time_major(
    x: Tensor<3>,
    [w_ih, w_hh]: [Tensor<2>; 2],
    [b_ih, b_hh]: [Tensor<1>; 2],
    h0: Tensor<2>,
) -> Tensor<3> {
    let steps = x.dims()[0];
    let x_proj = project_inputs(x, w_ih, b_ih + b_hh);
    let w_hh_t = w_hh.transpose();
    let mut h = h0;
    let mut outputs = Vec::with_capacity(steps);
    for x_t in time_steps(x_proj) {
        h = (x_t + h.matmul(w_hh_t.clone())).tanh();
        outputs.push(h.clone());
    }
    Tensor::stack(outputs, 0)
}

/// The input half of every step, `x · W_ihᵀ + bias`: `[T, B, G·H]` from time-major `x`
/// `[T, B, E]`, `w_ih` `[G·H, E]` and `bias` `[G·H]`, one matmul (the GRU's and the plain
/// RNN's, reference and WGSL).
pub(crate) fn project_inputs(x: Tensor<3>, w_ih: Tensor<2>, bias: Tensor<1>) -> Tensor<3> {
    let [steps, batch, input] = x.dims();
    let width = w_ih.dims()[0];
    (x.reshape([steps * batch, input]).matmul(w_ih.transpose()) + bias.unsqueeze::<2>())
        .reshape([steps, batch, width])
}
