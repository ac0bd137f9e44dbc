//! What the fused CPU recurrent layers share (the LSTM's [`super::lstm::cpu_kernel`], the GRU's
//! [`super::gru::cpu_kernel`], the tanh RNN's [`super::rnn::cpu_kernel`]): the `gemm` calls, the
//! split of the batch rows over threads, the GEMMs before and after the time loops, and the
//! activations. No tensor library here; burn's glue is [`super::cpu_cell`] (GRU, RNN) and
//! `lstm/cpu.rs`.
//!
//! Every layer has the same shape of work: `A = X W_ihᵀ` for all steps as one GEMM, then a time
//! loop with one `[B, H]·[H, gates·H]` GEMM per step, then backward the same loop reversed and
//! three GEMMs over all `T·B` rows for `∂W_hh`, `∂W_ih` and `∂X`. Sequences are independent, so
//! natively the batch is cut into one slice per thread and each thread runs the whole time loop
//! for its slice (no synchronisation per step); the big GEMMs before and after the loops use
//! every thread too. In the browser the module is single-threaded; the page trains on several
//! workers instead.

use super::cpu_simd;

/// Sizes of one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub steps: usize,
    pub batch: usize,
    /// E, the width of each input.
    pub input: usize,
    pub hidden: usize,
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

/// A GRU's or a tanh RNN's weights, borrowed, in PyTorch's layout: `w_ih` `[G·H, E]`, `w_hh`
/// `[G·H, H]`, both biases `[G·H]` (G gates: 3 for the GRU, 1 for the RNN).
#[derive(Clone, Copy, Debug)]
pub struct CellWeights<'a> {
    pub w_ih: &'a [f32],
    pub w_hh: &'a [f32],
    pub b_ih: &'a [f32],
    pub b_hh: &'a [f32],
}

/// Everything a cell's backward pass reads: the forward pass's inputs, its outputs `h_seq`
/// `[T, B, H]` and what it kept besides (`saved`).
#[derive(Clone, Copy, Debug)]
pub struct CellTrace<'a, S> {
    pub dims: Dims,
    /// `[T, B, E]`.
    pub x: &'a [f32],
    pub weights: CellWeights<'a>,
    /// `[B, H]`.
    pub h0: &'a [f32],
    /// `[T, B, H]`.
    pub h_seq: &'a [f32],
    pub saved: &'a S,
}

/// Gradients of a cell layer's inputs (`None`: not wanted).
#[derive(Debug)]
pub struct CellGrads {
    /// `[T, B, E]`.
    pub x: Option<Vec<f32>>,
    /// `[G·H, E]`.
    pub w_ih: Option<Vec<f32>>,
    /// `[G·H, H]`.
    pub w_hh: Option<Vec<f32>>,
    /// `[G·H]`.
    pub b_ih: Vec<f32>,
    /// `[G·H]`.
    pub b_hh: Vec<f32>,
    /// `[B, H]`.
    pub h0: Vec<f32>,
}

/// A recurrent layer with one state vector (the GRU, the tanh RNN): its forward and backward
/// passes over plain buffers, for the one burn op of [`super::cpu_cell`].
pub trait CellKernel: std::fmt::Debug + Send + Sync + 'static {
    /// Blocks of H rows in the weights (gates).
    const GATES: usize;
    /// What the forward pass keeps for the backward one, besides the inputs and outputs.
    type Saved: Clone + std::fmt::Debug + Send + Sync + 'static;
    /// Every output `[T, B, H]` on `x` `[T, B, E]` from `h0` `[B, H]`, and what to keep.
    fn forward(x: &[f32], weights: CellWeights, h0: &[f32], dims: Dims) -> (Vec<f32>, Self::Saved);
    /// Every gradient from `d_h_seq` `[T, B, H]`, the gradient of every output.
    fn backward(trace: &CellTrace<Self::Saved>, d_h_seq: &[f32], wanted: Wanted) -> CellGrads;
}

