// Files sized before they are read (www/lib/filecheck.js): the data file's size against its
// limit, a model's header against the file's size, PyTorch's header and vocab.json — each read
// from the header alone, made here at run time.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dataFileProblem,
  MAX_DATA_BYTES,
  MAX_MODEL_BYTES,
  MAX_VOCAB_BYTES,
  modelFileProblem,
  torchFilesProblem,
} from '../../www/lib/filecheck.js';

test('a data file is sized against the limit the Rust reader keeps (960 MiB)', () => {
  assert.equal(MAX_DATA_BYTES, 960 * 2 ** 20);
  assert.equal(dataFileProblem({ size: MAX_DATA_BYTES }), null);
  assert.equal(
    dataFileProblem({ size: 3e9 }),
    "the file holds 3.0 GB, more than the 1.0 GB the trainer's memory holds beside a run; use a smaller part of it",
  );
});

/** A `.lstmlab` file: magic, version, header length, header JSON, then `weights` bytes and 8 of checksum. */
function modelFile(tensors, weights) {
  const header = new TextEncoder().encode(JSON.stringify({ model: {}, words: ['a'], tensors }));
  const head = new Uint8Array(16);
  head.set(new TextEncoder().encode('LSTMLAB\0'));
  const view = new DataView(head.buffer);
  view.setUint32(8, 1, true);
  view.setUint32(12, header.length, true);
  return new Blob([head, header, new Uint8Array(weights + 8)]);
}

test('a model whose header declares huge shapes is refused from its header alone', async () => {
  const ok = modelFile([['embedding.weight', [10, 4]]], 160);
  assert.equal(await modelFileProblem(ok), null);
  const huge = modelFile(
    [
      ['embedding.weight', [65_536, 1_024]],
      ['lstm.weight_hh', [4096, 1024]],
    ],
    160,
  );
  const problem = await modelFileProblem(huge);
  assert.match(
    problem,
    /^its header declares weights for a file of 285\.2 MB, but the file holds \d+ bytes: it is cut short or not what it says$/,
  );
  // A header length past the file is refused before the header is read.
  const lying = new Uint8Array(64);
  lying.set(new TextEncoder().encode('LSTMLAB\0'));
  new DataView(lying.buffer).setUint32(12, 2 ** 31, true);
  assert.match(
    await modelFileProblem(new Blob([lying])),
    /^its header declares 2\.1 GB of settings and words, but the file holds 64 bytes$/,
  );
  // Not a model file: left to the loader, which names what it is.
  assert.equal(await modelFileProblem(new Blob(['review,sentiment\nfine,positive\n'])), null);
  assert.match(
    await modelFileProblem({ size: MAX_MODEL_BYTES + 1 }),
    /more than the 335\.6 MB the largest model holds$/,
  );
});

/** A safetensors file: an 8-byte header length, the header JSON, then `data` bytes. */
function safetensors(header, data) {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = new Uint8Array(8);
  new DataView(n.buffer).setBigUint64(0, BigInt(json.length), true);
  return new Blob([n, json, new Uint8Array(data)]);
}

test('PyTorch files: vocab.json and the safetensors header are sized before they are read', async () => {
  const vocab = new Blob(['{"the": 1}']);
  const fine = safetensors({ 'embedding.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, 16);
  assert.equal(await torchFilesProblem(fine, vocab), null);
  const huge = safetensors(
    { 'embedding.weight': { dtype: 'F32', shape: [1_000_000, 4_096], data_offsets: [0, 16_384_000_000] } },
    16,
  );
  assert.match(
    await torchFilesProblem(huge, vocab),
    /^the \.safetensors header declares embedding\.weight of shape \[1000000, 4096\] \(16\.4 GB\), but the file holds \d+ bytes$/,
  );
  assert.match(
    await torchFilesProblem(fine, { size: 2 * MAX_VOCAB_BYTES }),
    /^vocab\.json holds 134\.2 MB, more than the 67\.1 MB read; keep the words/,
  );
});
