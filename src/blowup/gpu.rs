//! The Blow-up experiment on the GPU: one `shaders/blowup/step.wgsl` dispatch per step, every
//! step in one command buffer, one read-back of the per-tile summaries at the end.

use super::cpu::Subnormals;
use super::{BlowupConfig, Init, Problem, StepStats, TilePartial, Trajectory};
use crate::gpu::{Gpu, GpuError};
use bytemuck::{Pod, Zeroable};
use serde::Serialize;
use std::cell::RefCell;
use wgpu::util::DeviceExt;

const STEP_SHADER: &str = include_str!("../../shaders/blowup/step.wgsl");
const PROBE_SHADER: &str = include_str!("../../shaders/blowup/float_probe.wgsl");
/// Output tile per workgroup; must match `TILE` in the shader.
const TILE: usize = 32;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n: u32,
    step: u32,
    scale: f32,
    _pad: u32,
}

/// How this adapter's float32 behaves at the edges, measured by `shaders/blowup/float_probe.wgsl`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FloatBehaviour {
    pub subnormals: Subnormals,
    pub overflow_gives_inf: bool,
    pub inf_minus_inf_is_nan: bool,
}

impl FloatBehaviour {
    pub async fn probe(gpu: &Gpu) -> Result<Self, GpuError> {
        let device = &gpu.device;
        let operands: [f32; 5] = [1e-30, 1e-10, 1e30, 1e30, -1e30];
        let input = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("probe operands"),
            contents: bytemuck::cast_slice(&operands),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let out = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("probe out"),
            size: 16,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        gpu.checked(|| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some("blowup/float_probe.wgsl"),
                source: wgpu::ShaderSource::Wgsl(PROBE_SHADER.into()),
            });
            let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some("float probe"),
                layout: None,
                module: &module,
                entry_point: Some("main"),
                compilation_options: Default::default(),
                cache: None,
            });
            let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &pipeline.get_bind_group_layout(0),
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: input.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: out.as_entire_binding(),
                    },
                ],
            });
            let mut encoder = device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                pass.set_pipeline(&pipeline);
                pass.set_bind_group(0, &bind, &[]);
                pass.dispatch_workgroups(1, 1, 1);
            }
            gpu.queue.submit([encoder.finish()]);
        })
        .await?;
        let bytes = gpu.read_back(&out, 16).await?;
        // The byte vector's alignment is 1; copy into a properly aligned one.
        let words: Vec<u32> = bytemuck::pod_collect_to_vec(&bytes);
        let [tiny, huge, diff] = [
            f32::from_bits(words[0]),
            f32::from_bits(words[1]),
            f32::from_bits(words[2]),
        ];
        Ok(Self {
            subnormals: if tiny == 0.0 {
                Subnormals::Flush
            } else {
                Subnormals::Keep
            },
            overflow_gives_inf: huge.is_infinite(),
            inf_minus_inf_is_nan: diff.is_nan(),
        })
    }
}

/// Matrices already on the GPU, so that moving the scale slider uploads nothing.
struct Resident {
    key: (usize, Init, u64, usize),
    x0: wgpu::Buffer,
    matrices: wgpu::Buffer,
}

pub struct BlowupGpu {
    gpu: Gpu,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    resident: RefCell<Option<Resident>>,
    pub float_behaviour: FloatBehaviour,
}

