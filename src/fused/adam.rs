//! Adam with one dispatch per parameter on wgpu (`shaders/adam_step.wgsl`), burn's own Adam
//! everywhere else. burn's Adam runs 13 element-wise ops per parameter (read from its source;
//! each a dispatch on a GPU): 91 dispatches a step for the post's 7 parameter tensors.
//!
//! It is a plain [`Optimizer`] with burn's [`AdamState`], so burn's `ModuleOptimizer` drives it
//! and its state is the same as burn's Adam would keep.

use super::{Wgsl, empty_f32, launch_wgsl, on_wgpu, uniform};
use burn::backend::Cube;
use burn::backend::wgpu::{CubeTensor, into_contiguous};
use burn::optim::{Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, Optimizer};
use burn::tensor::{DType, Device, Tensor};
use cubecl::CubeCount;

const SOURCE: &str = include_str!("../../shaders/adam_step.wgsl");
const THREADS: usize = 256;
/// WebGPU's guaranteed `maxComputeWorkgroupsPerDimension`.
const MAX_WORKGROUPS: usize = 65535;

#[derive(Clone)]
pub struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// Off wgpu, and the oracle the kernel is tested against.
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

fn cube<const D: usize>(t: Tensor<D>) -> CubeTensor {
    into_contiguous(t.try_into_primitive::<Cube>().expect("a wgpu tensor"))
}

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
        if !on_wgpu(&tensor.device()) || tensor.dtype() != DType::F32 {
            return self.fallback.step(lr, tensor, grad, state);
        }
        let moments = state.map(|s| s.momentum);
        let time = moments.as_ref().map_or(0, |m| m.time) + 1;
        // Scalars in float32, as burn computes them.
        let bias_correction2_sqrt = (1.0 - self.beta_2.powi(time as i32)).sqrt();
        let factor = bias_correction2_sqrt / (1.0 - self.beta_1.powi(time as i32));
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
            (self.epsilon * bias_correction2_sqrt).to_bits(),
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

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.momentum = state.momentum.to_device(device);
        state
    }
}
