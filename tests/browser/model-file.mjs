// The `.lstmlab` model file as the browser tests read it, to compute a model's numbers
// independently of the page: "LSTMLAB\0", u32 version, u32 header length, JSON header, then
// every tensor the header lists as little-endian f32, in order.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The shipped pretrained model. */
export const PRETRAINED = join(import.meta.dirname, '..', '..', 'www', 'models', 'imdb-sentiment.lstmlab');

/**
 * The header and each tensor as an array of numbers.
 * @param {Buffer} bytes
 */
export function parseModel(bytes) {
  assert.equal(bytes.subarray(0, 8).toString('latin1'), 'LSTMLAB\0');
  const headerLength = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString('utf8'));
  let offset = 16 + headerLength;
  /** @type {Record<string, number[]>} */
  const tensors = {};
  for (const [name, shape] of header.tensors) {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors[name] = Array.from({ length: n }, (_, k) => bytes.readFloatLE(offset + 4 * k));
    offset += 4 * n;
  }
  return { header, tensors };
}

/** The model file at `path` (the pretrained model by default), parsed. */
export async function readModel(path = PRETRAINED) {
  return parseModel(await readFile(path));
}
