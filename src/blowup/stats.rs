//! Per-step summaries of the matrix `x_t`: its size on a log scale and how many entries have
//! left the float32 range.

use bytemuck::{Pod, Zeroable};
use serde::Serialize;

/// Statistics of one block of entries. The GPU writes one per 32×32 output tile (same layout as
/// `TilePartial` in `shaders/blowup/step.wgsl`); the CPU engines make one for the whole matrix.
///
/// The sum of squares is kept relative to the block's own maximum, `Σ (v/max)²`, so it cannot
/// overflow even when the entries are near float32's limit.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct TilePartial {
    /// Largest finite |v| in the block (0 if none).
    pub max_abs: f32,
    /// `Σ (v / max_abs)²` over finite entries.
    pub sum_sq_scaled: f32,
    pub inf: u32,
    pub nan: u32,
    pub zero: u32,
}

impl TilePartial {
    /// Two-pass summary of a block, in float32 like the shader.
    pub fn of(values: &[f32]) -> Self {
        let mut p = TilePartial::default();
        for &v in values {
            if v.is_nan() {
                p.nan += 1;
            } else if v.is_infinite() {
                p.inf += 1;
            } else {
                if v == 0.0 {
                    p.zero += 1;
                }
                p.max_abs = p.max_abs.max(v.abs());
            }
        }
        if p.max_abs > 0.0 {
            let m = p.max_abs;
            p.sum_sq_scaled = values
                .iter()
                .filter(|v| v.is_finite())
                .map(|&v| (v / m) * (v / m))
                .sum();
        }
        p
    }
}

/// What the page plots for one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepStats {
    /// log10 of the Frobenius norm; `None` once an entry is Inf/NaN or all entries are zero.
    pub log10_norm: Option<f64>,
    /// log10 of the largest finite |entry|; `None` if there is none or it is zero.
    pub log10_max_abs: Option<f64>,
    pub inf: u32,
    pub nan: u32,
    pub zero: u32,
    pub total: u32,
}

impl StepStats {
    /// Combine block summaries (in f64, so the combination adds no rounding of its own).
    pub fn from_partials(partials: &[TilePartial], total: u32) -> Self {
        let max = partials.iter().map(|p| p.max_abs).fold(0.0f32, f32::max) as f64;
        let (inf, nan, zero) = partials
            .iter()
            .fold((0, 0, 0), |(i, n, z), p| (i + p.inf, n + p.nan, z + p.zero));
        let log10_max_abs = (max > 0.0).then(|| max.log10());
        let log10_norm = if inf == 0 && nan == 0 && max > 0.0 {
            let sum_sq: f64 = partials
                .iter()
                .filter(|p| p.max_abs > 0.0)
                .map(|p| p.sum_sq_scaled as f64 * (p.max_abs as f64 / max).powi(2))
                .sum();
            Some(max.log10() + 0.5 * sum_sq.log10())
        } else {
            None
        };
        Self {
            log10_norm,
            log10_max_abs,
            inf,
            nan,
            zero,
            total,
        }
    }

    pub fn of(values: &[f32]) -> Self {
        Self::from_partials(&[TilePartial::of(values)], values.len() as u32)
    }

    pub fn all_zero(&self) -> bool {
        self.zero == self.total
    }
}

/// A whole run: statistics for `x_0 … x_T` and the events a learner should see.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trajectory {
    /// `steps + 1` entries: index 0 is `x₀`.
    pub stats: Vec<StepStats>,
    pub first_inf: Option<usize>,
    pub first_nan: Option<usize>,
    pub first_all_zero: Option<usize>,
    /// `log10 ‖x₀‖ + t · log10(scale·√n)`: where the norm would be with exactly average growth.
    pub expected_log10_norm: Vec<f64>,
    /// One sentence saying what happened.
    pub verdict: String,
}

impl Trajectory {
    pub fn new(stats: Vec<StepStats>, expected_log10_growth: f64) -> Self {
        let first = |pred: &dyn Fn(&StepStats) -> bool| stats.iter().position(pred);
        let first_inf = first(&|s| s.inf > 0);
        let first_nan = first(&|s| s.nan > 0);
        let first_all_zero = first(&|s| s.all_zero());
        let start = stats[0].log10_norm.unwrap_or(0.0);
        let expected_log10_norm = (0..stats.len())
            .map(|t| start + t as f64 * expected_log10_growth)
            .collect();
        let mut trajectory = Self {
            stats,
            first_inf,
            first_nan,
            first_all_zero,
            expected_log10_norm,
            verdict: String::new(),
        };
        trajectory.verdict = trajectory.describe();
        trajectory
    }

