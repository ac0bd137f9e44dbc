// Write dist/: the page as a static site that works from any static host under any path.
// Run by `scripts/build` after the wasm modules are built into www/pkg (scripts/lib.sh).
//
//   - www/ is copied without the benchmark page (www/bench/), its vendored files and the type
//     declarations (*.d.ts, read only by the type checker);
//   - the large files (both wasm modules, the sample data, the pretrained model) get content-hashed names, so a host
//     may cache them forever; lib/assets.js is rewritten to name them, with their sizes;
//   - sw.js learns the build id, the first view's files and the hashed files (offline use);
//   - every compressible file gets a precompressed .br (quality 11 by default) and .gz beside it;
//   - _headers (Netlify, Cloudflare Pages) and .htaccess (Apache) give .wasm its MIME type,
//     long caching to hashed names only, the precompressed variants and the security headers
//     (scripts/hosting.mjs).
// It prints every module's size raw, gzip and brotli, and the first view's total.
//
//   node scripts/build.mjs [--out dist] [--brotli-quality 11]
//
// scripts/test builds with --brotli-quality 9: the trainer's module then compresses in 4 s
// instead of 60 s (2.78 MB instead of 2.30 MB); a published build keeps 11.

import { createHash } from 'node:crypto';
import { cp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { HASHED_NAME, headersFile, htaccess } from './hosting.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WWW = join(ROOT, 'www');
const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? join(process.cwd(), process.argv[outArg + 1]) : join(ROOT, 'dist');
const qualityArg = process.argv.indexOf('--brotli-quality');
const BROTLI_QUALITY = qualityArg > 0 ? Number(process.argv[qualityArg + 1]) : 11;
if (!(Number.isInteger(BROTLI_QUALITY) && BROTLI_QUALITY >= 0 && BROTLI_QUALITY <= 11)) {
  console.error(`error: --brotli-quality must be an integer 0–11 (got ${process.argv[qualityArg + 1]})`);
  process.exit(1);
}

/** Development-only files: the benchmark page and what it vendors, the type checker's files. */
const SKIP = ['bench', 'types', 'vendor/bench', 'vendor/tfjs', 'sample/README.md', 'pkg/.gitignore'];
const SKIP_ENDINGS = ['.d.ts'];
/** The page's entry module. */
const PAGE = 'app.js';
/** The file that names the large assets (rewritten with their hashed names). */
const ASSETS_JS = 'lib/assets.js';
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.wasm', '.json', '.svg', '.txt', '.csv']);

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const posix = (p) => p.split(sep).join('/');

async function walk(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else files.push(path);
  }
  return files;
}

const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Every module `entry` imports, directly or not, by its static imports (`import … from './x.js'`,
 * `export … from`, `import './x.js'`), as paths from `root`: what a browser fetches to run it.
 * `later`: the modules they load later, by `import('./x.js')` or `new Worker(new URL('./x.js', …))`.
 */
