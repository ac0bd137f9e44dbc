//! The recurrent layer as a burn module — the LSTM's, and with fewer stacked gates the GRU's
//! (3H rows) and the plain RNN's (H) — described here for the LSTM, in PyTorch's `nn.LSTM`
//! layout so weights copy over as-is:
//! `weight_ih` `[4H, E]`, `weight_hh` `[4H, H]`, `bias_ih` and `bias_hh` `[4H]`, gates stacked
//! **i, f, g, o**: the parameters the ops in [`crate::trainer::ops::lstm`] compute with. The
//! equations are those of [`crate::lstm::cell`].

use crate::lstm::cell::LstmWeights;
use crate::rng::Rng;
use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};

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

    /// A layer holding exactly `weights` (a plain copy: the layouts are the same) — of any of
    /// the three cells: the rows are the stacked gates (4H for the LSTM, 3H for the GRU, H for
    /// the plain RNN).
    pub fn from_weights(weights: &LstmWeights<f32>, device: &Device) -> Self {
        let (e, h) = (weights.input, weights.hidden);
        let g = weights.bias_ih.len();
        Self {
            weight_ih: Param::from_tensor(tensor(weights.weight_ih.clone(), [g, e], device)),
            weight_hh: Param::from_tensor(tensor(weights.weight_hh.clone(), [g, h], device)),
            bias_ih: Param::from_tensor(tensor(weights.bias_ih.clone(), [g], device)),
            bias_hh: Param::from_tensor(tensor(weights.bias_hh.clone(), [g], device)),
        }
    }

    pub fn input_size(&self) -> usize {
        self.weight_ih.val().dims()[1]
    }

    pub fn hidden_size(&self) -> usize {
        self.weight_hh.val().dims()[1]
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
}