    fn describe(&self) -> String {
        let steps = self.stats.len() - 1;
        if let Some(t) = self.first_inf.or(self.first_nan) {
            let mut s = format!(
                "Overflowed at step {t}: an entry passed float32's largest value (3.4e38) and became Inf."
            );
            if let Some(n) = self.first_nan {
                s.push_str(&format!(
                    " From step {n} there is NaN (Inf − Inf and 0 · Inf have no value)."
                ));
            }
            if self.stats[steps].nan == self.stats[steps].total {
                s.push_str(" By the end every entry is NaN.");
            }
            return s;
        }
        if let Some(t) = self.first_all_zero {
            return format!(
                "Underflowed: from step {t} every entry is exactly 0 — below float32's smallest value (1.4e-45) the information is gone."
            );
        }
        let last = &self.stats[steps];
        let first = self.stats[0].log10_norm.unwrap_or(0.0);
        let end = last.log10_norm.unwrap_or(f64::NAN);
        let change = end - first;
        let mut s = format!(
            "Still finite after {steps} steps: the norm changed by 10^{change:.1} (log10 ‖x‖ from {first:.1} to {end:.1})."
        );
        if last.zero > 0 {
            s.push_str(&format!(
                " {} of {} entries are already exactly 0.",
                last.zero, last.total
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_counts_and_norm() {
        let s = StepStats::of(&[3.0, -4.0, 0.0, 0.0]);
        assert_eq!((s.inf, s.nan, s.zero, s.total), (0, 0, 2, 4));
        assert!((s.log10_norm.unwrap() - 5f64.log10()).abs() < 1e-6);
        assert!((s.log10_max_abs.unwrap() - 4f64.log10()).abs() < 1e-6);
    }

    #[test]
    fn norm_of_huge_values_does_not_overflow() {
        // Squares of 1e30 overflow float32; the scaled sum must not.
        let s = StepStats::of(&[1e30, 1e30, 1e30, 1e30]);
        assert!((s.log10_norm.unwrap() - (30.0 + 2f64.log10())).abs() < 1e-5);
    }

    #[test]
    fn combining_tiles_equals_whole() {
        let values: Vec<f32> = (0..40).map(|i| (i as f32 - 17.5) * 1e20).collect();
        let whole = StepStats::of(&values);
        let tiles: Vec<TilePartial> = values.chunks(7).map(TilePartial::of).collect();
        let combined = StepStats::from_partials(&tiles, 40);
        assert!((whole.log10_norm.unwrap() - combined.log10_norm.unwrap()).abs() < 1e-6);
        assert_eq!(whole.zero, combined.zero);
    }

    #[test]
    fn inf_nan_and_zero_are_counted_and_described() {
        let s = StepStats::of(&[f32::INFINITY, f32::NAN, 1.0, 0.0]);
        assert_eq!((s.inf, s.nan, s.zero), (1, 1, 1));
        assert_eq!(s.log10_norm, None);
        let stats = vec![
            StepStats::of(&[1.0, 1.0]),
            StepStats::of(&[1e38, 1.0]),
            StepStats::of(&[f32::INFINITY, 1.0]),
            StepStats::of(&[f32::NAN, f32::NAN]),
        ];
        let t = Trajectory::new(stats, 19.0);
        assert_eq!(
            (t.first_inf, t.first_nan, t.first_all_zero),
            (Some(2), Some(3), None)
        );
        assert!(
            t.verdict.starts_with("Overflowed at step 2"),
            "{}",
            t.verdict
        );
        assert!(t.verdict.contains("every entry is NaN"), "{}", t.verdict);
    }

    #[test]
    fn underflow_is_described() {
        let stats = vec![
            StepStats::of(&[1.0, 1.0]),
            StepStats::of(&[1e-44, 0.0]),
            StepStats::of(&[0.0, 0.0]),
        ];
        let t = Trajectory::new(stats, -20.0);
        assert_eq!(t.first_all_zero, Some(2));
        assert!(
            t.verdict.contains("from step 2 every entry is exactly 0"),
            "{}",
            t.verdict
        );
        assert!((t.expected_log10_norm[2] - (2f64.sqrt().log10() - 40.0)).abs() < 1e-9);
    }
}
