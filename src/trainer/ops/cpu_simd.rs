//! The vector width of the fused CPU kernels' element-wise passes, chosen at run time, and the
//! activations written once for every width.
//!
//! The GEMMs are `gemm`'s, which picks its own microkernels by CPU features ([`gemm_path`]).
//! What remains per time step is gate math — four activations and the cell update forward,
//! their derivatives backward, five `exp`s per hidden unit per step. Built for baseline x86-64
//! (what we ship: no `-C target-cpu`), those loops get at most 4 lanes (SSE2); here they get 16
//! (AVX-512F) or 8 (AVX2) where the CPU has them, decided once per process with
//! `is_x86_feature_detected!` and entered through `#[target_feature]` functions (stable Rust).
//!
//! Every width runs the same operations in the same order — [`exp`], [`sigmoid`] and [`tanh`]
//! are one generic formula, and no fused multiply-add (one rounding instead of two) — so every
//! path gives the same bits as the scalar one: the tests hold them to that, and to the f64
//! reference. A pass is a [`Pass`]: its arithmetic generic over [`Lanes`], run by [`run`] at the
//! chosen width.

use std::cell::Cell;
use std::sync::OnceLock;

/// A vector width for the element-wise passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simd {
    /// 16 lanes (x86-64 with AVX-512F).
    Avx512,
    /// 8 lanes (x86-64 with AVX2 and FMA, the level `gemm` needs for its vector kernels).
    Avx2,
    /// One lane at a time, as the compiler vectorises it for the build's baseline (SSE2 on
    /// x86-64). In the page's module, built with wasm SIMD, this is 4 lanes of it (`wasm::F32x4`).
    Scalar,
}

impl Simd {
    pub const ALL: [Simd; 3] = [Simd::Avx512, Simd::Avx2, Simd::Scalar];

    /// The name `LSTM_LAB_SIMD` takes.
    pub fn name(self) -> &'static str {
        match self {
            Simd::Avx512 => "avx512",
            Simd::Avx2 => "avx2",
            Simd::Scalar => "scalar",
        }
    }

    /// Whether this CPU runs it.
    pub fn available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            Simd::Scalar => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The widest this CPU runs. (AVX2 was left out until the closures in the passes' bodies
    /// were gone — see [`blocks!`]: on an AVX-512 Xeon the AVX2 passes' step then took 3× the
    /// scalar one's; since, the release CLI's 128×128 step is 134 ms with them against 149 ms
    /// scalar and 127 ms AVX-512, one thread, docs/measurements.md.)
    pub fn widest() -> Simd {
        Simd::ALL
            .into_iter()
            .find(|s| s.available())
            .unwrap_or(Simd::Scalar)
    }
}

/// What the environment variable `LSTM_LAB_SIMD` (`avx512`, `avx2` or `scalar`) asks for, read
/// once: a narrower path than the CPU has, to measure or compare; unset, empty, unknown or not
/// available here, the widest (the last two said once on stderr).
pub fn chosen() -> Simd {
    static CHOSEN: OnceLock<Simd> = OnceLock::new();
    *CHOSEN.get_or_init(|| {
        #[cfg(not(target_family = "wasm"))]
        if let Ok(asked) = std::env::var("LSTM_LAB_SIMD")
            && !asked.is_empty()
        {
            match Simd::ALL.into_iter().find(|s| s.name() == asked) {
                Some(s) if s.available() => return s,
                Some(s) => eprintln!(
                    "LSTM_LAB_SIMD={asked}: this CPU has no {}; using {}",
                    s.name(),
                    Simd::widest().name()
                ),
                None => eprintln!(
                    "LSTM_LAB_SIMD={asked}: not avx512, avx2 or scalar; using {}",
                    Simd::widest().name()
                ),
            }
        }
        Simd::widest()
    })
}

thread_local! {
    static FORCED: Cell<Option<Simd>> = const { Cell::new(None) };
}

/// The width a kernel called on this thread runs at: [`chosen`], unless a test forced one.
/// Kernels read it once, on the calling thread, and hand it to their worker threads.
pub fn current() -> Simd {
    FORCED.with(|f| f.get()).unwrap_or_else(chosen)
}

/// Run `work` with the kernels called from this thread at `simd` (tests: every path this CPU
/// has, against the reference). Panics if the CPU lacks it.
#[cfg(test)]
pub(crate) fn forced<R>(simd: Simd, work: impl FnOnce() -> R) -> R {
    assert!(simd.available(), "{simd:?} on a CPU without it");
    let before = FORCED.with(|f| f.replace(Some(simd)));
    let out = work();
    FORCED.with(|f| f.set(before));
    out
}

