//! The K-class head and loss against PyTorch (`tests/fixtures/kclass_torch.json`, written by
//! `tests/fixtures/make_kclass_fixture.py` in float64): `nn.CrossEntropyLoss` and its gradient on
//! given logits (K = 3 and 50, logits up to ±800), then mean ‖ max pooling, `nn.Linear(2H → K)`
//! and the loss with every gradient — on every path: burn's reference ops, the CPU kernels, and
//! (with the `gpu` feature) the WGSL kernels.

use burn::tensor::{Device, Tensor};
use lstm_lab::trainer::lstm_layer::tensor;
use lstm_lab::trainer::ops::{Path, head, loss};
use serde_json::Value;

/// float32 against float64 truth, relative to the quantity's scale.
const TOL: f64 = 2e-5;

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().expect("float32")
}

fn assert_close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(0f64, |m, w| m.max((*w as f64).abs()));
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g.is_finite() && ((*g as f64) - (*w as f64)).abs() <= TOL * (1.0 + scale),
            "{what}[{i}]: {g} vs PyTorch {w}"
        );
    }
}

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/kclass_torch.json")).expect("fixture JSON")
}

/// Every path `device` runs: burn's ops and its fast one.
fn paths(device: &Device) -> Vec<Path> {
    let fast = Path::resolve(lstm_lab::settings::Recurrence::Fused, device, 4);
    vec![Path::Reference, fast]
}

fn cross_entropy_matches(device: &Device) {
    let device = device.clone().autodiff();
    for case in fixture()["cross_entropy"].as_array().expect("cases") {
        let n = |k: &str| case[k].as_u64().expect("a size") as usize;
        let (rows, classes) = (n("rows"), n("classes"));
        for path in paths(&device) {
            let what = format!("{path:?} K={classes}");
            let logits = tensor(floats(&case["logits"]), [rows, classes], &device).require_grad();
            let targets = tensor(floats(&case["targets"]), [rows], &device);
            let value = loss::loss(path, logits.clone(), targets);
            let want = case["loss"].as_f64().expect("loss") as f32;
            assert_close(&format!("{what} loss"), &read(value.clone()), &[want]);
            let grads = value.backward();
            assert_close(
                &format!("{what} grad logits"),
                &read(logits.grad(&grads).expect("gradient")),
                &floats(&case["grad_logits"]),
            );
        }
    }
}

fn head_and_loss_match(device: &Device) {
    let device = device.clone().autodiff();
    let f = &fixture()["head"];
    let n = |k: &str| f[k].as_u64().expect("a size") as usize;
    let (steps, batch, hidden, classes) = (n("steps"), n("batch"), n("hidden"), n("classes"));
    // PyTorch's Linear weight is [K, 2H]; burn's, [2H, K].
    let torch_weight = floats(&f["weight"]);
    let weight: Vec<f32> = (0..2 * hidden * classes)
        .map(|i| torch_weight[(i % classes) * 2 * hidden + i / classes])
        .collect();
    for path in paths(&device) {
        let h = tensor(floats(&f["h"]), [steps, batch, hidden], &device).require_grad();
        let w = tensor(weight.clone(), [2 * hidden, classes], &device).require_grad();
        let b = tensor(floats(&f["bias"]), [classes], &device).require_grad();
        let targets = tensor(floats(&f["targets"]), [batch], &device);
        let logits = head::pool_linear(path, h.clone(), w.clone(), b.clone());
        assert_close(
            &format!("{path:?} logits"),
            &read(logits.clone()),
            &floats(&f["logits"]),
        );
        let value = loss::loss(path, logits, targets);
        let want = f["loss"].as_f64().expect("loss") as f32;
        assert_close(&format!("{path:?} loss"), &read(value.clone()), &[want]);
        let grads = value.backward();
        let g = &f["grad"];
        assert_close(
            &format!("{path:?} grad h"),
            &read(h.grad(&grads).expect("gradient")),
            &floats(&g["h"]),
        );
        let grad_w = read(w.grad(&grads).expect("gradient"));
        let torch_grad_w = floats(&g["weight"]);
        let grad_w_torch_layout: Vec<f32> = (0..grad_w.len())
            .map(|i| grad_w[(i % (2 * hidden)) * classes + i / (2 * hidden)])
            .collect();
        assert_close(
            &format!("{path:?} grad weight"),
            &grad_w_torch_layout,
            &torch_grad_w,
        );
        assert_close(
            &format!("{path:?} grad bias"),
            &read(b.grad(&grads).expect("gradient")),
            &floats(&g["bias"]),
        );
    }
}

#[test]
fn cpu_cross_entropy_matches_pytorch() {
    cross_entropy_matches(&Device::flex());
}

#[test]
fn cpu_head_and_loss_match_pytorch() {
    head_and_loss_match(&Device::flex());
}

#[cfg(feature = "gpu")]
mod gpu {
    use super::*;

    /// burn's wgpu runtime, or a skip where `LSTM_LAB_ALLOW_NO_GPU=1` says there may be none
    /// (as `tests/fused.rs`). One device for both tests: the runtime starts once per process.
    fn wgpu_or_skip() -> Option<Device> {
        static DEVICE: std::sync::OnceLock<Result<Device, String>> = std::sync::OnceLock::new();
        match DEVICE.get_or_init(|| Device::wgpu_options().init().map_err(|e| format!("{e:?}"))) {
            Ok(device) => Some(device.clone()),
            Err(e) if std::env::var("LSTM_LAB_ALLOW_NO_GPU").as_deref() == Ok("1") => {
                eprintln!("skipping: {e}");
                None
            }
            Err(e) => panic!("no wgpu device: {e}\n(install mesa-vulkan-drivers)"),
        }
    }

    #[test]
    fn wgsl_cross_entropy_matches_pytorch() {
        let Some(device) = wgpu_or_skip() else { return };
        cross_entropy_matches(&device);
    }

    #[test]
    fn wgsl_head_and_loss_match_pytorch() {
        let Some(device) = wgpu_or_skip() else { return };
        head_and_loss_match(&device);
    }
}
