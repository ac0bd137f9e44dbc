//! The plain tanh RNN layer, in PyTorch's `nn.RNN` layout (`weight_ih` `[H, E]`, `weight_hh`
//! `[H, H]`, both biases `[H]`): `h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`. The baseline of the
//! post's argument: its gradient through time is a product of `diag(1 − h²) · W_hh` per step.

pub mod cpu;
pub mod cpu_kernel;
pub mod reference;
#[cfg(feature = "gpu")]
pub mod wgpu;

use super::lstm::layout::MAX_THREADS;
use super::shader::{File, Shader, wgsl_file};

/// How the GRU's and the plain RNN's recurrence kernels spread a step over a workgroup: one
/// workgroup per sequence, thread u owning units `u, u + threads, …` (`passes` of them), each
/// unit's whole dot product on one thread (no split of the sum, unlike the LSTM's [`Layout`]).
///
/// [`Layout`]: super::lstm::Layout
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellLayout {
    pub hidden: usize,
    pub threads: usize,
    pub passes: usize,
}

impl CellLayout {
    pub fn new(hidden: usize) -> Self {
        assert!(hidden >= 1);
        let passes = hidden.div_ceil(MAX_THREADS);
        let threads = hidden.div_ceil(passes);
        Self {
            hidden,
            threads,
            passes,
        }
    }

    /// `file` after `lstm/common.wgsl` (Params, the constants, sigmoid, tanh_stable), for this
    /// layout.
    pub(crate) fn shader(&self, name: &'static str, file: File) -> Shader {
        Shader::new(name, file)
            .with_prefix(wgsl_file!("lstm/common.wgsl"))
            .with("hidden", self.hidden)
            .with("seqs", 1)
            .with("unit_threads", self.threads)
            .with("split", 1)
            .with("passes", self.passes)
            .with("threads", self.threads)
    }
}

/// The forward or backward recurrence kernel of the plain RNN for `layout`.
pub(crate) fn recurrence_shader(forward: bool, layout: CellLayout) -> Shader {
    match forward {
        true => layout
            .shader("rnn_forward", wgsl_file!("rnn/forward.wgsl"))
            .with_prefix(wgsl_file!("rnn/cell_forward.wgsl")),
        false => layout.shader("rnn_backward", wgsl_file!("rnn/backward.wgsl")),
    }
}

/// The plain RNN's kernels at hidden sizes that reach every branch ([`kernels_for_check`]).
pub(crate) fn shaders_for_check() -> Vec<Shader> {
    kernels_for_check(recurrence_shader)
}

/// The forward and backward kernels of a cell (`shader(forward, layout)`: the GRU's or the
/// plain RNN's `recurrence_shader`) at hidden sizes that reach every branch: one unit, fewer
/// units than a workgroup's threads, more (two and four units per thread).
pub(crate) fn kernels_for_check(shader: fn(bool, CellLayout) -> Shader) -> Vec<Shader> {
    let mut all = Vec::new();
    for hidden in [1, 33, 300, 1024] {
        for forward in [true, false] {
            all.push(shader(forward, CellLayout::new(hidden)));
        }
    }
    all
}
