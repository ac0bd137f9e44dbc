//! The whole tanh RNN layer — input projection and recurrence — on the `gemm` crate, forward
//! and backward, as the LSTM's [`crate::trainer::ops::lstm::cpu_kernel`] (the shared parts:
//! [`crate::trainer::ops::cpu_recurrence`]; burn's glue: [`super::cpu`]).
//!
//! ```text
//! forward:           A = X W_ihᵀ                          (one GEMM, [T·B, E]·[E, H])
//!   step t:          h_t = tanh(A_t + h_{t−1} W_hhᵀ + b)  (one GEMM, [B, H]·[H, H]; in place in A)
//! backward, step t:  da = (∂L/∂h_t + dh_carry) ⊙ (1 − h_t²)
//!                    dh_carry = da W_hh                   (one GEMM, [B, H]·[H, H])
//! after the loop:    ∂W_hh = Σ_t da_tᵀ h_{t−1}    ∂W_ih = daᵀ X    ∂X = da W_ih
//! ```
//!
//! `b` is `b_ih + b_hh`; both get `∂b = Σ da`. The outputs are all the backward pass needs.

use crate::trainer::ops::cpu_recurrence::{
    CellGrads, CellKernel, CellTrace, CellWeights, Dims, Rows, SyncPtr, Wanted, assert_sizes,
    for_each_slice, input_grads, matmul, own, project_inputs, recurrent_weight_grad, rows_mut,
    slice_count, sum_parts, transposed,
};
use crate::trainer::ops::cpu_simd::{self, BiasTanh, Simd};

/// The tanh RNN, for [`crate::trainer::ops::cpu_cell`].
#[derive(Clone, Copy, Debug)]
pub struct Rnn;

impl CellKernel for Rnn {
    const GATES: usize = 1;
    type Saved = ();

    fn forward(x: &[f32], weights: CellWeights, h0: &[f32], dims: Dims) -> (Vec<f32>, ()) {
        (forward(x, weights, h0, dims), ())
    }

    fn backward(trace: &CellTrace<()>, d_h_seq: &[f32], wanted: Wanted) -> CellGrads {
        backward(trace, d_h_seq, wanted)
    }
}

/// The forward pass: every output `[T, B, H]` of `x` `[T, B, E]` from `h0` `[B, H]`.
pub fn forward(x: &[f32], weights: CellWeights, h0: &[f32], dims: Dims) -> Vec<f32> {
    assert_sizes(x, weights, h0, dims, 1);
    let hidden = dims.hidden;
    // A, turned into the outputs step by step.
    let mut h_seq = project_inputs(x, weights.w_ih, hidden, dims);
    let w_hh_t = transposed(weights.w_hh, hidden);
    let bias: Vec<f32> = weights
        .b_ih
        .iter()
        .zip(weights.b_hh)
        .map(|(a, b)| a + b)
        .collect();
    {
        let out = SyncPtr(h_seq.as_mut_ptr());
        let simd = cpu_simd::current();
        for_each_slice(dims.batch, |_, rows| {
            // SAFETY: every slice of rows writes only its own rows, at every step; the buffer
            // outlives this scope.
            unsafe { forward_rows(out, &w_hh_t, &bias, h0, dims, rows, simd) }
        });
    }
    h_seq
}

/// The whole forward time loop for one slice of rows.
///
/// # Safety
/// `out` has the size `forward` allocates, and no other thread touches these rows.
unsafe fn forward_rows(
    out: SyncPtr,
    w_hh_t: &[f32],
    bias: &[f32],
    h0: &[f32],
    dims: Dims,
    rows: Rows,
    simd: Simd,
) {
    let Dims { batch, hidden, .. } = dims;
    let n = rows.len();
    if n == 0 {
        return;
    }
    for t in 0..dims.steps {
        // SAFETY (all three): in bounds; rows of this slice only; step t − 1's rows are not
        // written at step t.
        let h_prev: &[f32] = match t {
            0 => &h0[rows.start * hidden..rows.end * hidden],
            _ => unsafe { rows_mut(out, own(t - 1, batch, rows, hidden)) },
        };
        let a = unsafe { rows_mut(out, own(t, batch, rows, hidden)) };
        // A_t += h_{t−1} W_hhᵀ.
        unsafe {
            matmul(
                [n, hidden, hidden],
                (a.as_mut_ptr(), hidden, 1),
                true,
                (h_prev.as_ptr(), hidden, 1),
                (w_hh_t.as_ptr(), hidden, 1),
                gemm::Parallelism::None,
            );
        }
        cpu_simd::run(simd, BiasTanh { a, bias });
    }
}