/// Which microkernels `gemm` 0.19 runs here: its own choice at run time
/// (`gemm-common/src/gemm.rs`, `init_gemm_fn`: AVX-512F when built with its `x86-v4` feature,
/// which Cargo.toml turns on natively, then FMA, then scalar), told for the benchmarks.
pub fn gemm_path() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return "avx512f";
        }
        if std::arch::is_x86_feature_detected!("fma") {
            return "fma (avx2)";
        }
    }
    #[cfg(target_family = "wasm")]
    return "simd128";
    #[allow(unreachable_code)]
    "scalar"
}

/// The x86 vector features this CPU has that matter here, in words.
pub fn cpu_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        let found = [
            ("avx512f", has!("avx512f")),
            ("avx2", has!("avx2")),
            ("fma", has!("fma")),
            ("sse2", has!("sse2")),
        ];
        let names: Vec<&str> = found.iter().filter(|f| f.1).map(|f| f.0).collect();
        if names.is_empty() {
            return "none".into();
        }
        names.join(" ")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        std::env::consts::ARCH.to_string()
    }
}

/// A vector of `WIDTH` floats and the operations the passes need.
///
/// The x86 impls call AVX-512F / AVX2 intrinsics: they are only ever instantiated inside
/// [`run`]'s `#[target_feature]` functions, which it enters after checking the CPU.
pub(crate) trait Lanes: Copy {
    const WIDTH: usize;
    fn splat(v: f32) -> Self;
    /// `s[at..at + len]` (`1 ≤ len ≤ WIDTH`), the lanes past `len` zero.
    fn read(s: &[f32], at: usize, len: usize) -> Self;
    /// The first `len` lanes into `s[at..at + len]`.
    fn write(self, s: &mut [f32], at: usize, len: usize);
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn neg(self) -> Self;
    /// `f32::clamp`, a NaN passing through.
    fn clamp(self, lo: f32, hi: f32) -> Self;
    /// `2^n` from `n + 1.5·2²³` (see [`exp`]): the integer in the low mantissa bits moved into
    /// the exponent.
    fn pow2_of_shifted(self) -> Self;
}

impl Lanes for f32 {
    const WIDTH: usize = 1;
    #[inline(always)]
    fn splat(v: f32) -> Self {
        v
    }
    #[inline(always)]
    fn read(s: &[f32], at: usize, _: usize) -> Self {
        s[at]
    }
    #[inline(always)]
    fn write(self, s: &mut [f32], at: usize, _: usize) {
        s[at] = self;
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self + o
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self - o
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self * o
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        self / o
    }
    #[inline(always)]
    fn neg(self) -> Self {
        -self
    }
    #[inline(always)]
    fn clamp(self, lo: f32, hi: f32) -> Self {
        f32::clamp(self, lo, hi)
    }
    #[inline(always)]
    fn pow2_of_shifted(self) -> Self {
        let n = (self.to_bits() as i32).wrapping_sub(0x4B40_0000);
        f32::from_bits((n.wrapping_add(127) << 23) as u32)
    }
}

/// `e^x` to a few ulp, in straight-line float arithmetic at any width (the standard library's
/// `exp` is a call per element: in wasm, a call into a software libm).
///
/// Cephes' `expf`: `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2`, `e^r = 1 + r + r²·P(r)` with its
/// degree-5 minimax `P`, and `2^n` written into the exponent bits. Inputs are clamped to the
/// finite range, so the result saturates near 0 and 1.7e38 instead of overflowing; NaN stays
/// NaN.
#[inline(always)]
pub(crate) fn exp<V: Lanes>(x: V) -> V {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // ln 2 in two parts: n·C1 is exact for |n| ≤ 127.
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    // Adding 1.5·2²³ rounds to an integer (kept in the low mantissa bits) without a rounding
    // instruction, which baseline x86-64 lacks in vector form.
    const SHIFTER: f32 = 12_582_912.0;
    let s = V::splat;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x.mul(s(LOG2E)).add(s(SHIFTER));
    let n = shifted.sub(s(SHIFTER));
    let r = x.sub(n.mul(s(C1))).sub(n.mul(s(C2)));
    let p = s(1.987_569_2e-4).mul(r).add(s(1.398_199_9e-3));
    let p = p.mul(r).add(s(8.333_452e-3));
    let p = p.mul(r).add(s(4.166_579_6e-2));
    let p = p.mul(r).add(s(1.666_666_5e-1));
    let p = p.mul(r).add(s(0.5)); // Cephes: 5.0000001e-1, which is 0.5 in f32
    let e_r = p.mul(r.mul(r)).add(r).add(s(1.0));
    e_r.mul(shifted.pow2_of_shifted())
}

