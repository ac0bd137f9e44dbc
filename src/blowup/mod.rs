//! The Blow-up lab: what repeated multiplication by random matrices does to a float32 matrix.
//!
//! Backpropagation through time multiplies the gradient by one recurrent Jacobian per step. The
//! experiment strips that down to its core: start from `x₀ = randn(n, n)` and apply
//! `x_{t+1} = x_t · W_t` with `W_t = scale · M_t` for `T` steps. Every `M_t` has entries of unit
//! mean square, so the Frobenius norm grows by about `scale · √n` per step: above the critical
//! scale `1/√n` the values overflow float32 (Inf, then NaN once Inf − Inf appears), below it they
//! sink through the subnormals to exact zeros.
//!
//! Three engines compute the same trajectory and are tested against each other:
//! [`cpu::run_f32`] (plain float32, like PyTorch on a CPU), [`cpu::run_reference`] (float64
//! arithmetic rounded to float32 after each step: the oracle), and [`gpu::BlowupGpu`] (WGSL).

pub mod cpu;
pub mod gpu;
mod stats;

pub use stats::{StepStats, TilePartial, Trajectory};

use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MIN_N: usize = 2;
pub const MAX_N: usize = 256;
pub const MIN_STEPS: usize = 1;
pub const MAX_STEPS: usize = 200;
pub const MIN_SCALE: f32 = 1e-3;
pub const MAX_SCALE: f32 = 10.0;

/// How the unscaled matrices `M_t` are drawn. Each has entries of unit mean square, so that the
/// same `scale` means the same expected growth for every initialisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// Entries from N(0, 1): `torch.randn`, as in the post.
    Normal,
    /// Entries from U(−√3, √3), which has variance 1.
    Uniform,
    /// `√n · Q` with `Q` a random orthogonal matrix: every step scales the norm by exactly
    /// `scale · √n`.
    Orthogonal,
    /// `√n · I`: at the critical scale `1/√n` this is the identity, the IRNN remedy.
    Identity,
}

impl Init {
    pub const ALL: [Init; 4] = [
        Init::Normal,
        Init::Uniform,
        Init::Orthogonal,
        Init::Identity,
    ];
}

/// One experiment. `seed` fixes `x₀` and every `M_t`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlowupConfig {
    pub n: usize,
    pub steps: usize,
    pub scale: f32,
    pub init: Init,
    pub seed: u64,
}

impl BlowupConfig {
    /// The post's first experiment: 50×50, 50 steps, unscaled randn — it overflows.
    pub fn post_overflow() -> Self {
        Self {
            n: 50,
            steps: 50,
            scale: 1.0,
            init: Init::Normal,
            seed: 1,
        }
    }

    /// The post's second experiment: the same with `W · 0.01` — it underflows to zeros.
    pub fn post_underflow() -> Self {
        Self {
            scale: 0.01,
            ..Self::post_overflow()
        }
    }

    /// `1/√n`: below it the norm shrinks, above it the norm grows.
    pub fn critical_scale(&self) -> f64 {
        1.0 / (self.n as f64).sqrt()
    }

