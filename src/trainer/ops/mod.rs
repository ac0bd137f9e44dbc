//! The model's operations, each in its own folder with one entry point per op: the only place
//! that asks which implementation runs it.
//!
//! ```text
//! ops/lstm   the embedding and the LSTM layer     wgpu.rs + wgpu_embedded.rs (WGSL), cpu.rs, reference
//! ops/head   mean ‖ max pooling, Linear(2H → O)    wgpu.rs (WGSL), cpu.rs, reference
//! ops/loss   BCE (O = 1), softmax CE (O = K)      wgpu.rs + wgpu_cross_entropy.rs (WGSL), cpu.rs, reference
//! ops/adam   Adam                                 wgpu.rs (WGSL), cpu.rs, burn's Adam
//! ops/batch  a batch of token ids, as every op reads it
//! ops/check  every fast implementation against its reference, forward and gradients
//! ```
//!
//! The implementation is a [`Path`], resolved once — when a trainer, a data-parallel replica or
//! a predictor is made — from the recurrence setting and the device, and passed down: nothing
//! above an op asks what device it runs on. Each op's WGSL lives in the folder of the same name
//! under the top-level `shaders/`.
//!
//! In a browser the cost of a GPU training step is the number of dispatches, not its
//! arithmetic: burn's stock ops issue dozens per time step (matmul, four slices, four
//! activations, the cell update — twice that backward). The WGSL kernels keep the time loop
//! inside one dispatch each way; see [`lstm`].

use crate::settings::Recurrence;
use burn::backend::DispatchDevice;
use burn::tensor::Device;

pub mod adam;
pub mod batch;
pub mod check;
pub(crate) mod cpu_cell;
pub(crate) mod cpu_recurrence;
pub mod cpu_simd;
pub(crate) mod flex;
pub mod gru;
pub mod head;
pub mod loss;
pub mod lstm;
pub mod rnn;
pub mod shader;
#[cfg(feature = "gpu")]
pub(crate) mod wgsl;
#[cfg(feature = "gpu")]
pub(crate) mod wgsl_cell;

/// Largest hidden size the WGSL kernels take: the backward kernel keeps one step's 4H gate
/// gradients of a sequence in workgroup memory (4 × 1024 floats = WebGPU's 16 KiB minimum).
pub const MAX_HIDDEN: usize = 1024;

/// Launches burn may gather into one GPU command submission. cubecl's default (32) would cut a
/// training step into several submissions; with this a whole step goes in one.
pub const TASKS_PER_SUBMISSION: usize = 1024;

/// Which implementation runs every op of one model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The hand-written WGSL kernels, in burn's wgpu runtime.
    Wgsl,
    /// The CPU kernels (on the `gemm` crate), on burn's CPU backend.
    Cpu,
    /// burn's own ops: the oracle the others are checked against, and the fallback.
    Reference,
}

impl Path {
    /// The fastest implementation of `recurrence` on `device` for a layer of `hidden` units.
    pub fn resolve(recurrence: Recurrence, device: &Device, hidden: usize) -> Self {
        match recurrence {
            Recurrence::Reference => Path::Reference,
            Recurrence::Fused if on_wgpu(device) && hidden <= MAX_HIDDEN => Path::Wgsl,
            Recurrence::Fused if on_flex(device) => Path::Cpu,
            Recurrence::Fused => Path::Reference,
        }
    }
}

/// Every kernel the trainer launches, at sizes that reach each branch of the values (several
/// hidden sizes and workgroup layouts, with and without the optional parts): what the naga
/// check in [`shader`] validates.
pub fn every_kernel() -> Vec<shader::Shader> {
    let mut all = lstm::shaders_for_check();
    all.extend(rnn::shaders_for_check());
    all.extend(gru::shaders_for_check());
    all.extend(head::shaders());
    all.extend([true, false].map(loss::forward_shader));
    all.push(loss::backward_shader());
    all.extend([true, false].map(loss::cross_entropy_forward_shader));
    all.push(loss::cross_entropy_backward_shader());
    all.push(adam::shader());
    all
}

/// Whether `device` (or the device under its autodiff) is burn's wgpu runtime.
pub(crate) fn on_wgpu(device: &Device) -> bool {
    #[cfg(feature = "gpu")]
    if let DispatchDevice::Cube(d) = device.clone().inner().as_dispatch() {
        return d.runtime() == cubecl::RuntimeId::Wgpu;
    }
    // Without the `gpu` feature there is no wgpu device.
    let _ = device;
    false
}

/// Whether `device` (or the device under its autodiff) is burn's Flex CPU backend.
pub(crate) fn on_flex(device: &Device) -> bool {
    matches!(
        device.clone().inner().as_dispatch(),
        DispatchDevice::Flex(_)
    )
}
