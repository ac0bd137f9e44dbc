//! The CPU twin of the fused WGSL kernels: the LSTM recurrence on burn's CPU backend (Flex) as
//! one autodiff op with its own backward, on the `gemm` crate and straight-line gate math.
//!
//! burn's reference path builds the recurrence from stock ops: per time step a matmul, four
//! slices, four activations, the cell update — each an allocation and an autodiff node, and
//! twice that backward. Here a step is one 4-gate GEMM into the step's gate buffer plus one pass
//! over it:
//!
//! ```text
//! forward, step t:   a_t = x_proj[t] + h_{t−1} W_hhᵀ               (one GEMM, [B, H]·[H, 4H])
//!                    i, f, o = σ(a_i, a_f, a_o)   g = tanh(a_g)
//!                    c_t = f ⊙ c_{t−1} + i ⊙ g    h_t = o ⊙ tanh(c_t)
//! backward, step t:  dh = ∂L/∂h_t + dh_carry      dc = dc_carry + dh ⊙ o ⊙ (1 − tanh² c_t)
//!                    da = [dc⊙g⊙i(1−i), dc⊙c_{t−1}⊙f(1−f), dc⊙i⊙(1−g²), dh⊙tanh c_t⊙o(1−o)]
//!                    dc_carry = dc ⊙ f            dh_carry = da W_hh   (one GEMM, [B, 4H]·[4H, H])
//! after the loop:    ∂W_hh = Σ_t da_tᵀ h_{t−1}    (one GEMM over all T·B rows)
//! ```
//!
//! The input projection (`x W_ihᵀ + b` for every step: one GEMM) and its gradients stay burn
//! ops outside this module, as on the GPU: `∂x_proj` is `da` itself.
//!
//! Sequences are independent, so natively the batch is cut into one slice per thread and each
//! thread runs the whole time loop for its slice (no synchronisation per step). In the browser
//! the module is single-threaded; the page trains on several workers instead.

use burn::backend::Flex;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::tensor::{DType, Shape, TensorData};
use std::sync::Arc;

/// Whether `device` (or the device under its autodiff) is burn's Flex CPU backend.
pub(crate) fn on_flex(device: &burn::tensor::Device) -> bool {
    matches!(
        device.clone().inner().as_dispatch(),
        burn::backend::DispatchDevice::Flex(_)
    )
}

/// Sizes of one recurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub steps: usize,
    pub batch: usize,
    pub hidden: usize,
}

impl Dims {
    fn gates(&self) -> usize {
        4 * self.hidden
    }
}

/// What the forward pass keeps for the backward pass, all time-major and contiguous.
#[derive(Clone, Debug)]
pub struct Saved {
    pub dims: Dims,
    /// `[4H, H]`.
    pub w_hh: Arc<Vec<f32>>,
    /// `[B, H]`.
    pub c0: Arc<Vec<f32>>,
    /// `[T+1, B, H]`: h₀, then every output.
    pub h_all: Arc<Vec<f32>>,
    /// `[T, B, H]`.
    pub c_seq: Arc<Vec<f32>>,
    /// `[T, B, 4H]`: the activated gates i, f, g, o of every step.
    pub gates: Arc<Vec<f32>>,
}

/// Gradients of the recurrence's four inputs.
#[derive(Debug)]
pub struct Grads {
    /// `[T, B, 4H]`: ∂L/∂x_proj (the gate pre-activation gradients).
    pub x_proj: Vec<f32>,
    /// `[4H, H]`.
    pub w_hh: Option<Vec<f32>>,
    /// `[B, H]`.
    pub h0: Vec<f32>,
    /// `[B, H]`.
    pub c0: Vec<f32>,
}