/// `1 / (1 + e^{−x})`.
#[inline(always)]
pub(crate) fn sigmoid<V: Lanes>(x: V) -> V {
    let one = V::splat(1.0);
    one.div(one.add(exp(x.neg())))
}

/// `tanh x = 1 − 2 / (e^{2x} + 1)`: exact at ±∞, absolute error ≈ 1e-7 near 0.
#[inline(always)]
pub(crate) fn tanh<V: Lanes>(x: V) -> V {
    let (one, two) = (V::splat(1.0), V::splat(2.0));
    one.sub(two.div(exp(two.mul(x)).add(one)))
}

/// An element-wise pass, written once over [`Lanes`]; [`run`] picks the width.
pub(crate) trait Pass {
    /// The pass at width `V` (`#[inline(always)]`, so that it is compiled inside the
    /// `#[target_feature]` function that calls it).
    fn run<V: Lanes>(self);
}

/// Run `pass` at `simd`'s width (the widths this target lacks run as [`Simd::Scalar`]).
#[inline]
pub(crate) fn run<P: Pass>(simd: Simd, pass: P) {
    match simd {
        #[cfg(target_arch = "x86_64")]
        Simd::Avx512 if Simd::Avx512.available() => {
            // SAFETY: the CPU has AVX-512F (checked just above; the check is a cached load).
            unsafe { x86::run_avx512(pass) }
        }
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2 if Simd::Avx2.available() => {
            // SAFETY: the CPU has AVX2 and FMA.
            unsafe { x86::run_avx2(pass) }
        }
        // The page's trainer module is built with wasm SIMD (scripts/lib.sh): 4 lanes, always.
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        _ => pass.run::<wasm::F32x4>(),
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        _ => pass.run::<f32>(),
    }
}

/// `blocks!(V, width, |j, len| { … })`: the body for each block of a row's `width` columns,
/// `V::WIDTH` at a time (the last block shorter), `j` the block's first column and `len` its
/// length.
///
/// A macro and not a function taking a closure, and the passes' bodies free of closures, because
/// a closure cannot be `#[inline(always)]` on stable Rust: one that LLVM leaves out of line is
/// compiled without the `#[target_feature]` of [`run`]'s entry, and then every intrinsic in it
/// is a call. Issue 26 measured the AVX2 gate passes 3× slower than scalar for that reason (the
/// AVX-512 ones happened to be inlined).
macro_rules! blocks {
    ($V:ty, $width:expr, |$j:ident, $len:ident| $body:block) => {{
        let width: usize = $width;
        let mut $j = 0;
        while $j < width {
            let $len = (width - $j).min(<$V as $crate::trainer::ops::cpu_simd::Lanes>::WIDTH);
            $body
            $j += $len;
        }
    }};
}
pub(crate) use blocks;

/// `a = tanh(a + b)` for every row of `a` `[n, width]`, `bias` `[width]`: the tanh RNN's
/// forward step.
pub(crate) struct BiasTanh<'a> {
    pub a: &'a mut [f32],
    pub bias: &'a [f32],
}

impl Pass for BiasTanh<'_> {
    #[inline(always)]
    fn run<V: Lanes>(self) {
        let width = self.bias.len();
        for row in self.a.chunks_exact_mut(width) {
            blocks!(V, width, |j, len| {
                let v = V::read(row, j, len).add(V::read(self.bias, j, len));
                tanh(v).write(row, j, len);
            });
        }
    }
}

