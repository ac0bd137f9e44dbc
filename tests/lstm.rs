//! The LSTM three ways — CPU reference (f64), burn module (f32, autodiff) and PyTorch
//! (`tests/fixtures/lstm_torch.json`, made by `make_torch_fixtures.py`) — forward and gradients;
//! then the GRU and the plain RNN against PyTorch the same way.

use burn::tensor::{Device, Tensor};
use lstm_lab::classifier::reference::hidden_states_from;
use lstm_lab::classifier::{Architecture, Cell};
use lstm_lab::lstm::cell::{CellGate, LstmWeights};
use lstm_lab::trainer::lstm_layer::{Lstm, LstmState, tensor};
use lstm_lab::trainer::ops::lstm::reference;
use lstm_lab::trainer::ops::{gru, rnn};
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

/// The GRU and the plain RNN (`tests/fixtures/cells_torch.json`, made by
/// `make_cells_fixture.py`): the host's f64 cells and burn's reference layers against PyTorch's
/// `nn.GRU` and `nn.RNN`, forward and every gradient, on odd sizes, T = 1 and B = 1.
fn cell_cases() -> Vec<Value> {
    let all: Value = serde_json::from_str(include_str!("fixtures/cells_torch.json")).unwrap();
    all["cases"].as_array().unwrap().clone()
}

fn cell_weights(c: &Value) -> LstmWeights<f64> {
    LstmWeights {
        input: dim(c, "embed"),
        hidden: dim(c, "hidden"),
        weight_ih: floats(&c["weight_ih_l0"]),
        weight_hh: floats(&c["weight_hh_l0"]),
        bias_ih: floats(&c["bias_ih_l0"]),
        bias_hh: floats(&c["bias_hh_l0"]),
    }
}

fn arch_of(c: &Value) -> Architecture {
    Architecture::parse(c["cell"].as_str().unwrap()).unwrap()
}

#[test]
fn host_gru_and_rnn_match_pytorch() {
    for c in cell_cases() {
        let w = cell_weights(&c);
        let (batch, steps, e, h) = (dim(&c, "batch"), dim(&c, "steps"), w.input, w.hidden);
        let (x, h0, want) = (floats(&c["x"]), floats(&c["h0"]), floats(&c["h"]));
        for b in 0..batch {
            let xs = sequence(&x, b, steps, e)[..].to_vec();
            let got: Vec<f64> =
                hidden_states_from(&arch_of(&c), &w, &xs, &h0[b * h..(b + 1) * h]).concat();
            let row = &want[b * steps * h..(b + 1) * steps * h];
            assert_close(&format!("{} h, row {b}", c["cell"]), &got, row, REF_TOL);
        }
    }
}

/// `layer(x, [w_ih, w_hh], [b_ih, b_hh], h0)` time-major, against PyTorch on every case.
fn burn_layer_matches_pytorch(
    cell: Cell,
    device: &Device,
    layer: impl Fn(Tensor<3>, [Tensor<2>; 2], [Tensor<1>; 2], Tensor<2>) -> Tensor<3>,
) {
    for c in cell_cases().into_iter().filter(|c| arch_of(c).cell == cell) {
        let w = cell_weights(&c);
        let (batch, steps, e, h) = (dim(&c, "batch"), dim(&c, "steps"), w.input, w.hidden);
        let g = w.bias_ih.len();
        let name = format!("{} B{batch} T{steps} E{e} H{h}", c["cell"]);
        let param2 = |v: &[f64], shape: [usize; 2]| tensor(f32s(v), shape, device).require_grad();
        let param1 = |v: &[f64], n: usize| tensor(f32s(v), [n], device).require_grad();
        let (w_ih, w_hh) = (param2(&w.weight_ih, [g, e]), param2(&w.weight_hh, [g, h]));
        let (b_ih, b_hh) = (param1(&w.bias_ih, g), param1(&w.bias_hh, g));
        let x = tensor(f32s(&floats(&c["x"])), [batch, steps, e], device).require_grad();
        let h0 = tensor(f32s(&floats(&c["h0"])), [batch, h], device).require_grad();
        let r = tensor(f32s(&floats(&c["r"])), [batch, steps, h], device);
        let out = layer(
            x.clone().swap_dims(0, 1),
            [w_ih.clone(), w_hh.clone()],
            [b_ih.clone(), b_hh.clone()],
            h0.clone(),
        )
        .swap_dims(0, 1);
        assert_close(
            &format!("{name} h"),
            &read(out.clone()),
            &floats(&c["h"]),
            F32_TOL,
        );
        let grads = (out * r).sum().backward();
        let grad2 = |t: &Tensor<2>| read2(t.grad(&grads).expect("gradient"));
        let grad1 = |t: &Tensor<1>| read2(t.grad(&grads).expect("gradient").unsqueeze());
        for (what, got, key) in [
            ("weight_ih", grad2(&w_ih), "grad_weight_ih_l0"),
            ("weight_hh", grad2(&w_hh), "grad_weight_hh_l0"),
            ("bias_ih", grad1(&b_ih), "grad_bias_ih_l0"),
            ("bias_hh", grad1(&b_hh), "grad_bias_hh_l0"),
            ("h0", grad2(&h0), "grad_h0"),
            ("x", read(x.grad(&grads).unwrap()), "grad_x"),
        ] {
            assert_close(&format!("{name} ∂{what}"), &got, &floats(&c[key]), F32_TOL);
        }
    }
}

#[test]
fn burn_reference_gru_and_rnn_match_pytorch() {
    let device = Device::flex().autodiff();
    burn_layer_matches_pytorch(Cell::Gru, &device, gru::reference::forward_time_major);
    burn_layer_matches_pytorch(Cell::Rnn, &device, rnn::reference::forward_time_major);
}

#[test]
fn fused_cpu_gru_and_rnn_match_pytorch() {
    let device = Device::flex().autodiff();
    burn_layer_matches_pytorch(Cell::Gru, &device, gru::cpu::gru_layer);
    burn_layer_matches_pytorch(Cell::Rnn, &device, rnn::cpu::rnn_layer);
}
