//! The classifier head: mean ‖ max pooling over time, then Linear(2H → 1), as one op.
//!
//! ```text
//! forward:   p_b = [mean_t h_tb ‖ max_t h_tb]        logit_b = p_b · w + bias
//! backward:  ∂w = Σ_b ∂logit_b p_b    ∂bias = Σ_b ∂logit_b
//!            ∂h_tb = ∂logit_b (w_mean / T + [t = argmax_t h_tb] w_max)
//! ```
//!
//! On a GPU one dispatch each way (`wgpu.rs`) where burn's ops — two reductions, a
//! concatenation, a matmul, a bias add, and their gradients — took 19; on the CPU one pass over
//! the outputs each way (`cpu.rs`); [`reference`] is burn's ops.

use super::Path;
use super::shader::{Shader, wgsl_file};
use burn::tensor::Tensor;

pub mod cpu;
#[cfg(feature = "gpu")]
pub mod wgpu;

/// `logits[b] = [mean_t h ‖ max_t h][b] · weight + bias` for time-major `h_seq` `[T, B, H]`,
/// `weight` `[2H, O]` (burn's Linear layout), `bias` `[O]`: `[B, O]`.
pub fn pool_linear(path: Path, h_seq: Tensor<3>, weight: Tensor<2>, bias: Tensor<1>) -> Tensor<2> {
    let batch = h_seq.dims()[1];
    if weight.dims()[1] != 1 {
        return reference(h_seq, weight, bias);
    }
    let logits = match path {
        #[cfg(feature = "gpu")]
        Path::Wgsl => wgpu::pool_linear(h_seq, weight, bias),
        Path::Cpu => cpu::pool_linear(h_seq, weight, bias),
        // (Without the `gpu` feature no device resolves to `Wgsl`.)
        _ => return reference(h_seq, weight, bias),
    };
    logits.reshape([batch, 1])
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

/// The head's two kernels (they take no values).
pub(crate) fn shaders() -> [Shader; 2] {
    [
        Shader::new("head_forward", wgsl_file!("head/forward.wgsl")),
        Shader::new("head_backward", wgsl_file!("head/backward.wgsl")),
    ]
}
