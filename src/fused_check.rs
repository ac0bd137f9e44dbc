//! The fused kernels against the reference path on the same device: forward output and every
//! gradient. Used by `tests/fused.rs` natively (lavapipe) and by the page's self-check in the
//! browser (SwiftShader or a real GPU), so both run the very same comparison.
//!
//! It sits above both things it compares: [`crate::fused`] (the kernels) and
//! [`crate::lstm::module`] (the layer that chooses them).

use crate::fused::{self, Tuning, with_tuning};
use crate::lstm::module::{Lstm, LstmState, tensor};
use crate::rng::Rng;
use burn::tensor::{Device, ExecutionError, Tensor};
use serde::Serialize;

/// One comparison: `(batch, steps, input, hidden)` and the kernel tuning it runs under.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Case {
    pub shape: (usize, usize, usize, usize),
    /// Sequences per workgroup (None: the default).
    pub seqs: Option<usize>,
    /// Time steps per dispatch (None: as many as the work budget allows).
    pub steps_per_dispatch: Option<usize>,
}

const fn case(shape: (usize, usize, usize, usize)) -> Case {
    Case {
        shape,
        seqs: None,
        steps_per_dispatch: None,
    }
}

/// Cases that stress the kernels' edges: H = 1, H below and above the threads a unit's sum is
/// split over, H above the workgroup size (two units per thread), B = 1, T = 1, several
/// sequences per workgroup with a partial last workgroup, and the time loop cut into
/// dispatches at an odd boundary.
pub const CASES: [Case; 9] = [
    case((2, 5, 3, 4)),
    case((1, 1, 2, 3)),
    case((3, 7, 5, 33)),
    case((1, 9, 4, 130)),
    case((4, 2, 1, 1)),
    case((5, 12, 8, 64)),
    case((2, 6, 3, 300)),
    Case {
        shape: (5, 7, 4, 100),
        seqs: Some(3),
        steps_per_dispatch: Some(3),
    },
    Case {
        shape: (3, 8, 2, 20),
        seqs: Some(2),
        steps_per_dispatch: Some(1),
    },
];

/// A long sequence: gradients through 512 steps (natively only: burn's reference path costs
/// about 50 dispatches a step, minutes on a software adapter).
pub const LONG: Case = case((2, 512, 3, 12));

/// Both paths compute in float32 but sum in different orders.
pub const TOLERANCE: f64 = 1e-4;

/// Largest difference between the two paths for each quantity, relative to the quantity's
/// largest magnitude (plus one). A NaN or infinite value on either side scores infinity.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub case: Case,
    /// `(name, error)` for the output and each gradient.
    pub errors: Vec<(String, f64)>,
}

impl Comparison {
    /// The largest error; NaN if any error is NaN (`f64::max` would drop it).
    pub fn worst(&self) -> f64 {
        self.errors
            .iter()
            .map(|(_, e)| *e)
            .fold(0.0, |m, e| if e.is_nan() || e > m { e } else { m })
    }

    pub fn passes(&self) -> bool {
        self.worst() <= TOLERANCE
    }
}

/// `max |a − b| / (1 + max |b|)`; infinity when any value of either is not finite, so a NaN
/// can never pass as a small error.
pub fn relative_error(fused: &[f32], reference: &[f32]) -> f64 {
    if fused.len() != reference.len() {
        return f64::INFINITY;
    }
    let mut worst = 0f64;
    let mut scale = 0f64;
    for (&a, &b) in fused.iter().zip(reference) {
        if !a.is_finite() || !b.is_finite() {
            return f64::INFINITY;
        }
        worst = worst.max((a as f64 - b as f64).abs());
        scale = scale.max((b as f64).abs());
    }
    worst / (1.0 + scale)
}

struct Run {
    values: Vec<(String, Tensor<2>)>,
}

fn flat<const D: usize>(t: Tensor<D>) -> Tensor<2> {
    let n = t.shape().num_elements();
    t.reshape([1, n])
}