/// Panics unless the buffers have the sizes `dims` and `gates` blocks of H rows give them.
pub(crate) fn assert_sizes(x: &[f32], w: CellWeights, h0: &[f32], dims: Dims, gates: usize) {
    let Dims {
        steps,
        batch,
        input,
        hidden,
    } = dims;
    let width = gates * hidden;
    assert_eq!(x.len(), steps * batch * input, "x is [T, B, E]");
    assert_eq!(w.w_ih.len(), width * input, "w_ih is [G·H, E]");
    assert_eq!(w.w_hh.len(), width * hidden, "w_hh is [G·H, H]");
    assert_eq!(w.b_ih.len(), width, "b_ih is [G·H]");
    assert_eq!(w.b_hh.len(), width, "b_hh is [G·H]");
    assert_eq!(h0.len(), batch * hidden, "h0 is [B, H]");
}

/// Rows `rows` of step `t` of a time-major buffer `[T, B, width]` (`batch` = B): its range.
pub(crate) fn own(t: usize, batch: usize, rows: Rows, width: usize) -> std::ops::Range<usize> {
    (t * batch + rows.start) * width..(t * batch + rows.end) * width
}

/// # Safety
/// `ptr` covers `range` of its buffer, and nothing else touches that range meanwhile.
pub(crate) unsafe fn rows_mut<'a>(ptr: SyncPtr, range: std::ops::Range<usize>) -> &'a mut [f32] {
    // SAFETY: forwarded from the caller.
    unsafe { std::slice::from_raw_parts_mut(ptr.0.add(range.start), range.len()) }
}

