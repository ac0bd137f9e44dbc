// @ts-check
// Where the page's large files are. In www/ (development) they have plain names; `scripts/build`
// rewrites this file in dist/ with content-hashed names, their sizes in bytes and `built: true`
// (which also turns on the service worker). Paths are relative to the site's folder (the one
// above lib/) and every URL is built from this file's own, so the site works under any path.

/** The site's folder, wherever it is published. */
const SITE = new URL('../', import.meta.url);

/**
 * @typedef {object} Asset
 * @property {string} path  from the site's folder
 * @property {number | null} bytes  its size, known in a build
 * @typedef {'pageWasm' | 'trainerWasm' | 'sample' | 'pretrained' | 'pretrainedExamples' | 'pretrainedValidation'} AssetName
 */

/** @type {{ built: boolean, id: string | null, assets: Record<AssetName, Asset> }} */
export const BUILD = {
  built: false,
  id: null,
  assets: {
    pageWasm: { path: 'pkg/lstm_lab_page_bg.wasm', bytes: null },
    trainerWasm: { path: 'pkg/lstm_lab_trainer_bg.wasm', bytes: null },
    sample: { path: 'sample/imdb-sample.csv.gz', bytes: null },
    pretrained: { path: 'models/imdb-sentiment.lstmlab', bytes: null },
    pretrainedExamples: { path: 'models/imdb-sentiment.examples.json', bytes: null },
    pretrainedValidation: { path: 'models/imdb-sentiment.validation.json', bytes: null },
  },
};

/** The site's path: names in this browser's storage carry it, so two deployments on one origin do not share them. */
export const SITE_PATH = SITE.pathname;

/** What a visitor who is offline without a large file can do (lib/offline.js). */
export const OFFLINE_HINT =
  'connect to the internet and try again, or use "Make the whole lab available offline" at the foot of the page while online';

/**
 * The absolute URL of a named asset.
 * @param {AssetName} name
 */
export const assetUrl = (name) => new URL(BUILD.assets[name].path, SITE);

/**
 * Fetch `url` as a Response whose body reports progress: `onProgress(loaded, total)` with the
 * bytes received so far and the expected total (null when unknown). Rejects with a message that
 * names the file on a network error or an HTTP error status.
 * @param {URL} url
 * @param {number | null} expectedBytes
 * @param {(loaded: number, total: number | null) => void} onProgress
 * @returns {Promise<Response>}
 */
export async function fetchWithProgress(url, expectedBytes, onProgress) {
  const name = new URL(url).pathname.split('/').pop();
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    // Offline, the service worker answers only for what it kept: say what would bring it back.
    if (navigator.onLine === false)
      throw new Error(`${name} is not saved in this browser for offline use (${OFFLINE_HINT})`);
    throw new Error(`could not download ${name}: the network request failed (${e.message ?? e})`);
  }
  if (!response.ok)
    throw new Error(`could not download ${name}: HTTP ${response.status} ${response.statusText}`.trim());
  // Content-Length counts compressed bytes when the server compressed the file, but the body
  // stream yields decompressed ones: trust it only for an uncompressed response.
  const length = Number(response.headers.get('content-length'));
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const total = expectedBytes ?? (!encoded && length > 0 ? length : null);
  if (!response.body) return response;
  let loaded = 0;
  onProgress(0, total);
  const counted = response.body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        onProgress(loaded, total);
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, {
    status: response.status,
    headers: { 'content-type': response.headers.get('content-type') ?? '' },
  });
}

/**
 * Compile a wasm module from a Response, streaming when the server sent the right MIME type.
 * @param {Response} response
 */
export async function compileWasm(response) {
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  // Some static hosts send .wasm as application/octet-stream: compile from the bytes instead.
  return WebAssembly.compile(await response.arrayBuffer());
}

/** @type {WebAssembly.Module | null} */
let pageModule = null;
/**
 * Keep the first view's compiled module, so the page's own workers (gate surgery's scorers)
 * instantiate it without fetching or compiling it again.
 * @param {WebAssembly.Module} module
 */
export const keepPageModule = (module) => {
  pageModule = module;
};
/** The first view's compiled module, once the page has loaded it. */
export const keptPageModule = () => pageModule;

/**
 * Whether this browser's WebAssembly has SIMD, which the trainer's module is built with: the
 * smallest module that uses a v128 instruction must validate. (Every browser with WebGPU has it:
 * Chrome 91, Firefox 89, Safari 16.4.)
 */
export const wasmSimdSupported = () =>
  WebAssembly.validate(
    new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
    ]),
  );
