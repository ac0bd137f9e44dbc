//! The LSTM layer as a burn module, in PyTorch's `nn.LSTM` layout so weights copy over as-is:
//! `weight_ih` `[4H, E]`, `weight_hh` `[4H, H]`, `bias_ih` and `bias_hh` `[4H]`, gates stacked
//! **i, f, g, o**. The equations are those of [`super::cell`]; this is the batched version
//! burn can differentiate.
//!
//! The input projection of every time step is one matmul (`[B·T, E] × [E, 4H]`); each step then
//! adds one 4H-wide recurrent matmul and the element-wise gate math.

use super::cell::LstmWeights;
use crate::fused;
use crate::rng::Rng;
use burn::module::{Module, Param};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};

pub use super::kernel::LstmKernel;

#[derive(Module, Debug)]
pub struct Lstm {
    /// `[4H, E]`: input → gates.
    pub weight_ih: Param<Tensor<2>>,
    /// `[4H, H]`: previous hidden state → gates.
    pub weight_hh: Param<Tensor<2>>,
    /// `[4H]`.
    pub bias_ih: Param<Tensor<1>>,
    /// `[4H]`.
    pub bias_hh: Param<Tensor<1>>,
}

/// Hidden and cell state, each `[B, H]`.
#[derive(Clone, Debug)]
pub struct LstmState {
    pub h: Tensor<2>,
    pub c: Tensor<2>,
}

/// A float tensor from host values.
pub fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

impl Lstm {
    /// PyTorch's initialisation, U(−1/√H, 1/√H) for every weight and bias, drawn from `rng` so
    /// that a seed gives the same layer on every device.
    pub fn init(input: usize, hidden: usize, rng: &mut Rng, device: &Device) -> Self {
        let k = 1.0 / (hidden as f64).sqrt();
        let mut draw =
            |n: usize| -> Vec<f32> { (0..n).map(|_| rng.uniform_range(-k, k) as f32).collect() };
        let weights = LstmWeights {
            input,
            hidden,
            weight_ih: draw(4 * hidden * input),
            weight_hh: draw(4 * hidden * hidden),
            bias_ih: draw(4 * hidden),
            bias_hh: draw(4 * hidden),
        };
        Self::from_weights(&weights, device)
    }

    /// A layer holding exactly `weights` (a plain copy: the layouts are the same).
    pub fn from_weights(weights: &LstmWeights<f32>, device: &Device) -> Self {
        let (e, h) = (weights.input, weights.hidden);
        Self {
            weight_ih: Param::from_tensor(tensor(weights.weight_ih.clone(), [4 * h, e], device)),
            weight_hh: Param::from_tensor(tensor(weights.weight_hh.clone(), [4 * h, h], device)),
            bias_ih: Param::from_tensor(tensor(weights.bias_ih.clone(), [4 * h], device)),
            bias_hh: Param::from_tensor(tensor(weights.bias_hh.clone(), [4 * h], device)),
        }
    }

    pub fn input_size(&self) -> usize {
        self.weight_ih.val().dims()[1]
    }

    pub fn hidden_size(&self) -> usize {
        self.weight_hh.val().dims()[1]
    }

    /// The input half of every gate for all steps at once, biases included: `[B, T, 4H]` for
    /// `x` `[B, T, E]` (or `[T, B, 4H]` for `[T, B, E]`).
    pub fn project_inputs(&self, x: Tensor<3>) -> Tensor<3> {
        let [batch, steps, input] = x.dims();
        let bias = (self.bias_ih.val() + self.bias_hh.val()).unsqueeze::<2>();
        (x.reshape([batch * steps, input])
            .matmul(self.weight_ih.val().transpose())
            + bias)
            .reshape([batch, steps, 4 * self.hidden_size()])
    }

    /// A zero state for `batch` sequences.
    /// Uploaded rather than filled on the device: on a GPU an upload is a buffer write, a fill
    /// is a dispatch.
    pub fn zero_state(&self, batch: usize, device: &Device) -> LstmState {
        let hidden = self.hidden_size();
        let zeros = || tensor(vec![0.0; batch * hidden], [batch, hidden], device);
        LstmState {
            h: zeros(),
            c: zeros(),
        }
    }