/// A float buffer of `len` elements that `fill` writes completely before it is read (a GEMM
/// that does not read its destination): no pass spent zeroing 26 MB that is overwritten next.
pub(crate) fn written_by(len: usize, fill: impl FnOnce(*mut f32)) -> Vec<f32> {
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
pub(crate) unsafe fn matmul(
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

/// `X W_ihᵀ` `[T·B, width]` for `x` `[T·B, E]` and `w_ih` `[width, E]`: the input half of every
/// gate at every step, one GEMM (`W_ihᵀ` is `W_ih` read by columns).
pub(crate) fn project_inputs(x: &[f32], w_ih: &[f32], width: usize, dims: Dims) -> Vec<f32> {
    let rows = dims.steps * dims.batch;
    let input = dims.input;
    // SAFETY: the shapes and strides describe the three buffers exactly.
    written_by(rows * width, |dst| unsafe {
        matmul(
            [rows, width, input],
            (dst, width, 1),
            false,
            (x.as_ptr(), input, 1),
            (w_ih.as_ptr(), 1, input),
            big_gemm_parallelism(),
        )
    })
}

/// `w` `[R, C]` (`C` = `cols`) stored transposed, `[C, R]`: `gemm` then streams the rows of
/// `W_hhᵀ` as they are instead of repacking a strided view at every step (measured on a
/// [16, 100]·[100, 400] step: 25 µs instead of 39; at 64 rows 65 instead of 72).
pub(crate) fn transposed(w: &[f32], cols: usize) -> Vec<f32> {
    let rows = w.len() / cols;
    let mut t = vec![0f32; w.len()];
    for (n, row) in w.chunks_exact(cols).enumerate() {
        for (k, &v) in row.iter().enumerate() {
            t[k * rows + n] = v;
        }
    }
    t
}

/// The sum of `parts` `[slices, width]` over its slices.
pub(crate) fn sum_parts(parts: &[f32], width: usize) -> Vec<f32> {
    let mut sum = vec![0f32; width];
    for part in parts.chunks_exact(width) {
        for (d, p) in sum.iter_mut().zip(part) {
            *d += p;
        }
    }
    sum
}

/// `∂W_hh = Σ_t da_tᵀ h_{t−1}` `[width, H]` from the recurrent pre-activation gradients `da`
/// `[T, B, width]`: `h₀` for step 0, then the outputs of steps 0..T−1. `da`'s rows may be wider
/// than `width` (`stride` apart): the first `width` columns are used.
pub(crate) fn recurrent_weight_grad(
    (da, width, stride): (&[f32], usize, usize),
    h0: &[f32],
    h_seq: &[f32],
    dims: Dims,
) -> Vec<f32> {
    let Dims {
        steps,
        batch,
        hidden,
        ..
    } = dims;
    assert!(width <= stride && da.len() == steps * batch * stride);
    let mut dst = vec![0f32; width * hidden];
    let (first, later) = da.split_at(batch * stride);
    transposed_product(&mut dst, (first, width, stride), (h0, hidden), batch);
    let later_rows = (steps - 1) * batch;
    transposed_product(
        &mut dst,
        (later, width, stride),
        (&h_seq[..later_rows * hidden], hidden),
        later_rows,
    );
    dst
}

/// `dst += Σ_r lhs_rᵀ rhs_r` `[width, cols]` over `rows` rows of `lhs` (the first `width` of
/// every `stride` columns) and of `rhs` (`cols` columns): a weight's gradient, a reduction over
/// all T·B rows into a small matrix. gemm shares its work out by blocks of the output, and a
/// `[100, 100]` output has too few to keep two threads busy (measured: the plain RNN's backward
/// pass took as long on two threads as on one), so natively the rows are cut into one chunk
/// per thread instead, each chunk's product summed after.
pub(crate) fn transposed_product(
    dst: &mut [f32],
    (lhs, width, stride): (&[f32], usize, usize),
    (rhs, cols): (&[f32], usize),
    rows: usize,
) {
    assert!(dst.len() == width * cols && covers(lhs.len(), rows, width, stride));
    assert!(rhs.len() >= rows * cols);
    if rows == 0 {
        return;
    }
    // SAFETY (every call): the shapes and strides describe the buffers, checked above.
    let product = |dst: &mut [f32], accumulate: bool, start: usize, end: usize, par| unsafe {
        matmul(
            [width, cols, end - start],
            (dst.as_mut_ptr(), cols, 1),
            accumulate,
            (lhs[start * stride..].as_ptr(), 1, stride),
            (rhs[start * cols..].as_ptr(), cols, 1),
            par,
        )
    };
    #[cfg(not(target_family = "wasm"))]
    {
        // At least 1,024 rows a chunk: below that the partial sums are not worth their pass.
        let chunks = rayon::current_num_threads().min(rows / 1024);
        if chunks > 1 {
            let per = rows.div_ceil(chunks);
            let mut partials = vec![0f32; chunks * width * cols];
            rayon::scope(|s| {
                for (c, part) in partials.chunks_exact_mut(width * cols).enumerate() {
                    let product = &product;
                    s.spawn(move |_| {
                        let (start, end) = (c * per, ((c + 1) * per).min(rows));
                        product(part, false, start, end, gemm::Parallelism::None);
                    });
                }
            });
            for part in partials.chunks_exact(width * cols) {
                for (d, p) in dst.iter_mut().zip(part) {
                    *d += p;
                }
            }
            return;
        }
    }
    product(dst, true, 0, rows, big_gemm_parallelism());
}

/// `∂X = da W_ih` `[T·B, E]` and `∂W_ih = daᵀ X` `[width, E]` from the input pre-activation
/// gradients `da` `[T·B, width]`, each if wanted. `da`'s rows may be wider than `width`
/// (`stride` apart; the GRU's share a row with its recurrent side's): the first `width`
/// columns of each are used.
pub(crate) fn input_grads(
    (da, width, stride): (&[f32], usize, usize),
    x: &[f32],
    w_ih: &[f32],
    dims: Dims,
    wanted: Wanted,
) -> (Option<Vec<f32>>, Option<Vec<f32>>) {
    let rows = dims.steps * dims.batch;
    let input = dims.input;
    assert_eq!(w_ih.len(), width * input, "w_ih is [width, E]");
    assert!(covers(da.len(), rows, width, stride), "da is [T·B, width]");
    // ∂W_ih = daᵀ X: [width, T·B] · [T·B, E].
    let d_w_ih = wanted.w_ih.then(|| {
        let mut dst = vec![0f32; width * input];
        transposed_product(&mut dst, (da, width, stride), (x, input), rows);
        dst
    });
    // ∂X = da W_ih: [T·B, width] · [width, E].
    // SAFETY: the shapes and strides describe the buffers, checked above.
    let d_x = wanted.x.then(|| {
        written_by(rows * input, |dst| unsafe {
            matmul(
                [rows, input, width],
                (dst, input, 1),
                false,
                (da.as_ptr(), stride, 1),
                (w_ih.as_ptr(), input, 1),
                big_gemm_parallelism(),
            )
        })
    });
    (d_x, d_w_ih)
}

/// Whether a buffer of `len` elements holds `rows` rows of `columns` used columns, `stride`
/// apart (the last row may end at its last used column: a view that starts inside a row).
fn covers(len: usize, rows: usize, columns: usize, stride: usize) -> bool {
    columns <= stride && (rows == 0 || len >= (rows - 1) * stride + columns)
}

/// A raw pointer that may cross threads: the layer's buffers, written by row slices that never
/// overlap.
#[derive(Clone, Copy)]
pub(crate) struct SyncPtr(pub(crate) *mut f32);
unsafe impl Send for SyncPtr {}
unsafe impl Sync for SyncPtr {}

/// Rows `[start, end)` of the batch.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rows {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Rows {
    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }
}

