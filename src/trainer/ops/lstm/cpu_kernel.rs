//! The CPU twin of the fused WGSL kernels: the whole LSTM layer — input projection and
//! recurrence — on the `gemm` crate and straight-line gate math, forward and backward, with no
//! tensor library in between (burn's glue is [`super::cpu`]).
//!
//! burn's reference path builds the layer from stock ops: per time step a matmul, four slices,
//! four activations, the cell update — each an allocation and an autodiff node, and twice that
//! backward. Here the layer is six GEMMs and two passes of gate math:
//!
//! ```text
//! forward:           A = X W_ihᵀ                                  (one GEMM, [T·B, E]·[E, 4H])
//!   step t:          a_t = A[t] + h_{t−1} W_hhᵀ + b               (one GEMM, [B, H]·[H, 4H])
//!                    i, f, o = σ(a_i, a_f, a_o)   g = tanh(a_g)
//!                    c_t = f ⊙ c_{t−1} + i ⊙ g    h_t = o ⊙ tanh(c_t)
//! backward, step t:  dh = ∂L/∂h_t + dh_carry      dc = dc_carry + dh ⊙ o ⊙ (1 − tanh² c_t)
//!                    da = [dc⊙g⊙i(1−i), dc⊙c_{t−1}⊙f(1−f), dc⊙i⊙(1−g²), dh⊙tanh c_t⊙o(1−o)]
//!                    dc_carry = dc ⊙ f            dh_carry = da W_hh   (one GEMM, [B, 4H]·[4H, H])
//!                    ∂b += Σ_rows da
//! after the loop:    ∂W_hh = Σ_t da_tᵀ h_{t−1}    ∂W_ih = daᵀ X    ∂X = da W_ih
//!                    (one GEMM each over all T·B rows)
//! ```
//!
//! `b` is `b_ih + b_hh` (PyTorch keeps two biases; both get `∂b`). It is added in the gate pass,
//! not by a pass of its own over the `[T, B, 4H]` buffer.
//!
//! The GEMM helpers, the split of the batch over threads and the activations are shared with
//! the GRU and the RNN ([`crate::trainer::ops::cpu_recurrence`]).

use super::cpu_gates::{BackwardStep, ForwardStep};
pub use crate::trainer::ops::cpu_recurrence::{Dims, Wanted, exp, sigmoid, tanh};
use crate::trainer::ops::cpu_recurrence::{
    Rows, SyncPtr, for_each_slice, input_grads, matmul, project_inputs, recurrent_weight_grad,
    slice_count, sum_parts, transposed,
};
use crate::trainer::ops::cpu_simd::{self, Simd};

/// The LSTM's four gates, i, f, g, o, of H rows each.
fn gates(dims: &Dims) -> usize {
    4 * dims.hidden
}

/// The layer's weights, borrowed, in PyTorch's layout.
#[derive(Clone, Copy, Debug)]
pub struct Weights<'a> {
    /// `[4H, E]`.
    pub w_ih: &'a [f32],
    /// `[4H, H]`.
    pub w_hh: &'a [f32],
    /// `[4H]`: `b_ih + b_hh`.
    pub bias: &'a [f32],
}

/// What the forward pass computes, all time-major and contiguous.
#[derive(Clone, Debug)]
pub struct Forward {
    /// `[T, B, H]`: every output.
    pub h_seq: Vec<f32>,
    /// `[T, B, H]`.
    pub c_seq: Vec<f32>,
    /// `[T, B, 4H]`: the activated gates i, f, g, o of every step.
    pub gates: Vec<f32>,
}

/// Everything the backward pass reads: the forward pass's inputs and what it kept.
#[derive(Clone, Copy, Debug)]
pub struct Trace<'a> {
    pub dims: Dims,
    /// `[T, B, E]`.
    pub x: &'a [f32],
    pub weights: Weights<'a>,
    /// `[B, H]`.
    pub h0: &'a [f32],
    /// `[B, H]`.
    pub c0: &'a [f32],
    /// [`Forward`]'s three buffers.
    pub h_seq: &'a [f32],
    pub c_seq: &'a [f32],
    pub gates: &'a [f32],
}

