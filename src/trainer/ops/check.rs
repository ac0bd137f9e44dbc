//! Every op's fast path against its reference on the same device: forward output and every
//! gradient, each through the op's own entry point with the two [`Path`]s. Used by
//! `tests/fused.rs` natively (lavapipe) and by the page's self-check in the browser (SwiftShader
//! or a real GPU), so both run the very same comparison.

use super::lstm::{Tuning, with_tuning};
use super::{Path, adam, gru, head, loss, lstm, rnn};
use crate::rng::Rng;
use crate::settings::Recurrence;
use crate::trainer::lstm_layer::{Lstm, LstmState, tensor};
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
/// dispatches at an odd boundary. The larger cases run only a few steps: in the page's
/// self-test on a software adapter each step of burn's reference path is ≈ 50 dispatches, and
/// the time loop is [`LONG`]'s to check.
pub const CASES: [Case; 9] = [
    case((2, 5, 3, 4)),
    case((1, 1, 2, 3)),
    case((3, 7, 5, 33)),
    case((1, 4, 4, 130)),
    case((4, 2, 1, 1)),
    case((5, 5, 8, 64)),
    case((2, 3, 3, 300)),
    Case {
        shape: (5, 7, 4, 100),
        seqs: Some(3),
        steps_per_dispatch: Some(3),
    },
    Case {
        shape: (3, 4, 2, 20),
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
    /// Which kernel, on which shape.
    pub label: String,
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
    let path = match fused {
        true => Path::resolve(Recurrence::Fused, device, h),
        false => Path::Reference,
    };
    let state = LstmState {
        h: h0.clone(),
        c: c0.clone(),
    };
    let out = lstm::layer(path, x.clone().swap_dims(0, 1), &lstm, state).swap_dims(0, 1);
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

/// The relative error of each named value of one path against the same value of the other.
async fn errors_by_name(
    fused: Vec<(String, Tensor<2>)>,
    reference: Vec<(String, Tensor<2>)>,
) -> Result<Vec<(String, f64)>, ExecutionError> {
    let mut errors = Vec::new();
    for ((name, f), (_, r)) in fused.into_iter().zip(reference) {
        errors.push((name, relative_error(&host(f).await?, &host(r).await?)));
    }
    Ok(errors)
}

async fn host(t: Tensor<2>) -> Result<Vec<f32>, ExecutionError> {
    Ok(t.into_data_async()
        .await?
        .try_to_vec::<f32>()
        .expect("float data"))
}

/// Compare the paths for one case. `device` is a wgpu device (the WGSL kernels) or the CPU
/// backend (the fused CPU LSTM); autodiff is added here.
pub async fn compare(device: &Device, case: Case, seed: u64) -> Result<Comparison, ExecutionError> {
    let device = device.clone().autodiff();
    let tuning = Tuning {
        seqs: case.seqs,
        steps_per_dispatch: case.steps_per_dispatch,
    };
    // The kernels are launched (forward and backward) inside `run`, on this thread.
    let fused = with_tuning(tuning, || run(&device, true, case.shape, seed));
    let reference = run(&device, false, case.shape, seed);
    let errors = errors_by_name(fused.values, reference.values).await?;
    let (b, t, e, h) = case.shape;
    let mut label = format!("recurrence B={b} T={t} E={e} H={h}");
    if let Some(s) = case.seqs {
        label += &format!(", {s} sequences per workgroup");
    }
    if let Some(n) = case.steps_per_dispatch {
        label += &format!(", {n} steps per dispatch");
    }
    Ok(Comparison { label, errors })
}

async fn host_vec<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, ExecutionError> {
    let n = t.shape().num_elements();
    host(t.reshape([1, n])).await
}

fn random(rng: &mut Rng, n: usize, scale: f64) -> Vec<f32> {
    (0..n).map(|_| (rng.normal() * scale) as f32).collect()
}

/// Head shapes `(steps, batch, hidden, outputs)`: the post's single logit (H = 130: more units
/// than the kernels' 128 threads; B = 128), then K classes — 3 and 50, B = 1, odd sizes, and
/// more outputs than threads.
pub const HEAD_CASES: [(usize, usize, usize, usize); 6] = [
    (1, 1, 3, 1),
    (7, 5, 130, 1),
    (128, 3, 100, 1),
    (5, 7, 33, 3),
    (3, 1, 130, 50),
    (4, 3, 5, 130),
];

/// Loss shapes `(rows, outputs)`: the binary loss over more rows than the 256 threads that sum
/// them; then softmax cross-entropy with K = 3 and 50, B = 1, and more rows than threads.
pub const LOSS_CASES: [(usize, usize); 4] = [(300, 1), (300, 3), (1, 50), (257, 50)];

/// The fused classifier head (the WGSL kernels on wgpu, the CPU twin on Flex) against
/// mean/max/cat/matmul in burn's ops: logits and the gradients of `h_seq`, the weight and the
/// bias, for a loss Σ coef ⊙ logits.
pub async fn compare_head(
    device: &Device,
    (steps, batch, hidden, outputs): (usize, usize, usize, usize),
    seed: u64,
) -> Result<Comparison, ExecutionError> {
    let device = device.clone().autodiff();
    let mut rng = Rng::new(seed);
    let h_values = random(&mut rng, steps * batch * hidden, 1.0);
    let w_values = random(&mut rng, 2 * hidden * outputs, 0.3);
    let b_values = random(&mut rng, outputs, 0.3);
    let coef = tensor(
        random(&mut rng, batch * outputs, 1.0),
        [batch, outputs],
        &device,
    );
    let fast = Path::resolve(Recurrence::Fused, &device, hidden);
    let run = |fused: bool| {
        let h = tensor(h_values.clone(), [steps, batch, hidden], &device).require_grad();
        let w = tensor(w_values.clone(), [2 * hidden, outputs], &device).require_grad();
        let b = tensor(b_values.clone(), [outputs], &device).require_grad();
        let path = if fused { fast } else { Path::Reference };
        let logits = head::pool_linear(path, h.clone(), w.clone(), b.clone());
        let grads = (logits.clone() * coef.clone()).sum().backward();
        let grad3 = h.grad(&grads).expect("gradient");
        let grad2 = w.grad(&grads).expect("gradient");
        let grad1 = b.grad(&grads).expect("gradient");
        (logits.detach(), grad3, grad2, grad1)
    };
    let (f, r) = (run(true), run(false));
    let errors = vec![
        (
            "logits".into(),
            relative_error(&host_vec(f.0).await?, &host_vec(r.0).await?),
        ),
        (
            "grad h".into(),
            relative_error(&host_vec(f.1).await?, &host_vec(r.1).await?),
        ),
        (
            "grad weight".into(),
            relative_error(&host_vec(f.2).await?, &host_vec(r.2).await?),
        ),
        (
            "grad bias".into(),
            relative_error(&host_vec(f.3).await?, &host_vec(r.3).await?),
        ),
    ];
    let label = format!("head T={steps} B={batch} H={hidden} O={outputs}");
    Ok(Comparison { label, errors })
}

/// The fused loss (the WGSL kernels on wgpu; on the CPU the softmax cross-entropy op, the
/// binary loss being burn's ops there) against burn's ops: the loss, its gradient, and the
/// `[loss, correct]` statistics against a count on the host, for `rows` × `outputs` logits
/// from tiny to saturating (±40).
pub async fn compare_loss(
    device: &Device,
    (rows, outputs): (usize, usize),
    seed: u64,
) -> Result<Comparison, ExecutionError> {
    let device = device.clone().autodiff();
    let mut rng = Rng::new(seed);
    let n = rows * outputs;
    let mut values = random(&mut rng, n, 4.0);
    values[0] = 40.0;
    if n > 1 {
        values[n - 1] = -40.0;
    }
    let classes = outputs.max(2);
    let labels: Vec<f32> = (0..rows)
        .map(|_| (rng.uniform_range(0.0, classes as f64) as usize).min(classes - 1) as f32)
        .collect();
    let targets = tensor(labels.clone(), [rows], &device);
    let fast = Path::resolve(Recurrence::Fused, &device, 1);
    let run = |fused: bool| {
        let logits = tensor(values.clone(), [rows, outputs], &device).require_grad();
        let path = if fused { fast } else { Path::Reference };
        let loss = loss::loss(path, logits.clone(), targets.clone());
        let grads = (loss.clone() * 3.0).backward();
        (loss.detach(), logits.grad(&grads).expect("gradient"))
    };
    let (f, r) = (run(true), run(false));
    let want_loss = host_vec(r.0).await?;
    let stats = host_vec(loss::stats(
        fast,
        tensor(values.clone(), [rows, outputs], &device).inner(),
        targets.inner(),
        None,
    ))
    .await?;
    let correct = values
        .chunks(outputs)
        .zip(&labels)
        .filter(|(z, y)| match outputs {
            1 => (z[0] > 0.0) == (**y > 0.5),
            // The first largest, as argmax.
            _ => (0..outputs).fold(0, |m, c| if z[c] > z[m] { c } else { m }) == **y as usize,
        })
        .count() as f32;
    let errors = vec![
        (
            "loss".into(),
            relative_error(&host_vec(f.0).await?, &want_loss),
        ),
        (
            "grad logits".into(),
            relative_error(&host_vec(f.1).await?, &host_vec(r.1).await?),
        ),
        (
            "statistics".into(),
            relative_error(&stats, &[want_loss[0], correct]),
        ),
    ];
    Ok(Comparison {
        label: format!("loss B={rows} O={outputs}"),
        errors,
    })
}

/// The fused Adam (wgpu or CPU) against burn's Adam over four steps: the parameter and both moments.
pub async fn compare_adam(
    device: &Device,
    n: usize,
    seed: u64,
) -> Result<Comparison, ExecutionError> {
    use burn::optim::Optimizer;
    let path = Path::resolve(Recurrence::Fused, device, 1);
    let fused = adam::FusedAdam::new(path, 0.9, 0.999, 1e-8);
    let reference = fused.reference();
    let mut rng = Rng::new(seed);
    let start = tensor(random(&mut rng, n, 1.0), [n], device);
    let (mut a, mut b) = (start.clone(), start);
    let (mut state_a, mut state_b) = (None, None);
    for _ in 0..4 {
        let grad = tensor(random(&mut rng, n, 0.1), [n], device);
        (a, state_a) = fused.step(1e-2, a, grad.clone(), state_a);
        (b, state_b) = reference.step(1e-2, b, grad, state_b);
    }
    let (sa, sb) = (
        state_a.expect("state").momentum,
        state_b.expect("state").momentum,
    );
    let mut errors = vec![(
        "parameter".into(),
        relative_error(&host_vec(a).await?, &host_vec(b).await?),
    )];
    errors.push((
        "first moment".into(),
        relative_error(&host_vec(sa.moment_1).await?, &host_vec(sb.moment_1).await?),
    ));
    errors.push((
        "second moment".into(),
        relative_error(&host_vec(sa.moment_2).await?, &host_vec(sb.moment_2).await?),
    ));
    if sa.time != sb.time {
        errors.push(("step count".into(), f64::INFINITY));
    }
    Ok(Comparison {
        label: format!("adam n={n}"),
        errors,
    })
}

/// Embedding + LSTM cases for the wgpu layer op: `(batch, steps, input, hidden, vocab)`. Small
/// vocabularies repeat words within and across sequences (a word's gradient is a sum over its
/// positions); the larger one leaves most words unused (their rows must come out zero).
#[cfg(feature = "gpu")]
pub const EMBEDDED_CASES: [(usize, usize, usize, usize, usize); 4] = [
    (2, 5, 3, 4, 7),
    (1, 1, 2, 3, 2),
    (5, 5, 8, 64, 300),
    (2, 3, 3, 300, 4),
];

/// The wgpu layer op ([`lstm::embedded`] on the WGSL path: the embedding and the LSTM in one
/// op) against
/// burn's embedding lookup and the reference LSTM: outputs and the gradients of the embedding,
/// both weights, both biases and the start state, for a loss Σ coef ⊙ h.
#[cfg(feature = "gpu")]
pub async fn compare_embedded(
    device: &Device,
    (b, t, e, h, vocab): (usize, usize, usize, usize, usize),
    seed: u64,
) -> Result<Comparison, ExecutionError> {
    use crate::trainer::ops::batch::Batch;
    let device = device.clone().autodiff();
    let mut rng = Rng::new(seed);
    // Row-major ids, as the trainer gathers them.
    let ids: Vec<u32> = (0..b * t)
        .map(|_| (rng.uniform_range(0.0, vocab as f64) as u32).min(vocab as u32 - 1))
        .collect();
    let table = random(&mut rng, vocab * e, 1.0);
    let (h0_v, c0_v) = (random(&mut rng, b * h, 0.5), random(&mut rng, b * h, 0.5));
    let coef = tensor(random(&mut rng, t * b * h, 1.0), [t, b, h], &device);
    let run = |fused: bool| {
        let lstm = Lstm::init(e, h, &mut Rng::new(seed ^ 0x5eed), &device);
        let emb = tensor(table.clone(), [vocab, e], &device).require_grad();
        let h0 = tensor(h0_v.clone(), [b, h], &device).require_grad();
        let c0 = tensor(c0_v.clone(), [b, h], &device).require_grad();
        let path = if fused { Path::Wgsl } else { Path::Reference };
        let batch = Batch::new(&ids, t, vocab, path, &device);
        let state = LstmState {
            h: h0.clone(),
            c: c0.clone(),
        };
        let out = lstm::embedded(path, &batch, emb.clone(), &lstm, &Default::default(), state);
        let grads = (out.clone() * coef.clone()).sum().backward();
        let grad2 = |p: Tensor<2>| p.grad(&grads).expect("gradient");
        let grad1 = |p: Tensor<1>| flat(p.grad(&grads).expect("gradient"));
        vec![
            ("output".to_string(), flat(out.detach())),
            ("grad embedding".into(), grad2(emb)),
            ("grad h0".into(), grad2(h0)),
            ("grad c0".into(), grad2(c0)),
            ("grad weight_ih".into(), grad2(lstm.weight_ih.val())),
            ("grad weight_hh".into(), grad2(lstm.weight_hh.val())),
            ("grad bias_ih".into(), grad1(lstm.bias_ih.val())),
            ("grad bias_hh".into(), grad1(lstm.bias_hh.val())),
        ]
    };
    let errors = errors_by_name(run(true), run(false)).await?;
    Ok(Comparison {
        label: format!("embedding + LSTM B={b} T={t} E={e} H={h} V={vocab}"),
        errors,
    })
}

#[cfg(feature = "gpu")]
/// Every case of [`CASES`], then the heads, the losses, Adam and the embedding + LSTM op.
pub async fn compare_all(device: &Device) -> Result<Vec<Comparison>, ExecutionError> {
    let mut out = Vec::new();
    for (i, &case) in CASES.iter().enumerate() {
        out.push(compare(device, case, 10 + i as u64).await?);
    }
    for (i, &shape) in HEAD_CASES.iter().enumerate() {
        out.push(compare_head(device, shape, 30 + i as u64).await?);
    }
    for (i, &shape) in LOSS_CASES.iter().enumerate() {
        out.push(compare_loss(device, shape, 40 + i as u64).await?);
    }
    // Not a multiple of the 256 threads of a workgroup.
    out.push(compare_adam(device, 70_001, 50).await?);
    for (i, &case) in EMBEDDED_CASES.iter().enumerate() {
        out.push(compare_embedded(device, case, 90 + i as u64).await?);
    }
    Ok(out)
}

/// GRU and plain RNN cases for their WGSL layers: odd sizes, T = 1 with B = 1, H = 1, more
/// units than a workgroup's 256 threads (two and four per thread), and the time loop cut into
/// dispatches at an odd boundary.
#[cfg(feature = "gpu")]
pub const CELL_CASES: [Case; 7] = [
    case((2, 5, 3, 4)),
    case((1, 1, 2, 3)),
    case((3, 7, 5, 33)),
    case((4, 2, 1, 1)),
    case((2, 3, 3, 300)),
    case((1, 2, 2, 1024)),
    Case {
        shape: (5, 7, 4, 100),
        seqs: None,
        steps_per_dispatch: Some(3),
    },
];

/// A long sequence for the GRU and plain RNN kernels (natively only, as [`LONG`]).
#[cfg(feature = "gpu")]
pub const CELL_LONG: Case = case((2, 300, 3, 12));

/// The WGSL layer of `cell` (GRU or plain RNN: `ops::gru::wgpu::gru_layer`,
/// `ops::rnn::wgpu::rnn_layer`) against its reference (`forward_time_major`) on `device`:
/// outputs and the gradients of x, both weights, both biases and h₀, for a loss Σ coef ⊙ h.
#[cfg(feature = "gpu")]
pub async fn compare_cell_wgsl(
    device: &Device,
    cell: crate::classifier::arch::Cell,
    case: Case,
    seed: u64,
) -> Result<Comparison, ExecutionError> {
    use crate::classifier::arch::Cell;
    let (name, layers): (&str, [CellLayer; 2]) = match cell {
        Cell::Rnn => (
            "RNN",
            [
                super::rnn::wgpu::rnn_layer,
                super::rnn::reference::forward_time_major,
            ],
        ),
        Cell::Gru => (
            "GRU",
            [
                super::gru::wgpu::gru_layer,
                super::gru::reference::forward_time_major,
            ],
        ),
        Cell::Lstm => panic!("the LSTM's WGSL checks are `compare` and `compare_embedded`"),
    };
    let tuning = Tuning {
        seqs: case.seqs,
        steps_per_dispatch: case.steps_per_dispatch,
    };
    let errors =
        compare_cell_layers(device, cell.gates(), case.shape, seed, layers, tuning).await?;
    let (b, t, e, h) = case.shape;
    let mut label = format!("{name} (WGSL) B={b} T={t} E={e} H={h}");
    if let Some(n) = case.steps_per_dispatch {
        label += &format!(", {n} steps per dispatch");
    }
    Ok(Comparison { label, errors })
}

/// Every case of [`CELL_CASES`] for the plain RNN, then for the GRU.
#[cfg(feature = "gpu")]
pub async fn compare_cells_wgsl(device: &Device) -> Result<Vec<Comparison>, ExecutionError> {
    use crate::classifier::arch::Cell;
    let mut out = Vec::new();
    for (c, cell) in [Cell::Rnn, Cell::Gru].into_iter().enumerate() {
        for (i, &case) in CELL_CASES.iter().enumerate() {
            out.push(compare_cell_wgsl(device, cell, case, 200 + 20 * c as u64 + i as u64).await?);
        }
    }
    Ok(out)
}

/// Every recurrence shape of [`CASES`] on the CPU backend: the CPU LSTM layer
/// ([`lstm::cpu`]) against burn's ops; then the CPU heads, the softmax cross-entropy (the cases
/// of [`LOSS_CASES`] with several outputs) and Adam. Runs natively and in the browser (wasm
/// SIMD).
pub async fn compare_cpu() -> Result<Vec<Comparison>, ExecutionError> {
    let device = Device::flex();
    let mut out = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        let mut comparison = compare(&device, case(c.shape), 60 + i as u64).await?;
        comparison.label = format!("CPU {}", comparison.label);
        out.push(comparison);
    }
    for (i, &shape) in HEAD_CASES.iter().enumerate() {
        let mut comparison = compare_head(&device, shape, 70 + i as u64).await?;
        comparison.label = format!("CPU {}", comparison.label);
        out.push(comparison);
    }
    for (i, &shape) in LOSS_CASES.iter().enumerate().filter(|(_, s)| s.1 > 1) {
        let mut comparison = compare_loss(&device, shape, 85 + i as u64).await?;
        comparison.label = format!("CPU {}", comparison.label);
        out.push(comparison);
    }
    let mut adam = compare_adam(&device, 70_001, 80).await?;
    adam.label = format!("CPU {}", adam.label);
    out.push(adam);
    Ok(out)
}

/// The cells with a fused CPU layer besides the LSTM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Cell {
    /// `gru::cpu::gru_layer` against `gru::reference`.
    Gru,
    /// `rnn::cpu::rnn_layer` against `rnn::reference`.
    Rnn,
}

