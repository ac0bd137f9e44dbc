//! Opening the device a trainer computes on — the only place that does — so the faces (the
//! page's exports, the CLI) never touch burn: they hold a [`Compute`] and pass it on.

#[cfg(feature = "gpu")]
use super::ops::TASKS_PER_SUBMISSION;
use super::ops::on_wgpu;
use crate::settings::Engine;
use burn::tensor::Device;
use serde::Serialize;

/// A device to train and predict on: burn's CPU backend, or its wgpu backend (WebGPU in a
/// browser, Vulkan or Metal natively).
#[derive(Clone, Debug)]
pub struct Compute {
    device: Device,
}

/// What the GPU allows, read when it was opened.
#[cfg(feature = "gpu")]
#[derive(Clone, Debug)]
pub struct GpuSetup {
    pub adapter: wgpu::AdapterInfo,
    pub limits: wgpu::Limits,
}

/// The GPU allocator's pool, for watching memory across runs.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PoolUsage {
    pub bytes_in_use: u64,
    pub bytes_reserved: u64,
    pub number_allocs: u64,
}

impl Compute {
    /// The CPU (natively on rayon's threads, in a browser on this worker alone).
    pub fn cpu() -> Self {
        Self {
            device: Device::flex(),
        }
    }

    /// The GPU, natively (blocks until it is open).
    #[cfg(all(feature = "gpu", not(target_family = "wasm")))]
    pub fn gpu() -> Result<Self, String> {
        Device::wgpu_options()
            .tasks_max(TASKS_PER_SUBMISSION)
            .init()
            .map(Self::from)
            .map_err(|e| format!("no GPU for burn: {e:?}"))
    }

    /// The GPU through WebGPU (or natively), with what it allows.
    #[cfg(feature = "gpu")]
    pub async fn gpu_async() -> Result<(Self, GpuSetup), String> {
        let (device, setup) = Device::wgpu_options()
            .tasks_max(TASKS_PER_SUBMISSION)
            .init_with_setup_async()
            .await
            .map_err(|e| e.to_string())?;
        let setup = GpuSetup {
            adapter: setup.adapter.get_info(),
            limits: setup.device.limits(),
        };
        Ok((Self::from(device), setup))
    }

    /// Which engine this is.
    pub fn engine(&self) -> Engine {
        match on_wgpu(&self.device) {
            true => Engine::Gpu,
            false => Engine::Cpu,
        }
    }

    /// The GPU allocator's pool (none on the CPU).
    pub fn pool_usage(&self) -> Option<PoolUsage> {
        self.device.memory_pool_usage().map(|u| PoolUsage {
            bytes_in_use: u.bytes_in_use,
            bytes_reserved: u.bytes_reserved,
            number_allocs: u.number_allocs,
        })
    }

    /// burn's device, for the trainer's own code and the tests.
    pub fn device(&self) -> &Device {
        &self.device
    }
}

impl From<Device> for Compute {
    fn from(device: Device) -> Self {
        Self { device }
    }
}
