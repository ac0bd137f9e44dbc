//! The classifier head: mean ‖ max pooling over time, then Linear(2H → O), as one op. O is the
//! number of model outputs: 1 for two classes (the post's single logit), K for K ≥ 3 classes.
//!
//! ```text
//! forward:   p_b = [mean_t h_tb ‖ max_t h_tb]        logit_bo = p_b · w_o + bias_o
//! backward:  ∂w_ko = Σ_b ∂logit_bo p_bk    ∂bias_o = Σ_b ∂logit_bo    g_bk = Σ_o ∂logit_bo w_ko
//!            ∂h_tbj = g_bj / T + [t = argmax_t h_tbj] g_b(H+j)
//! ```
//!
//! On a GPU one dispatch each way (`wgpu.rs`) where burn's ops — two reductions, a
//! concatenation, a matmul, a bias add, and their gradients — took 19; on the CPU one pass over
//! the outputs each way (`cpu.rs`); [`reference`] is burn's ops.

use super::shader::{Shader, wgsl_file};
use super::{MAX_HIDDEN, Path};
use burn::tensor::Tensor;

pub mod cpu;
#[cfg(feature = "gpu")]
pub mod wgpu;

/// `logits[b] = [mean_t h ‖ max_t h][b] · weight + bias` for time-major `h_seq` `[T, B, H]`,
/// `weight` `[2H, O]` (burn's Linear layout), `bias` `[O]`: `[B, O]`.
pub fn pool_linear(path: Path, h_seq: Tensor<3>, weight: Tensor<2>, bias: Tensor<1>) -> Tensor<2> {
    match path {
        #[cfg(feature = "gpu")]
        Path::Wgsl => wgpu::pool_linear(h_seq, weight, bias),
        Path::Cpu => cpu::pool_linear(h_seq, weight, bias),
        // (Without the `gpu` feature no device resolves to `Wgsl`.)
        _ => reference(h_seq, weight, bias),
    }
}

/// [`pool_linear`] in burn's ops: mean and max over time (padding steps included, as the post
/// pools), concatenated, then the linear layer.
pub fn reference(h_seq: Tensor<3>, weight: Tensor<2>, bias: Tensor<1>) -> Tensor<2> {
    let [_, batch, hidden] = h_seq.dims();
    let outputs = h_seq.swap_dims(0, 1);
    let pooled = Tensor::cat(vec![outputs.clone().mean_dim(1), outputs.max_dim(1)], 2)
        .reshape([batch, 2 * hidden]);
    pooled.matmul(weight) + bias.unsqueeze::<2>()
}

/// The head's two kernels: the forward keeps a pooled row of up to 2 · `MAX_HIDDEN` values in
/// workgroup memory.
pub(crate) fn shaders() -> [Shader; 2] {
    [
        Shader::new("head_forward", wgsl_file!("head/forward.wgsl"))
            .with("pooled_capacity", 2 * MAX_HIDDEN),
        Shader::new("head_backward", wgsl_file!("head/backward.wgsl")),
    ]
}
