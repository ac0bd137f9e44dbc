//! The training loss and a batch's statistics: its mean loss and how many of its predictions
//! are right. O, the number of model outputs, decides the loss:
//!
//! ```text
//! O = 1 (two classes, the post):  mean_b [ max(z, 0) − z·y + log(1 + e^{−|z|}) ]   y ∈ {0, 1}
//! O = K ≥ 2 (K classes):          mean_b [ log Σ_c e^{z_bc} − z_{b,y_b} ]          y ∈ 0 … K−1
//! ```
//!
//! binary cross-entropy on the logit (PyTorch's `BCEWithLogitsLoss`), or softmax cross-entropy
//! (`nn.CrossEntropyLoss`). On a GPU each is one dispatch forward and one backward (`wgpu.rs`,
//! `wgpu_cross_entropy.rs`), and the forward kernel counts the right predictions into the same
//! buffer; burn's ops for the binary loss took 47 dispatches. On the CPU the softmax
//! cross-entropy is one pass each way (`cpu.rs`); the binary loss there is burn's ops
//! ([`reference`]), a pass over B numbers, nothing to fuse.

use super::Path;
use super::shader::{Shader, wgsl_file};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::relu;
use burn::tensor::{ExecutionError, Tensor};

pub mod cpu;
#[cfg(feature = "gpu")]
pub mod wgpu;
#[cfg(feature = "gpu")]
pub mod wgpu_cross_entropy;

/// O = 1: mean BCE on `logits` `[B, 1]` against 0/1 `targets` `[B]`; O ≥ 2: mean softmax
/// cross-entropy of `logits` `[B, O]` against class ids (`0.0 … O−1` as floats) in `targets`.
/// `[1]`, differentiable in `logits`. A class id outside `0 … O−1` makes the CPU kernel's loss
/// NaN (the data layer never sends one).
pub fn loss(path: Path, logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    let [rows, outputs] = logits.dims();
    if outputs == 1 {
        let logits = logits.reshape([rows]);
        return match path {
            #[cfg(feature = "gpu")]
            Path::Wgsl => wgpu::bce_with_logits(logits, targets),
            _ => binary_reference(logits, targets),
        };
    }
    match path {
        #[cfg(feature = "gpu")]
        Path::Wgsl => wgpu_cross_entropy::cross_entropy(logits, targets),
        Path::Cpu => cpu::cross_entropy(logits, targets),
        _ => cross_entropy_reference(logits, targets),
    }
}

/// [`loss`] in burn's ops.
pub fn reference(logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    let [rows, outputs] = logits.dims();
    match outputs {
        1 => binary_reference(logits.reshape([rows]), targets),
        _ => cross_entropy_reference(logits, targets),
    }
}

/// Binary cross-entropy in the stable form `max(z, 0) − z·y + log(1 + e^{−|z|})` (what
/// PyTorch's `BCEWithLogitsLoss` computes), on logits `[B]`.
fn binary_reference(logits: Tensor<1>, targets: Tensor<1>) -> Tensor<1> {
    (relu(logits.clone()) - logits.clone() * targets + (-logits.abs()).exp().log1p()).mean()
}

/// burn's own `CrossEntropyLoss` (a log-softmax, then a gather of the targets' entries).
fn cross_entropy_reference(logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, targets.int())
}

/// `[mean loss, number of correct predictions]` of a batch, computed on the device, not
/// differentiable. Correct: the logit on the target's side of 0 (O = 1), the largest logit the
/// target's (O ≥ 2; the first largest on ties). `loss`, when given, is this batch's [`loss`] on
/// the same path: on the GPU its kernel already counted the right predictions (no dispatch);
/// elsewhere it is reused.
pub fn stats(
    path: Path,
    logits: Tensor<2>,
    targets: Tensor<1>,
    loss: Option<Tensor<1>>,
) -> Tensor<1> {
    #[cfg(feature = "gpu")]
    if path == Path::Wgsl {
        return match loss.and_then(wgpu::stats_of) {
            Some(stats) => stats,
            None => wgpu::loss_and_correct(logits, targets),
        };
    }
    let loss = loss.unwrap_or_else(|| self::loss(path, logits.clone(), targets.clone()));
    let [rows, outputs] = logits.dims();
    let correct = if outputs == 1 {
        let predicted = logits.reshape([rows]).greater_elem(0.0).float();
        (predicted - targets).abs().neg().add_scalar(1.0).sum()
    } else {
        let predicted = logits.argmax(1).reshape([rows]).float();
        predicted.equal(targets).float().sum()
    };
    Tensor::cat(vec![loss, correct], 0)
}

/// The predicted class of each row of `logits` `[B, O]` (one output: 1 when the logit is
/// above 0, as [`stats`] counts), read to the host.
pub async fn read_predicted(logits: Tensor<2>) -> Result<Vec<u8>, ExecutionError> {
    let [_, outputs] = logits.dims();
    let v = logits
        .into_data_async()
        .await?
        .try_to_vec::<f32>()
        .expect("float logits");
    Ok(v.chunks(outputs)
        .map(|row| match row {
            [z] => u8::from(*z > 0.0),
            _ => crate::classifier::argmax(row) as u8,
        })
        .collect())
}

/// [`stats`] on the host: `(mean loss, correct)`.
pub async fn read_stats(stats: Tensor<1>) -> Result<(f64, f64), ExecutionError> {
    let v = stats
        .into_data_async()
        .await?
        .try_to_vec::<f32>()
        .expect("float stats");
    Ok((v[0] as f64, v[1] as f64))
}

/// The binary loss kernel; `with_correct`: it also counts the right predictions.
pub(crate) fn forward_shader(with_correct: bool) -> Shader {
    Shader::new("bce_forward", wgsl_file!("loss/forward.wgsl")).with("with_correct", with_correct)
}

pub(crate) fn backward_shader() -> Shader {
    Shader::new("bce_backward", wgsl_file!("loss/backward.wgsl"))
}

/// The softmax cross-entropy kernel; `with_correct` as in [`forward_shader`].
pub(crate) fn cross_entropy_forward_shader(with_correct: bool) -> Shader {
    Shader::new(
        "cross_entropy_forward",
        wgsl_file!("loss/cross_entropy_forward.wgsl"),
    )
    .with("with_correct", with_correct)
}

pub(crate) fn cross_entropy_backward_shader() -> Shader {
    Shader::new(
        "cross_entropy_backward",
        wgsl_file!("loss/cross_entropy_backward.wgsl"),
    )
}