/// The forward recurrence on host vectors: `x_proj` `[T, B, 4H]` (it becomes the gate buffer),
/// `w_hh` `[4H, H]`, `h0`, `c0` `[B, H]`.
pub fn forward(x_proj: Vec<f32>, w_hh: Vec<f32>, h0: &[f32], c0: Vec<f32>, dims: Dims) -> Saved {
    let Dims {
        steps,
        batch,
        hidden,
    } = dims;
    let g4 = dims.gates();
    assert_eq!(x_proj.len(), steps * batch * g4, "x_proj is [T, B, 4H]");
    assert_eq!(w_hh.len(), g4 * hidden, "w_hh is [4H, H]");
    assert_eq!(h0.len(), batch * hidden, "h0 is [B, H]");
    assert_eq!(c0.len(), batch * hidden, "c0 is [B, H]");
    let mut h_all = vec![0f32; (steps + 1) * batch * hidden];
    h_all[..batch * hidden].copy_from_slice(h0);
    let mut c_seq = vec![0f32; steps * batch * hidden];
    // The gate buffer starts as the input half; each step adds its recurrent half in place.
    let mut gates = x_proj;
    {
        let out = Buffers {
            h_all: SyncPtr(h_all.as_mut_ptr()),
            c_seq: SyncPtr(c_seq.as_mut_ptr()),
            gates: SyncPtr(gates.as_mut_ptr()),
        };
        for_each_slice(batch, |rows| {
            // SAFETY: every slice of rows writes only its own rows of each buffer, at every
            // step; the buffers outlive this scope.
            unsafe { forward_rows(&out, &w_hh, &c0, dims, rows) }
        });
    }
    Saved {
        dims,
        w_hh: Arc::new(w_hh),
        c0: Arc::new(c0),
        h_all: Arc::new(h_all),
        c_seq: Arc::new(c_seq),
        gates: Arc::new(gates),
    }
}

/// The backward recurrence: gradients from `d_h_seq` `[T, B, H]`; `∂W_hh` only if wanted.
pub fn backward(saved: &Saved, d_h_seq: &[f32], want_w_hh: bool) -> Grads {
    let dims = saved.dims;
    let Dims {
        steps,
        batch,
        hidden,
    } = dims;
    let g4 = dims.gates();
    assert_eq!(
        d_h_seq.len(),
        steps * batch * hidden,
        "d_h_seq is [T, B, H]"
    );
    let mut d_gates = vec![0f32; steps * batch * g4];
    let mut d_h0 = vec![0f32; batch * hidden];
    let mut d_c0 = vec![0f32; batch * hidden];
    {
        let out = GradBuffers {
            d_gates: SyncPtr(d_gates.as_mut_ptr()),
            d_h0: SyncPtr(d_h0.as_mut_ptr()),
            d_c0: SyncPtr(d_c0.as_mut_ptr()),
        };
        for_each_slice(batch, |rows| {
            // SAFETY: as in `forward`, each slice writes only its own rows.
            unsafe { backward_rows(&out, saved, d_h_seq, rows) }
        });
    }
    // ∂W_hh = Σ_t da_tᵀ h_{t−1}: [4H, T·B] · [T·B, H]; h_{t−1} for every t is h_all[0..T].
    let d_w_hh = want_w_hh.then(|| {
        let mut d_w = vec![0f32; g4 * hidden];
        // SAFETY: the sizes and strides describe the three buffers exactly.
        unsafe {
            gemm::gemm(
                g4,
                hidden,
                steps * batch,
                d_w.as_mut_ptr(),
                1,
                hidden as isize,
                false,
                d_gates.as_ptr(),
                g4 as isize,
                1,
                saved.h_all.as_ptr(),
                1,
                hidden as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                big_gemm_parallelism(),
            );
        }
        d_w
    });
    Grads {
        x_proj: d_gates,
        w_hh: d_w_hh,
        h0: d_h0,
        c0: d_c0,
    }
}

/// A raw pointer that may cross threads: the recurrence's buffers, written by row slices that
/// never overlap.
#[derive(Clone, Copy)]
struct SyncPtr(*mut f32);
unsafe impl Send for SyncPtr {}
unsafe impl Sync for SyncPtr {}

struct Buffers {
    h_all: SyncPtr,
    c_seq: SyncPtr,
    gates: SyncPtr,
}

struct GradBuffers {
    d_gates: SyncPtr,
    d_h0: SyncPtr,
    d_c0: SyncPtr,
}

