//! CPU engines: float32 like PyTorch, and the float64 oracle the other engines are tested against.

use super::{BlowupConfig, Problem, StepStats, Trajectory};
use serde::Serialize;

/// What a float unit does with results smaller than float32's smallest normal number (1.2e-38).
/// IEEE keeps them as subnormals (down to 1.4e-45); many GPUs flush them to zero, which makes
/// an underflowing run reach all-zeros several steps earlier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Subnormals {
    Keep,
    Flush,
}

/// `W_t = scale · M_t`, rounded to float32 exactly as `torch.randn(n, n) * scale` would be.
fn scaled_matrix(problem: &Problem, t: usize, scale: f32, out: &mut [f32]) {
    for (w, &m) in out.iter_mut().zip(problem.matrix(t)) {
        *w = m * scale;
    }
}

/// The experiment in plain float32: every product and sum rounded to float32.
pub fn run_f32(problem: &Problem, config: &BlowupConfig) -> Trajectory {
    let n = problem.n;
    let mut x = problem.x0.clone();
    let mut y = vec![0.0f32; n * n];
    let mut w = vec![0.0f32; n * n];
    let mut stats = Vec::with_capacity(config.steps + 1);
    stats.push(StepStats::of(&x));
    for t in 0..config.steps {
        scaled_matrix(problem, t, config.scale, &mut w);
        matmul_f32(&x, &w, &mut y, n);
        std::mem::swap(&mut x, &mut y);
        stats.push(StepStats::of(&x));
    }
    Trajectory::new(stats, config.expected_log10_growth())
}

/// `out = a · b` for n×n row-major matrices. The i-k-j order streams rows of `b`; each output
/// still sums its products in k order, like a textbook dot product.
pub fn matmul_f32(a: &[f32], b: &[f32], out: &mut [f32], n: usize) {
    out.fill(0.0);
    for i in 0..n {
        let out_row = &mut out[i * n..(i + 1) * n];
        for k in 0..n {
            let aik = a[i * n + k];
            let b_row = &b[k * n..(k + 1) * n];
            for (o, &bkj) in out_row.iter_mut().zip(b_row) {
                *o += aik * bkj;
            }
        }
    }
}

/// The oracle: each step's matrix product in float64 (no rounding inside the product, no
/// overflow in partial sums), then every entry rounded to float32 — so it overflows, produces
/// NaN and underflows exactly where a float32 result must, give or take one step of rounding.
pub fn run_reference(
    problem: &Problem,
    config: &BlowupConfig,
    subnormals: Subnormals,
) -> Trajectory {
    let n = problem.n;
    let mut x: Vec<f64> = problem.x0.iter().map(|&v| v as f64).collect();
    let mut w32 = vec![0.0f32; n * n];
    let mut y = vec![0.0f64; n * n];
    let mut rounded = vec![0.0f32; n * n];
    let mut stats = Vec::with_capacity(config.steps + 1);
    stats.push(StepStats::of(&problem.x0));
    for t in 0..config.steps {
        scaled_matrix(problem, t, config.scale, &mut w32);
        y.fill(0.0);
        for i in 0..n {
            for k in 0..n {
                let xik = x[i * n + k];
                for j in 0..n {
                    y[i * n + j] += xik * w32[k * n + j] as f64;
                }
            }
        }
        for (r, &v) in rounded.iter_mut().zip(&y) {
            let f = v as f32;
            *r = if subnormals == Subnormals::Flush && f.is_subnormal() {
                0.0
            } else {
                f
            };
        }
        for (xv, &r) in x.iter_mut().zip(&rounded) {
            *xv = r as f64;
        }
        stats.push(StepStats::of(&rounded));
    }
    Trajectory::new(stats, config.expected_log10_growth())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blowup::Init;

    #[test]
    fn matmul_matches_hand_computed() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [5.0, 6.0, 7.0, 8.0];
        let mut out = [0.0; 4];
        matmul_f32(&a, &b, &mut out, 2);
        assert_eq!(out, [19.0, 22.0, 43.0, 50.0]);
    }

    #[test]
    fn identity_at_critical_scale_keeps_x() {
        let n = 8;
        let config = BlowupConfig {
            n,
            steps: 5,
            scale: 1.0 / (n as f32).sqrt(),
            init: Init::Identity,
            seed: 3,
        };
        let p = Problem::generate(&config).unwrap();
        let t = run_f32(&p, &config);
        let first = t.stats[0].log10_norm.unwrap();
        for s in &t.stats {
            assert!((s.log10_norm.unwrap() - first).abs() < 1e-5);
        }
    }
}
