// The adapter's name as the browser reports it; wgpu's name for a browser adapter is often
// empty. Works on the page and in workers.

export async function browserAdapterName() {
  try {
    const info = (await navigator.gpu?.requestAdapter())?.info;
    if (!info) return null;
    return info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || null;
  } catch {
    return null;
  }
}

/** Fill in `report.name` when wgpu left it empty. */
export async function nameAdapter(report) {
  if (report && report.name === 'unnamed adapter') report.name = (await browserAdapterName()) ?? report.name;
  return report;
}

/**
 * Whether a WebGPU adapter (a device report from src/gpu.rs) is a software renderer: SwiftShader,
 * llvmpipe/lavapipe, WARP. It runs shaders on the CPU, where the wasm CPU path trains an LSTM
 * faster (about 19× on the 2-core reference machine). In the browser wgpu cannot see the device
 * type, so the name decides there.
 */
export function isSoftwareAdapter(report) {
  return report?.device_type === 'Cpu' || /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|basic render|software/i.test(report?.name ?? '');
}
