//! The LSTM three ways — CPU reference (f64), burn module (f32, autodiff) and PyTorch
//! (`tests/fixtures/lstm_torch.json`, made by `make_torch_fixtures.py`) — forward and gradients.

use burn::tensor::{Device, Tensor};
use lstm_lab::gpu::block_on;
use lstm_lab::gradflow::{self, GradFlowConfig, Setup};
use lstm_lab::lstm::cell::{CellGate, LstmWeights};
use lstm_lab::lstm::module::{Lstm, LstmState, tensor};
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
    let (out, last) = lstm.forward(
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

/// The gradient-flow curves against the CPU reference backward passes.
#[test]
fn gradient_flow_matches_reference_and_shows_vanishing() {
    let config = GradFlowConfig::default();
    let flow = block_on(gradflow::gradient_flow(&config, &Device::flex())).unwrap();
    let setup = Setup::new(&config);
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let rnn_ref: Vec<f64> = setup
        .rnn
        .hidden_grads_of_last_sum(&setup.xs)
        .iter()
        .map(|g| norm(g))
        .collect();
    let h = config.hidden;
    let run = setup
        .lstm
        .forward(&setup.xs, &vec![0.0; h], &vec![0.0; h], CellGate::Tanh);
    let mut dh_out = vec![vec![0.0; h]; config.steps];
    dh_out[config.steps - 1] = vec![1.0; h];
    let g = setup.lstm.backward(
        &setup.xs,
        &vec![0.0; h],
        &vec![0.0; h],
        &run,
        &dh_out,
        CellGate::Tanh,
    );
    let lstm_h_ref: Vec<f64> = g.h.iter().map(|v| norm(v)).collect();
    let lstm_c_ref: Vec<f64> = g.c.iter().map(|v| norm(v)).collect();
    // f32 against f64 over 50 steps: compare in relative terms (the values span many decades).
    let rel = |what: &str, got: &[f64], want: &[f64]| {
        for (t, (a, b)) in got.iter().zip(want).enumerate() {
            assert!(
                (a - b).abs() <= 1e-3 * b.abs() + 1e-30,
                "{what} t={t}: {a} vs {b}"
            );
        }
    };
    rel("rnn", &flow.rnn, &rnn_ref);
    rel("lstm h", &flow.lstm_h, &lstm_h_ref);
    rel("lstm c", &flow.lstm_c, &lstm_c_ref);
    // The page's default: the RNN's gradient at the first step is orders of magnitude smaller.
    let ratio = flow.lstm_h[0] / flow.rnn[0];
    assert!(ratio > 1e3, "LSTM/RNN gradient at t=0: {ratio:e}");
    assert_eq!(flow.rnn_clip_factor, 1.0);
}

#[test]
fn clipping_rescales_the_whole_curve() {
    let config = GradFlowConfig {
        weight_scale: 3.0,
        clip: Some(1.0),
        ..GradFlowConfig::default()
    };
    let clipped = block_on(gradflow::gradient_flow(&config, &Device::flex())).unwrap();
    let free = block_on(gradflow::gradient_flow(
        &GradFlowConfig {
            clip: None,
            ..config
        },
        &Device::flex(),
    ))
    .unwrap();
    assert!(
        free.rnn_param_norm > 1.0,
        "the exploding setting has a large gradient"
    );
    let k = clipped.rnn_clip_factor;
    assert!((k - 1.0 / free.rnn_param_norm).abs() < 1e-9);
    for (c, f) in clipped.rnn.iter().zip(&free.rnn) {
        assert!((c - f * k).abs() <= 1e-9 * f.abs());
    }
    let bad = GradFlowConfig {
        steps: 1000,
        ..config
    };
    let err = block_on(gradflow::gradient_flow(&bad, &Device::flex())).unwrap_err();
    assert!(err.to_string().contains("T = 1000"), "{err}");
}
