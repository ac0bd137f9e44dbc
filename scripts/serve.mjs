// A small static file server for www/ on 127.0.0.1, used by `scripts/run` and the browser tests.
// No dependencies; serves .wasm as application/wasm (required for streaming compilation).
//
//   node scripts/serve.mjs [--port 8080] [--root www]

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
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

/** Serve `root` on 127.0.0.1:`port` (0 = any free port). Resolves to { url, close }. */
export function startServer({ root, port = 0, quiet = true }) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      if (!quiet) console.log(`200 ${path}`);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      if (!quiet) console.log(`404 ${req.url}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      ok({ url: `http://127.0.0.1:${actual}/`, close: () => new Promise((done) => server.close(done)) });
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
  startServer({ root, port, quiet: false })
    .then(({ url }) => console.log(`LSTM Lab is at ${url}  (Ctrl+C stops the server)`))
    .catch((e) => {
      console.error(`cannot serve on port ${port}: ${e.message}`);
      process.exit(1);
    });
}
