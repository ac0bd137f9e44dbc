//! The whole GRU layer — input projection and recurrence — on the `gemm` crate and
//! straight-line gate math, forward and backward, as the LSTM's [`crate::trainer::ops::lstm::cpu_kernel`]
//! (the shared parts: [`crate::trainer::ops::cpu_recurrence`]; burn's glue: [`super::cpu`]).
//!
//! ```text
//! forward:           A = X W_ihᵀ                                  (one GEMM, [T·B, E]·[E, 3H])
//!   step t:          P = h_{t−1} W_hhᵀ                            (one GEMM, [B, H]·[H, 3H])
//!                    r = σ(A_r + P_r + b_r)    z = σ(A_z + P_z + b_z)     (b_r, b_z: both summed)
//!                    q = P_n + b_hn            n = tanh(A_n + b_in + r ⊙ q)
//!                    h_t = n + z ⊙ (h_{t−1} − n)
//! backward, step t:  dh = ∂L/∂h_t + dh_carry
//!                    dn = dh ⊙ (1 − z) ⊙ (1 − n²)     dz = dh ⊙ (h_{t−1} − n) ⊙ z(1 − z)
//!                    dr = dn ⊙ q ⊙ r(1 − r)
//!                    recurrent side: dp = [dr, dz, dn ⊙ r]    (→ ∂W_hh, ∂b_hh)
//!                    input side:     da = [dr, dz, dn]        (→ ∂W_ih, ∂X, ∂b_ih)
//!                    both kept in one row [dn ⊙ r, dr, dz, dn]  (grads, [T, B, 4H])
//!                    dh_carry = dh ⊙ z + dp W_hh              (one GEMM, [B, 3H]·[3H, H])
//! after the loop:    ∂W_hh = Σ_t dp_tᵀ h_{t−1}    ∂W_ih = daᵀ X    ∂X = da W_ih
//! ```
//!
//! The two sides share their r and z blocks, so one row `[dn ⊙ r, dr, dz, dn]` holds both
//! whole: the recurrent side is its first 3H columns (in the gate order n, r, z: the step's
//! GEMM reads `W_hh`'s rows in that order from a copy, and ∂W_hh's rows are put back), the
//! input side its last 3H (r, z, n, `W_ih`'s order). Each step's pass writes `4H` gradients
//! per row, not the `6H` of two separate sides, and every GEMM is one call over one strided
//! view, as the LSTM's. (Measured: keeping the recurrent side whole and the input side's n
//! block apart cost the GRU's weight and input gradients two GEMMs each, which packed `X`
//! twice; the GRU's GEMMs then took ≈ 7 % more per parameter than the LSTM's.)
//!
//! `b_hn` stays inside the reset gate's product (PyTorch's form), so the two sides' gradients
//! differ in their n block: `∂b_in = Σ dn`, `∂b_hn = Σ dn ⊙ r`; the r and z blocks of both biases
//! get the same gradient.

use super::cpu_gates::{BackwardStep, ForwardStep};
use crate::trainer::ops::cpu_recurrence::{
    CellGrads, CellKernel, CellTrace, CellWeights, Dims, Rows, SyncPtr, Wanted, assert_sizes,
    for_each_slice, input_grads, matmul, own, project_inputs, recurrent_weight_grad, rows_mut,
    slice_count, sum_parts, transposed,
};
use crate::trainer::ops::cpu_simd::{self, Simd};

/// The GRU, for [`crate::trainer::ops::cpu_cell`].
#[derive(Clone, Copy, Debug)]
pub struct Gru;

/// What the forward pass keeps for the backward one.
#[derive(Clone, Debug)]
pub struct Saved {
    /// `[T, B, 3H]`: the activated r, z, n of every step.
    pub gates: Vec<f32>,
    /// `[T, B, H]`: `q = W_hn h_{t−1} + b_hn` of every step.
    pub q: Vec<f32>,
}

impl CellKernel for Gru {
    const GATES: usize = 3;
    type Saved = Saved;

    fn forward(x: &[f32], weights: CellWeights, h0: &[f32], dims: Dims) -> (Vec<f32>, Saved) {
        forward(x, weights, h0, dims)
    }

    fn backward(trace: &CellTrace<Saved>, d_h_seq: &[f32], wanted: Wanted) -> CellGrads {
        backward(trace, d_h_seq, wanted)
    }
}

