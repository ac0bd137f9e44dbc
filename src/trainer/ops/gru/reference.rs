//! The GRU layer from burn's stock ops, step by step: the oracle the fused kernels are checked
//! against, and the path where none runs.

use crate::trainer::ops::lstm::reference::time_steps;
use crate::trainer::ops::rnn::reference::project_inputs;
use burn::tensor::Tensor;
use burn::tensor::activation::sigmoid;

/// Every hidden state `[T, B, H]` of the GRU on time-major `x` `[T, B, E]` from `h0` `[B, H]`,
/// with PyTorch's weights `w_ih` `[3H, E]`, `w_hh` `[3H, H]`, `b_ih`, `b_hh` `[3H]`.
pub fn forward_time_major(
    x: Tensor<3>,
    [w_ih, w_hh]: [Tensor<2>; 2],
    [b_ih, b_hh]: [Tensor<1>; 2],
    h0: Tensor<2>,
) -> Tensor<3> {
    let steps = x.dims()[0];
    // The input half of all three gates for every step, with b_ih (b_hh stays with W_hh h:
    // the reset gate scales it).
    let x_proj = project_inputs(x, w_ih, b_ih);
    let w_hh_t = w_hh.transpose();
    let b_hh = b_hh.unsqueeze::<2>();
    let mut h = h0;
    let mut outputs = Vec::with_capacity(steps);
    for x_gates in time_steps(x_proj) {
        let h_gates = h.clone().matmul(w_hh_t.clone()) + b_hh.clone();
        let mut xs = x_gates.chunk(3, 1).into_iter();
        let mut hs = h_gates.chunk(3, 1).into_iter();
        let mut next = || (xs.next().expect("r, z, n"), hs.next().expect("r, z, n"));
        let (xr, hr) = next();
        let (xz, hz) = next();
        let (xn, hn) = next();
        let r = sigmoid(xr + hr);
        let z = sigmoid(xz + hz);
        let n = (xn + r * hn).tanh();
        h = n.clone() + z * (h - n);
        outputs.push(h.clone());
    }
    Tensor::stack(outputs, 0)
}
