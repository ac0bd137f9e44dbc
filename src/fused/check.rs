//! The fused kernels against the reference path on the same device: forward output and every
//! gradient. Used by `tests/fused.rs` natively (lavapipe) and by the page's self-check in the
//! browser (SwiftShader or a real GPU), so both run the very same comparison.

use crate::lstm::module::{Lstm, LstmState, tensor};
use crate::rng::Rng;
use burn::tensor::{Device, ExecutionError, Tensor};
use serde::Serialize;

/// Shapes that stress the kernels' edges: H below, at odd multiples of and above the workgroup
/// size, B = 1, T = 1, H = 1. `(batch, steps, input, hidden)`.
pub const SHAPES: [(usize, usize, usize, usize); 6] = [
    (2, 5, 3, 4),
    (1, 1, 2, 3),
    (3, 7, 5, 33),
    (1, 9, 4, 130),
    (4, 2, 1, 1),
    (5, 12, 8, 64),
];

/// Both paths compute in float32 but sum in different orders.
pub const TOLERANCE: f64 = 1e-4;

/// Largest difference between the two paths for each quantity, relative to the quantity's
/// largest magnitude (plus one).
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub shape: (usize, usize, usize, usize),
    /// `(name, error)` for the output and each gradient.
    pub errors: Vec<(String, f64)>,
}

impl Comparison {
    pub fn worst(&self) -> f64 {
        self.errors.iter().map(|(_, e)| *e).fold(0.0, f64::max)
    }

    pub fn passes(&self) -> bool {
        self.worst() <= TOLERANCE
    }
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
        super::lstm_recurrence(x_proj, lstm.weight_hh.val(), h0.clone(), c0.clone()).swap_dims(0, 1)
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

/// Compare the paths for one shape. `device` must be a wgpu device (autodiff is added here).
pub async fn compare(
    device: &Device,
    shape: (usize, usize, usize, usize),
    seed: u64,
) -> Result<Comparison, ExecutionError> {
    let device = device.clone().autodiff();
    let fused = run(&device, true, shape, seed);
    let reference = run(&device, false, shape, seed);
    let mut errors = Vec::new();
    for ((name, f), (_, r)) in fused.values.into_iter().zip(reference.values) {
        let (f, r) = (host(f).await?, host(r).await?);
        let scale = r.iter().fold(0f64, |m, v| m.max(v.abs() as f64));
        let worst = f
            .iter()
            .zip(&r)
            .fold(0f64, |m, (a, b)| m.max((*a as f64 - *b as f64).abs()));
        errors.push((name, worst / (1.0 + scale)));
    }
    Ok(Comparison { shape, errors })
}

/// Every shape of [`SHAPES`].
pub async fn compare_all(device: &Device) -> Result<Vec<Comparison>, ExecutionError> {
    let mut out = Vec::new();
    for (i, &shape) in SHAPES.iter().enumerate() {
        out.push(compare(device, shape, 10 + i as u64).await?);
    }
    Ok(out)
}
