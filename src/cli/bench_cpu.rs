//! What `bench train --device cpu` adds below its time: the vector paths the run took, and the
//! recurrent layer's GEMM rate per core against the core's FMA peak (`scripts/bench native`
//! prints it beside PyTorch's time).

use crate::trainer::ops::cpu_simd;

/// FLOPs of the recurrent layer's GEMMs in one training step: forward `X W_ihᵀ` and
/// `h W_hhᵀ`, backward `da W_hh`, `∂W_hh`, `∂W_ih` and `∂X` — `2·T·B·G·H` multiply-adds per
/// column, `E` wide three times and `H` wide three times (`G` gate blocks).
pub(super) fn recurrent_gemm_flops(
    steps: usize,
    batch: usize,
    gates: usize,
    e: usize,
    h: usize,
) -> f64 {
    2.0 * (steps * batch * gates * h) as f64 * (3 * (e + h)) as f64
}

/// One core's fused-multiply-add peak in GFLOP/s at `ghz`, for the vectors `gemm` uses here:
/// two FMA units (every AVX2 and AVX-512 server core since Haswell and Skylake-SP; a few
/// low-end Xeons have one 512-bit unit), lanes per vector, two FLOPs per lane.
pub(super) fn fma_peak_gflops(ghz: f64, lanes: usize) -> f64 {
    ghz * 2.0 * lanes as f64 * 2.0
}

/// The nominal clock in GHz (`cpu MHz` of the first core in /proc/cpuinfo; a core may run
/// faster in turbo, so the peak below is a nominal one). `None` where there is no such file.
fn nominal_ghz() -> Option<f64> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("cpu MHz"))?;
    let mhz: f64 = line.split(':').nth(1)?.trim().parse().ok()?;
    Some(mhz / 1e3)
}

/// The lines: vector features and paths; the GEMM rate per thread against the peak.
pub(super) fn report(flops: f64, seconds: f64, threads: usize) -> String {
    let gemm = cpu_simd::gemm_path();
    let mut out = format!(
        "CPU vector features: {}; gate passes: {} (LSTM_LAB_SIMD=avx512|avx2|scalar narrows it); gemm microkernels: {gemm}",
        cpu_simd::cpu_features(),
        cpu_simd::chosen().name(),
    );
    let per_core = flops / seconds / 1e9 / threads as f64;
    out += &format!(
        "\nrecurrent layer's GEMMs: {:.2} GFLOP/step, {per_core:.1} GFLOP/s per thread",
        flops / 1e9
    );
    let lanes = match gemm {
        "avx512f" => 16,
        "fma (avx2)" => 8,
        _ => 0,
    };
    if let (Some(ghz), true) = (nominal_ghz(), lanes > 0) {
        let peak = fma_peak_gflops(ghz, lanes);
        out += &format!(
            " = {:.0} % of one core's FMA peak ({peak:.0} GFLOP/s: {ghz:.2} GHz nominal × 2 FMA units × {lanes} lanes × 2)",
            100.0 * per_core / peak
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The post's step, counted by hand: six GEMMs of 2·(T·B)·(4H)·K FLOPs, K = E for three
    /// (X W_ihᵀ, ∂W_ih, ∂X) and H for three (h W_hhᵀ, da W_hh, ∂W_hh); the 7.9 GFLOP issue
    /// 26 quotes.
    #[test]
    fn the_posts_step_is_7_9_gflop() {
        let (t, b, e, h) = (128usize, 128usize, 100usize, 100usize);
        let one = |k: usize| 2.0 * (t * b) as f64 * (4 * h) as f64 * k as f64;
        let by_hand = 3.0 * one(e) + 3.0 * one(h);
        assert_eq!(recurrent_gemm_flops(t, b, 4, e, h), by_hand);
        assert!((by_hand / 1e9 - 7.86).abs() < 0.01);
        assert_eq!(fma_peak_gflops(2.0, 16), 128.0);
    }
}
