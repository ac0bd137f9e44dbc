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
//! Sequences are independent, so natively the batch is cut into one slice per thread and each
//! thread runs the whole time loop for its slice (no synchronisation per step); the big GEMMs
//! before and after the loops use every thread too. In the browser the module is
//! single-threaded; the page trains on several workers instead.

/// Sizes of one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub steps: usize,
    pub batch: usize,
    /// E, the width of each input.
    pub input: usize,
    pub hidden: usize,
}

impl Dims {
    fn gates(&self) -> usize {
        4 * self.hidden
    }
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

/// Which gradients the caller needs (the others are skipped, or left empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wanted {
    pub x: bool,
    pub w_ih: bool,
    pub w_hh: bool,
}

impl Wanted {
    pub const ALL: Wanted = Wanted {
        x: true,
        w_ih: true,
        w_hh: true,
    };
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

/// A float buffer of `len` elements that `fill` writes completely before it is read (a GEMM
/// that does not read its destination): no pass spent zeroing 26 MB that is overwritten next.
fn written_by(len: usize, fill: impl FnOnce(*mut f32)) -> Vec<f32> {
    let mut v = Vec::<f32>::with_capacity(len);
    fill(v.as_mut_ptr());
    // SAFETY: `fill` wrote all `len` elements (every caller is a GEMM over exactly that shape,
    // with `read_dst` false, which stores every element of its destination).
    unsafe { v.set_len(len) };
    v
}

/// `dst[m, n] (+)= Σ_k lhs[m, k] · rhs[k, n]` with explicit strides (row, column), as `gemm`
/// takes them: `lhs` and `rhs` may be transposed views.
///
/// # Safety
/// Every pointer covers its matrix under its strides; `dst` does not overlap the others.
#[allow(clippy::too_many_arguments)]
unsafe fn matmul(
    [m, n, k]: [usize; 3],
    dst: (*mut f32, usize, usize),
    accumulate: bool,
    lhs: (*const f32, usize, usize),
    rhs: (*const f32, usize, usize),
    parallelism: gemm::Parallelism,
) {
    let s = |x: usize| x as isize;
    // SAFETY: forwarded from the caller.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.0,
            s(dst.2),
            s(dst.1),
            accumulate,
            lhs.0,
            s(lhs.2),
            s(lhs.1),
            rhs.0,
            s(rhs.2),
            s(rhs.1),
            if accumulate { 1.0 } else { 0.0 },
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// The forward pass: `x` `[T, B, E]`, `h0`, `c0` `[B, H]`.
pub fn forward(x: &[f32], weights: Weights, h0: &[f32], c0: &[f32], dims: Dims) -> Forward {
    let Dims {
        steps,
        batch,
        input,
        hidden,
    } = dims;
    let g4 = dims.gates();
    assert_eq!(x.len(), steps * batch * input, "x is [T, B, E]");
    assert_eq!(weights.w_ih.len(), g4 * input, "w_ih is [4H, E]");
    assert_eq!(weights.w_hh.len(), g4 * hidden, "w_hh is [4H, H]");
    assert_eq!(weights.bias.len(), g4, "the bias is [4H]");
    assert_eq!(h0.len(), batch * hidden, "h0 is [B, H]");
    assert_eq!(c0.len(), batch * hidden, "c0 is [B, H]");
    let rows = steps * batch;
    // The input half of every gate at every step: X W_ihᵀ (W_ihᵀ is W_ih read by columns).
    // SAFETY: the shapes and strides describe the three buffers exactly.
    let mut gates = written_by(rows * g4, |dst| unsafe {
        matmul(
            [rows, g4, input],
            (dst, g4, 1),
            false,
            (x.as_ptr(), input, 1),
            (weights.w_ih.as_ptr(), 1, input),
            big_gemm_parallelism(),
        )
    });
    // W_hhᵀ `[H, 4H]` stored once: `gemm` then streams its rows as they are instead of
    // repacking a strided view at every step (measured on a [16, 100]·[100, 400] step: 25 µs
    // instead of 39; at 64 rows 65 instead of 72).
    let mut w_hh_t = vec![0f32; hidden * g4];
    for (n, row) in weights.w_hh.chunks_exact(hidden).enumerate() {
        for (k, &w) in row.iter().enumerate() {
            w_hh_t[k * g4 + n] = w;
        }
    }
    let mut h_seq = vec![0f32; rows * hidden];
    let mut c_seq = vec![0f32; rows * hidden];
    {
        let out = Buffers {
            h_seq: SyncPtr(h_seq.as_mut_ptr()),
            c_seq: SyncPtr(c_seq.as_mut_ptr()),
            gates: SyncPtr(gates.as_mut_ptr()),
        };
        for_each_slice(batch, |_, rows| {
            // SAFETY: every slice of rows writes only its own rows of each buffer, at every
            // step; the buffers outlive this scope.
            unsafe { forward_rows(&out, &w_hh_t, weights.bias, [h0, c0], dims, rows) }
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
        input,
        hidden,
    } = trace.dims;
    let g4 = trace.dims.gates();
    let rows = steps * batch;
    assert_eq!(d_h_seq.len(), rows * hidden, "d_h_seq is [T, B, H]");
    let mut d_gates = vec![0f32; rows * g4];
    let mut d_h0 = vec![0f32; batch * hidden];
    let mut d_c0 = vec![0f32; batch * hidden];
    let slices = slice_count(batch);
    let mut bias_parts = vec![0f32; slices * g4];
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
            unsafe { backward_rows(&out, trace, d_h_seq, index, rows) }
        });
    }
    let mut d_bias = vec![0f32; g4];
    for part in bias_parts.chunks_exact(g4) {
        for (d, p) in d_bias.iter_mut().zip(part) {
            *d += p;
        }
    }
    let par = big_gemm_parallelism;
    let da = d_gates.as_ptr();
    let w_ih = trace.weights.w_ih;
    // ∂W_hh = Σ_t da_tᵀ h_{t−1}: h₀ for step 0, then the outputs of steps 0..T−1.
    // SAFETY (all three GEMMs): the shapes and strides describe the buffers exactly.
    let d_w_hh = wanted.w_hh.then(|| {
        written_by(g4 * hidden, |dst| unsafe {
            let h_seq = trace.h_seq.as_ptr();
            matmul(
                [g4, hidden, batch],
                (dst, hidden, 1),
                false,
                (da, 1, g4),
                (trace.h0.as_ptr(), hidden, 1),
                par(),
            );
            if steps > 1 {
                let later = [g4, hidden, (steps - 1) * batch];
                matmul(
                    later,
                    (dst, hidden, 1),
                    true,
                    (da.add(batch * g4), 1, g4),
                    (h_seq, hidden, 1),
                    par(),
                );
            }
        })
    });
    // ∂W_ih = daᵀ X: [4H, T·B] · [T·B, E].
    let d_w_ih = wanted.w_ih.then(|| {
        written_by(g4 * input, |dst| unsafe {
            matmul(
                [g4, input, rows],
                (dst, input, 1),
                false,
                (da, 1, g4),
                (trace.x.as_ptr(), input, 1),
                par(),
            )
        })
    });
    // ∂X = da W_ih: [T·B, 4H] · [4H, E].
    let d_x = wanted.x.then(|| {
        written_by(rows * input, |dst| unsafe {
            matmul(
                [rows, input, g4],
                (dst, input, 1),
                false,
                (da, g4, 1),
                (w_ih.as_ptr(), input, 1),
                par(),
            )
        })
    });
    Grads {
        x: d_x,
        w_ih: d_w_ih,
        w_hh: d_w_hh,
        bias: d_bias,
        h0: d_h0,
        c0: d_c0,
    }
}

/// A raw pointer that may cross threads: the layer's buffers, written by row slices that never
/// overlap.
#[derive(Clone, Copy)]
struct SyncPtr(*mut f32);
unsafe impl Send for SyncPtr {}
unsafe impl Sync for SyncPtr {}

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

/// How many slices [`for_each_slice`] cuts `batch` rows into: one per thread natively (at
/// least 8 rows each, so a slice's GEMMs stay efficient), one in the browser.
fn slice_count(batch: usize) -> usize {
    #[cfg(not(target_family = "wasm"))]
    {
        rayon::current_num_threads().min(batch.div_ceil(8)).max(1)
    }
    #[cfg(target_family = "wasm")]
    {
        let _ = batch;
        1
    }
}

/// Run `work(index, rows)` on [`slice_count`] disjoint slices of the batch rows, in parallel.
fn for_each_slice(batch: usize, work: impl Fn(usize, Rows) + Sync) {
    let slices = slice_count(batch);
    let per = batch.div_ceil(slices);
    let rows = |i: usize| Rows {
        start: (i * per).min(batch),
        end: ((i + 1) * per).min(batch),
    };
    #[cfg(not(target_family = "wasm"))]
    if slices > 1 {
        rayon::scope(|s| {
            for i in 0..slices {
                let work = &work;
                s.spawn(move |_| work(i, rows(i)));
            }
        });
        return;
    }
    for i in 0..slices {
        work(i, rows(i));
    }
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
unsafe fn forward_rows(
    out: &Buffers,
    w_hh_t: &[f32],
    bias: &[f32],
    [h0, c0]: [&[f32]; 2],
    dims: Dims,
    rows: Rows,
) {
    let Dims { batch, hidden, .. } = dims;
    let g4 = dims.gates();
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
        let (b_ifg, b_o) = bias.split_at(3 * hidden);
        let (b_if, b_g) = b_ifg.split_at(2 * hidden);
        for r in 0..n {
            let a = &mut gates[r * g4..(r + 1) * g4];
            let (ifg, o) = a.split_at_mut(3 * hidden);
            let (i_f, g) = ifg.split_at_mut(2 * hidden);
            sigmoid_in_place(i_f, b_if);
            tanh_in_place(g, b_g);
            sigmoid_in_place(o, b_o);
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
) {
    let dims = trace.dims;
    let Dims { batch, hidden, .. } = dims;
    let g4 = dims.gates();
    let n = rows.len();
    if n == 0 {
        return;
    }
    let mut dh = vec![0f32; n * hidden];
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
        for ((d, &a), &b) in dh.iter_mut().zip(&d_h_seq[own(t, hidden)]).zip(&dh_carry) {
            *d = a + b;
        }
        // SAFETY: in bounds; rows of this slice only.
        let da = unsafe {
            std::slice::from_raw_parts_mut(out.d_gates.0.add((t * batch + rows.start) * g4), n * g4)
        };
        for r in 0..n {
            let span = r * hidden..(r + 1) * hidden;
            let da_row = &mut da[r * g4..(r + 1) * g4];
            gate_gradients(
                &gates[r * g4..(r + 1) * g4],
                &c[span.clone()],
                &c_prev[span.clone()],
                &dh[span.clone()],
                &mut dc_carry[span],
                da_row,
            );
            for (s, &d) in d_bias.iter_mut().zip(da_row.iter()) {
                *s += d;
            }
        }
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

/// `x = σ(x + b)` element-wise.
fn sigmoid_in_place(x: &mut [f32], bias: &[f32]) {
    let bias = &bias[..x.len()];
    for (v, b) in x.iter_mut().zip(bias) {
        *v = sigmoid(*v + b);
    }
}

/// `x = tanh(x + b)` element-wise.
fn tanh_in_place(x: &mut [f32], bias: &[f32]) {
    let bias = &bias[..x.len()];
    for (v, b) in x.iter_mut().zip(bias) {
        *v = tanh(*v + b);
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
