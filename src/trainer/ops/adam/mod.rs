//! Adam(β₁, β₂, ε) with one dispatch per parameter on wgpu (`wgpu.rs`, `shaders/adam/step.wgsl`),
//! one pass per parameter on the CPU (`cpu.rs`), burn's own Adam on the reference path. burn's
//! Adam runs 13 element-wise ops per parameter (read from its source; each a dispatch on a GPU,
//! a pass over the parameter and a fresh buffer on the CPU): 91 for the post's 7 parameter
//! tensors.
//!
//! It is a plain [`Optimizer`] with burn's [`AdamState`], so burn's `ModuleOptimizer` drives it
//! and its state is the same as burn's Adam would keep.

use super::Path;
use super::shader::{Shader, wgsl_file};
use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer,
};
use burn::tensor::{DType, Device, Tensor};

pub mod cpu;
#[cfg(feature = "gpu")]
pub mod wgpu;

/// Adam(β₁ 0.9, β₂ 0.999) with PyTorch's epsilon (burn's default is 1e-5), so the two
/// optimisers agree, on `path`.
pub fn optimizer(path: Path) -> ModuleOptimizer {
    let (beta_1, beta_2, epsilon) = (0.9, 0.999, 1e-8);
    match path {
        Path::Reference => AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(beta_2)
            .with_epsilon(epsilon)
            .init(),
        _ => ModuleOptimizer::from(FusedAdam::new(path, beta_1, beta_2, epsilon)),
    }
}

#[derive(Clone)]
pub struct FusedAdam {
    path: Path,
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// For other dtypes, and the oracle both fused versions are tested against.
    fallback: Adam,
}

impl FusedAdam {
    pub fn new(path: Path, beta_1: f32, beta_2: f32, epsilon: f32) -> Self {
        Self {
            path,
            beta_1,
            beta_2,
            epsilon,
            fallback: AdamConfig::new()
                .with_beta_1(beta_1)
                .with_beta_2(beta_2)
                .with_epsilon(epsilon)
                .build(),
        }
    }

    /// burn's Adam, for comparing with.
    pub fn reference(&self) -> Adam {
        self.fallback.clone()
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if tensor.dtype() != DType::F32 {
            return self.fallback.step(lr, tensor, grad, state);
        }
        match self.path {
            #[cfg(feature = "gpu")]
            Path::Wgsl => wgpu::step(self, lr, tensor, grad, state),
            Path::Cpu => cpu::step(self, lr, tensor, grad, state),
            _ => self.fallback.step(lr, tensor, grad, state),
        }
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.momentum = state.momentum.to_device(device);
        state
    }
}

/// The step kernel (it takes no values).
pub(crate) fn shader() -> Shader {
    Shader::new("adam_step", wgsl_file!("adam/step.wgsl"))
}

/// The step's scalars, in float32 as burn computes them: `(t, c, ε·√(1 − β₂ᵗ))` (see
/// `shaders/adam/step.wgsl`).
pub(super) fn scalars<const D: usize>(
    adam: &FusedAdam,
    moments: Option<&AdaptiveMomentumState<D>>,
) -> (usize, f32, f32) {
    let time = moments.map_or(0, |m| m.time) + 1;
    let bias_correction2_sqrt = (1.0 - adam.beta_2.powi(time as i32)).sqrt();
    let factor = bias_correction2_sqrt / (1.0 - adam.beta_1.powi(time as i32));
    (time, factor, adam.epsilon * bias_correction2_sqrt)
}
