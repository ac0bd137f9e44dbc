//! Device acquisition and small helpers shared by every hand-written WGSL engine.
//!
//! Acquisition is kept apart from compute (as in wgpu's `hello_compute`): engines take a
//! [`Gpu`], so a test, the CLI, the page and the trainer can each bring their own device.

use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// A device and queue plus what the user should be told about them.
#[derive(Clone)]
pub struct Gpu {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub report: AdapterReport,
}

/// The adapter as shown on the page ("GPU: …" or "CPU fallback: …").
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AdapterReport {
    pub name: String,
    pub backend: String,
    pub device_type: String,
    pub driver: String,
}

impl AdapterReport {
    pub fn from_info(info: &wgpu::AdapterInfo) -> Self {
        let name = if info.name.is_empty() {
            "unnamed adapter".to_string()
        } else {
            info.name.clone()
        };
        Self {
            name,
            backend: match info.backend {
                wgpu::Backend::BrowserWebGpu => "WebGPU".to_string(),
                other => format!("{other:?}"),
            },
            device_type: format!("{:?}", info.device_type),
            driver: [info.driver.as_str(), info.driver_info.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum GpuError {
    /// No adapter: WebGPU missing or disabled, or no driver.
    NoAdapter(String),
    /// The adapter refused a device.
    NoDevice(String),
    /// A validation or out-of-memory error reported by the device.
    Device(String),
    /// Reading a result back failed (device lost, buffer mapping refused).
    Readback(String),
    /// A request the engine cannot serve on this device (too large for its limits).
    Unsupported(String),
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuError::NoAdapter(m) => write!(f, "no GPU adapter: {m}"),
            GpuError::NoDevice(m) => write!(f, "the GPU adapter refused a device: {m}"),
            GpuError::Device(m) => write!(f, "GPU error: {m}"),
            GpuError::Readback(m) => write!(f, "reading GPU results failed: {m}"),
            GpuError::Unsupported(m) => write!(f, "not possible on this GPU: {m}"),
        }
    }
}

impl std::error::Error for GpuError {}

/// The best adapter and its instance: WebGPU in a browser, Vulkan/Metal/DX12/GL natively
/// (lavapipe when only mesa's CPU Vulkan is installed).
pub async fn best_adapter() -> Result<(wgpu::Instance, wgpu::Adapter), GpuError> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: None,
            apply_limit_buckets: false,
        })
        .await
        .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
    Ok((instance, adapter))
}

impl Gpu {
    /// Ask for the best adapter: WebGPU in a browser, Vulkan/Metal/DX12/GL natively
    /// (lavapipe when only mesa's CPU Vulkan is installed).
    pub async fn acquire() -> Result<Self, GpuError> {
        let (_instance, adapter) = best_adapter().await?;
        let report = AdapterReport::from_info(&adapter.get_info());
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("lstm-lab"),
                required_features: wgpu::Features::empty(),
                // Ask for what the adapter offers: large Blow-up runs need big storage buffers.
                required_limits: adapter.limits(),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await
            .map_err(|e| GpuError::NoDevice(e.to_string()))?;
        Ok(Self::from_parts(device, queue, report))
    }

    /// Wrap an existing device (e.g. the one burn acquired) so engines can share it.
    pub fn from_parts(device: wgpu::Device, queue: wgpu::Queue, report: AdapterReport) -> Self {
        // wgpu's default handler panics on an uncaptured error; in a page that would take the
        // whole tab down. Engines capture their own errors with error scopes; anything else is
        // logged.
        device.on_uncaptured_error(Arc::new(|e| {
            log_error(&format!("uncaptured GPU error: {e}"))
        }));
        Self {
            device,
            queue,
            report,
        }
    }

    /// A mappable buffer to copy results into.
    pub fn staging_buffer(&self, size: u64) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// Wait for the queue to fill `staging` (see [`Self::staging_buffer`]) and return its bytes.
    pub async fn map_read(&self, staging: &wgpu::Buffer) -> Result<Vec<u8>, GpuError> {
        let slice = staging.slice(..);
        let (tx, rx) = futures_channel::oneshot::channel();
        slice.map_async(wgpu::MapMode::Read, move |result| {
            let _ = tx.send(result);
        });
        #[cfg(not(target_family = "wasm"))]
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        rx.await
            .map_err(|_| GpuError::Readback("the device dropped the request".into()))?
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        let bytes = slice
            .get_mapped_range()
            .map_err(|e| GpuError::Readback(e.to_string()))?
            .to_vec();
        staging.unmap();
        Ok(bytes)
    }

    /// Copy the first `size` bytes of `source` (which needs `COPY_SRC`) back to the host.
    pub async fn read_back(&self, source: &wgpu::Buffer, size: u64) -> Result<Vec<u8>, GpuError> {
        let staging = self.staging_buffer(size);
        let mut encoder = self.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(source, 0, &staging, 0, size);
        self.queue.submit([encoder.finish()]);
        self.map_read(&staging).await
    }

    /// Catch validation and out-of-memory errors of everything done until [`ErrorScope::close`].
    pub fn error_scope(&self) -> ErrorScope {
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        ErrorScope { oom, validation }
    }

    /// Run `f` inside an [`ErrorScope`] and report what it caught.
    pub async fn checked<T>(&self, f: impl FnOnce() -> T) -> Result<T, GpuError> {
        let scope = self.error_scope();
        let value = f();
        scope.close().await?;
        Ok(value)
    }
}

pub struct ErrorScope {
    oom: wgpu::ErrorScopeGuard,
    validation: wgpu::ErrorScopeGuard,
}

impl ErrorScope {
    /// Pop the scopes now (innermost first); the returned future reports what they caught.
    pub fn close(self) -> impl std::future::Future<Output = Result<(), GpuError>> {
        let validation = self.validation.pop();
        let oom = self.oom.pop();
        async move {
            if let Some(e) = validation.await {
                return Err(GpuError::Device(e.to_string()));
            }
            if let Some(e) = oom.await {
                return Err(GpuError::Device(format!("out of GPU memory: {e}")));
            }
            Ok(())
        }
    }
}

pub(crate) fn log_error(message: &str) {
    #[cfg(target_family = "wasm")]
    web_sys::console::error_1(&message.into());
    #[cfg(not(target_family = "wasm"))]
    eprintln!("{message}");
}

/// Block on a future natively (tests, CLI). The browser never blocks: it awaits.
#[cfg(not(target_family = "wasm"))]
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}