/// Gradients of the layer's inputs (`None`: not wanted).
#[derive(Debug)]
pub struct Grads {
    /// `[T, B, E]`.
    pub x: Option<Vec<f32>>,
    /// `[4H, E]`.
    pub w_ih: Option<Vec<f32>>,
    /// `[4H, H]`.
    pub w_hh: Option<Vec<f32>>,
    /// `[4H]`: the gradient of `b_ih` and of `b_hh` alike.
    pub bias: Vec<f32>,
    /// `[B, H]`.
    pub h0: Vec<f32>,
    /// `[B, H]`.
    pub c0: Vec<f32>,
}

/// The forward pass: `x` `[T, B, E]`, `h0`, `c0` `[B, H]`.
pub fn forward(x: &[f32], weights: Weights, h0: &[f32], c0: &[f32], dims: Dims) -> Forward {
    let Dims {
        steps,
        batch,
        input,
        hidden,
    } = dims;
    let g4 = gates(&dims);
    assert_eq!(x.len(), steps * batch * input, "x is [T, B, E]");
    assert_eq!(weights.w_ih.len(), g4 * input, "w_ih is [4H, E]");
    assert_eq!(weights.w_hh.len(), g4 * hidden, "w_hh is [4H, H]");
    assert_eq!(weights.bias.len(), g4, "the bias is [4H]");
    assert_eq!(h0.len(), batch * hidden, "h0 is [B, H]");
    assert_eq!(c0.len(), batch * hidden, "c0 is [B, H]");
    let rows = steps * batch;
    // The input half of every gate at every step: X W_ihᵀ.
    let mut gates = project_inputs(x, weights.w_ih, g4, dims);
    let w_hh_t = transposed(weights.w_hh, hidden);
    let mut h_seq = vec![0f32; rows * hidden];
    let mut c_seq = vec![0f32; rows * hidden];
    let simd = cpu_simd::current();
    {
        let out = Buffers {
            h_seq: SyncPtr(h_seq.as_mut_ptr()),
            c_seq: SyncPtr(c_seq.as_mut_ptr()),
            gates: SyncPtr(gates.as_mut_ptr()),
        };
        for_each_slice(batch, |_, rows| {
            // SAFETY: every slice of rows writes only its own rows of each buffer, at every
            // step; the buffers outlive this scope.
            unsafe { forward_rows(&out, &w_hh_t, weights.bias, [h0, c0], dims, rows, simd) }
        });
    }
    Forward {
        h_seq,
        c_seq,
        gates,
    }
}

/// The backward pass from `d_h_seq` `[T, B, H]`, the gradient of every output.
pub fn backward(trace: &Trace, d_h_seq: &[f32], wanted: Wanted) -> Grads {
    let Dims {
        steps,
        batch,
        hidden,
        ..
    } = trace.dims;
    let g4 = gates(&trace.dims);
    let rows = steps * batch;
    assert_eq!(d_h_seq.len(), rows * hidden, "d_h_seq is [T, B, H]");
    let mut d_gates = vec![0f32; rows * g4];
    let mut d_h0 = vec![0f32; batch * hidden];
    let mut d_c0 = vec![0f32; batch * hidden];
    let slices = slice_count(batch);
    let mut bias_parts = vec![0f32; slices * g4];
    let simd = cpu_simd::current();
    {
        let out = GradBuffers {
            d_gates: SyncPtr(d_gates.as_mut_ptr()),
            d_h0: SyncPtr(d_h0.as_mut_ptr()),
            d_c0: SyncPtr(d_c0.as_mut_ptr()),
            bias_parts: SyncPtr(bias_parts.as_mut_ptr()),
        };
        for_each_slice(batch, |index, rows| {
            // SAFETY: as in `forward`, each slice writes only its own rows, and its own part of
            // the bias sums.
            unsafe { backward_rows(&out, trace, d_h_seq, index, rows, simd) }
        });
    }
    let d_bias = sum_parts(&bias_parts, g4);
    let d_w_hh = wanted
        .w_hh
        .then(|| recurrent_weight_grad((&d_gates, g4, g4), trace.h0, trace.h_seq, trace.dims));
    let (d_x, d_w_ih) = input_grads(
        (&d_gates, g4, g4),
        trace.x,
        trace.weights.w_ih,
        trace.dims,
        wanted,
    );
    Grads {
        x: d_x,
        w_ih: d_w_ih,
        w_hh: d_w_hh,
        bias: d_bias,
        h0: d_h0,
        c0: d_c0,
    }
}

struct Buffers {
    h_seq: SyncPtr,
    c_seq: SyncPtr,
    gates: SyncPtr,
}

