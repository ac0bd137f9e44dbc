//! The LSTM three ways — CPU reference (f64), burn module (f32, autodiff) and PyTorch
//! (`tests/fixtures/lstm_torch.json`, made by `make_torch_fixtures.py`) — forward and gradients.

use burn::tensor::{Device, Tensor};
use lstm_lab::lstm::cell::{CellGate, LstmWeights};
use lstm_lab::trainer::lstm_layer::{Lstm, LstmState, tensor};
use lstm_lab::trainer::ops::lstm::reference;
use serde_json::Value;

/// f64 reference against PyTorch's own float64 numbers.
const REF_TOL: f64 = 1e-10;
/// burn computes in f32.
const F32_TOL: f64 = 2e-5;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/lstm_torch.json")).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn dim(v: &Value, key: &str) -> usize {
    v[key].as_u64().unwrap() as usize
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: {g} vs {w} (tolerance {tol})"
        );
    }
}

fn weights(f: &Value) -> LstmWeights<f64> {
    LstmWeights {
        input: dim(f, "input"),
        hidden: dim(f, "hidden"),
        weight_ih: floats(&f["weight_ih"]),
        weight_hh: floats(&f["weight_hh"]),
        bias_ih: floats(&f["bias_ih"]),
        bias_hh: floats(&f["bias_hh"]),
    }
}

/// Row `b` of a `[B, T, K]` array as `T` vectors.
fn sequence(flat: &[f64], b: usize, steps: usize, k: usize) -> Vec<Vec<f64>> {
    (0..steps)
        .map(|t| flat[(b * steps + t) * k..(b * steps + t + 1) * k].to_vec())
        .collect()
}

#[test]
fn cpu_reference_matches_pytorch() {
    let f = fixture();
    let w = weights(&f);
    let (e, h, batch, steps) = (w.input, w.hidden, dim(&f, "batch"), dim(&f, "steps"));
    let (x, h0, c0, coef) = (
        floats(&f["x"]),
        floats(&f["h0"]),
        floats(&f["c0"]),
        floats(&f["coef"]),
    );
    let mut output = Vec::new();
    let (mut h_n, mut c_n) = (Vec::new(), Vec::new());
    let mut grads = LstmWeights::<f64>::zeros(e, h);
    let (mut dx, mut dh0, mut dc0) = (Vec::new(), Vec::new(), Vec::new());
    for b in 0..batch {
        let xs = sequence(&x, b, steps, e);
        let (hb, cb) = (&h0[b * h..(b + 1) * h], &c0[b * h..(b + 1) * h]);
        let run = w.forward(&xs, hb, cb, CellGate::Tanh);
        output.extend(run.iter().flat_map(|s| s.h.clone()));
        h_n.extend(run.last().unwrap().h.clone());
        c_n.extend(run.last().unwrap().c.clone());
        let g = w.backward(
            &xs,
            hb,
            cb,
            &run,
            &sequence(&coef, b, steps, h),
            CellGate::Tanh,
        );
        for (acc, v) in [
            (&mut grads.weight_ih, &g.weight_ih),
            (&mut grads.weight_hh, &g.weight_hh),
            (&mut grads.bias_ih, &g.bias_ih),
            (&mut grads.bias_hh, &g.bias_hh),
        ] {
            acc.iter_mut().zip(v).for_each(|(a, b)| *a += b);
        }
        dx.extend(g.x.concat());
        dh0.extend(g.h0);
        dc0.extend(g.c0);
    }
    assert_close("output", &output, &floats(&f["output"]), REF_TOL);
    assert_close("h_n", &h_n, &floats(&f["h_n"]), REF_TOL);
    assert_close("c_n", &c_n, &floats(&f["c_n"]), REF_TOL);
    let g = &f["grad"];
    assert_close(
        "grad weight_ih",
        &grads.weight_ih,
        &floats(&g["weight_ih"]),
        REF_TOL,
    );
    assert_close(
        "grad weight_hh",
        &grads.weight_hh,
        &floats(&g["weight_hh"]),
        REF_TOL,
    );
    assert_close(
        "grad bias_ih",
        &grads.bias_ih,
        &floats(&g["bias_ih"]),
        REF_TOL,
    );
    assert_close(
        "grad bias_hh",
        &grads.bias_hh,
        &floats(&g["bias_hh"]),
        REF_TOL,
    );
    assert_close("grad x", &dx, &floats(&g["x"]), REF_TOL);
    assert_close("grad h0", &dh0, &floats(&g["h0"]), REF_TOL);
    assert_close("grad c0", &dc0, &floats(&g["c0"]), REF_TOL);
}

fn read(t: Tensor<3>) -> Vec<f64> {
    t.into_data()
        .try_to_vec::<f32>()
        .unwrap()
        .into_iter()
        .map(f64::from)
        .collect()
}

fn read2(t: Tensor<2>) -> Vec<f64> {
    read(t.unsqueeze())
}

fn f32s(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

/// The burn layer on a device, against PyTorch: forward, and gradients by burn autodiff.
fn burn_module_matches_pytorch(device: Device) {
    let f = fixture();
    let w = weights(&f);
    let (e, h, batch, steps) = (w.input, w.hidden, dim(&f, "batch"), dim(&f, "steps"));
    let lstm = Lstm::from_weights(&w.cast::<f32>(), &device);
    let x = tensor(f32s(&floats(&f["x"])), [batch, steps, e], &device).require_grad();
    let h0 = tensor(f32s(&floats(&f["h0"])), [batch, h], &device).require_grad();
    let c0 = tensor(f32s(&floats(&f["c0"])), [batch, h], &device).require_grad();
    let coef = tensor(f32s(&floats(&f["coef"])), [batch, steps, h], &device);
    let (out, last) = reference::forward(
        &lstm,
        x.clone(),
        Some(LstmState {
            h: h0.clone(),
            c: c0.clone(),
        }),
    );
    assert_close("output", &read(out.clone()), &floats(&f["output"]), F32_TOL);
    assert_close("h_n", &read2(last.h), &floats(&f["h_n"]), F32_TOL);
    assert_close("c_n", &read2(last.c), &floats(&f["c_n"]), F32_TOL);
    let grads = (out * coef).sum().backward();
    let g = &f["grad"];
    let grad2 = |t: &Tensor<2>| read2(t.grad(&grads).expect("gradient"));
    let grad1 = |t: &Tensor<1>| read2(t.grad(&grads).expect("gradient").unsqueeze());
    assert_close(
        "grad weight_ih",
        &grad2(&lstm.weight_ih.val()),
        &floats(&g["weight_ih"]),
        F32_TOL,
    );
    assert_close(
        "grad weight_hh",
        &grad2(&lstm.weight_hh.val()),
        &floats(&g["weight_hh"]),
        F32_TOL,
    );
    assert_close(
        "grad bias_ih",
        &grad1(&lstm.bias_ih.val()),
        &floats(&g["bias_ih"]),
        F32_TOL,
    );
    assert_close(
        "grad bias_hh",
        &grad1(&lstm.bias_hh.val()),
        &floats(&g["bias_hh"]),
        F32_TOL,
    );
    assert_close(
        "grad x",
        &read(x.grad(&grads).unwrap()),
        &floats(&g["x"]),
        F32_TOL,
    );
    assert_close("grad h0", &grad2(&h0), &floats(&g["h0"]), F32_TOL);
    assert_close("grad c0", &grad2(&c0), &floats(&g["c0"]), F32_TOL);
}

#[test]
fn burn_module_matches_pytorch_on_cpu() {
    burn_module_matches_pytorch(Device::flex().autodiff());
}
