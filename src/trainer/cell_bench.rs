//! One training step (forward and backward) of one recurrent layer alone, on the fused CPU
//! path, timed: what `lstm-lab bench cells` measures — the GRU and the tanh RNN layers
//! (`ops::gru::cpu`, `ops::rnn::cpu`) against the LSTM's (`ops::lstm::cpu`) at the same sizes,
//! per step and per parameter.

use super::lstm_layer::tensor;
use super::ops::{gru, lstm, rnn};
pub use crate::classifier::Cell;
use crate::rng::Rng;
use burn::tensor::{Device, Tensor};
use std::time::Instant;

/// Trainable parameters of one layer of `cell` with PyTorch's two biases: `G·H·(E + H) + 2·G·H`.
pub fn parameters(cell: Cell, input: usize, hidden: usize) -> usize {
    cell.gates() * hidden * (input + hidden + 2)
}

/// The sizes of a layer step: `batch` sequences of `steps` inputs of width `input`, `hidden`
/// units.
#[derive(Clone, Copy, Debug)]
pub struct LayerSizes {
    pub batch: usize,
    pub steps: usize,
    pub input: usize,
    pub hidden: usize,
}

/// Seconds of each of `reps` training steps (after one warm-up step) of `cell`'s fused CPU
/// layer on random inputs, on a pool of `threads` threads: the layer forward, a loss
/// `Σ coef ⊙ h` and every gradient (the inputs', both weights', both biases', the start
/// state's).
pub fn time_layer_steps(
    cell: Cell,
    sizes: LayerSizes,
    threads: usize,
    reps: usize,
) -> Result<Vec<f64>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("{threads} threads: {e}"))?;
    Ok(pool.install(|| time_on_this_pool(cell, sizes, reps)))
}

fn time_on_this_pool(cell: Cell, sizes: LayerSizes, reps: usize) -> Vec<f64> {
    let LayerSizes {
        batch: b,
        steps: t,
        input: e,
        hidden: h,
    } = sizes;
    let device = Device::flex().autodiff();
    let mut rng = Rng::new(17);
    let width = cell.gates() * h;
    let bound = 1.0 / (h as f64).sqrt();
    let mut draw = |n: usize, uniform: bool| -> Vec<f32> {
        (0..n)
            .map(|_| match uniform {
                true => rng.uniform_range(-bound, bound) as f32,
                false => rng.normal() as f32,
            })
            .collect()
    };
    let x = tensor(draw(t * b * e, false), [t, b, e], &device);
    let w_ih = tensor(draw(width * e, true), [width, e], &device);
    let w_hh = tensor(draw(width * h, true), [width, h], &device);
    let b_ih = tensor(draw(width, true), [width], &device);
    let b_hh = tensor(draw(width, true), [width], &device);
    let h0 = tensor(vec![0.0; b * h], [b, h], &device);
    let coef = tensor(draw(t * b * h, false), [t, b, h], &device);
    let step = || {
        let leaf2 = |p: &Tensor<2>| p.clone().require_grad();
        let leaf1 = |p: &Tensor<1>| p.clone().require_grad();
        let x = x.clone().require_grad();
        let w = [leaf2(&w_ih), leaf2(&w_hh)];
        let bias = [leaf1(&b_ih), leaf1(&b_hh)];
        let out = match cell {
            Cell::Lstm => lstm::cpu::lstm_layer(x, w, bias, leaf2(&h0), leaf2(&h0)),
            Cell::Gru => gru::cpu::gru_layer(x, w, bias, leaf2(&h0)),
            Cell::Rnn => rnn::cpu::rnn_layer(x, w, bias, leaf2(&h0)),
        };
        // The Flex backend is eager: the gradients are computed when this returns.
        (out * coef.clone()).sum().backward();
    };
    step(); // warm-up: allocations
    (0..reps)
        .map(|_| {
            let start = Instant::now();
            step();
            start.elapsed().as_secs_f64()
        })
        .collect()
}
