//! The fused WGSL LSTM against burn's reference ops, on a native wgpu device (lavapipe in CI):
//! forward outputs and every gradient, for odd shapes (H not a multiple of the workgroup size,
//! H above it, B = 1, T = 1).

use burn::tensor::{Device, Tensor};
use lstm_lab::fused::{self, check};
use lstm_lab::gpu::block_on;
use lstm_lab::lstm::module::{Lstm, LstmKernel, tensor};
use lstm_lab::rng::Rng;
use std::sync::OnceLock;

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

#[test]
fn fused_matches_reference_forward_and_every_gradient() {
    let Some(device) = wgpu_or_skip() else { return };
    let results = block_on(check::compare_all(&device)).expect("device");
    for c in &results {
        println!("{:?}: worst relative error {:.2e}", c.shape, c.worst());
        for (name, error) in &c.errors {
            assert!(
                *error <= check::TOLERANCE,
                "{:?} {name}: fused and reference differ by {error:e}",
                c.shape
            );
        }
    }
    assert_eq!(results.len(), check::SHAPES.len());
    assert!(
        results.iter().all(|c| c.errors.len() == 8),
        "output and seven gradients per shape"
    );
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
    let scale = reference.iter().fold(0f32, |m, v| m.max(v.abs()));
    for (f, r) in fused.iter().zip(&reference) {
        assert!(
            ((f - r).abs() as f64) <= check::TOLERANCE * (1.0 + scale as f64),
            "inference output: {f} vs {r}"
        );
    }
}