impl Cell {
    pub const ALL: [Cell; 2] = [Cell::Gru, Cell::Rnn];

    fn gates(self) -> usize {
        match self {
            Cell::Gru => 3,
            Cell::Rnn => 1,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Cell::Gru => "GRU",
            Cell::Rnn => "RNN",
        }
    }
}

/// GRU and RNN shapes `(batch, steps, input, hidden)`: odd sizes, T = 1, B = 1, B = 3 (below
/// the thread count, and one slice: slices take 8 rows at least), B = 19 and 37 (cut into
/// uneven slices), H = 1, the post's E = H = 100.
pub const CPU_CELL_CASES: [(usize, usize, usize, usize); 7] = [
    (2, 5, 3, 4),
    (1, 1, 2, 3),
    (3, 7, 5, 33),
    (19, 6, 4, 17),
    (4, 2, 1, 1),
    (37, 3, 7, 9),
    (5, 12, 100, 100),
];

/// A long sequence for the cells: gradients through 300 steps (natively only, as [`LONG`]).
pub const CPU_CELL_LONG: (usize, usize, usize, usize) = (3, 300, 3, 12);

/// A GRU or plain RNN layer's signature (`forward_time_major`'s).
type CellLayer = fn(Tensor<3>, [Tensor<2>; 2], [Tensor<1>; 2], Tensor<2>) -> Tensor<3>;

