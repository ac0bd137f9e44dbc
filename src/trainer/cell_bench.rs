//! One training step (forward and backward) of one recurrent layer alone, on the fused CPU
//! path, timed: what `lstm-lab bench cells` measures — the GRU and the tanh RNN layers
//! (`ops::gru::cpu`, `ops::rnn::cpu`) against the LSTM's (`ops::lstm::cpu`) at the same sizes,
//! per step and per parameter.

use super::lstm_layer::tensor;
use super::ops::{gru, lstm, rnn};
pub use crate::classifier::Cell;
use crate::rng::Rng;
use burn::tensor::{Device, Tensor};

/// Trainable parameters of one layer of `cell` with PyTorch's two biases: `G·H·(E + H) + 2·G·H`.
pub fn parameters(cell: Cell, input: usize, hidden: usize) -> usize {
    cell.gates() * hidden * (input + hidden + 2)
}

/// The sizes of a layer step (the kernels' own [`Dims`]): `batch` sequences of `steps` inputs
/// of width `input`, `hidden` units.
pub use super::ops::cpu_recurrence::Dims as LayerSizes;

/// How a layer step is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// As the trainer calls it: the layer as one burn autodiff op on the CPU backend, a loss
    /// `Σ coef ⊙ h`, `backward()`.
    Burn,
    /// The fused kernels alone on plain buffers: the same forward and backward, the loss's
    /// gradient (`coef`) handed to the backward pass — without burn's graph, its loss ops on
    /// `[T, B, H]` and its gradient tensors, which cost the same for every cell and so weigh
    /// most, per parameter, on the smallest.
    Kernels,
}

/// Seconds of each of `reps` training steps (after one warm-up step) of `cell`'s fused CPU
/// layer on random inputs, called by `route`, on a pool of `threads` threads: the layer
/// forward and every gradient (the inputs', both weights', both biases', the start state's).
/// `clock` reads seconds: the wall's, or the process's CPU time (every thread's).
pub fn time_layer_steps(
    cell: Cell,
    route: Route,
    sizes: LayerSizes,
    threads: usize,
    reps: usize,
    clock: fn() -> f64,
) -> Result<Vec<f64>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("{threads} threads: {e}"))?;
    Ok(pool.install(|| match route {
        Route::Burn => time_on_this_pool(cell, sizes, reps, clock),
        Route::Kernels => time_kernels_on_this_pool(cell, sizes, reps, clock),
    }))
}

/// Random inputs of a layer step: `x`, `w_ih`, `w_hh`, `b_ih`, `b_hh`, `h0` (zeros), `coef`.
fn inputs(cell: Cell, sizes: LayerSizes) -> [Vec<f32>; 7] {
    let (t, b, e, h) = (sizes.steps, sizes.batch, sizes.input, sizes.hidden);
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
    [
        draw(t * b * e, false),
        draw(width * e, true),
        draw(width * h, true),
        draw(width, true),
        draw(width, true),
        vec![0.0; b * h],
        draw(t * b * h, false),
    ]
}

fn time_kernels_on_this_pool(
    cell: Cell,
    sizes: LayerSizes,
    reps: usize,
    clock: fn() -> f64,
) -> Vec<f64> {
    use super::ops::cpu_recurrence::{CellKernel, CellTrace, CellWeights, Dims, Wanted};
    let [x, w_ih, w_hh, b_ih, b_hh, h0, coef] = inputs(cell, sizes);
    let dims = sizes;
    fn cell_step<K: CellKernel>(
        weights: CellWeights,
        x: &[f32],
        h0: &[f32],
        coef: &[f32],
        dims: Dims,
    ) {
        let (h_seq, saved) = K::forward(x, weights, h0, dims);
        let trace = CellTrace {
            dims,
            x,
            weights,
            h0,
            h_seq: &h_seq,
            saved: &saved,
        };
        std::hint::black_box(K::backward(&trace, coef, Wanted::ALL));
    }
    let weights = CellWeights {
        w_ih: &w_ih,
        w_hh: &w_hh,
        b_ih: &b_ih,
        b_hh: &b_hh,
    };
    let bias: Vec<f32> = b_ih.iter().zip(&b_hh).map(|(a, b)| a + b).collect();
    let step = || match cell {
        Cell::Lstm => {
            use super::ops::lstm::cpu_kernel::{Trace, Weights, backward, forward};
            let weights = Weights {
                w_ih: &w_ih,
                w_hh: &w_hh,
                bias: &bias,
            };
            let out = forward(&x, weights, &h0, &h0, dims);
            let trace = Trace {
                dims,
                x: &x,
                weights,
                h0: &h0,
                c0: &h0,
                h_seq: &out.h_seq,
                c_seq: &out.c_seq,
                gates: &out.gates,
            };
            std::hint::black_box(backward(&trace, &coef, Wanted::ALL));
        }
        Cell::Gru => cell_step::<gru::cpu_kernel::Gru>(weights, &x, &h0, &coef, dims),
        Cell::Rnn => cell_step::<rnn::cpu_kernel::Rnn>(weights, &x, &h0, &coef, dims),
    };
    timed(reps, step, clock)
}

fn time_on_this_pool(cell: Cell, sizes: LayerSizes, reps: usize, clock: fn() -> f64) -> Vec<f64> {
    let (t, b, e, h) = (sizes.steps, sizes.batch, sizes.input, sizes.hidden);
    let device = Device::flex().autodiff();
    let [x, w_ih, w_hh, b_ih, b_hh, h0, coef] = inputs(cell, sizes);
    let width = cell.gates() * h;
    let x = tensor(x, [t, b, e], &device);
    let w_ih = tensor(w_ih, [width, e], &device);
    let w_hh = tensor(w_hh, [width, h], &device);
    let b_ih = tensor(b_ih, [width], &device);
    let b_hh = tensor(b_hh, [width], &device);
    let h0 = tensor(h0, [b, h], &device);
    let coef = tensor(coef, [t, b, h], &device);
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
    timed(reps, step, clock)
}

/// Seconds of each of `reps` calls of `step` by `clock`, after one more to warm up
/// (allocations).
fn timed(reps: usize, step: impl Fn(), clock: fn() -> f64) -> Vec<f64> {
    step();
    (0..reps)
        .map(|_| {
            let start = clock();
            step();
            clock() - start
        })
        .collect()
}