/// 4 lanes of wasm SIMD, which the whole module is compiled with (no run-time choice in wasm).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::Lanes;
    use std::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub(crate) struct F32x4(v128);

    impl Lanes for F32x4 {
        const WIDTH: usize = 4;
        #[inline(always)]
        fn splat(v: f32) -> Self {
            F32x4(f32x4_splat(v))
        }
        #[inline(always)]
        fn read(s: &[f32], at: usize, len: usize) -> Self {
            let mut lanes = [0f32; 4];
            lanes[..len].copy_from_slice(&s[at..at + len]);
            // SAFETY: 16 readable bytes; v128 loads need no alignment.
            F32x4(unsafe { v128_load(lanes.as_ptr().cast()) })
        }
        #[inline(always)]
        fn write(self, s: &mut [f32], at: usize, len: usize) {
            let mut lanes = [0f32; 4];
            // SAFETY: 16 writable bytes.
            unsafe { v128_store(lanes.as_mut_ptr().cast(), self.0) };
            s[at..at + len].copy_from_slice(&lanes[..len]);
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            F32x4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            F32x4(f32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            F32x4(f32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            F32x4(f32x4_div(self.0, o.0))
        }
        #[inline(always)]
        fn neg(self) -> Self {
            F32x4(f32x4_neg(self.0))
        }
        #[inline(always)]
        fn clamp(self, lo: f32, hi: f32) -> Self {
            // pmax(x, lo) is `x < lo ? lo : x` and pmin(x, hi) `hi < x ? hi : x`: a NaN passes.
            let x = f32x4_pmax(self.0, f32x4_splat(lo));
            F32x4(f32x4_pmin(x, f32x4_splat(hi)))
        }
        #[inline(always)]
        fn pow2_of_shifted(self) -> Self {
            let n = i32x4_sub(self.0, i32x4_splat(0x4B40_0000));
            F32x4(i32x4_shl(i32x4_add(n, i32x4_splat(127)), 23))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Lanes, Pass};
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn run_avx512<P: Pass>(pass: P) {
        pass.run::<F32x16>()
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn run_avx2<P: Pass>(pass: P) {
        pass.run::<F32x8>()
    }

    /// 16 lanes. SAFETY (every intrinsic below): only instantiated inside [`run_avx512`].
    #[derive(Clone, Copy)]
    pub(crate) struct F32x16(__m512);

    impl Lanes for F32x16 {
        const WIDTH: usize = 16;
        #[inline(always)]
        fn splat(v: f32) -> Self {
            unsafe { F32x16(_mm512_set1_ps(v)) }
        }
        #[inline(always)]
        fn read(s: &[f32], at: usize, len: usize) -> Self {
            let s = &s[at..at + len];
            unsafe {
                if len == 16 {
                    F32x16(_mm512_loadu_ps(s.as_ptr()))
                } else {
                    // Masked: the lanes past `len` are neither read nor faulted on.
                    F32x16(_mm512_maskz_loadu_ps(tail_mask(len), s.as_ptr()))
                }
            }
        }
        #[inline(always)]
        fn write(self, s: &mut [f32], at: usize, len: usize) {
            let s = &mut s[at..at + len];
            unsafe {
                if len == 16 {
                    _mm512_storeu_ps(s.as_mut_ptr(), self.0)
                } else {
                    _mm512_mask_storeu_ps(s.as_mut_ptr(), tail_mask(len), self.0)
                }
            }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            unsafe { F32x16(_mm512_add_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            unsafe { F32x16(_mm512_sub_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            unsafe { F32x16(_mm512_mul_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            unsafe { F32x16(_mm512_div_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn neg(self) -> Self {
            // The sign bit flipped, as `-x` does (AVX-512F has the integer xor, not the float).
            unsafe {
                let sign = _mm512_set1_epi32(i32::MIN);
                F32x16(_mm512_castsi512_ps(_mm512_xor_si512(
                    _mm512_castps_si512(self.0),
                    sign,
                )))
            }
        }
        #[inline(always)]
        fn clamp(self, lo: f32, hi: f32) -> Self {
            // max/min return their second operand when either is NaN: x, so a NaN passes.
            unsafe {
                let x = _mm512_max_ps(_mm512_set1_ps(lo), self.0);
                F32x16(_mm512_min_ps(_mm512_set1_ps(hi), x))
            }
        }
        #[inline(always)]
        fn pow2_of_shifted(self) -> Self {
            unsafe {
                let n =
                    _mm512_sub_epi32(_mm512_castps_si512(self.0), _mm512_set1_epi32(0x4B40_0000));
                let e = _mm512_slli_epi32::<23>(_mm512_add_epi32(n, _mm512_set1_epi32(127)));
                F32x16(_mm512_castsi512_ps(e))
            }
        }
    }

    #[inline(always)]
    fn tail_mask(len: usize) -> __mmask16 {
        ((1u32 << len) - 1) as __mmask16
    }

    /// 8 lanes. SAFETY (every intrinsic below): only instantiated inside [`run_avx2`].
    #[derive(Clone, Copy)]
    pub(crate) struct F32x8(__m256);

    impl F32x8 {
        /// Lanes `0..len` set.
        #[inline(always)]
        fn mask(len: usize) -> __m256i {
            unsafe {
                _mm256_cmpgt_epi32(
                    _mm256_set1_epi32(len as i32),
                    _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                )
            }
        }
    }

    impl Lanes for F32x8 {
        const WIDTH: usize = 8;
        #[inline(always)]
        fn splat(v: f32) -> Self {
            unsafe { F32x8(_mm256_set1_ps(v)) }
        }
        #[inline(always)]
        fn read(s: &[f32], at: usize, len: usize) -> Self {
            let s = &s[at..at + len];
            unsafe {
                if len == 8 {
                    F32x8(_mm256_loadu_ps(s.as_ptr()))
                } else {
                    F32x8(_mm256_maskload_ps(s.as_ptr(), Self::mask(len)))
                }
            }
        }
        #[inline(always)]
        fn write(self, s: &mut [f32], at: usize, len: usize) {
            let s = &mut s[at..at + len];
            unsafe {
                if len == 8 {
                    _mm256_storeu_ps(s.as_mut_ptr(), self.0)
                } else {
                    _mm256_maskstore_ps(s.as_mut_ptr(), Self::mask(len), self.0)
                }
            }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            unsafe { F32x8(_mm256_add_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            unsafe { F32x8(_mm256_sub_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            unsafe { F32x8(_mm256_mul_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn div(self, o: Self) -> Self {
            unsafe { F32x8(_mm256_div_ps(self.0, o.0)) }
        }
        #[inline(always)]
        fn neg(self) -> Self {
            unsafe { F32x8(_mm256_xor_ps(self.0, _mm256_set1_ps(-0.0))) }
        }
        #[inline(always)]
        fn clamp(self, lo: f32, hi: f32) -> Self {
            // As F32x16's: NaN is the second operand, so it passes.
            unsafe {
                let x = _mm256_max_ps(_mm256_set1_ps(lo), self.0);
                F32x8(_mm256_min_ps(_mm256_set1_ps(hi), x))
            }
        }
        #[inline(always)]
        fn pow2_of_shifted(self) -> Self {
            unsafe {
                let n =
                    _mm256_sub_epi32(_mm256_castps_si256(self.0), _mm256_set1_epi32(0x4B40_0000));
                let e = _mm256_slli_epi32::<23>(_mm256_add_epi32(n, _mm256_set1_epi32(127)));
                F32x8(_mm256_castsi256_ps(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `y = f(x)` over a buffer, as a pass: the activations at every width.
    struct Map<'a> {
        x: &'a [f32],
        y: &'a mut [f32],
        f: usize,
    }

    impl Pass for Map<'_> {
        #[inline(always)]
        fn run<V: Lanes>(self) {
            let n = self.x.len();
            blocks!(V, n, |j, len| {
                let x = V::read(self.x, j, len);
                let y = match self.f {
                    0 => exp(x),
                    1 => sigmoid(x),
                    _ => tanh(x),
                };
                y.write(self.y, j, len);
            });
        }
    }

    /// Every width this CPU has gives the scalar formula's bits, on a sweep that covers the
    /// clamps, ±∞, NaN, ±0 and lengths that leave every tail length.
    #[test]
    fn every_width_gives_the_scalar_bits() {
        let mut x: Vec<f32> = (0..4001).map(|i| -100.0 + 0.05 * i as f32).collect();
        x.extend([f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.0, -0.0, 1e-30]);
        for simd in Simd::ALL.into_iter().filter(|s| s.available()) {
            for f in 0..3 {
                for len in (1..=40).chain([x.len()]) {
                    let mut want = vec![0f32; len];
                    run(
                        Simd::Scalar,
                        Map {
                            x: &x[..len],
                            y: &mut want,
                            f,
                        },
                    );
                    let mut got = vec![7f32; len];
                    run(
                        simd,
                        Map {
                            x: &x[..len],
                            y: &mut got,
                            f,
                        },
                    );
                    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                        assert!(
                            g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                            "{simd:?}, function {f}, x = {}: {g} vs scalar {w}",
                            x[i]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_widest_path_is_chosen_unless_asked() {
        assert!(Simd::Scalar.available());
        assert!(Simd::widest().available());
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            assert_eq!(Simd::widest(), Simd::Avx512);
        }
        assert_eq!(forced(Simd::Scalar, current), Simd::Scalar);
        assert_eq!(current(), chosen(), "the force ends with its closure");
    }
}