async function moduleGraph(root, entry) {
  const modules = new Set();
  const later = new Set();
  const visit = async (file) => {
    if (modules.has(file)) return;
    modules.add(file);
    const source = await readFile(join(root, file), 'utf8');
    const path = (spec) => posix(join(dirname(file), spec));
    const imports = source.matchAll(
      /^\s*(?:import\s*|(?:import|export)\b[^'"`;]*?\bfrom\s*)['"](\.{1,2}\/[^'"]+)['"]/gm,
    );
    for (const [, spec] of imports) await visit(path(spec));
    // (Outside comments: JSDoc types name modules as `import('./x.js')` too.)
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '');
    const loads = code.matchAll(/\b(?:import|new URL)\(\s*['"](\.{1,2}\/[^'"]+\.js)['"]/g);
    for (const [, spec] of loads) later.add(path(spec));
  };
  await visit(entry);
  return { modules, later };
}

/**
 * The page's scripts by when they load: the first view's (`PAGE` and its static imports), then
 * each module it loads later with what that one adds, found the same way.
 */
async function loadOrder(root) {
  const first = await moduleGraph(root, PAGE);
  const seen = new Set(first.modules);
  const groups = [{ root: PAGE, modules: [...first.modules] }];
  const queue = [...first.later];
  while (queue.length) {
    const next = queue.shift();
    // The service worker is the browser's, not the page's: it is never part of a view.
    if (seen.has(next) || next === 'sw.js') continue;
    const graph = await moduleGraph(root, next);
    const added = [...graph.modules].filter((f) => !seen.has(f));
    for (const f of added) seen.add(f);
    groups.push({ root: next, modules: added });
    queue.push(...graph.later);
  }
  return groups;
}

async function main() {
  for (const needed of ['pkg/lstm_lab_page_bg.wasm', 'pkg/lstm_lab_trainer_bg.wasm', 'vendor/uPlot.esm.js']) {
    if (!(await stat(join(WWW, needed)).catch(() => null))) {
      throw new Error(`www/${needed} is missing: build the wasm modules first (scripts/build does)`);
    }
  }
  await rm(OUT, { recursive: true, force: true });
  await cp(WWW, OUT, {
    recursive: true,
    filter: (src) => {
      const rel = posix(relative(WWW, src));
      return !SKIP.some((s) => rel === s || rel.startsWith(`${s}/`)) && !SKIP_ENDINGS.some((e) => rel.endsWith(e));
    },
  });

  // What the first view runs: the page's modules, by their static imports; the rest load later
  // (the Trainer's parts and its worker with its tab, the exports' makers on first use). The
  // service worker caches all of them at install (so they work offline), but only the first are
  // part of what the first view downloads.
  const [first, ...later] = await loadOrder(OUT);
  const pageModules = new Set(first.modules);

  // Content-hashed names for the large assets; lib/assets.js names them.
  const assetsJs = join(OUT, ASSETS_JS);
  const source = await readFile(assetsJs, 'utf8');
  const match = source.match(/export const BUILD = (\{[\s\S]*?\n\});/);
  if (!match) throw new Error(`www/${ASSETS_JS}: no \`export const BUILD = {…};\` to rewrite`);
  const build = Function(`return (${match[1]});`)();
  const hashed = []; // cached by the service worker when first fetched
  let pageWasm = null; // part of the first view: cached when the service worker installs
  for (const [name, asset] of Object.entries(build.assets)) {
    const from = join(OUT, asset.path);
    const bytes = await readFile(from);
    const ext = asset.path.endsWith('.csv.gz') ? '.csv.gz' : extname(asset.path);
    const path = `${asset.path.slice(0, -ext.length)}.${sha(bytes).slice(0, 12)}${ext}`;
    await rename(from, join(OUT, path));
    asset.path = path;
    asset.bytes = bytes.length;
    if (name === 'pageWasm') pageWasm = path;
    else hashed.push(path);
  }

  // The build id covers every file, so any change installs a new service worker.
  const files = (await walk(OUT)).map((f) => posix(relative(OUT, f))).sort();
  // Testing hooks live in tests/ (tests/browser/worker-hooks.mjs), never in what ships.
  for (const f of files.filter((f) => f.endsWith('.js'))) {
    if ((await readFile(join(OUT, f), 'utf8')).includes('-for-test'))
      throw new Error(`www/${f} holds a testing hook ("-for-test"): keep it in tests/`);
  }
  const digest = createHash('sha256');
  for (const f of files) digest.update(f).update(await readFile(join(OUT, f)));
  build.built = true;
  build.id = digest.digest('hex').slice(0, 12);
  await writeFile(assetsJs, source.replace(match[0], `export const BUILD = ${JSON.stringify(build, null, 2)};`));

  const shell = ['./', ...files.filter((f) => f !== 'sw.js' && !hashed.includes(f))];
  if (!shell.includes(pageWasm)) throw new Error("the first view's module is missing from the shell");
  for (const f of [first, ...later].flatMap((g) => g.modules)) {
    if (!shell.includes(f)) throw new Error(`${f} is imported but missing from dist/`);
  }
  const swPath = join(OUT, 'sw.js');
  let sw = await readFile(swPath, 'utf8');
  for (const [name, value] of [
    ['BUILD_ID', build.id],
    ['SHELL', shell],
    ['HASHED', hashed],
  ]) {
    const line = new RegExp(`^const ${name} = .*;$`, 'm');
    if (!line.test(sw)) throw new Error(`www/sw.js: no \`const ${name} = …;\` line to fill in`);
    sw = sw.replace(line, `const ${name} = ${JSON.stringify(value)};`);
  }
  await writeFile(swPath, sw);

  // Precompressed variants, compressed in parallel (zlib runs on libuv's thread pool).
  const sizes = new Map();
  await Promise.all(
    (await walk(OUT)).map(async (file) => {
      const rel = posix(relative(OUT, file));
      const bytes = await readFile(file);
      const entry = { raw: bytes.length, gz: null, br: null };
      sizes.set(rel, entry);
      if (!COMPRESSIBLE.has(extname(file)) || bytes.length < 1024) return;
      const [br, gz] = await Promise.all([
        brotli(bytes, {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
          },
        }),
        gzip(bytes, { level: 9 }),
      ]);
      entry.br = br.length;
      entry.gz = gz.length;
      // A variant that saves nothing is not worth a request's negotiation.
      if (br.length < bytes.length) await writeFile(`${file}.br`, br);
      if (gz.length < bytes.length) await writeFile(`${file}.gz`, gz);
    }),
  );

  await writeFile(join(OUT, '_headers'), headersFile(files.filter((f) => HASHED_NAME.test(f))));
  await writeFile(join(OUT, '.htaccess'), htaccess());

  const kb = (n) => (n == null ? '–' : `${(n / 1024).toFixed(1)} kB`);
  const row = (name, s) =>
    `  ${name.padEnd(52)} ${kb(s.raw).padStart(11)} ${kb(s.gz).padStart(11)} ${kb(s.br).padStart(11)}`;
  console.log(`dist/ written (build ${build.id}, brotli quality ${BROTLI_QUALITY})`);
  console.log(`  ${'file'.padEnd(52)} ${'raw'.padStart(11)} ${'gzip'.padStart(11)} ${'brotli'.padStart(11)}`);
  for (const [, asset] of Object.entries(build.assets)) console.log(row(asset.path, sizes.get(asset.path)));
  const firstView = shell.filter((f) => f !== './' && (!f.endsWith('.js') || pageModules.has(f)));
  const total = (files) => {
    const sum = (key) => files.reduce((t, f) => t + (sizes.get(f)[key] ?? sizes.get(f).raw), 0);
    return { raw: sum('raw'), gz: sum('gz'), br: sum('br') };
  };
  console.log(row(`first view (${firstView.length} files, without the service worker)`, total(firstView)));
  for (const group of later) {
    const files = `${group.modules.length} file${group.modules.length === 1 ? '' : 's'}`;
    console.log(row(`  later: ${group.root} (${files})`, total(group.modules)));
  }
  await writeFile(
    join(OUT, 'build.json'),
    JSON.stringify(
      {
        id: build.id,
        assets: build.assets,
        shell,
        firstView,
        later: Object.fromEntries(later.map((g) => [g.root, g.modules])),
        sizes: Object.fromEntries(sizes),
      },
      null,
      2,
    ),
  );
}

main().catch((e) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
