//! Which implementation of the recurrence a trainer uses. A plain setting (no tensor library):
//! a model file records it with the training settings, and model files load without burn.

use serde::{Deserialize, Serialize};

/// How the recurrence is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LstmKernel {
    /// The fused recurrence: the WGSL kernels (the whole time loop in one dispatch each way) on
    /// wgpu devices, its CPU twin (`fused::cpu`) on the CPU backend; elsewhere, or on wgpu for
    /// hidden sizes above `fused::MAX_HIDDEN`, the reference path.
    #[default]
    Fused,
    /// burn's own ops, step by step: the oracle the fused kernels are tested against.
    Reference,
}
