// A small static file server on 127.0.0.1, used by `scripts/run` (www/) and the browser tests
// (dist/ under a sub-path). No dependencies. It does what a plain static host does and nothing
// more: .wasm as application/wasm (required for streaming compilation), a precompressed
// `file.br` / `file.gz` when the browser accepts it (like nginx's brotli_static/gzip_static),
// long caching for content-hashed names, revalidation (304) for the rest.
//
//   node scripts/serve.mjs [--port 8080] [--root www] [--base /some/path/] [--clean-urls]

import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** A content-hashed name (`name.0123456789ab.ext`) never changes: cache it for a year. */
const HASHED = /\.[0-9a-f]{12}\.[a-z.]+$/;

/**
 * Serve `root` on 127.0.0.1:`port` (0 = any free port) under the URL path `base`.
 * `cache`: false sends `no-store` (development: every reload sees the new build).
 * `cleanUrls`: answer `…/index.html` with a 301 to its folder, as clean-URL hosts do.
 * `onServe(status, path)`: called for every answer (the tests check what was served).
 * Resolves to { url, close }.
 */
export function startServer({
  root,
  port = 0,
  quiet = true,
  base: urlBase = '/',
  cache = false,
  cleanUrls = false,
  onServe = null,
}) {
  const base = resolve(root);
  const prefix = urlBase.endsWith('/') ? urlBase : `${urlBase}/`;
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (!`${path}/`.startsWith(prefix)) throw new Error('outside the base path');
      if (cleanUrls && path.endsWith('/index.html')) {
        res.writeHead(301, { location: path.slice(0, -'index.html'.length) }).end();
        onServe?.(301, path);
        return;
      }
      let file = normalize(join(base, path.slice(prefix.length - 1)));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      const headers = {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': !cache ? 'no-store' : HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
        'last-modified': info.mtime.toUTCString(),
        vary: 'accept-encoding',
      };
      if (cache && req.headers['if-modified-since'] === headers['last-modified']) {
        res.writeHead(304, headers).end();
        onServe?.(304, path);
        return;
      }
      const accepts = req.headers['accept-encoding'] ?? '';
      let body = null;
      for (const [encoding, suffix] of [
        ['br', '.br'],
        ['gzip', '.gz'],
      ]) {
        if (!accepts.includes(encoding)) continue;
        body = await readFile(file + suffix).catch(() => null);
        if (body) {
          headers['content-encoding'] = encoding;
          break;
        }
      }
      body ??= await readFile(file);
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      onServe?.(200, path);
      if (!quiet) console.log(`200 ${path}`);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      onServe?.(404, req.url);
      if (!quiet) console.log(`404 ${req.url}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      ok({
        url: `http://127.0.0.1:${actual}${prefix}`,
        close: () => {
          server.closeAllConnections?.();
          return new Promise((done) => server.close(done));
        },
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const root = arg('--root', join(fileURLToPath(new URL('..', import.meta.url)), 'www'));
  const port = Number(arg('--port', process.env.PORT ?? 8080));
  const base = arg('--base', '/');
  const cleanUrls = process.argv.includes('--clean-urls');
  // Serving a built site (dist/): cache like a real host would.
  startServer({ root, port, base, quiet: false, cache: root.replace(/\/$/, '').endsWith('dist'), cleanUrls })
    .then(({ url }) => console.log(`LSTM Lab is at ${url}  (Ctrl+C stops the server)`))
    .catch((e) => {
      console.error(`cannot serve on port ${port}: ${e.message}`);
      process.exit(1);
    });
}
