//! The training loss — binary cross-entropy on logits — and a batch's statistics: its mean
//! loss and how many of its predictions are right.
//!
//! On a GPU the loss is one dispatch forward and one backward (`wgpu.rs`), and the forward
//! kernel counts the right predictions into the same buffer; burn's ops for the same took 47
//! dispatches. Elsewhere burn's ops ([`reference`]) run: on the CPU the loss is a pass over B
//! numbers, nothing to fuse.

use super::Path;
use super::shader::{Shader, wgsl_file};
use burn::tensor::activation::relu;
use burn::tensor::{ExecutionError, Tensor};

#[cfg(feature = "gpu")]
pub mod wgpu;

/// The training loss of `logits` `[B, O]` against `targets` `[B]`: `[1]`, differentiable in
/// `logits`. One output: mean binary cross-entropy against 0/1 targets (the post); O ≥ 2
/// outputs: mean softmax cross-entropy against class ids (as floats).
pub fn loss(path: Path, logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    let [batch, outputs] = logits.dims();
    if outputs != 1 {
        return reference(logits, targets);
    }
    let logits = logits.reshape([batch]);
    match path {
        #[cfg(feature = "gpu")]
        Path::Wgsl => wgpu::bce_with_logits(logits, targets),
        _ => bce_reference(logits, targets),
    }
}

/// [`loss`] in burn's ops.
pub fn reference(logits: Tensor<2>, targets: Tensor<1>) -> Tensor<1> {
    let [batch, outputs] = logits.dims();
    if outputs == 1 {
        return bce_reference(logits.reshape([batch]), targets);
    }
    let log_p = burn::tensor::activation::log_softmax(logits, 1);
    let ids = targets.int().reshape([batch, 1]);
    -log_p.gather(1, ids).mean()
}

/// Binary cross-entropy in burn's ops, in the stable form `max(z, 0) − z·y + log(1 + e^{−|z|})`
/// (what PyTorch's `BCEWithLogitsLoss` computes).
fn bce_reference(logits: Tensor<1>, targets: Tensor<1>) -> Tensor<1> {
    (relu(logits.clone()) - logits.clone() * targets + (-logits.abs()).exp().log1p()).mean()
}

/// `[mean loss, number of correct predictions]` of a batch, computed on the device, not
/// differentiable. `loss`, when given, is this batch's [`bce`] on the same path: on the GPU its
/// kernel already counted the right predictions (no dispatch); elsewhere it is reused.
pub fn stats(
    path: Path,
    logits: Tensor<2>,
    targets: Tensor<1>,
    loss: Option<Tensor<1>>,
) -> Tensor<1> {
    let [batch, outputs] = logits.dims();
    if outputs != 1 {
        let loss = loss.unwrap_or_else(|| reference(logits.clone(), targets.clone()));
        let predicted = logits.argmax(1).reshape([batch]).float();
        let correct = predicted.equal(targets).float().sum();
        return Tensor::cat(vec![loss, correct], 0);
    }
    let logits = logits.reshape([batch]);
    #[cfg(feature = "gpu")]
    if path == Path::Wgsl {
        return match loss.and_then(wgpu::stats_of) {
            Some(stats) => stats,
            None => wgpu::loss_and_correct(logits, targets),
        };
    }
    let _ = path;
    let loss = loss.unwrap_or_else(|| bce_reference(logits.clone(), targets.clone()));
    let predicted = logits.greater_elem(0.0).float();
    let correct = (predicted - targets).abs().neg().add_scalar(1.0).sum();
    Tensor::cat(vec![loss, correct], 0)
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

/// The predicted class of each row of `logits` `[B, O]` (one output: 1 when the logit is
/// above 0), read to the host.
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
            _ => {
                let mut best = 0;
                for (i, &z) in row.iter().enumerate() {
                    if z > row[best] {
                        best = i;
                    }
                }
                best as u8
            }
        })
        .collect())
}

/// The loss kernel; `with_correct`: it also counts the right predictions.
pub(crate) fn forward_shader(with_correct: bool) -> Shader {
    Shader::new("bce_forward", wgsl_file!("loss/forward.wgsl")).with("with_correct", with_correct)
}

pub(crate) fn backward_shader() -> Shader {
    Shader::new("bce_backward", wgsl_file!("loss/backward.wgsl"))
}