impl BlowupGpu {
    pub async fn new(gpu: Gpu) -> Result<Self, GpuError> {
        let float_behaviour = FloatBehaviour::probe(&gpu).await?;
        let device = &gpu.device;
        let (pipeline, layout) = gpu
            .checked(|| {
                let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some("blowup/step.wgsl"),
                    source: wgpu::ShaderSource::Wgsl(STEP_SHADER.into()),
                });
                let storage = |binding, read_only| wgpu::BindGroupLayoutEntry {
                    binding,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                };
                let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                    label: Some("blowup step"),
                    entries: &[
                        wgpu::BindGroupLayoutEntry {
                            binding: 0,
                            visibility: wgpu::ShaderStages::COMPUTE,
                            ty: wgpu::BindingType::Buffer {
                                ty: wgpu::BufferBindingType::Uniform,
                                // One Params per step, picked by a dynamic offset.
                                has_dynamic_offset: true,
                                min_binding_size: wgpu::BufferSize::new(16),
                            },
                            count: None,
                        },
                        storage(1, true),
                        storage(2, true),
                        storage(3, false),
                        storage(4, false),
                    ],
                });
                let pipeline_layout =
                    device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                        label: Some("blowup step"),
                        bind_group_layouts: &[Some(&layout)],
                        immediate_size: 0,
                    });
                let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some("blowup step"),
                    layout: Some(&pipeline_layout),
                    module: &module,
                    entry_point: Some("main"),
                    compilation_options: Default::default(),
                    cache: None,
                });
                (pipeline, layout)
            })
            .await?;
        Ok(Self {
            gpu,
            pipeline,
            layout,
            resident: RefCell::new(None),
            float_behaviour,
        })
    }

    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    fn resident_buffers(
        &self,
        problem: &Problem,
    ) -> Result<(wgpu::Buffer, wgpu::Buffer), GpuError> {
        let key = (problem.n, problem.init, problem.seed, problem.steps());
        let mut slot = self.resident.borrow_mut();
        if let Some(r) = slot.as_ref().filter(|r| r.key == key) {
            return Ok((r.x0.clone(), r.matrices.clone()));
        }
        let bytes = (problem.matrices.len() * 4) as u64;
        let limit = self.gpu.device.limits().max_storage_buffer_binding_size;
        if bytes > limit {
            return Err(GpuError::Unsupported(format!(
                "{} matrices of {}×{} need {} MB, more than this GPU binds at once ({} MB)",
                problem.steps(),
                problem.n,
                problem.n,
                bytes >> 20,
                limit >> 20
            )));
        }
        let device = &self.gpu.device;
        let x0 = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("x0"),
            contents: bytemuck::cast_slice(&problem.x0),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let matrices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("matrices"),
            contents: bytemuck::cast_slice(&problem.matrices),
            usage: wgpu::BufferUsages::STORAGE,
        });
        *slot = Some(Resident {
            key,
            x0: x0.clone(),
            matrices: matrices.clone(),
        });
        Ok((x0, matrices))
    }

    /// Run `config.steps` steps of `problem` (which may hold more matrices than needed).
    pub async fn run(
        &self,
        problem: &Problem,
        config: &BlowupConfig,
    ) -> Result<Trajectory, GpuError> {
        self.submit(problem, config)?.finish().await
    }

    /// Upload (if needed), encode and submit every step; nothing is awaited, so the caller may
    /// release `problem` before waiting for the result.
    pub fn submit(&self, problem: &Problem, config: &BlowupConfig) -> Result<PendingRun, GpuError> {
        config
            .validate()
            .map_err(|e| GpuError::Unsupported(e.to_string()))?;
        if !problem.serves(config) {
            return Err(GpuError::Unsupported(
                "internal: the matrices do not match the settings".into(),
            ));
        }
        let n = problem.n;
        let steps = config.steps;
        let tiles_per_side = n.div_ceil(TILE);
        let tiles = tiles_per_side * tiles_per_side;
        let partial_bytes = (steps * tiles * std::mem::size_of::<TilePartial>()) as u64;
        let device = &self.gpu.device;
        let scope = self.gpu.error_scope();

        let (x0, matrices) = self.resident_buffers(problem)?;
        let stride = device.limits().min_uniform_buffer_offset_alignment as usize;
        let mut params = vec![0u8; stride * steps];
        for t in 0..steps {
            let p = Params {
                n: n as u32,
                step: t as u32,
                scale: config.scale,
                _pad: 0,
            };
            params[t * stride..t * stride + 16].copy_from_slice(bytemuck::bytes_of(&p));
        }
        let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("step params"),
            contents: &params,
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let scratch = |label| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: (n * n * 4) as u64,
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
        };
        let (x_a, x_b) = (scratch("x a"), scratch("x b"));
        let partials = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("tile partials"),
            size: partial_bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let bind = |input: &wgpu::Buffer, output: &wgpu::Buffer| {
            let entries = [
                wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &params,
                    offset: 0,
                    size: wgpu::BufferSize::new(16),
                }),
                input.as_entire_binding(),
                matrices.as_entire_binding(),
                output.as_entire_binding(),
                partials.as_entire_binding(),
            ];
            let entries: Vec<_> = entries
                .into_iter()
                .enumerate()
                .map(|(i, resource)| wgpu::BindGroupEntry {
                    binding: i as u32,
                    resource,
                })
                .collect();
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &self.layout,
                entries: &entries,
            })
        };
        // Step 0 reads x0; afterwards the two scratch matrices take turns.
        let first = bind(&x0, &x_a);
        let a_to_b = bind(&x_a, &x_b);
        let b_to_a = bind(&x_b, &x_a);
        let staging = self.gpu.staging_buffer(partial_bytes);
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&self.pipeline);
            for t in 0..steps {
                let group = match t {
                    0 => &first,
                    t if t % 2 == 1 => &a_to_b,
                    _ => &b_to_a,
                };
                pass.set_bind_group(0, group, &[(t * stride) as u32]);
                pass.dispatch_workgroups(tiles_per_side as u32, tiles_per_side as u32, 1);
            }
        }
        encoder.copy_buffer_to_buffer(&partials, 0, &staging, 0, partial_bytes);
        self.gpu.queue.submit([encoder.finish()]);
        Ok(PendingRun {
            gpu: self.gpu.clone(),
            errors: Box::pin(scope.close()),
            staging,
            tiles,
            total: (n * n) as u32,
            x0_stats: StepStats::of(&problem.x0),
            growth: config.expected_log10_growth(),
        })
    }
}

/// A submitted run whose results are still on the GPU.
pub struct PendingRun {
    gpu: Gpu,
    errors: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), GpuError>>>>,
    staging: wgpu::Buffer,
    tiles: usize,
    total: u32,
    x0_stats: StepStats,
    growth: f64,
}

impl PendingRun {
    pub async fn finish(self) -> Result<Trajectory, GpuError> {
        self.errors.await?;
        let bytes = self.gpu.map_read(&self.staging).await?;
        let partials: Vec<TilePartial> = bytemuck::pod_collect_to_vec(&bytes);
        let mut stats = Vec::with_capacity(partials.len() / self.tiles + 1);
        stats.push(self.x0_stats);
        stats.extend(
            partials
                .chunks(self.tiles)
                .map(|step| StepStats::from_partials(step, self.total)),
        );
        Ok(Trajectory::new(stats, self.growth))
    }
}
