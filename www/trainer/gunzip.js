// @ts-check
// A gzip CSV unpacked by the browser's own zlib (DecompressionStream) before the trainer's module
// reads it: native code, several times faster than the module's flate2 in wasm (issue 26's
// "data in ≤ 1.5 s"). Whatever the browser cannot unpack within the data limit (a damaged file,
// a gzip of several members, a bomb, a browser without DecompressionStream) goes to the module
// as it came: flate2 reads every gzip and names what is wrong, so the messages stay one place's.

import { MAX_DATA_BYTES } from '../lib/filecheck.js';

/**
 * `bytes` unpacked, when they are a gzip the browser unpacks to at most `limit` bytes; else
 * `bytes` themselves.
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @param {number} [limit]
 * @returns {Promise<Uint8Array<ArrayBuffer>>}
 */
export async function unpackGzip(bytes, limit = MAX_DATA_BYTES) {
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!gzip || typeof DecompressionStream !== 'function') return bytes;
  // A gzip ends with its text's size modulo 2³²: a bomb under 4 GiB is left to the module
  // before anything is unpacked here (larger ones stop at the limit below).
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 18 && view.getUint32(bytes.length - 4, true) > limit) return bytes;
  try {
    const unpacked = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const reader = unpacked.getReader();
    /** @type {Uint8Array[]} */
    const chunks = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        // Stop unpacking a bomb here; the module stops at the same limit and says so.
        await reader.cancel();
        return bytes;
      }
      chunks.push(value);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  } catch {
    return bytes;
  }
}
