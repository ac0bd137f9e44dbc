// What dist/ tells static hosts (scripts/hosting.mjs): hashed files cached forever and nothing
// else (the wasm-bindgen glue in pkg/ keeps its name from build to build), security headers on
// every file, and an .htaccess that does not take Apache down without mod_headers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HASHED_NAME, headersFile, htaccess, IMMUTABLE } from '../../scripts/hosting.mjs';

const HASHED = [
  'pkg/lstm_lab_page_bg.0123456789ab.wasm',
  'pkg/lstm_lab_trainer_bg.ba9876543210.wasm',
  'sample/imdb-sample.00112233aabb.csv.gz',
  'models/imdb-sentiment.aabbccddeeff.lstmlab',
  'models/imdb-sentiment.examples.ffeeddccbbaa.json',
];
const PLAIN = ['index.html', 'app.js', 'sw.js', 'pkg/lstm_lab_page.js', 'pkg/lstm_lab_trainer.js', 'lib/assets.js'];

/** The headers a Netlify / Cloudflare Pages `_headers` gives `path`: every matching rule's, added up. */
function headersFor(file, path) {
  const headers = [];
  let matches = false;
  for (const line of file.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    if (!line.startsWith(' ')) {
      const pattern = new RegExp(`^${line.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      matches = pattern.test(`/${path}`);
    } else if (matches) {
      const [name, ...value] = line.trim().split(': ');
      headers.push([name.toLowerCase(), value.join(': ')]);
    }
  }
  return headers;
}

test('_headers: hashed files immutable, by name; the glue and the page revalidated; security on all', () => {
  const file = headersFile(HASHED);
  for (const path of [...HASHED, ...PLAIN]) {
    const headers = headersFor(file, path);
    const cache = headers.filter(([name]) => name === 'cache-control').map(([, v]) => v);
    assert.ok(cache.length <= 1, `${path}: one Cache-Control at most (hosts join repeated ones): ${cache}`);
    if (HASHED.includes(path)) assert.deepEqual(cache, [IMMUTABLE], path);
    else assert.ok(!cache.some((v) => v.includes('immutable') || v.includes('max-age=3')), `${path}: ${cache}`);
    const names = headers.map(([name]) => name);
    for (const name of ['content-security-policy', 'x-content-type-options', 'referrer-policy']) {
      assert.ok(names.includes(name), `${path} gets ${name}`);
    }
    assert.equal(headers.find(([n]) => n === 'content-security-policy')[1], "frame-ancestors 'self'");
  }
  assert.deepEqual(
    headersFor(file, 'sw.js').filter(([n]) => n === 'cache-control'),
    [['cache-control', 'no-cache']],
  );
  assert.ok(headersFor(file, HASHED[1]).some(([n, v]) => n === 'content-type' && v === 'application/wasm'));
});

test('.htaccess: every Header inside <IfModule mod_headers.c>; immutable only for hashed names', () => {
  const file = htaccess();
  const open = [];
  let headerLines = 0;
  for (const [i, line] of file.split('\n').entries()) {
    const trimmed = line.trim();
    const start = /^<(\w+)\s*([^>]*)>$/.exec(trimmed);
    const end = /^<\/(\w+)>$/.exec(trimmed);
    if (start) open.push(`${start[1]} ${start[2]}`);
    else if (end) assert.equal(open.pop()?.split(' ')[0], end[1], `line ${i + 1} closes what it opened`);
    else if (/^Header\b/.test(trimmed)) {
      headerLines++;
      assert.ok(open.includes('IfModule mod_headers.c'), `line ${i + 1} (${trimmed}) is guarded by mod_headers`);
    }
  }
  assert.deepEqual(open, [], 'every section is closed');
  assert.ok(headerLines >= 6, `${headerLines} Header lines`);
  for (const name of ['X-Content-Type-Options', 'Referrer-Policy', 'Content-Security-Policy']) {
    assert.match(file, new RegExp(`Header always set ${name} `));
  }
  // The FilesMatch that makes files immutable, applied as Apache would (also to the .br/.gz served for them).
  const immutable = new RegExp(
    /<FilesMatch "([^"]+)">\s*Header set Cache-Control "public, max-age=31536000/.exec(file)[1],
  );
  for (const path of HASHED) {
    assert.ok(immutable.test(path) && immutable.test(`${path}.br`) && HASHED_NAME.test(path), path);
  }
  for (const path of PLAIN) assert.ok(!immutable.test(path) && !immutable.test(`${path}.br`), path);
  assert.match(file, /^ {2}Header set Cache-Control "no-cache"$/m);
});