    /// One step. `x_gates`: this step's slice of [`Self::project_inputs`], `[B, 4H]`;
    /// `w_hh_t`: `weight_hhᵀ`, transposed once per sequence by the caller.
    pub fn step(&self, x_gates: Tensor<2>, state: LstmState, w_hh_t: &Tensor<2>) -> LstmState {
        let gates = x_gates + state.h.matmul(w_hh_t.clone());
        let mut parts = gates.chunk(4, 1).into_iter();
        let mut next = || parts.next().expect("four gates");
        let (i, f, g, o) = (
            sigmoid(next()),
            sigmoid(next()),
            next().tanh(),
            sigmoid(next()),
        );
        let c = f * state.c + i * g;
        let h = o * c.clone().tanh();
        LstmState { h, c }
    }

    /// Every hidden state `[B, T, H]` of `x` `[B, T, E]` from a zero state, with `kernel`.
    pub fn forward_sequence(&self, x: Tensor<3>, kernel: LstmKernel) -> Tensor<3> {
        self.forward_time_major(x.swap_dims(0, 1), kernel)
            .swap_dims(0, 1)
    }

    /// [`Self::forward_sequence`] time-major, `x` `[T, B, E]` → `[T, B, H]`: the layout the
    /// fused kernels read and write, so no copy is needed on the way in or out.
    pub fn forward_time_major(&self, x: Tensor<3>, kernel: LstmKernel) -> Tensor<3> {
        let device = x.device();
        if kernel == LstmKernel::Fused && self.fused_supported(&device) {
            let state = self.zero_state(x.dims()[1], &device);
            self.forward_fused(x, state)
        } else {
            self.forward(x.swap_dims(0, 1), None).0.swap_dims(0, 1)
        }
    }

    /// Whether [`Self::forward_fused`] runs on `device`: the WGSL kernels on wgpu (up to
    /// [`fused::MAX_HIDDEN`]), the CPU layer ([`fused::cpu_layer`]) on burn's CPU backend.
    pub fn fused_supported(&self, device: &Device) -> bool {
        fused::supported(device, self.hidden_size()) || fused::cpu::on_flex(device)
    }

    /// Every hidden state `[T, B, H]` of time-major `x` `[T, B, E]` from `state`, by the fused
    /// path (only where [`Self::fused_supported`]): on the CPU one op for the whole layer; on
    /// wgpu the input projection as one matmul, then the recurrence's kernels.
    pub fn forward_fused(&self, x: Tensor<3>, state: LstmState) -> Tensor<3> {
        if fused::cpu::on_flex(&x.device()) {
            let weights = [self.weight_ih.val(), self.weight_hh.val()];
            let biases = [self.bias_ih.val(), self.bias_hh.val()];
            return fused::cpu_layer::lstm_layer(x, weights, biases, state.h, state.c);
        }
        #[cfg(feature = "gpu")]
        {
            let x_proj = self.project_inputs(x);
            fused::lstm_recurrence(x_proj, self.weight_hh.val(), state.h, state.c)
        }
        #[cfg(not(feature = "gpu"))]
        unreachable!("without the `gpu` feature the fused path exists on the CPU backend only")
    }

    /// `x`: `[B, T, E]` → every hidden state `[B, T, H]` and the final state.
    pub fn forward(&self, x: Tensor<3>, state: Option<LstmState>) -> (Tensor<3>, LstmState) {
        let [batch, steps, _] = x.dims();
        let mut state = state.unwrap_or_else(|| self.zero_state(batch, &x.device()));
        let x_proj = self.project_inputs(x).swap_dims(0, 1); // time-major: [T, B, 4H]
        let w_hh_t = self.weight_hh.val().transpose();
        let mut outputs = Vec::with_capacity(steps);
        for x_gates in time_steps(x_proj) {
            state = self.step(x_gates, state, &w_hh_t);
            outputs.push(state.h.clone());
        }
        (Tensor::stack(outputs, 1), state)
    }
}

/// The T time steps `[B, C]` of a time-major `x` `[T, B, C]`, in order.
///
/// Split by halves rather than by one `narrow` per step: autodiff turns the gradient of a slice
/// into a zero tensor of the *parent's* full shape, so T slices of `[T, B, C]` would cost
/// O(T²·B·C) in backward (most of a 128-step training step on the CPU); halving costs
/// O(T·log T·B·C).
fn time_steps(x: Tensor<3>) -> Vec<Tensor<2>> {
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
