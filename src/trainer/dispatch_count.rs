//! Counting GPU dispatches at the wgpu level, natively: burn gets a wgpu device that records a
//! wgpu trace (`wgpu::Trace::Directory`), and every `DispatchWorkgroups` command wgpu received
//! is one line of the trace. This counts what any code issued — burn's ops, cubecl's copies,
//! our kernels — not what we think we launched.

use super::device::Compute;
use super::ops::TASKS_PER_SUBMISSION;
use burn::tensor::Device;
use burn::tensor::wgpu::{WgpuSetup, wgpu};
use std::path::{Path, PathBuf};

pub struct DispatchCounter {
    dir: PathBuf,
}

impl DispatchCounter {
    /// A fresh burn wgpu device tracing into a new temporary folder (removed on drop).
    pub fn device() -> Result<(Compute, Self), String> {
        let dir = std::env::temp_dir().join(format!(
            "lstm-lab-trace-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let setup = pollster::block_on(traced_setup(&dir))?;
        let device = Device::wgpu_options()
            .setup(setup)
            .tasks_max(TASKS_PER_SUBMISSION)
            .init()
            .map_err(|e| format!("burn refused the traced device: {e:?}"))?;
        Ok((Compute::from(device), Self { dir }))
    }

    /// Dispatches recorded so far. wgpu writes a command buffer's commands when it is
    /// submitted, so read this after a value has come back from the device.
    pub fn count(&self) -> Result<usize, String> {
        let path = self.dir.join("trace.ron");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(count_dispatches(&text))
    }
}

impl Drop for DispatchCounter {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `DispatchWorkgroups(…)` and `DispatchWorkgroupsIndirect …` commands in a wgpu trace.
pub fn count_dispatches(trace: &str) -> usize {
    trace.matches("DispatchWorkgroups").count()
}

/// What cubecl's WGSL path asks of an adapter, plus the trace.
async fn traced_setup(dir: &Path) -> Result<WgpuSetup, String> {
    let (instance, adapter) = crate::gpu::best_adapter()
        .await
        .map_err(|e| e.to_string())?;
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("lstm-lab (dispatch count)"),
            required_features: adapter
                .features()
                .difference(wgpu::Features::MAPPABLE_PRIMARY_BUFFERS),
            required_limits: adapter.limits(),
            memory_hints: wgpu::MemoryHints::MemoryUsage,
            trace: wgpu::Trace::Directory(dir.to_path_buf()),
            // SAFETY: the same experimental features cubecl's own device request enables.
            experimental_features: unsafe { wgpu::ExperimentalFeatures::enabled() },
        })
        .await
        .map_err(|e| format!("the adapter refused a device: {e}"))?;
    let backend = adapter.get_info().backend;
    Ok(WgpuSetup {
        instance,
        adapter,
        device,
        queue,
        backend,
    })
}

#[cfg(test)]
mod tests {
    use super::count_dispatches;

    #[test]
    fn counts_direct_and_indirect_dispatches_in_a_trace() {
        let trace = "[\nSubmit(1, [RunComputePass(base: (commands: [SetPipeline(1), \
                     DispatchWorkgroups((4, 1, 1)), DispatchWorkgroups((1, 1, 1)), \
                     DispatchWorkgroupsIndirect(buffer: 3, offset: 0)]))]),\n]";
        assert_eq!(count_dispatches(trace), 3);
        assert_eq!(count_dispatches("[\nInit(desc: ()),\n"), 0);
    }
}
