// @ts-check
// A user's file sized before it is read: `File.size` against the documented limit, and a model's
// header (its declared shapes) against the file's size, reading the header alone — so a 4 GB
// file, or a 1 MB file that declares 4 GB of weights, gets a message in milliseconds instead of
// being copied into the page, the worker and wasm memory first. The limits are in
// docs/hostile-files.md; the Rust readers check the same things again (src/data/limits.rs,
// src/classifier/file.rs, src/classifier/torch.rs). Unit-tested in tests/unit/filecheck.test.mjs.

/** The most a data file may hold: src/data/limits.rs's MAX_TEXT_BYTES, a quarter of a worker's 4 GiB less its 256 MiB reserve. */
export const MAX_DATA_BYTES = (2 ** 32 - 256 * 2 ** 20) / 4;

/**
 * The largest weights the settings allow (vocabulary 65,536 × embedding 1,024, an LSTM of 1,024
 * units and the head: 75,507,713 floats) and 32 MiB for the header's words.
 */
export const MAX_MODEL_BYTES = 75_507_713 * 4 + 32 * 2 ** 20;

/** The most a header (a model's JSON, a safetensors header) may hold before it is read. */
export const MAX_HEADER_BYTES = 32 * 2 ** 20;

/** The most a vocab.json may hold: Keras's word_index of a large corpus is a few MB. */
export const MAX_VOCAB_BYTES = 64 * 2 ** 20;

/** @param {number} n  bytes, as a person reads them */
export function size(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} bytes`;
}

/**
 * Why a data file cannot be read, or null.
 * @param {{ size: number }} file
 */
export function dataFileProblem(file) {
  return file.size > MAX_DATA_BYTES
    ? `the file holds ${size(file.size)}, more than the ${size(MAX_DATA_BYTES)} the trainer's memory holds beside a run; use a smaller part of it`
    : null;
}

/**
 * @param {Blob} file
 * @param {number} start
 * @param {number} end
 */
const bytesOf = async (file, start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer());

/** @param {number[][]} shapes */
const floats = (shapes) => shapes.reduce((sum, s) => sum + s.reduce((p, d) => p * d, 1), 0);

/**
 * Why a `.lstmlab` model file cannot be read, or null: its size, then its header's declared
 * shapes against the file's size (only the header is read).
 * @param {Blob} file
 * @returns {Promise<string | null>}
 */
export async function modelFileProblem(file) {
  if (file.size > MAX_MODEL_BYTES)
    return `the file holds ${size(file.size)}, more than the ${size(MAX_MODEL_BYTES)} the largest model holds`;
  if (file.size < 24) return null; // too short for a header: the loader says what it is
  const head = await bytesOf(file, 0, 16);
  if (new TextDecoder().decode(head.subarray(0, 8)) !== 'LSTMLAB\0') return null; // the loader says so
  const headerLength = new DataView(head.buffer).getUint32(12, true);
  if (headerLength > MAX_HEADER_BYTES || 16 + headerLength + 8 > file.size)
    return `its header declares ${size(headerLength)} of settings and words, but the file holds ${size(file.size)}`;
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(await bytesOf(file, 16, 16 + headerLength)));
  } catch {
    return null; // the loader names the JSON error
  }
  const tensors = Array.isArray(header?.tensors) ? header.tensors : null;
  const valid = tensors?.every(
    (/** @type {unknown} */ t) =>
      Array.isArray(t) && Array.isArray(t[1]) && t[1].every((d) => Number.isSafeInteger(d) && d >= 0),
  );
  if (!tensors || !valid) return null;
  const declared = 16 + headerLength + 4 * floats(tensors.map((/** @type {[string, number[]]} */ t) => t[1])) + 8;
  return declared === file.size
    ? null
    : `its header declares weights for a file of ${size(declared)}, but the file holds ${size(file.size)}: it is cut short or not what it says`;
}

/**
 * Why PyTorch's `model.safetensors` and `vocab.json` cannot be read, or null: their sizes, then
 * the safetensors header's declared shapes and offsets against the file's size.
 * @param {Blob} model
 * @param {Blob} vocab
 * @returns {Promise<string | null>}
 */
export async function torchFilesProblem(model, vocab) {
  if (vocab.size > MAX_VOCAB_BYTES)
    return `vocab.json holds ${size(vocab.size)}, more than the ${size(MAX_VOCAB_BYTES)} read; keep the words of the model's vocabulary (its first 65,536 at most)`;
  if (model.size > MAX_MODEL_BYTES)
    return `the .safetensors file holds ${size(model.size)}, more than the ${size(MAX_MODEL_BYTES)} the largest model holds`;
  if (model.size < 8) return null;
  const n = Number(new DataView((await bytesOf(model, 0, 8)).buffer).getBigUint64(0, true));
  if (n > MAX_HEADER_BYTES || 8 + n > model.size)
    return `the .safetensors header declares ${size(n)}, but the file holds ${size(model.size)}`;
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(await bytesOf(model, 8, 8 + n)));
  } catch {
    return null; // the importer names the JSON error
  }
  let end = 0;
  for (const [name, t] of Object.entries(header ?? {})) {
    if (name === '__metadata__' || !Array.isArray(t?.shape) || !Array.isArray(t?.data_offsets)) continue;
    const bytes = floats([t.shape]) * 4;
    if (Number.isFinite(bytes) && bytes > model.size)
      return `the .safetensors header declares ${name} of shape [${t.shape.join(', ')}] (${size(bytes)}), but the file holds ${size(model.size)}`;
    end = Math.max(end, Number(t.data_offsets[1]) || 0);
  }
  return 8 + n + end > model.size
    ? `the .safetensors header declares ${size(8 + n + end)} of data, but the file holds ${size(model.size)}`
    : null;
}