/// The forward pass: every output `[T, B, H]` of `x` `[T, B, E]` from `h0` `[B, H]`.
pub fn forward(x: &[f32], weights: CellWeights, h0: &[f32], dims: Dims) -> (Vec<f32>, Saved) {
    assert_sizes(x, weights, h0, dims, 3);
    let Dims {
        steps,
        batch,
        hidden,
        ..
    } = dims;
    let g3 = 3 * hidden;
    let rows = steps * batch;
    let mut gates = project_inputs(x, weights.w_ih, g3, dims);
    let w_hh_t = transposed(weights.w_hh, hidden);
    // r and z: both biases summed; n: b_in here, b_hn inside the reset gate's product.
    let mut bias = weights.b_ih.to_vec();
    for (b, h) in bias[..2 * hidden].iter_mut().zip(weights.b_hh) {
        *b += h;
    }
    let b_hn = &weights.b_hh[2 * hidden..];
    let mut h_seq = vec![0f32; rows * hidden];
    let mut q = vec![0f32; rows * hidden];
    let simd = cpu_simd::current();
    {
        let out = [h_seq.as_mut_ptr(), q.as_mut_ptr(), gates.as_mut_ptr()].map(SyncPtr);
        for_each_slice(batch, |_, rows| {
            // SAFETY: every slice of rows writes only its own rows of each buffer, at every
            // step; the buffers outlive this scope.
            unsafe { forward_rows(out, &w_hh_t, [&bias, b_hn], h0, dims, rows, simd) }
        });
    }
    (h_seq, Saved { gates, q })
}

/// The whole forward time loop for one slice of rows; `out`: `h_seq`, `q`, `gates`.
///
/// # Safety
/// `out`'s buffers have the sizes `forward` allocates, and no other thread touches these rows.
unsafe fn forward_rows(
    [h_out, q_out, gates_out]: [SyncPtr; 3],
    w_hh_t: &[f32],
    [bias, b_hn]: [&[f32]; 2],
    h0: &[f32],
    dims: Dims,
    rows: Rows,
    simd: Simd,
) {
    let Dims { batch, hidden, .. } = dims;
    let g3 = 3 * hidden;
    let n = rows.len();
    if n == 0 {
        return;
    }
    let mut p = vec![0f32; n * g3];
    for t in 0..dims.steps {
        // SAFETY (all four): in bounds by the sizes `forward` allocates; rows of this slice
        // only; step t − 1's rows are not written at step t.
        let h_prev: &[f32] = match t {
            0 => &h0[rows.start * hidden..rows.end * hidden],
            _ => unsafe { rows_mut(h_out, own(t - 1, batch, rows, hidden)) },
        };
        // P = h_{t−1} W_hhᵀ.
        unsafe {
            matmul(
                [n, g3, hidden],
                (p.as_mut_ptr(), g3, 1),
                false,
                (h_prev.as_ptr(), hidden, 1),
                (w_hh_t.as_ptr(), g3, 1),
                gemm::Parallelism::None,
            );
        }
        let gates = unsafe { rows_mut(gates_out, own(t, batch, rows, g3)) };
        let q = unsafe { rows_mut(q_out, own(t, batch, rows, hidden)) };
        let h = unsafe { rows_mut(h_out, own(t, batch, rows, hidden)) };
        ForwardStep {
            a: gates,
            p: &p,
            bias,
            b_hn,
            h_prev,
            q,
            h,
            hidden,
        }
        .run(simd);
    }
}

/// The backward pass from `d_h_seq` `[T, B, H]`, the gradient of every output.
pub fn backward(trace: &CellTrace<Saved>, d_h_seq: &[f32], wanted: Wanted) -> CellGrads {
    let dims = trace.dims;
    let Dims {
        steps,
        batch,
        hidden,
        ..
    } = dims;
    let g3 = 3 * hidden;
    let rows = steps * batch;
    assert_eq!(d_h_seq.len(), rows * hidden, "d_h_seq is [T, B, H]");
    let g4 = 4 * hidden;
    // Every row's [dn ⊙ r, dr, dz, dn]: the recurrent side (n, r, z) is columns 0..3H, the
    // input side (r, z, n) columns H..4H.
    let mut grads = vec![0f32; rows * g4];
    let mut d_h0 = vec![0f32; batch * hidden];
    // Per slice: Σ grads over its rows.
    let mut parts = vec![0f32; slice_count(batch) * g4];
    // W_hh's rows in the recurrent side's order: r, z, n → n, r, z (one block of H rows moved
    // round; the gradients below are moved back the same way).
    let mut w_hh_nrz = trace.weights.w_hh.to_vec();
    w_hh_nrz.rotate_right(hidden * hidden);
    {
        let out = [grads.as_mut_ptr(), d_h0.as_mut_ptr(), parts.as_mut_ptr()].map(SyncPtr);
        let simd = cpu_simd::current();
        for_each_slice(batch, |index, rows| {
            // SAFETY: as in `forward`, each slice writes only its own rows, and its own part of
            // the bias sums.
            unsafe { backward_rows(out, trace, &w_hh_nrz, d_h_seq, index, rows, simd) }
        });
    }
    let sums = sum_parts(&parts, g4);
    let b_ih = sums[hidden..].to_vec();
    // The recurrent side's (n, r, z → r, z, n).
    let mut b_hh = sums[..g3].to_vec();
    b_hh.rotate_left(hidden);
    let w_hh = wanted.w_hh.then(|| {
        let mut w = recurrent_weight_grad((&grads, g3, g4), trace.h0, trace.h_seq, dims);
        w.rotate_left(hidden * hidden);
        w
    });
    let da = (&grads[hidden..], g3, g4);
    let (x, w_ih) = input_grads(da, trace.x, trace.weights.w_ih, dims, wanted);
    CellGrads {
        x,
        w_ih,
        w_hh,
        b_ih,
        b_hh,
        h0: d_h0,
    }
}

