//! The fused WGSL LSTM against burn's reference ops, on a native wgpu device (lavapipe in CI):
//! forward outputs and every gradient, for odd shapes (H not a multiple of the workgroup size,
//! H above it, B = 1, T = 1).

use burn::tensor::{Device, Tensor};
use lstm_lab::fused;
use lstm_lab::lstm::module::{Lstm, LstmKernel, LstmState, tensor};
use lstm_lab::rng::Rng;
use std::sync::OnceLock;

/// Both paths run in float32 but sum in different orders.
const TOL: f64 = 1e-4;

/// burn's wgpu runtime can be initialised once per process; the tests share it.
fn wgpu_or_skip() -> Option<Device> {
    static DEVICE: OnceLock<Result<Device, String>> = OnceLock::new();
    match DEVICE.get_or_init(|| Device::wgpu_options().init().map_err(|e| format!("{e:?}"))) {
        Ok(device) => Some(device.clone()),
        Err(e) if std::env::var("LSTM_LAB_ALLOW_NO_GPU").as_deref() == Ok("1") => {
            eprintln!("skipping fused-kernel test: {e}");
            None
        }
        Err(e) => panic!(
            "no wgpu device: {e}\n(install mesa-vulkan-drivers, or set LSTM_LAB_ALLOW_NO_GPU=1)"
        ),
    }
}

fn random(rng: &mut Rng, n: usize, scale: f64) -> Vec<f32> {
    (0..n).map(|_| (rng.normal() * scale) as f32).collect()
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn assert_close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(0f32, |m, v| m.max(v.abs())) as f64;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (*g as f64 - *w as f64).abs();
        assert!(
            err <= TOL * (1.0 + scale),
            "{what}[{i}]: fused {g} vs reference {w} (scale {scale})"
        );
    }
}

struct Grads {
    out: Vec<f32>,
    x: Vec<f32>,
    h0: Vec<f32>,
    c0: Vec<f32>,
    weight_ih: Vec<f32>,
    weight_hh: Vec<f32>,
    bias_ih: Vec<f32>,
    bias_hh: Vec<f32>,
}

/// Loss Σ coef ⊙ h over every step, with a random start state, through either path.
fn run(
    device: &Device,
    kernel: LstmKernel,
    (b, t, e, h): (usize, usize, usize, usize),
    seed: u64,
) -> Grads {
    let mut rng = Rng::new(seed);
    let lstm = Lstm::init(e, h, &mut rng, device);
    let x = tensor(random(&mut rng, b * t * e, 1.0), [b, t, e], device).require_grad();
    let h0 = tensor(random(&mut rng, b * h, 0.5), [b, h], device).require_grad();
    let c0 = tensor(random(&mut rng, b * h, 0.5), [b, h], device).require_grad();
    let coef = tensor(random(&mut rng, b * t * h, 1.0), [b, t, h], device);
    let out = match kernel {
        LstmKernel::Fused => {
            let x_proj = lstm.project_inputs(x.clone()).swap_dims(0, 1);
            fused::lstm_recurrence(x_proj, lstm.weight_hh.val(), h0.clone(), c0.clone())
                .swap_dims(0, 1)
        }
        LstmKernel::Reference => {
            lstm.forward(
                x.clone(),
                Some(LstmState {
                    h: h0.clone(),
                    c: c0.clone(),
                }),
            )
            .0
        }
    };
    let grads = (out.clone() * coef).sum().backward();
    let g2 = |p: Tensor<2>| read(p.grad(&grads).expect("gradient"));
    let g1 = |p: Tensor<1>| read(p.grad(&grads).expect("gradient"));
    Grads {
        out: read(out),
        x: read(x.grad(&grads).expect("gradient")),
        h0: g2(h0),
        c0: g2(c0),
        weight_ih: g2(lstm.weight_ih.val()),
        weight_hh: g2(lstm.weight_hh.val()),
        bias_ih: g1(lstm.bias_ih.val()),
        bias_hh: g1(lstm.bias_hh.val()),
    }
}

#[test]
fn fused_matches_reference_forward_and_every_gradient() {
    let Some(device) = wgpu_or_skip() else { return };
    let device = device.autodiff();
    // (batch, steps, input, hidden)
    for (i, shape) in [
        (2, 5, 3, 4),
        (1, 1, 2, 3),
        (3, 7, 5, 33),
        (1, 9, 4, 130),
        (4, 2, 1, 1),
    ]
    .into_iter()
    .enumerate()
    {
        let fused = run(&device, LstmKernel::Fused, shape, 10 + i as u64);
        let reference = run(&device, LstmKernel::Reference, shape, 10 + i as u64);
        let what = |name: &str| format!("{shape:?} {name}");
        assert_close(&what("output"), &fused.out, &reference.out);
        assert_close(&what("grad x"), &fused.x, &reference.x);
        assert_close(&what("grad h0"), &fused.h0, &reference.h0);
        assert_close(&what("grad c0"), &fused.c0, &reference.c0);
        assert_close(
            &what("grad weight_ih"),
            &fused.weight_ih,
            &reference.weight_ih,
        );
        assert_close(
            &what("grad weight_hh"),
            &fused.weight_hh,
            &reference.weight_hh,
        );
        assert_close(&what("grad bias_ih"), &fused.bias_ih, &reference.bias_ih);
        assert_close(&what("grad bias_hh"), &fused.bias_hh, &reference.bias_hh);
    }
}

#[test]
fn fused_forward_without_autodiff_and_routing() {
    let Some(device) = wgpu_or_skip() else { return };
    assert!(fused::supported(&device, 100));
    assert!(!fused::supported(&device, fused::MAX_HIDDEN + 1));
    assert!(
        !fused::supported(&Device::flex(), 100),
        "only wgpu runs the WGSL kernels"
    );
    let mut rng = Rng::new(3);
    let lstm = Lstm::init(6, 20, &mut rng, &device);
    let x = tensor(random(&mut rng, 3 * 11 * 6, 1.0), [3, 11, 6], &device);
    let fused = read(lstm.forward_sequence(x.clone(), LstmKernel::Fused));
    let reference = read(lstm.forward_sequence(x, LstmKernel::Reference));
    assert_close("inference output", &fused, &reference);
}