/// Rows `[start, end)` of the batch.
#[derive(Clone, Copy, Debug)]
struct Rows {
    start: usize,
    end: usize,
}

impl Rows {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Run `work` on disjoint slices of the batch rows: one per thread natively (at least 8 rows
/// each, so a slice's GEMMs stay efficient), the whole batch in the browser.
fn for_each_slice(batch: usize, work: impl Fn(Rows) + Sync) {
    #[cfg(not(target_family = "wasm"))]
    {
        let slices = rayon::current_num_threads().min(batch.div_ceil(8)).max(1);
        if slices > 1 {
            let per = batch.div_ceil(slices);
            rayon::scope(|s| {
                for start in (0..batch).step_by(per) {
                    let work = &work;
                    s.spawn(move |_| {
                        work(Rows {
                            start,
                            end: (start + per).min(batch),
                        })
                    });
                }
            });
            return;
        }
    }
    work(Rows {
        start: 0,
        end: batch,
    })
}

fn big_gemm_parallelism() -> gemm::Parallelism {
    #[cfg(not(target_family = "wasm"))]
    {
        gemm::Parallelism::Rayon(0)
    }
    #[cfg(target_family = "wasm")]
    {
        gemm::Parallelism::None
    }
}

/// The whole forward time loop for one slice of rows.
///
/// # Safety
/// `out`'s buffers have the sizes `forward` allocates, and no other thread touches these rows.
unsafe fn forward_rows(out: &Buffers, w_hh: &[f32], c0: &[f32], dims: Dims, rows: Rows) {
    let Dims { batch, hidden, .. } = dims;
    let g4 = dims.gates();
    let n = rows.len();
    for t in 0..dims.steps {
        // SAFETY (all three): in bounds by the sizes `forward` allocates; rows of this slice only.
        let gates = unsafe {
            std::slice::from_raw_parts_mut(out.gates.0.add((t * batch + rows.start) * g4), n * g4)
        };
        let h_prev = unsafe { out.h_all.0.add((t * batch + rows.start) * hidden) };
        // a_t += h_{t−1} W_hhᵀ: rhs[k][n] = W_hh[n][k], so its row stride is 1, column stride H.
        unsafe {
            gemm::gemm(
                n,
                g4,
                hidden,
                gates.as_mut_ptr(),
                1,
                g4 as isize,
                true,
                h_prev,
                1,
                hidden as isize,
                w_hh.as_ptr(),
                hidden as isize,
                1,
                1.0,
                1.0,
                false,
                false,
                false,
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
                out.h_all.0.add(((t + 1) * batch + rows.start) * hidden),
                n * hidden,
            )
        };
        for r in 0..n {
            let a = &mut gates[r * g4..(r + 1) * g4];
            let (ifg, o) = a.split_at_mut(3 * hidden);
            let (i_f, g) = ifg.split_at_mut(2 * hidden);
            sigmoid_in_place(i_f);
            tanh_in_place(g);
            sigmoid_in_place(o);
            let (i, f) = i_f.split_at(hidden);
            let span = r * hidden..(r + 1) * hidden;
            cell_update(
                i,
                f,
                g,
                o,
                &c_prev[span.clone()],
                &mut c[span.clone()],
                &mut h[span],
            );
        }
    }
}

/// `c = f ⊙ c_prev + i ⊙ g`, `h = o ⊙ tanh(c)` over one row.
fn cell_update(
    i: &[f32],
    f: &[f32],
    g: &[f32],
    o: &[f32],
    c_prev: &[f32],
    c: &mut [f32],
    h: &mut [f32],
) {
    let n = c.len();
    let (i, f, g, o, c_prev, h) = (
        &i[..n],
        &f[..n],
        &g[..n],
        &o[..n],
        &c_prev[..n],
        &mut h[..n],
    );
    for j in 0..n {
        let cj = f[j] * c_prev[j] + i[j] * g[j];
        c[j] = cj;
        h[j] = o[j] * tanh(cj);
    }
}

/// The whole backward time loop for one slice of rows.
///
/// # Safety
/// `out`'s buffers have the sizes `backward` allocates, and no other thread touches these rows.
unsafe fn backward_rows(out: &GradBuffers, saved: &Saved, d_h_seq: &[f32], rows: Rows) {
    let dims = saved.dims;
    let Dims { batch, hidden, .. } = dims;
    let g4 = dims.gates();
    let n = rows.len();
    let mut dh = vec![0f32; n * hidden];
    let mut dh_carry = vec![0f32; n * hidden];
    let mut dc_carry = vec![0f32; n * hidden];
    let own =
        |t: usize, width: usize| (t * batch + rows.start) * width..(t * batch + rows.end) * width;
    for t in (0..dims.steps).rev() {
        let gates = &saved.gates[own(t, g4)];
        let c = &saved.c_seq[own(t, hidden)];
        let c_prev = if t == 0 {
            &saved.c0[rows.start * hidden..rows.end * hidden]
        } else {
            &saved.c_seq[own(t - 1, hidden)]
        };
        for ((d, &a), &b) in dh.iter_mut().zip(&d_h_seq[own(t, hidden)]).zip(&dh_carry) {
            *d = a + b;
        }
        // SAFETY: in bounds; rows of this slice only.
        let da = unsafe {
            std::slice::from_raw_parts_mut(out.d_gates.0.add((t * batch + rows.start) * g4), n * g4)
        };
        for r in 0..n {
            let span = r * hidden..(r + 1) * hidden;
            gate_gradients(
                &gates[r * g4..(r + 1) * g4],
                &c[span.clone()],
                &c_prev[span.clone()],
                &dh[span.clone()],
                &mut dc_carry[span],
                &mut da[r * g4..(r + 1) * g4],
            );
        }
        // dh_carry = da W_hh: [n, 4H] · [4H, H].
        unsafe {
            gemm::gemm(
                n,
                hidden,
                g4,
                dh_carry.as_mut_ptr(),
                1,
                hidden as isize,
                false,
                da.as_ptr(),
                1,
                g4 as isize,
                saved.w_hh.as_ptr(),
                1,
                hidden as isize,
                0.0,
                1.0,
                false,
                false,
                false,
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

/// One row's gate pre-activation gradients `da` `[4H]` from `dh` and the carried `dc`; leaves
/// the next carry `dc ⊙ f` in `dc_carry`.
fn gate_gradients(
    gates: &[f32],
    c: &[f32],
    c_prev: &[f32],
    dh: &[f32],
    dc_carry: &mut [f32],
    da: &mut [f32],
) {
    let hidden = c.len();
    let (i, rest) = gates.split_at(hidden);
    let (f, rest) = rest.split_at(hidden);
    let (g, o) = rest.split_at(hidden);
    let (da_i, rest) = da.split_at_mut(hidden);
    let (da_f, rest) = rest.split_at_mut(hidden);
    let (da_g, da_o) = rest.split_at_mut(hidden);
    let (c_prev, dh, dc_carry) = (&c_prev[..hidden], &dh[..hidden], &mut dc_carry[..hidden]);
    let (o, da_o) = (&o[..hidden], &mut da_o[..hidden]);
    for j in 0..hidden {
        let tc = tanh(c[j]);
        let dc = dc_carry[j] + dh[j] * o[j] * (1.0 - tc * tc);
        da_i[j] = dc * g[j] * i[j] * (1.0 - i[j]);
        da_f[j] = dc * c_prev[j] * f[j] * (1.0 - f[j]);
        da_g[j] = dc * i[j] * (1.0 - g[j] * g[j]);
        da_o[j] = dh[j] * tc * o[j] * (1.0 - o[j]);
        dc_carry[j] = dc * f[j];
    }
}

fn sigmoid_in_place(x: &mut [f32]) {
    for v in x {
        *v = sigmoid(*v);
    }
}

fn tanh_in_place(x: &mut [f32]) {
    for v in x {
        *v = tanh(*v);
    }
}

/// `1 / (1 + e^{−x})`.
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `tanh x = 1 − 2 / (e^{2x} + 1)`: exact at ±∞, absolute error ≈ 1e-7 near 0.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
}

/// `e^x` to a few ulp, in straight-line float arithmetic so loops over it vectorise (the
/// standard library's `exp` is a call per element: in wasm, a call into a software libm).
///
/// Cephes' `expf`: `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2`, `e^r = 1 + r + r²·P(r)` with its
/// degree-5 minimax `P`, and `2^n` written into the exponent bits. Inputs are clamped to the
/// finite range, so the result saturates near 0 and 1.7e38 instead of overflowing; NaN stays
/// NaN.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 in two parts: n·C1 is exact for |n| ≤ 127.
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    // Adding 1.5·2²³ rounds to an integer (kept in the low mantissa bits) without a rounding
    // instruction, which baseline x86-64 lacks in vector form.
    const SHIFTER: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * LOG2E + SHIFTER;
    let n = shifted - SHIFTER;
    let r = x - n * C1 - n * C2;
    let p = ((((1.987_569_2e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5; // Cephes: 5.0000001e-1, which is 0.5 in f32
    let e_r = p * (r * r) + r + 1.0;
    let n_bits = (shifted.to_bits() as i32).wrapping_sub(0x4B40_0000);
    e_r * f32::from_bits(((n_bits + 127) << 23) as u32)
}

// ————— burn glue —————

fn host(t: FlexTensor) -> Vec<f32> {
    t.into_data()
        .try_into_vec::<f32>()
        .expect("the fused LSTM runs in float32")
}

fn flex(values: Vec<f32>, shape: &[usize]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, Shape::from(shape.to_vec())))
}

/// Forward on Flex tensors: `x_proj` `[T, B, 4H]`, `w_hh` `[4H, H]`, `h0`, `c0` `[B, H]`.
pub(crate) fn forward_flex(
    x_proj: FlexTensor,
    w_hh: FlexTensor,
    h0: FlexTensor,
    c0: FlexTensor,
) -> Saved {
    assert_eq!(x_proj.dtype(), DType::F32, "the fused LSTM runs in float32");
    let [steps, batch, g4] = x_proj.layout().shape().dims::<3>();
    let dims = Dims {
        steps,
        batch,
        hidden: g4 / 4,
    };
    forward(host(x_proj), host(w_hh), &host(h0), host(c0), dims)
}

/// Every hidden state `[T, B, H]` (a view of `h_all` without h₀).
pub(crate) fn output_flex(saved: &Saved) -> FloatTensor<Flex> {
    let Dims {
        steps,
        batch,
        hidden,
    } = saved.dims;
    let start = batch * hidden;
    flex(saved.h_all[start..].to_vec(), &[steps, batch, hidden])
}

pub(crate) fn backward_flex(
    saved: &Saved,
    d_h_seq: FlexTensor,
    wanted: [bool; 4],
) -> [Option<FloatTensor<Flex>>; 4] {
    let Dims {
        steps,
        batch,
        hidden,
    } = saved.dims;
    let grads = backward(saved, &host(d_h_seq), wanted[1]);
    let [_, _, want_h0, want_c0] = wanted;
    [
        Some(flex(grads.x_proj, &[steps, batch, 4 * hidden])),
        grads.w_hh.map(|w| flex(w, &[4 * hidden, hidden])),
        want_h0.then(|| flex(grads.h0, &[batch, hidden])),
        want_c0.then(|| flex(grads.c0, &[batch, hidden])),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lstm::cell::CellGate;
    use crate::lstm::cell::tests::random_weights;
    use crate::rng::Rng;

    #[test]
    fn exp_sigmoid_and_tanh_match_the_standard_library() {
        let mut worst = (0f64, 0f64, 0f64);
        let mut x = -100f32;
        while x <= 100.0 {
            let e = (exp(x) as f64 - (x as f64).exp()).abs() / (x as f64).exp().max(1e-30);
            if x > -87.0 && x < 88.0 {
                worst.0 = worst.0.max(e);
            }
            worst.1 = worst
                .1
                .max((sigmoid(x) as f64 - 1.0 / (1.0 + (-x as f64).exp())).abs());
            worst.2 = worst.2.max((tanh(x) as f64 - (x as f64).tanh()).abs());
            assert!(exp(x).is_finite() && sigmoid(x).is_finite() && tanh(x).is_finite());
            x += 0.001_3;
        }
        assert!(worst.0 < 4e-7, "exp relative error {}", worst.0);
        assert!(worst.1 < 2e-7, "sigmoid absolute error {}", worst.1);
        assert!(worst.2 < 4e-7, "tanh absolute error {}", worst.2);
        assert_eq!(tanh(f32::INFINITY), 1.0);
        assert_eq!(tanh(f32::NEG_INFINITY), -1.0);
        assert!(sigmoid(-1e9) < 1e-37 && sigmoid(1e9) == 1.0);
        assert!(tanh(f32::NAN).is_nan(), "a NaN stays visible");
    }

    /// Forward outputs and every gradient against the f64 reference cell's own forward and
    /// backward pass (`lstm::cell`), sequence by sequence. B = 19 is cut into uneven slices
    /// when the test runs on several threads.
    #[test]
    fn forward_and_backward_match_the_reference_cell() {
        let (steps, batch, input, hidden) = (6, 19, 3, 7);
        let g4 = 4 * hidden;
        let weights = random_weights(input, hidden, 4);
        let mut rng = Rng::new(5);
        let mut draw = |n: usize, s: f64| (0..n).map(|_| rng.normal() * s).collect::<Vec<f64>>();
        let xs = draw(steps * batch * input, 1.0);
        let (h0, c0) = (draw(batch * hidden, 0.5), draw(batch * hidden, 0.5));
        let d_h_seq = draw(steps * batch * hidden, 1.0);
        let x_of = |t: usize, b: usize| xs[(t * batch + b) * input..][..input].to_vec();
        // x_proj = x W_ihᵀ + b_ih + b_hh, time-major.
        let mut x_proj = vec![0f32; steps * batch * g4];
        for t in 0..steps {
            for b in 0..batch {
                let x = x_of(t, b);
                for k in 0..g4 {
                    let w = &weights.weight_ih[k * input..][..input];
                    let s: f64 = w.iter().zip(&x).map(|(a, b)| a * b).sum();
                    x_proj[(t * batch + b) * g4 + k] =
                        (s + weights.bias_ih[k] + weights.bias_hh[k]) as f32;
                }
            }
        }
        let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
        let dims = Dims {
            steps,
            batch,
            hidden,
        };
        let saved = forward(
            x_proj,
            to32(&weights.weight_hh),
            &to32(&h0),
            to32(&c0),
            dims,
        );
        let grads = backward(&saved, &to32(&d_h_seq), true);
        let close = |what: &str, got: f32, want: f64| {
            assert!(
                (got as f64 - want).abs() <= 2e-5 * (1.0 + want.abs()),
                "{what}: {got} vs {want}"
            )
        };
        let mut d_w_hh = vec![0f64; g4 * hidden];
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
                    close("h", saved.h_all[batch * hidden + at], fwd[t].h[j]);
                    close("c", saved.c_seq[at], fwd[t].c[j]);
                }
                // ∂x_proj is the gate pre-activation gradient: map it back to ∂x through
                // W_ih and compare with the reference's ∂x.
                let da = &grads.x_proj[(t * batch + b) * g4..][..g4];
                for e in 0..input {
                    let dx: f64 = (0..g4)
                        .map(|k| da[k] as f64 * weights.weight_ih[k * input + e])
                        .sum();
                    close("dx", dx as f32, want.x[t][e]);
                }
            }
            for j in 0..hidden {
                close("dh0", grads.h0[b * hidden + j], want.h0[j]);
                close("dc0", grads.c0[b * hidden + j], want.c0[j]);
            }
            for (acc, w) in d_w_hh.iter_mut().zip(&want.weight_hh) {
                *acc += w;
            }
        }
        let got = grads.w_hh.expect("asked for");
        for (g, w) in got.iter().zip(&d_w_hh) {
            close("dW_hh", *g, *w);
        }
        assert!(backward(&saved, &to32(&d_h_seq), false).w_hh.is_none());
    }
}