struct GradBuffers {
    d_gates: SyncPtr,
    d_h0: SyncPtr,
    d_c0: SyncPtr,
    /// `[slices, 4H]`: each slice's sum of its rows' `da`.
    bias_parts: SyncPtr,
}

/// The whole forward time loop for one slice of rows.
///
/// # Safety
/// `out`'s buffers have the sizes `forward` allocates, and no other thread touches these rows.
unsafe fn forward_rows(
    out: &Buffers,
    w_hh_t: &[f32],
    bias: &[f32],
    [h0, c0]: [&[f32]; 2],
    dims: Dims,
    rows: Rows,
    simd: Simd,
) {
    let Dims { batch, hidden, .. } = dims;
    let g4 = gates(&dims);
    let n = rows.len();
    if n == 0 {
        return;
    }
    for t in 0..dims.steps {
        // SAFETY (all four): in bounds by the sizes `forward` allocates; rows of this slice only.
        let gates = unsafe {
            std::slice::from_raw_parts_mut(out.gates.0.add((t * batch + rows.start) * g4), n * g4)
        };
        let h_prev = if t == 0 {
            h0[rows.start * hidden..].as_ptr()
        } else {
            unsafe { out.h_seq.0.add(((t - 1) * batch + rows.start) * hidden) }
        };
        // a_t += h_{t−1} W_hhᵀ.
        unsafe {
            matmul(
                [n, g4, hidden],
                (gates.as_mut_ptr(), g4, 1),
                true,
                (h_prev, hidden, 1),
                (w_hh_t.as_ptr(), g4, 1),
                gemm::Parallelism::None,
            );
        }
        let c_prev: &[f32] = if t == 0 {
            &c0[rows.start * hidden..rows.end * hidden]
        } else {
            unsafe {
                std::slice::from_raw_parts(
                    out.c_seq.0.add(((t - 1) * batch + rows.start) * hidden),
                    n * hidden,
                )
            }
        };
        let c = unsafe {
            std::slice::from_raw_parts_mut(
                out.c_seq.0.add((t * batch + rows.start) * hidden),
                n * hidden,
            )
        };
        let h = unsafe {
            std::slice::from_raw_parts_mut(
                out.h_seq.0.add((t * batch + rows.start) * hidden),
                n * hidden,
            )
        };
        ForwardStep {
            a: gates,
            bias,
            c_prev,
            c,
            h,
            hidden,
        }
        .run(simd);
    }
}