/// How many slices [`for_each_slice`] cuts `batch` rows into: one per thread natively (at
/// least 8 rows each, so a slice's GEMMs stay efficient), one in the browser.
pub(crate) fn slice_count(batch: usize) -> usize {
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
pub(crate) fn for_each_slice(batch: usize, work: impl Fn(usize, Rows) + Sync) {
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

pub(crate) fn big_gemm_parallelism() -> gemm::Parallelism {
    #[cfg(not(target_family = "wasm"))]
    {
        gemm::Parallelism::Rayon(0)
    }
    #[cfg(target_family = "wasm")]
    {
        gemm::Parallelism::None
    }
}

/// `1 / (1 + e^{−x})` ([`super::cpu_simd::sigmoid`], one lane).
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    cpu_simd::sigmoid(x)
}

/// `tanh x = 1 − 2 / (e^{2x} + 1)` ([`super::cpu_simd::tanh`], one lane): exact at ±∞,
/// absolute error ≈ 1e-7 near 0.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    cpu_simd::tanh(x)
}

/// `e^x` to a few ulp in straight-line float arithmetic ([`super::cpu_simd::exp`], one lane;
/// the formula is written once there for every vector width).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    cpu_simd::exp(x)
}

/// A test harness for a [`CellKernel`]: its forward outputs and every gradient against an
/// independent float64 forward pass of the same cell, the gradients by central differences of
/// `L = Σ coef ⊙ h` in float64.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::rng::Rng;

    /// A cell's inputs in float64: `x, w_ih, w_hh, b_ih, b_hh, h0`, in the kernels' layouts.
    pub(crate) type Inputs = [Vec<f64>; 6];

    /// Every output `[T, B, H]` of a float64 cell on `inputs`.
    pub(crate) type Forward64 = fn(&Inputs, Dims) -> Vec<f64>;

    /// `Σ_k w[row, k] · v[k]` for `w` `[_, v.len()]`.
    pub(crate) fn dot_row(w: &[f64], row: usize, v: &[f64]) -> f64 {
        let n = v.len();
        w[row * n..(row + 1) * n]
            .iter()
            .zip(v)
            .map(|(a, b)| a * b)
            .sum()
    }

    /// Compare `K` with `reference` at `dims`; the errors allowed are relative to `1 + |value|`.
    pub(crate) fn check<K: CellKernel>(reference: Forward64, dims: Dims, seed: u64) {
        let Dims {
            steps,
            batch,
            input,
            hidden,
        } = dims;
        let width = K::GATES * hidden;
        let mut rng = Rng::new(seed);
        let mut draw = |n: usize, s: f64| (0..n).map(|_| rng.normal() * s).collect::<Vec<f64>>();
        let mut inputs: Inputs = [
            draw(steps * batch * input, 1.0),
            draw(width * input, 0.5),
            draw(width * hidden, 0.5),
            draw(width, 0.5),
            draw(width, 0.5),
            draw(batch * hidden, 0.5),
        ];
        let coef = draw(steps * batch * hidden, 1.0);
        let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
        let [x, w_ih, w_hh, b_ih, b_hh, h0] = inputs.each_ref().map(|v| to32(v));
        let weights = CellWeights {
            w_ih: &w_ih,
            w_hh: &w_hh,
            b_ih: &b_ih,
            b_hh: &b_hh,
        };
        let (h_seq, saved) = K::forward(&x, weights, &h0, dims);
        let want = reference(&inputs, dims);
        let close = |what: &str, got: f32, want: f64, tolerance: f64| {
            assert!(
                (got as f64 - want).abs() <= tolerance * (1.0 + want.abs()),
                "{what} at {dims:?}: {got} vs {want}"
            )
        };
        assert_eq!(h_seq.len(), want.len());
        for (&g, &w) in h_seq.iter().zip(&want) {
            close("h", g, w, 1e-5);
        }
        let trace = CellTrace {
            dims,
            x: &x,
            weights,
            h0: &h0,
            h_seq: &h_seq,
            saved: &saved,
        };
        let grads = K::backward(&trace, &to32(&coef), Wanted::ALL);
        let got: [&[f32]; 6] = [
            grads.x.as_deref().expect("asked for"),
            grads.w_ih.as_deref().expect("asked for"),
            grads.w_hh.as_deref().expect("asked for"),
            &grads.b_ih,
            &grads.b_hh,
            &grads.h0,
        ];
        let loss = |inputs: &Inputs| -> f64 {
            reference(inputs, dims)
                .iter()
                .zip(&coef)
                .map(|(h, c)| h * c)
                .sum()
        };
        let names = ["dx", "dW_ih", "dW_hh", "db_ih", "db_hh", "dh0"];
        let eps = 1e-5;
        for (which, name) in names.iter().enumerate() {
            assert_eq!(got[which].len(), inputs[which].len(), "{name}");
            for i in 0..inputs[which].len() {
                let v = inputs[which][i];
                inputs[which][i] = v + eps;
                let up = loss(&inputs);
                inputs[which][i] = v - eps;
                let down = loss(&inputs);
                inputs[which][i] = v;
                close(name, got[which][i], (up - down) / (2.0 * eps), 5e-5);
            }
        }
        let none = Wanted {
            x: false,
            w_ih: false,
            w_hh: false,
        };
        let skipped = K::backward(&trace, &to32(&coef), none);
        assert!(skipped.x.is_none() && skipped.w_ih.is_none() && skipped.w_hh.is_none());
        assert_eq!(skipped.h0, grads.h0, "the start-state gradient stays");
        assert_eq!(skipped.b_ih, grads.b_ih, "the bias gradients stay");
    }

    /// A shape for the vector paths (`cpu_simd`): H = 37 is two vectors of 16 and a tail of 5,
    /// four of 8 and a tail of 5.
    pub(crate) const WIDE: Dims = Dims {
        steps: 3,
        batch: 3,
        input: 2,
        hidden: 37,
    };

    /// The shapes every kernel is checked at: B = 19 cut into uneven slices when the tests run
    /// on several threads, one step, one sequence, H = 1.
    pub(crate) const SHAPES: [Dims; 4] = [
        Dims {
            steps: 5,
            batch: 19,
            input: 3,
            hidden: 4,
        },
        Dims {
            steps: 1,
            batch: 1,
            input: 2,
            hidden: 3,
        },
        Dims {
            steps: 7,
            batch: 1,
            input: 1,
            hidden: 5,
        },
        Dims {
            steps: 3,
            batch: 2,
            input: 4,
            hidden: 1,
        },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cut into chunks on 1–3 threads (and not cut below 2,048 rows), a weight gradient is the
    /// plain sum over rows: `dst` `[width, cols]` += `Σ_r lhs_rᵀ rhs_r`, `lhs`'s rows wider than
    /// `width`.
    #[test]
    fn transposed_products_in_chunks_are_the_plain_sum() {
        let mut rng = crate::rng::Rng::new(29);
        let (width, stride, cols) = (7, 10, 5);
        for rows in [0, 1, 1023, 2048, 5001] {
            let lhs: Vec<f32> = (0..rows * stride).map(|_| rng.normal() as f32).collect();
            let rhs: Vec<f32> = (0..rows * cols).map(|_| rng.normal() as f32).collect();
            let start: Vec<f32> = (0..width * cols).map(|_| rng.normal() as f32).collect();
            let mut want: Vec<f64> = start.iter().map(|&v| f64::from(v)).collect();
            for r in 0..rows {
                for i in 0..width {
                    for j in 0..cols {
                        want[i * cols + j] +=
                            f64::from(lhs[r * stride + i]) * f64::from(rhs[r * cols + j]);
                    }
                }
            }
            for threads in 1..=3 {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let mut dst = start.clone();
                pool.install(|| {
                    transposed_product(&mut dst, (&lhs, width, stride), (&rhs, cols), rows)
                });
                for (k, (&got, &w)) in dst.iter().zip(&want).enumerate() {
                    let tolerance = 1e-4 * (1.0 + (rows as f64).sqrt());
                    assert!(
                        (f64::from(got) - w).abs() <= tolerance,
                        "{rows} rows, {threads} threads, [{k}]: {got} against {w}"
                    );
                }
            }
        }
    }

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
}