/// The `[fused, reference]` layers of a cell with `gates` gates on `device` with autodiff, one
/// random layer of `(batch, steps, input, hidden)` drawn from `seed` (weights as PyTorch draws
/// them, U(−1/√H, 1/√H)): the relative errors of the outputs and the gradients of `x`, `h0`,
/// both weights and both biases, for a loss Σ coef ⊙ h. The fused layer runs under `tuning`
/// (its kernels launch, forward and backward, on this thread).
async fn compare_cell_layers(
    device: &Device,
    gates: usize,
    (b, t, e, h): (usize, usize, usize, usize),
    seed: u64,
    [fused, reference]: [CellLayer; 2],
    tuning: Tuning,
) -> Result<Vec<(String, f64)>, ExecutionError> {
    let device = device.clone().autodiff();
    let mut rng = Rng::new(seed);
    let width = gates * h;
    let bound = 1.0 / (h as f64).sqrt();
    let mut uniform = |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| rng.uniform_range(-bound, bound) as f32)
            .collect()
    };
    let weights = [
        uniform(width * e),
        uniform(width * h),
        uniform(width),
        uniform(width),
    ];
    let x_v = random(&mut rng, t * b * e, 1.0);
    let h0_v = random(&mut rng, b * h, 0.5);
    let coef = tensor(random(&mut rng, t * b * h, 1.0), [t, b, h], &device);
    let run = |layer: CellLayer| {
        let x = tensor(x_v.clone(), [t, b, e], &device).require_grad();
        let w_ih = tensor(weights[0].clone(), [width, e], &device).require_grad();
        let w_hh = tensor(weights[1].clone(), [width, h], &device).require_grad();
        let b_ih = tensor(weights[2].clone(), [width], &device).require_grad();
        let b_hh = tensor(weights[3].clone(), [width], &device).require_grad();
        let h0 = tensor(h0_v.clone(), [b, h], &device).require_grad();
        let out = layer(
            x.clone(),
            [w_ih.clone(), w_hh.clone()],
            [b_ih.clone(), b_hh.clone()],
            h0.clone(),
        );
        let grads = (out.clone() * coef.clone()).sum().backward();
        let grad2 = |p: Tensor<2>| p.grad(&grads).expect("gradient");
        let grad1 = |p: Tensor<1>| flat(p.grad(&grads).expect("gradient"));
        vec![
            ("output".to_string(), flat(out.detach())),
            ("grad x".into(), flat(x.grad(&grads).expect("gradient"))),
            ("grad h0".into(), grad2(h0)),
            ("grad weight_ih".into(), grad2(w_ih)),
            ("grad weight_hh".into(), grad2(w_hh)),
            ("grad bias_ih".into(), grad1(b_ih)),
            ("grad bias_hh".into(), grad1(b_hh)),
        ]
    };
    let fused = with_tuning(tuning, || run(fused));
    errors_by_name(fused, run(reference)).await
}

