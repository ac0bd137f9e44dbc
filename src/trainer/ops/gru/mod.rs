//! The GRU layer, in PyTorch's `nn.GRU` layout (gates stacked r, z, n; `weight_ih` `[3H, E]`,
//! `weight_hh` `[3H, H]`, both biases `[3H]`):
//!
//! ```text
//! r = σ(W_ir x + b_ir + W_hr h + b_hr)        z = σ(W_iz x + b_iz + W_hz h + b_hz)
//! n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//! h' = (1 − z) ⊙ n + z ⊙ h
//! ```
//!
//! The reset gate multiplies the recurrent product *with its bias* (PyTorch's and cuDNN's form),
//! so `b_hn` cannot be folded into `b_in`; `z = 1` keeps the old state.

pub mod cpu;
mod cpu_gates;
pub mod cpu_kernel;
pub mod reference;
#[cfg(feature = "gpu")]
pub mod wgpu;

use super::rnn::CellLayout;
use super::shader::{Shader, wgsl_file};

/// The forward or backward recurrence kernel of the GRU for `layout`.
pub(crate) fn recurrence_shader(forward: bool, layout: CellLayout) -> Shader {
    match forward {
        true => layout
            .shader("gru_forward", wgsl_file!("gru/forward.wgsl"))
            .with_prefix(wgsl_file!("rnn/cell_forward.wgsl")),
        false => layout.shader("gru_backward", wgsl_file!("gru/backward.wgsl")),
    }
}

/// The GRU's kernels at hidden sizes that reach every branch ([`super::rnn::kernels_for_check`]).
pub(crate) fn shaders_for_check() -> Vec<Shader> {
    super::rnn::kernels_for_check(recurrence_shader)
}