/// Loss Σ coef ⊙ h over every step from a random start state, through one path.
fn run(device: &Device, fused: bool, (b, t, e, h): (usize, usize, usize, usize), seed: u64) -> Run {
    let mut rng = Rng::new(seed);
    let mut random = |n: usize, scale: f64| -> Vec<f32> {
        (0..n).map(|_| (rng.normal() * scale) as f32).collect()
    };
    let lstm_rng_seed = seed ^ 0x5eed;
    let lstm = Lstm::init(e, h, &mut Rng::new(lstm_rng_seed), device);
    let x = tensor(random(b * t * e, 1.0), [b, t, e], device).require_grad();
    let h0 = tensor(random(b * h, 0.5), [b, h], device).require_grad();
    let c0 = tensor(random(b * h, 0.5), [b, h], device).require_grad();
    let coef = tensor(random(b * t * h, 1.0), [b, t, h], device);
    let out = if fused {
        let x_proj = lstm.project_inputs(x.clone()).swap_dims(0, 1);
        fused::lstm_recurrence(x_proj, lstm.weight_hh.val(), h0.clone(), c0.clone()).swap_dims(0, 1)
    } else {
        lstm.forward(
            x.clone(),
            Some(LstmState {
                h: h0.clone(),
                c: c0.clone(),
            }),
        )
        .0
    };
    let grads = (out.clone() * coef).sum().backward();
    let grad2 = |p: Tensor<2>| p.grad(&grads).expect("gradient");
    let grad1 = |p: Tensor<1>| flat(p.grad(&grads).expect("gradient"));
    Run {
        values: vec![
            ("output".into(), flat(out.detach())),
            ("grad x".into(), flat(x.grad(&grads).expect("gradient"))),
            ("grad h0".into(), grad2(h0)),
            ("grad c0".into(), grad2(c0)),
            ("grad weight_ih".into(), grad2(lstm.weight_ih.val())),
            ("grad weight_hh".into(), grad2(lstm.weight_hh.val())),
            ("grad bias_ih".into(), grad1(lstm.bias_ih.val())),
            ("grad bias_hh".into(), grad1(lstm.bias_hh.val())),
        ],
    }
}

async fn host(t: Tensor<2>) -> Result<Vec<f32>, ExecutionError> {
    Ok(t.into_data_async()
        .await?
        .try_to_vec::<f32>()
        .expect("float data"))
}

/// Compare the paths for one case. `device` must be a wgpu device (autodiff is added here).
pub async fn compare(device: &Device, case: Case, seed: u64) -> Result<Comparison, ExecutionError> {
    let device = device.clone().autodiff();
    let tuning = Tuning {
        seqs: case.seqs,
        steps_per_dispatch: case.steps_per_dispatch,
    };
    // The kernels are launched (forward and backward) inside `run`, on this thread.
    let fused = with_tuning(tuning, || run(&device, true, case.shape, seed));
    let reference = run(&device, false, case.shape, seed);
    let mut errors = Vec::new();
    for ((name, f), (_, r)) in fused.values.into_iter().zip(reference.values) {
        let (f, r) = (host(f).await?, host(r).await?);
        errors.push((name, relative_error(&f, &r)));
    }
    Ok(Comparison { case, errors })
}

/// Every case of [`CASES`].
pub async fn compare_all(device: &Device) -> Result<Vec<Comparison>, ExecutionError> {
    let mut out = Vec::new();
    for (i, &case) in CASES.iter().enumerate() {
        out.push(compare(device, case, 10 + i as u64).await?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nan_or_infinity_never_passes() {
        assert_eq!(relative_error(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
        assert!(relative_error(&[1.0, 2.001], &[1.0, 2.0]) > 0.0);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            assert_eq!(relative_error(&[1.0, bad], &[1.0, 2.0]), f64::INFINITY);
            assert_eq!(relative_error(&[1.0, 2.0], &[bad, 2.0]), f64::INFINITY);
        }
        assert_eq!(relative_error(&[1.0], &[1.0, 2.0]), f64::INFINITY);
        let c = Comparison {
            case: case((1, 1, 1, 1)),
            errors: vec![
                ("a".into(), 1e-7),
                ("b".into(), f64::NAN),
                ("c".into(), 1e-6),
            ],
        };
        assert!(c.worst().is_nan(), "NaN survives the fold");
        assert!(!c.passes());
    }
}