    /// Expected log10 growth of the Frobenius norm per step, `log10(scale · √n)`.
    pub fn expected_log10_growth(&self) -> f64 {
        (self.scale as f64 * (self.n as f64).sqrt()).log10()
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(MIN_N..=MAX_N).contains(&self.n) {
            return Err(ConfigError(format!(
                "matrix size n = {} is outside {MIN_N}–{MAX_N}",
                self.n
            )));
        }
        if !(MIN_STEPS..=MAX_STEPS).contains(&self.steps) {
            return Err(ConfigError(format!(
                "steps T = {} is outside {MIN_STEPS}–{MAX_STEPS}",
                self.steps
            )));
        }
        if !self.scale.is_finite() || !(MIN_SCALE..=MAX_SCALE).contains(&self.scale) {
            return Err(ConfigError(format!(
                "scale = {} is outside {MIN_SCALE}–{MAX_SCALE}",
                self.scale
            )));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid Blow-up settings: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The random inputs of an experiment, before scaling: `x₀` and `M_0 … M_{T−1}` as float32,
/// row-major. All engines read exactly these numbers.
#[derive(Clone, Debug)]
pub struct Problem {
    pub n: usize,
    pub init: Init,
    pub seed: u64,
    pub x0: Vec<f32>,
    /// `steps · n · n` values; matrix `t` starts at `t · n · n`.
    pub matrices: Vec<f32>,
}

impl Problem {
    pub fn generate(config: &BlowupConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut problem = Self {
            n: config.n,
            init: config.init,
            seed: config.seed,
            x0: normal_matrix(&mut Rng::stream(config.seed, u64::MAX), config.n),
            matrices: Vec::with_capacity(config.steps * config.n * config.n),
        };
        problem.extend_to(config.steps);
        Ok(problem)
    }

    pub fn steps(&self) -> usize {
        self.matrices.len() / (self.n * self.n)
    }

    /// Whether this problem holds the matrices `config` needs (possibly more steps).
    pub fn serves(&self, config: &BlowupConfig) -> bool {
        self.n == config.n
            && self.init == config.init
            && self.seed == config.seed
            && self.steps() >= config.steps
    }

    /// Draw further matrices; matrix `t` comes from stream `t` of the seed, so the earlier ones
    /// stay as they are.
    pub fn extend_to(&mut self, steps: usize) {
        for t in self.steps()..steps {
            let m = unit_matrix(self.init, self.n, &mut Rng::stream(self.seed, t as u64));
            self.matrices.extend_from_slice(&m);
        }
    }

    pub fn matrix(&self, t: usize) -> &[f32] {
        let nn = self.n * self.n;
        &self.matrices[t * nn..(t + 1) * nn]
    }
}

/// A problem cache for interactive use: scale-only changes reuse the matrices, more steps only
/// draw the new ones.
#[derive(Default)]
pub struct ProblemCache {
    problem: Option<Problem>,
}

impl ProblemCache {
    pub fn get(&mut self, config: &BlowupConfig) -> Result<&Problem, ConfigError> {
        config.validate()?;
        let reusable = self
            .problem
            .as_ref()
            .is_some_and(|p| p.n == config.n && p.init == config.init && p.seed == config.seed);
        if reusable {
            let p = self.problem.as_mut().expect("checked above");
            p.extend_to(config.steps);
        } else {
            self.problem = Some(Problem::generate(config)?);
        }
        Ok(self.problem.as_ref().expect("just filled"))
    }
}

fn normal_matrix(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n * n).map(|_| rng.normal() as f32).collect()
}

/// One `M_t` with entries of unit mean square.
fn unit_matrix(init: Init, n: usize, rng: &mut Rng) -> Vec<f32> {
    let root_n = (n as f64).sqrt();
    match init {
        Init::Normal => normal_matrix(rng, n),
        Init::Uniform => {
            let a = 3f64.sqrt();
            (0..n * n)
                .map(|_| rng.uniform_range(-a, a) as f32)
                .collect()
        }
        Init::Orthogonal => random_orthogonal(rng, n)
            .into_iter()
            .map(|q| (q * root_n) as f32)
            .collect(),
        Init::Identity => {
            let mut m = vec![0.0f32; n * n];
            for i in 0..n {
                m[i * n + i] = root_n as f32;
            }
            m
        }
    }
}

/// A random orthogonal matrix (row-major, f64): modified Gram–Schmidt on a Gaussian matrix, with
/// the signs fixed so the result is Haar-distributed. Gram–Schmidt cannot fail here: a Gaussian
/// matrix is singular with probability zero, and a degenerate row is simply redrawn.
pub fn random_orthogonal(rng: &mut Rng, n: usize) -> Vec<f64> {
    let mut q = vec![0.0f64; n * n];
    let mut i = 0;
    while i < n {
        let mut v: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let original_norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        for _pass in 0..2 {
            // Two passes of MGS keep orthogonality near machine precision.
            for j in 0..i {
                let row = &q[j * n..(j + 1) * n];
                let dot: f64 = row.iter().zip(&v).map(|(a, b)| a * b).sum();
                for (vk, rk) in v.iter_mut().zip(row) {
                    *vk -= dot * rk;
                }
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm < 1e-8 * original_norm {
            continue;
        }
        for (k, vk) in v.iter().enumerate() {
            q[i * n + k] = vk / norm;
        }
        i += 1;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthogonal_rows_are_orthonormal() {
        let n = 37;
        let q = random_orthogonal(&mut Rng::new(5), n);
        for i in 0..n {
            for j in 0..n {
                let dot: f64 = (0..n).map(|k| q[i * n + k] * q[j * n + k]).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((dot - want).abs() < 1e-12, "row {i}·row {j} = {dot}");
            }
        }
    }

    #[test]
    fn every_init_has_unit_mean_square_entries() {
        for init in Init::ALL {
            let m = unit_matrix(init, 64, &mut Rng::new(9));
            let ms = m.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / m.len() as f64;
            assert!((ms - 1.0).abs() < 0.05, "{init:?}: mean square {ms}");
        }
    }

    #[test]
    fn extending_keeps_earlier_matrices() {
        let cfg = BlowupConfig {
            steps: 3,
            ..BlowupConfig::post_overflow()
        };
        let short = Problem::generate(&cfg).unwrap();
        let long = Problem::generate(&BlowupConfig { steps: 7, ..cfg }).unwrap();
        assert_eq!(short.matrix(2), long.matrix(2));
        assert_eq!(short.x0, long.x0);
        assert_ne!(long.matrix(3), long.matrix(2));
    }

    #[test]
    fn cache_reuses_and_regenerates() {
        let mut cache = ProblemCache::default();
        let cfg = BlowupConfig::post_overflow();
        let first = cache.get(&cfg).unwrap().matrix(0).to_vec();
        let scaled = cache
            .get(&BlowupConfig { scale: 0.5, ..cfg })
            .unwrap()
            .matrix(0)
            .to_vec();
        assert_eq!(first, scaled, "a scale change must not redraw the matrices");
        let reseeded = cache.get(&BlowupConfig { seed: 2, ..cfg }).unwrap();
        assert_ne!(first, reseeded.matrix(0));
    }

    #[test]
    fn validation_names_the_bad_setting() {
        let bad = BlowupConfig {
            n: 1000,
            ..BlowupConfig::post_overflow()
        };
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("n = 1000"), "{err}");
        let bad = BlowupConfig {
            scale: f32::NAN,
            ..BlowupConfig::post_overflow()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("scale"));
    }
}
