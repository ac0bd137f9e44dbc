//! Adam with one dispatch per parameter on wgpu (`shaders/adam_step.wgsl`), one pass per
//! parameter on the CPU (Flex), burn's own Adam everywhere else. burn's Adam runs 13
//! element-wise ops per parameter (read from its source; each a dispatch on a GPU, a pass over
//! the parameter and a fresh buffer on the CPU): 91 for the post's 7 parameter tensors.
//!
//! It is a plain [`Optimizer`] with burn's [`AdamState`], so burn's `ModuleOptimizer` drives it
//! and its state is the same as burn's Adam would keep.

use super::cpu::on_flex;
use super::cpu_layer::{contiguous, flex, values};
#[cfg(feature = "gpu")]
use super::{Wgsl, empty_f32, launch_wgsl, on_wgpu, uniform};
use burn::backend::Flex;
#[cfg(feature = "gpu")]
use burn::backend::{
    Cube,
    wgpu::{CubeTensor, into_contiguous},
};
use burn::optim::{Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, Optimizer};
use burn::tensor::{DType, Device, Tensor};
#[cfg(feature = "gpu")]
use cubecl::CubeCount;

#[cfg(feature = "gpu")]
const SOURCE: &str = include_str!("../../shaders/adam_step.wgsl");
#[cfg(feature = "gpu")]
const THREADS: usize = 256;
/// WebGPU's guaranteed `maxComputeWorkgroupsPerDimension`.
#[cfg(feature = "gpu")]
const MAX_WORKGROUPS: usize = 65535;

#[derive(Clone)]
pub struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// For other backends and dtypes, and the oracle both fused versions are tested against.
    fallback: Adam,
}

impl FusedAdam {
    pub fn new(beta_1: f32, beta_2: f32, epsilon: f32) -> Self {
        Self {
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

#[cfg(feature = "gpu")]
fn cube<const D: usize>(t: Tensor<D>) -> CubeTensor {
    into_contiguous(t.try_into_primitive::<Cube>().expect("a wgpu tensor"))
}

#[cfg(feature = "gpu")]
fn like(t: &CubeTensor) -> CubeTensor {
    empty_f32(t, t.meta.shape().clone())
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
        if on_flex(&tensor.device()) {
            return self.cpu_step(lr, tensor, grad, state);
        }
        #[cfg(feature = "gpu")]
        if on_wgpu(&tensor.device()) {
            return self.wgpu_step(lr, tensor, grad, state);
        }
        self.fallback.step(lr, tensor, grad, state)
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.momentum = state.momentum.to_device(device);
        state
    }
}

/// The step's scalars, in float32 as burn computes them: `(t, c, ε·√(1 − β₂ᵗ))` (see
/// `shaders/adam_step.wgsl`).
fn scalars<const D: usize>(
    adam: &FusedAdam,
    moments: Option<&AdaptiveMomentumState<D>>,
) -> (usize, f32, f32) {
    let time = moments.map_or(0, |m| m.time) + 1;
    let bias_correction2_sqrt = (1.0 - adam.beta_2.powi(time as i32)).sqrt();
    let factor = bias_correction2_sqrt / (1.0 - adam.beta_1.powi(time as i32));
    (time, factor, adam.epsilon * bias_correction2_sqrt)
}

impl FusedAdam {
    /// One pass over the parameter on the CPU: the WGSL kernel's arithmetic, element by element.
    fn cpu_step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<AdamState<D>>,
    ) -> (Tensor<D>, Option<AdamState<D>>) {
        let moments = state.map(|s| s.momentum);
        let (time, factor, epsilon) = scalars(self, moments.as_ref());
        let shape = tensor.shape();
        let dims: Vec<usize> = shape.iter().copied().collect();
        let host = |t: Tensor<D>| contiguous(t.try_into_primitive::<Flex>().expect("a CPU tensor"));
        let (param, grad) = (host(tensor), host(grad));
        let kept = moments.map(|m| (host(m.moment_1), host(m.moment_2)));
        let (beta_1, beta_2, lr) = (self.beta_1, self.beta_2, lr as f32);
        let (param_v, grad_v) = (values(&param), values(&grad));
        let n = param_v.len();
        // At the first step there are no moments: zeros give the same arithmetic
        // (β·0 + x is x exactly).
        let zeros;
        let (m1_in, m2_in) = match &kept {
            Some((m1, m2)) => (values(m1), values(m2)),
            None => {
                zeros = vec![0f32; n];
                (&zeros[..], &zeros[..])
            }
        };
        let (mut p_out, mut m1_out, mut m2_out) = (vec![0f32; n], vec![0f32; n], vec![0f32; n]);
        let inputs = param_v.iter().zip(grad_v).zip(m1_in.iter().zip(m2_in));
        let outputs = p_out
            .iter_mut()
            .zip(m1_out.iter_mut().zip(m2_out.iter_mut()));
        for (((&p, &g), (&m1, &m2)), (p_new, (m1_new, m2_new))) in inputs.zip(outputs) {
            let m = beta_1 * m1 + (1.0 - beta_1) * g;
            let v = beta_2 * m2 + (1.0 - beta_2) * (g * g);
            *p_new = p - (m * factor) / (v.sqrt() + epsilon) * lr;
            *m1_new = m;
            *m2_new = v;
        }
        let [p, m1, m2] =
            [p_out, m1_out, m2_out].map(|v| Tensor::<D>::from_primitive::<Flex>(flex(v, &dims)));
        let state = AdamState::new(AdaptiveMomentumState::new(time, m1, m2));
        (p, Some(state))
    }

    #[cfg(feature = "gpu")]
    fn wgpu_step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<AdamState<D>>,
    ) -> (Tensor<D>, Option<AdamState<D>>) {
        let moments = state.map(|s| s.momentum);
        let (time, factor, epsilon) = scalars(self, moments.as_ref());
        let n = tensor.shape().num_elements();
        let (param, grad) = (cube(tensor), cube(grad));
        // At the first step there are no moments: the kernel does not read them, so fresh
        // (unwritten) buffers stand in. Not `grad` itself: WebGPU refuses one buffer bound to
        // two writable bindings.
        let (m1, m2) = match &moments {
            Some(m) => (cube(m.moment_1.clone()), cube(m.moment_2.clone())),
            None => (like(&param), like(&param)),
        };
        let outputs = [like(&param), like(&param), like(&param)];

        let per_row = MAX_WORKGROUPS * THREADS;
        let rows = n.div_ceil(per_row).max(1);
        let columns = n.min(per_row).div_ceil(THREADS).max(1);
        let info = uniform(&[
            n as u32,
            moments.is_none() as u32,
            self.beta_1.to_bits(),
            self.beta_2.to_bits(),
            (lr as f32).to_bits(),
            factor.to_bits(),
            epsilon.to_bits(),
            (columns * THREADS) as u32,
        ]);
        let kernel = Wgsl {
            name: "adam_step",
            prefix: "",
            source: SOURCE,
            values: Vec::new(),
        };
        launch_wgsl(
            kernel,
            THREADS,
            CubeCount::Static(columns as u32, rows as u32, 1),
            &[
                &param,
                &grad,
                &m1,
                &m2,
                &outputs[0],
                &outputs[1],
                &outputs[2],
            ],
            info,
        );

        let [p, m1, m2] = outputs.map(Tensor::<D>::from_primitive::<Cube>);
        let state = AdamState::new(AdaptiveMomentumState::new(time, m1, m2));
        (p, Some(state))
    }
}
