// The Trainer's gzip fast path (www/trainer/gunzip.js): what the browser unpacks, and what it
// leaves to the trainer's module (flate2) so that the module's messages stay the only ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { unpackGzip } from '../../www/trainer/gunzip.js';

const text = 'review,sentiment\n"A film, and a ""quoted"" word",positive\nflat,negative\n'.repeat(2000);
const bytes = (s) => new Uint8Array(Buffer.from(s));

test('a gzip CSV comes out as its text, byte for byte', async () => {
  const out = await unpackGzip(new Uint8Array(gzipSync(text)));
  assert.equal(Buffer.from(out).toString(), text);
});

test('a plain file is handed on as it is', async () => {
  const plain = bytes(text);
  assert.equal(await unpackGzip(plain), plain);
  const one = new Uint8Array([0x1f]);
  assert.equal(await unpackGzip(one), one);
});

test('a damaged gzip goes to the module unchanged, which names the problem', async () => {
  const gz = new Uint8Array(gzipSync(text));
  const damaged = gz.slice(0, gz.length / 2);
  damaged[20] ^= 0xff;
  assert.equal(await unpackGzip(damaged), damaged);
});

test('past the limit the unpacking stops and the module gets the gzip, to refuse it', async () => {
  const gz = new Uint8Array(gzipSync(text));
  assert.equal(await unpackGzip(gz, text.length - 1), gz);
  assert.equal((await unpackGzip(gz, text.length)).length, text.length, 'exactly the limit is allowed');
  // A gzip whose trailer understates its size (as a crafted one can) still stops at the limit.
  const lying = gz.slice();
  new DataView(lying.buffer).setUint32(lying.length - 4, 10, true);
  assert.equal(await unpackGzip(lying, text.length - 1), lying);
});

test('a gzip of two members is never cut to its first', async () => {
  const two = new Uint8Array(Buffer.concat([gzipSync('a,b\n'), gzipSync('c,d\n')]));
  const out = await unpackGzip(two);
  // Either the whole text, or the gzip itself for the module (which reads every member).
  assert.ok(out === two || Buffer.from(out).toString() === 'a,b\nc,d\n', Buffer.from(out).toString());
});
