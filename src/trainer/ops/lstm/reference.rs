//! The LSTM layer from burn's stock ops, step by step: the oracle the fused kernels are checked
//! against (forward and every gradient, `ops::check`), and the path where none runs.
//!
//! The input projection of every time step is one matmul (`[B·T, E] × [E, 4H]`); each step then
//! adds one 4H-wide recurrent matmul and the element-wise gate math.

use crate::classifier::arch::Variant;
use crate::trainer::lstm_layer::{Lstm, LstmState};
use burn::tensor::Tensor;
use burn::tensor::activation::sigmoid;

/// The input half of every gate for all steps at once, biases included: `[B, T, 4H]` for
/// `x` `[B, T, E]` (or `[T, B, 4H]` for `[T, B, E]`).
pub fn project_inputs(lstm: &Lstm, x: Tensor<3>) -> Tensor<3> {
    let [batch, steps, input] = x.dims();
    let bias = (lstm.bias_ih.val() + lstm.bias_hh.val()).unsqueeze::<2>();
    (x.reshape([batch * steps, input])
        .matmul(lstm.weight_ih.val().transpose())
        + bias)
        .reshape([batch, steps, 4 * lstm.hidden_size()])
}

/// One step. `x_gates`: this step's slice of [`project_inputs`], `[B, 4H]`;
/// `w_hh_t`: `weight_hhᵀ`, transposed once per sequence by the caller; `variant`: the
/// switches that change the cell (the real LSTM when none is on).
pub fn step(
    x_gates: Tensor<2>,
    state: LstmState,
    w_hh_t: &Tensor<2>,
    variant: Variant,
) -> LstmState {
    let gates = x_gates + state.h.matmul(w_hh_t.clone());
    let mut parts = gates.chunk(4, 1).into_iter();
    let mut next = || parts.next().expect("four gates");
    let (i, f, g, o) = (next(), next(), next(), next());
    let i = sigmoid(i);
    let g = if variant.sigmoid_g {
        sigmoid(g)
    } else {
        g.tanh()
    };
    // A fixed gate drops out of the graph: its rows of the weights get no gradient.
    let c = match variant.forget_fixed {
        true => state.c + i * g,
        false => sigmoid(f) * state.c + i * g,
    };
    let h = match variant.no_output_gate {
        true => c.clone().tanh(),
        false => sigmoid(o) * c.clone().tanh(),
    };
    LstmState { h, c }
}

/// `x`: `[B, T, E]` → every hidden state `[B, T, H]` and the final state.
pub fn forward(lstm: &Lstm, x: Tensor<3>, state: Option<LstmState>) -> (Tensor<3>, LstmState) {
    forward_variant(lstm, x, state, Variant::default())
}

/// [`forward`] of the cell with `variant`'s switches.
pub fn forward_variant(
    lstm: &Lstm,
    x: Tensor<3>,
    state: Option<LstmState>,
    variant: Variant,
) -> (Tensor<3>, LstmState) {
    let [batch, steps, _] = x.dims();
    let mut state = state.unwrap_or_else(|| lstm.zero_state(batch, &x.device()));
    let x_proj = project_inputs(lstm, x).swap_dims(0, 1); // time-major: [T, B, 4H]
    let w_hh_t = lstm.weight_hh.val().transpose();
    let mut outputs = Vec::with_capacity(steps);
    for x_gates in time_steps(x_proj) {
        state = step(x_gates, state, &w_hh_t, variant);
        outputs.push(state.h.clone());
    }
    (Tensor::stack(outputs, 1), state)
}

/// [`forward`] time-major: `x` `[T, B, E]` → `[T, B, H]`, from `state`.
pub fn forward_time_major(lstm: &Lstm, x: Tensor<3>, state: LstmState) -> Tensor<3> {
    forward_time_major_variant(lstm, x, state, Variant::default())
}

/// [`forward_time_major`] of the cell with `variant`'s switches.
pub fn forward_time_major_variant(
    lstm: &Lstm,
    x: Tensor<3>,
    state: LstmState,
    variant: Variant,
) -> Tensor<3> {
    forward_variant(lstm, x.swap_dims(0, 1), Some(state), variant)
        .0
        .swap_dims(0, 1)
}

/// The T time steps `[B, C]` of a time-major `x` `[T, B, C]`, in order.
///
/// Split by halves rather than by one `narrow` per step: autodiff turns the gradient of a slice
/// into a zero tensor of the *parent's* full shape, so T slices of `[T, B, C]` would cost
/// O(T²·B·C) in backward (most of a 128-step training step on the CPU); halving costs
/// O(T·log T·B·C).
pub(crate) fn time_steps(x: Tensor<3>) -> Vec<Tensor<2>> {
    fn split(x: Tensor<3>, out: &mut Vec<Tensor<2>>) {
        let [steps, batch, width] = x.dims();
        if steps == 0 {
            return;
        }
        if steps == 1 {
            out.push(x.reshape([batch, width]));
        } else {
            let half = steps / 2;
            split(x.clone().narrow(0, 0, half), out);
            split(x.narrow(0, half, steps - half), out);
        }
    }
    let mut out = Vec::with_capacity(x.dims()[0]);
    split(x, &mut out);
    out
}