/// The fused CPU GRU or RNN layer against its reference (burn's ops, step by step) on the CPU
/// backend with autodiff: the outputs and the gradients of `x`, both weights, both biases and
/// `h0`, for a loss Σ coef ⊙ h. Weights are drawn as PyTorch draws them, U(−1/√H, 1/√H).
pub async fn compare_cell(
    cell: Cell,
    (b, t, e, h): (usize, usize, usize, usize),
    seed: u64,
) -> Result<Comparison, ExecutionError> {
    let layers: [CellLayer; 2] = match cell {
        Cell::Gru => [gru::cpu::gru_layer, gru::reference::forward_time_major],
        Cell::Rnn => [rnn::cpu::rnn_layer, rnn::reference::forward_time_major],
    };
    let shape = (b, t, e, h);
    let errors = compare_cell_layers(
        &Device::flex(),
        cell.gates(),
        shape,
        seed,
        layers,
        Tuning::default(),
    )
    .await?;
    Ok(Comparison {
        label: format!("CPU {} B={b} T={t} E={e} H={h}", cell.name()),
        errors,
    })
}

/// Every shape of [`CPU_CELL_CASES`] for the GRU, then for the RNN. Runs natively and in the
/// browser (wasm SIMD).
pub async fn compare_cells() -> Result<Vec<Comparison>, ExecutionError> {
    let mut out = Vec::new();
    for (c, cell) in Cell::ALL.into_iter().enumerate() {
        for (i, &shape) in CPU_CELL_CASES.iter().enumerate() {
            out.push(compare_cell(cell, shape, 100 + 10 * c as u64 + i as u64).await?);
        }
    }
    Ok(out)
}

/// The page's self-test: every check of [`compare_all`] and [`compare_cells_wgsl`] on `gpu`
/// when there is one, then [`compare_cpu`] and [`compare_cells`].
pub async fn self_test(
    gpu: Option<&crate::trainer::Compute>,
) -> Result<Vec<Comparison>, ExecutionError> {
    let mut results = Vec::new();
    #[cfg(feature = "gpu")]
    if let Some(gpu) = gpu {
        results.extend(compare_all(gpu.device()).await?);
        results.extend(compare_cells_wgsl(gpu.device()).await?);
    }
    #[cfg(not(feature = "gpu"))]
    let _ = gpu;
    results.extend(compare_cpu().await?);
    results.extend(compare_cells().await?);
    Ok(results)
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
            label: "any".into(),
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
