// @ts-check
// The adapter's name as the browser reports it; wgpu's name for a browser adapter is often
// empty. Works on the page and in workers.

/** @returns {Promise<string | null>} */
export async function browserAdapterName() {
  try {
    // navigator.gpu is not in every TypeScript DOM library yet: read it untyped.
    const gpu = /** @type {any} */ (navigator).gpu;
    const info = (await gpu?.requestAdapter())?.info;
    if (!info) return null;
    return info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || null;
  } catch {
    return null;
  }
}

/**
 * Fill in `report.name` when wgpu left it empty.
 * @template {{ name: string } | null | undefined} R
 * @param {R} report
 * @returns {Promise<R>}
 */
export async function nameAdapter(report) {
  if (report && report.name === 'unnamed adapter') report.name = (await browserAdapterName()) ?? report.name;
  return report;
}