/// The whole backward time loop for one slice of rows (slice number `index`); `out`: the
/// gradients `[T, B, 4H]`, `∂h0`, the bias parts; `w_hh_nrz`: `W_hh`'s rows in the order n, r, z.
///
/// # Safety
/// `out`'s buffers have the sizes `backward` allocates, and no other thread touches these rows
/// or this slice's part of the bias sums.
unsafe fn backward_rows(
    [grads_out, d_h0, parts]: [SyncPtr; 3],
    trace: &CellTrace<Saved>,
    w_hh_nrz: &[f32],
    d_h_seq: &[f32],
    index: usize,
    rows: Rows,
    simd: Simd,
) {
    let Dims { batch, hidden, .. } = trace.dims;
    let g3 = 3 * hidden;
    let n = rows.len();
    if n == 0 {
        return;
    }
    let g4 = 4 * hidden;
    let mut carry = vec![0f32; n * hidden];
    // SAFETY: this slice's own part.
    let sums = unsafe { rows_mut(parts, index * g4..(index + 1) * g4) };
    for t in (0..trace.dims.steps).rev() {
        let gates = &trace.saved.gates[own(t, batch, rows, g3)];
        let q = &trace.saved.q[own(t, batch, rows, hidden)];
        let h_prev = match t {
            0 => &trace.h0[rows.start * hidden..rows.end * hidden],
            _ => &trace.h_seq[own(t - 1, batch, rows, hidden)],
        };
        let d_out = &d_h_seq[own(t, batch, rows, hidden)];
        // SAFETY: in bounds; rows of this slice only.
        let grads = unsafe { rows_mut(grads_out, own(t, batch, rows, g4)) };
        BackwardStep {
            gates,
            q,
            h_prev,
            d_out,
            carry: &mut carry,
            grads: &mut *grads,
            sums: &mut *sums,
            hidden,
        }
        .run(simd);
        // dh_carry = dh ⊙ z (left by `BackwardStep`) + dp W_hh: [n, 3H] · [3H, H], dp the
        // first 3H columns of the rows (n, r, z), against W_hh's rows in that order.
        unsafe {
            matmul(
                [n, hidden, g3],
                (carry.as_mut_ptr(), hidden, 1),
                true,
                (grads.as_ptr(), g4, 1),
                (w_hh_nrz.as_ptr(), hidden, 1),
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

    /// PyTorch's GRU in float64, written out from its equations, one sequence at a time.
    fn gru64([x, w_ih, w_hh, b_ih, b_hh, h0]: &Inputs, dims: Dims) -> Vec<f64> {
        let Dims {
            steps,
            batch,
            input,
            hidden,
        } = dims;
        let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
        let mut out = vec![0f64; steps * batch * hidden];
        for b in 0..batch {
            let mut h = h0[b * hidden..(b + 1) * hidden].to_vec();
            for t in 0..steps {
                let xt = &x[(t * batch + b) * input..][..input];
                let gi = |k: usize| b_ih[k] + dot_row(w_ih, k, xt);
                let gh = |k: usize| b_hh[k] + dot_row(w_hh, k, &h);
                let next: Vec<f64> = (0..hidden)
                    .map(|j| {
                        let r = sigmoid(gi(j) + gh(j));
                        let z = sigmoid(gi(hidden + j) + gh(hidden + j));
                        let n = (gi(2 * hidden + j) + r * gh(2 * hidden + j)).tanh();
                        (1.0 - z) * n + z * h[j]
                    })
                    .collect();
                h = next;
                out[(t * batch + b) * hidden..][..hidden].copy_from_slice(&h);
            }
        }
        out
    }

    /// On every vector path this CPU has; `WIDE` has whole vectors of 16 and 8 and a tail.
    #[test]
    fn forward_and_every_gradient_match_a_float64_gru() {
        for simd in Simd::ALL.into_iter().filter(|s| s.available()) {
            for (i, dims) in SHAPES.into_iter().chain([WIDE]).enumerate() {
                cpu_simd::forced(simd, || check::<Gru>(gru64, dims, 40 + i as u64));
            }
        }
    }
}