/// The backward pass from `d_h_seq` `[T, B, H]`, the gradient of every output.
pub fn backward(trace: &CellTrace<()>, d_h_seq: &[f32], wanted: Wanted) -> CellGrads {
    let dims = trace.dims;
    let Dims {
        steps,
        batch,
        hidden,
        ..
    } = dims;
    let rows = steps * batch;
    assert_eq!(d_h_seq.len(), rows * hidden, "d_h_seq is [T, B, H]");
    let mut d_a = vec![0f32; rows * hidden];
    let mut d_h0 = vec![0f32; batch * hidden];
    let mut parts = vec![0f32; slice_count(batch) * hidden];
    {
        let out = [d_a.as_mut_ptr(), d_h0.as_mut_ptr(), parts.as_mut_ptr()].map(SyncPtr);
        for_each_slice(batch, |index, rows| {
            // SAFETY: as in `forward`, each slice writes only its own rows, and its own part of
            // the bias sums.
            unsafe { backward_rows(out, trace, d_h_seq, index, rows) }
        });
    }
    let bias = sum_parts(&parts, hidden);
    let w_hh = wanted
        .w_hh
        .then(|| recurrent_weight_grad((&d_a, hidden, hidden), trace.h0, trace.h_seq, dims));
    let (x, w_ih) = input_grads(
        (&d_a, hidden, hidden),
        trace.x,
        trace.weights.w_ih,
        dims,
        wanted,
    );
    CellGrads {
        x,
        w_ih,
        w_hh,
        b_ih: bias.clone(),
        b_hh: bias,
        h0: d_h0,
    }
}

/// The whole backward time loop for one slice of rows (slice number `index`); `out`: `da`,
/// `∂h0`, the bias parts.
///
/// # Safety
/// `out`'s buffers have the sizes `backward` allocates, and no other thread touches these rows
/// or this slice's part of the bias sums.
unsafe fn backward_rows(
    [d_a, d_h0, parts]: [SyncPtr; 3],
    trace: &CellTrace<()>,
    d_h_seq: &[f32],
    index: usize,
    rows: Rows,
) {
    let Dims { batch, hidden, .. } = trace.dims;
    let n = rows.len();
    if n == 0 {
        return;
    }
    let mut carry = vec![0f32; n * hidden];
    // SAFETY: this slice's own part.
    let sum = unsafe { rows_mut(parts, index * hidden..(index + 1) * hidden) };
    for t in (0..trace.dims.steps).rev() {
        let range = own(t, batch, rows, hidden);
        let h = &trace.h_seq[range.clone()];
        let d_out = &d_h_seq[range.clone()];
        // SAFETY: in bounds; rows of this slice only.
        let da = unsafe { rows_mut(d_a, range) };
        for (((d, &h), &g), &c) in da.iter_mut().zip(h).zip(d_out).zip(&carry) {
            *d = (g + c) * (1.0 - h * h);
        }
        for row in da.chunks_exact(hidden) {
            for (s, d) in sum.iter_mut().zip(row) {
                *s += d;
            }
        }
        // dh_carry = da W_hh: [n, H] · [H, H].
        unsafe {
            matmul(
                [n, hidden, hidden],
                (carry.as_mut_ptr(), hidden, 1),
                false,
                (da.as_ptr(), hidden, 1),
                (trace.weights.w_hh.as_ptr(), hidden, 1),
                gemm::Parallelism::None,
            );
        }
    }
    // After step 0 the carry is the gradient of the start state.
    let start = rows.start * hidden;
    unsafe { std::ptr::copy_nonoverlapping(carry.as_ptr(), d_h0.0.add(start), n * hidden) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trainer::ops::cpu_recurrence::testing::{Inputs, SHAPES, WIDE, check, dot_row};

    /// PyTorch's tanh RNN in float64, written out from its equation, one sequence at a time.
    fn rnn64([x, w_ih, w_hh, b_ih, b_hh, h0]: &Inputs, dims: Dims) -> Vec<f64> {
        let Dims {
            steps,
            batch,
            input,
            hidden,
        } = dims;
        let mut out = vec![0f64; steps * batch * hidden];
        for b in 0..batch {
            let mut h = h0[b * hidden..(b + 1) * hidden].to_vec();
            for t in 0..steps {
                let xt = &x[(t * batch + b) * input..][..input];
                h = (0..hidden)
                    .map(|j| {
                        (b_ih[j] + dot_row(w_ih, j, xt) + b_hh[j] + dot_row(w_hh, j, &h)).tanh()
                    })
                    .collect();
                out[(t * batch + b) * hidden..][..hidden].copy_from_slice(&h);
            }
        }
        out
    }

    #[test]
    /// On every vector path this CPU has (the forward's tanh; the backward has none).
    fn forward_and_every_gradient_match_a_float64_rnn() {
        for simd in Simd::ALL.into_iter().filter(|s| s.available()) {
            for (i, dims) in SHAPES.into_iter().chain([WIDE]).enumerate() {
                cpu_simd::forced(simd, || check::<Rnn>(rnn64, dims, 50 + i as u64));
            }
        }
    }
}