/// The whole backward time loop for one slice of rows (slice number `index`).
///
/// # Safety
/// `out`'s buffers have the sizes `backward` allocates, and no other thread touches these rows
/// or this slice's part of the bias sums.
unsafe fn backward_rows(
    out: &GradBuffers,
    trace: &Trace,
    d_h_seq: &[f32],
    index: usize,
    rows: Rows,
    simd: Simd,
) {
    let dims = trace.dims;
    let Dims { batch, hidden, .. } = dims;
    let g4 = gates(&dims);
    let n = rows.len();
    if n == 0 {
        return;
    }
    let mut dh_carry = vec![0f32; n * hidden];
    let mut dc_carry = vec![0f32; n * hidden];
    // SAFETY: this slice's own part.
    let d_bias = unsafe { std::slice::from_raw_parts_mut(out.bias_parts.0.add(index * g4), g4) };
    let own =
        |t: usize, width: usize| (t * batch + rows.start) * width..(t * batch + rows.end) * width;
    for t in (0..dims.steps).rev() {
        let gates = &trace.gates[own(t, g4)];
        let c = &trace.c_seq[own(t, hidden)];
        let c_prev = if t == 0 {
            &trace.c0[rows.start * hidden..rows.end * hidden]
        } else {
            &trace.c_seq[own(t - 1, hidden)]
        };
        // SAFETY: in bounds; rows of this slice only.
        let da = unsafe {
            std::slice::from_raw_parts_mut(out.d_gates.0.add((t * batch + rows.start) * g4), n * g4)
        };
        BackwardStep {
            gates,
            c,
            c_prev,
            d_out: &d_h_seq[own(t, hidden)],
            dh_carry: &dh_carry,
            dc_carry: &mut dc_carry,
            da: &mut *da,
            d_bias: &mut *d_bias,
            hidden,
        }
        .run(simd);
        // dh_carry = da W_hh: [n, 4H] · [4H, H].
        unsafe {
            matmul(
                [n, hidden, g4],
                (dh_carry.as_mut_ptr(), hidden, 1),
                false,
                (da.as_ptr(), g4, 1),
                (trace.weights.w_hh.as_ptr(), hidden, 1),
                gemm::Parallelism::None,
            );
        }
    }
    // After step 0 the carries are the gradients of the start state.
    let start = rows.start * hidden;
    unsafe {
        std::ptr::copy_nonoverlapping(dh_carry.as_ptr(), out.d_h0.0.add(start), n * hidden);
        std::ptr::copy_nonoverlapping(dc_carry.as_ptr(), out.d_c0.0.add(start), n * hidden);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::cell::CellGate;
    use crate::lstm::cell::tests::random_weights;
    use crate::rng::Rng;

    /// Forward outputs and every gradient on every vector path this CPU has
    /// ([`cpu_simd::Simd`]) against the f64 reference cell's own forward and backward pass
    /// (`lstm::cell`), sequence by sequence; and every path's bits the same (they run the same
    /// operations in the same order). B = 19 is cut into uneven slices when the test runs on
    /// several threads; H = 7 is shorter than any vector (a tail only), H = 37 has whole
    /// vectors of 16 and of 8 and a tail.
    #[test]
    fn forward_and_backward_match_the_reference_cell() {
        for hidden in [7, 37] {
            let paths: Vec<Simd> = Simd::ALL.into_iter().filter(|s| s.available()).collect();
            let outputs: Vec<Vec<Vec<f32>>> = paths
                .iter()
                .map(|&simd| cpu_simd::forced(simd, || matches_the_reference_cell(hidden)))
                .collect();
            for (simd, got) in paths.iter().zip(&outputs) {
                for (k, (a, b)) in got.iter().zip(&outputs[0]).enumerate() {
                    let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(
                        same,
                        "H = {hidden}: output {k} on {simd:?} differs from {:?}",
                        paths[0]
                    );
                }
            }
        }
    }

    /// The check at H = `hidden`; returns every output (h, c, gates and the gradients).
    fn matches_the_reference_cell(hidden: usize) -> Vec<Vec<f32>> {
        let (steps, batch, input) = (6, 19, 3);
        let weights = random_weights(input, hidden, 4);
        let mut rng = Rng::new(5);
        let mut draw = |n: usize, s: f64| (0..n).map(|_| rng.normal() * s).collect::<Vec<f64>>();
        let xs = draw(steps * batch * input, 1.0);
        let (h0, c0) = (draw(batch * hidden, 0.5), draw(batch * hidden, 0.5));
        let d_h_seq = draw(steps * batch * hidden, 1.0);
        let x_of = |t: usize, b: usize| xs[(t * batch + b) * input..][..input].to_vec();
        let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
        let dims = Dims {
            steps,
            batch,
            input,
            hidden,
        };
        let bias: Vec<f64> = (weights.bias_ih.iter().zip(&weights.bias_hh))
            .map(|(a, b)| a + b)
            .collect();
        let (w_ih, w_hh, bias) = (
            to32(&weights.weight_ih),
            to32(&weights.weight_hh),
            to32(&bias),
        );
        let layer = Weights {
            w_ih: &w_ih,
            w_hh: &w_hh,
            bias: &bias,
        };
        let (x, h0_32, c0_32) = (to32(&xs), to32(&h0), to32(&c0));
        let forward = forward(&x, layer, &h0_32, &c0_32, dims);
        let trace = Trace {
            dims,
            x: &x,
            weights: layer,
            h0: &h0_32,
            c0: &c0_32,
            h_seq: &forward.h_seq,
            c_seq: &forward.c_seq,
            gates: &forward.gates,
        };
        let grads = backward(&trace, &to32(&d_h_seq), Wanted::ALL);
        let close = |what: &str, got: f32, want: f64| {
            assert!(
                (got as f64 - want).abs() <= 2e-5 * (1.0 + want.abs()),
                "{what}: {got} vs {want}"
            )
        };
        let mut sums = [
            vec![0f64; weights.weight_ih.len()],
            vec![0f64; weights.weight_hh.len()],
            vec![0f64; weights.bias_ih.len()],
        ];
        let d_x = grads.x.as_ref().expect("asked for");
        for b in 0..batch {
            let row = |v: &[f64]| v[b * hidden..][..hidden].to_vec();
            let seq: Vec<Vec<f64>> = (0..steps).map(|t| x_of(t, b)).collect();
            let fwd = weights.forward(&seq, &row(&h0), &row(&c0), CellGate::Tanh);
            let dh: Vec<Vec<f64>> = (0..steps)
                .map(|t| d_h_seq[(t * batch + b) * hidden..][..hidden].to_vec())
                .collect();
            let want = weights.backward(&seq, &row(&h0), &row(&c0), &fwd, &dh, CellGate::Tanh);
            for t in 0..steps {
                for j in 0..hidden {
                    let at = (t * batch + b) * hidden + j;
                    close("h", forward.h_seq[at], fwd[t].h[j]);
                    close("c", forward.c_seq[at], fwd[t].c[j]);
                }
                for e in 0..input {
                    close("dx", d_x[(t * batch + b) * input + e], want.x[t][e]);
                }
            }
            for j in 0..hidden {
                close("dh0", grads.h0[b * hidden + j], want.h0[j]);
                close("dc0", grads.c0[b * hidden + j], want.c0[j]);
            }
            assert_eq!(want.bias_ih, want.bias_hh, "one bias gradient for both");
            for (sum, part) in
                sums.iter_mut()
                    .zip([&want.weight_ih, &want.weight_hh, &want.bias_ih])
            {
                for (acc, w) in sum.iter_mut().zip(part) {
                    *acc += w;
                }
            }
        }
        let got = [
            grads.w_ih.as_ref().expect("asked for"),
            grads.w_hh.as_ref().expect("asked for"),
            &grads.bias,
        ];
        for ((name, got), want) in ["dW_ih", "dW_hh", "db"].iter().zip(got).zip(&sums) {
            assert_eq!(got.len(), want.len(), "{name}");
            for (g, w) in got.iter().zip(want) {
                close(name, *g, *w);
            }
        }
        let none = Wanted {
            x: false,
            w_ih: false,
            w_hh: false,
        };
        let skipped = backward(&trace, &to32(&d_h_seq), none);
        assert!(skipped.x.is_none() && skipped.w_ih.is_none() && skipped.w_hh.is_none());
        assert_eq!(
            skipped.bias, grads.bias,
            "the bias and start-state gradients stay"
        );
        let Grads {
            x,
            w_ih,
            w_hh,
            bias,
            h0,
            c0,
        } = grads;
        let [x, w_ih, w_hh] = [x, w_ih, w_hh].map(|g| g.expect("asked for"));
        let Forward {
            h_seq,
            c_seq,
            gates,
        } = forward;
        vec![h_seq, c_seq, gates, x, w_ih, w_hh, bias, h0, c0]
    }

    /// One step, one sequence: no GEMM may read past the single step (T = 1 skips the
    /// later-steps part of ∂W_hh), and a batch smaller than the slices leaves slices empty.
    #[test]
    fn one_step_and_tiny_batches() {
        for (steps, batch) in [(1, 1), (1, 3), (4, 1)] {
            let (input, hidden) = (2, 3);
            let dims = Dims {
                steps,
                batch,
                input,
                hidden,
            };
            let w_ih = vec![0.1; 4 * hidden * input];
            let w_hh = vec![-0.2; 4 * hidden * hidden];
            let bias = vec![0.05; 4 * hidden];
            let layer = Weights {
                w_ih: &w_ih,
                w_hh: &w_hh,
                bias: &bias,
            };
            let x = vec![1.0; steps * batch * input];
            let zeros = vec![0.0; batch * hidden];
            let forward = forward(&x, layer, &zeros, &zeros, dims);
            let trace = Trace {
                dims,
                x: &x,
                weights: layer,
                h0: &zeros,
                c0: &zeros,
                h_seq: &forward.h_seq,
                c_seq: &forward.c_seq,
                gates: &forward.gates,
            };
            let grads = backward(&trace, &vec![1.0; steps * batch * hidden], Wanted::ALL);
            for v in [
                &forward.h_seq,
                grads.x.as_ref().unwrap(),
                grads.w_hh.as_ref().unwrap(),
            ] {
                assert!(v.iter().all(|x| x.is_finite()));
            }
            // Every row of a batch sees the same input, so within a step every row's output is
            // the same.
            for step in forward.h_seq.chunks(batch * hidden) {
                assert!(step.chunks(hidden).all(|r| r == &step[..hidden]));
            }
        }
    }
}
