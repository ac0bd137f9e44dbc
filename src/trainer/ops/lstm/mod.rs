//! The LSTM layer, in PyTorch's `nn.LSTM` layout (gates stacked i, f, g, o), in three
//! implementations behind two entries:
//!
//! - [`layer`]: every hidden state of the layer on given inputs `x`;
//! - [`embedded`]: the embedding lookup and the layer on a batch of token ids — what training
//!   runs, and on a GPU one op, forward and backward (`wgpu_embedded.rs`).
//!
//! | path        | forward, backward                                                        |
//! |-------------|--------------------------------------------------------------------------|
//! | `Wgsl`      | the time loop inside one dispatch each way (`wgpu.rs`, `wgpu_embedded.rs`)    |
//! | `Cpu`       | the whole layer as one op on the `gemm` crate (`cpu.rs` on `cpu_kernel.rs`) |
//! | `Reference` | burn's ops step by step ([`reference`]): the oracle                      |
//!
//! Why a persistent time loop is legal on a GPU: each workgroup owns whole sequences, so step
//! t+1 only needs what the same workgroup wrote at step t, and a `workgroupBarrier()` between
//! steps replaces a dispatch. [`layout`] says how a workgroup shares a step; a sequence so long
//! that one dispatch would run for seconds is cut into several dispatches.

use super::Path;
use super::shader::{Shader, wgsl_file};
use crate::classifier::arch::{Architecture, Cell};
use crate::trainer::lstm_layer::{Lstm, LstmState};
use crate::trainer::ops::batch::Batch;
use burn::tensor::Tensor;

pub mod cpu;
mod cpu_gates;
pub mod cpu_kernel;
pub mod layout;
pub mod reference;
#[cfg(feature = "gpu")]
pub mod wgpu;
#[cfg(feature = "gpu")]
pub mod wgpu_embedded;

pub use layout::{Layout, Tuning, set_tuning, with_tuning};

/// Every hidden state `[T, B, H]` of `lstm` on time-major `x` `[T, B, E]`, from `state`.
pub fn layer(path: Path, x: Tensor<3>, lstm: &Lstm, state: LstmState) -> Tensor<3> {
    match path {
        #[cfg(feature = "gpu")]
        Path::Wgsl => wgpu::lstm_recurrence(
            reference::project_inputs(lstm, x),
            lstm.weight_hh.val(),
            state.h,
            state.c,
        ),
        Path::Cpu => cpu::lstm_layer(
            x,
            [lstm.weight_ih.val(), lstm.weight_hh.val()],
            [lstm.bias_ih.val(), lstm.bias_hh.val()],
            state.h,
            state.c,
        ),
        // (Without the `gpu` feature no device resolves to `Wgsl`.)
        _ => reference::forward_time_major(lstm, x, state),
    }
}

/// Every hidden state `[T, B, H]` of the recurrent layer `cell` (the cell `arch` names: LSTM,
/// GRU or plain RNN, its weights in PyTorch's layout) on the rows of `embedding` `[V, E]` that
/// `batch`'s ids pick, from `state` (a GRU and a plain RNN read only its `h`). The recurrence
/// op: where no fused kernel computes `arch` on `path` ([`Architecture::unfused_reason`]),
/// burn's reference ops run it.
pub fn embedded(
    path: Path,
    batch: &Batch,
    embedding: Tensor<2>,
    cell: &Lstm,
    arch: &Architecture,
    state: LstmState,
) -> Tensor<3> {
    let path = if arch.fused() { path } else { Path::Reference };
    #[cfg(feature = "gpu")]
    if path == Path::Wgsl && arch.cell == Cell::Lstm {
        return wgpu_embedded::embedded_lstm(
            batch,
            embedding,
            [cell.weight_ih.val(), cell.weight_hh.val()],
            [cell.bias_ih.val(), cell.bias_hh.val()],
            [state.h, state.c],
        );
    }
    let x = burn::tensor::module::embedding(embedding, batch.ids.clone());
    let weights = [cell.weight_ih.val(), cell.weight_hh.val()];
    let biases = [cell.bias_ih.val(), cell.bias_hh.val()];
    match (arch.cell, path) {
        (Cell::Lstm, Path::Reference) => {
            reference::forward_time_major_variant(cell, x, state, arch.variant)
        }
        (Cell::Lstm, _) => layer(path, x, cell, state),
        (Cell::Gru, Path::Cpu) => super::gru::cpu::gru_layer(x, weights, biases, state.h),
        (Cell::Rnn, Path::Cpu) => super::rnn::cpu::rnn_layer(x, weights, biases, state.h),
        #[cfg(feature = "gpu")]
        (Cell::Gru, Path::Wgsl) => super::gru::wgpu::gru_layer(x, weights, biases, state.h),
        #[cfg(feature = "gpu")]
        (Cell::Rnn, Path::Wgsl) => super::rnn::wgpu::rnn_layer(x, weights, biases, state.h),
        (Cell::Gru, _) => super::gru::reference::forward_time_major(x, weights, biases, state.h),
        (Cell::Rnn, _) => super::rnn::reference::forward_time_major(x, weights, biases, state.h),
    }
}

/// The shared declarations of the two recurrence kernels.
const COMMON: super::shader::File = wgsl_file!("lstm/common.wgsl");

/// The forward or backward recurrence kernel for one [`Layout`]; `bias`: the forward weights
/// carry the summed bias as one more row (the embedded op's layout, `lstm/weights.wgsl`).
pub(crate) fn recurrence_shader(forward: bool, layout: Layout, bias: bool) -> Shader {
    let (name, file) = match forward {
        true => ("lstm_forward", wgsl_file!("lstm/forward.wgsl")),
        false => ("lstm_backward", wgsl_file!("lstm/backward.wgsl")),
    };
    let mut shader = Shader::new(name, file).with_prefix(COMMON);
    for (k, v) in layout.template_values() {
        shader = shader.with(k, v);
    }
    shader
        .with("own_len", layout.passes * layout.seqs)
        .with("has_bias", bias)
}

/// `W_hh` in both recurrence layouts, the summed bias as the forward one's last row.
pub(crate) fn weights_shader() -> Shader {
    Shader::new("lstm_weights", wgsl_file!("lstm/weights.wgsl"))
}

/// `∂E` and `∂b` from the gate gradients, for `4H` gate columns.
pub(crate) fn embedding_backward_shader(gates4: usize) -> Shader {
    Shader::new(
        "embedding_backward",
        wgsl_file!("lstm/embedding_backward.wgsl"),
    )
    .with("gates4", gates4)
}

/// The LSTM's kernels at hidden sizes and layouts that reach every branch of their values: one
/// unit, units split over threads, more units than threads, several sequences per workgroup.
pub(crate) fn shaders_for_check() -> Vec<Shader> {
    let mut all = Vec::new();
    for (hidden, batch, seqs) in [
        (1, 1, 1),
        (4, 2, 1),
        (100, 128, 1),
        (300, 5, 3),
        (1024, 2, 2),
    ] {
        let layout = Layout::new(hidden, batch, seqs);
        for forward in [true, false] {
            for bias in [true, false] {
                all.push(recurrence_shader(forward, layout, bias));
            }
        }
        all.push(embedding_backward_shader(4 * hidden));
    }
    all.push(weights_shader());
    all
}
