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
