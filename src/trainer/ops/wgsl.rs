//! Launching a WGSL kernel in burn's wgpu runtime (only with the `gpu` feature): the text of
//! [`Shader`] as a cubecl kernel, buffers bound in order, a uniform of `u32` fields after them.

use super::shader::Shader;
use burn::backend::wgpu::{CubeTensor, KernelSource, SourceKernel, SourceTemplate};
use burn::tensor::{DType, Shape};
use cubecl::prelude::KernelId;
use cubecl::server::{KernelArguments, MetadataBindingInfo};
use cubecl::{CubeCount, CubeDim};

/// WebGPU's guaranteed `maxComputeWorkgroupsPerDimension`.
pub(crate) const MAX_WORKGROUPS: usize = 65535;

/// A [`Shader`] as burn's wgpu runtime compiles it. The values are part of the pipeline cache
/// key (cubecl does not hash the source).
struct Wgsl(Shader);

impl KernelSource for Wgsl {
    fn source(&self) -> SourceTemplate {
        SourceTemplate::new(self.0.render())
    }

    fn id(&self) -> KernelId {
        KernelId::new::<Self>().info((self.0.name, self.0.values.clone()))
    }

    fn lang(&self) -> &'static str {
        "wgsl"
    }
}

/// Queue `shader` on the stream of `buffers[0]`, with `buffers` bound in order and `info` as
/// the uniform after them.
pub(crate) fn launch_wgsl(
    shader: Shader,
    threads: usize,
    workgroups: CubeCount,
    buffers: &[&CubeTensor],
    info: MetadataBindingInfo,
) {
    let mut args = KernelArguments::new();
    for b in buffers {
        args = args.with_buffer(b.handle.clone().binding());
    }
    buffers[0].client.launch(
        Box::new(SourceKernel::new(
            Wgsl(shader),
            CubeDim::new_1d(threads as u32),
        )),
        workgroups,
        args.with_info(info),
    );
}

/// A kernel's uniform from `u32` fields in order (a WGSL struct of `u32`s and `f32` bit
/// patterns), packed two to a word as cubecl's custom metadata takes them.
pub(crate) fn uniform(fields: &[u32]) -> MetadataBindingInfo {
    let words = fields
        .chunks(2)
        .map(|pair| pair[0] as u64 | (pair.get(1).copied().unwrap_or(0) as u64) << 32)
        .collect();
    MetadataBindingInfo::custom(words)
}

/// An uninitialised float tensor of `shape` on `like`'s device.
pub(crate) fn empty_f32(like: &CubeTensor, shape: Shape) -> CubeTensor {
    let handle = like.client.empty(shape.num_elements() * 4);
    CubeTensor::new_contiguous(
        like.client.clone(),
        like.device.clone(),
        shape,
        handle,
        DType::F32,
    )
}
