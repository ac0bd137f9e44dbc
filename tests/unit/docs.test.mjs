// The docs stay true: every repository path that README.md and docs/*.md name (in `code` or as a
// link) exists, every link between them lands on a heading that exists, the README's tree is the
// repository's folders, and the README stays short enough to read in five minutes.
//
// What counts as a path: a word inside `code`, in a ```sh block (or a link's target) whose first segment is one of
// the repository's own top-level names (src/, www/, scripts/, Cargo.toml, …) — so `sw.js`,
// `pkg/…` (paths inside dist/), `../shared/…` and URLs are not checked. `{a,b}` expands, and `*`
// or `<name>` match any one segment part. Paths under build outputs (dist/, target/, www/pkg/, …:
// ignored by git, see BUILT) are not checked.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README_MAX_LINES = 200;

/** What the build and the tools write: named in the docs, never in git. */
const BUILT = ['dist', 'target', '.tools', 'node_modules', 'test-artifacts', 'www/pkg', 'www/vendor'];

/** The repository's files: tracked, plus new ones git does not ignore (so a file being written counts). */
const FILES = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\0')
  .filter(Boolean);

/** Top-level names a path may start with. */
const TOP = new Set([...FILES.map((f) => f.split('/')[0]), ...BUILT.map((b) => b.split('/')[0])]);
const TOP_FILES = new Set(FILES.filter((f) => !f.includes('/')));

/** Every folder that holds a file, at any depth. */
const FOLDERS = new Set(
  FILES.flatMap((f) =>
    f
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
  ),
);

const DOCS = ['README.md', ...FILES.filter((f) => /^docs\/[^/]+\.md$/.test(f)).sort()];
const read = (file) => readFileSync(join(ROOT, file), 'utf8');

/** `a{b,c}d` → ['abd', 'acd'] (nested braces too). */
function expandBraces(s) {
  const m = /\{([^{}]*)\}/.exec(s);
  if (!m) return [s];
  return m[1].split(',').flatMap((alt) => expandBraces(s.slice(0, m.index) + alt + s.slice(m.index + m[0].length)));
}

/** Whether `path` (a file, or a folder with or without its `/`) is in the repository. */
function exists(path) {
  const clean = path.replace(/\/$/, '');
  if (/[*<]/.test(clean)) {
    const pattern = clean
      .split(/(\*|<[^<>/]*>)/)
      .map((part) => (part === '*' || part.startsWith('<') ? '[^/]*' : part.replace(/[.+?^$()|[\]\\]/g, '\\$&')))
      .join('');
    const re = new RegExp(`^${pattern}(/|$)`);
    return FILES.some((f) => re.test(f));
  }
  return FILES.includes(clean) || FOLDERS.has(clean);
}

const isBuilt = (path) => BUILT.some((b) => path === b || path.startsWith(`${b}/`));

/** The text of a markdown file without its fenced blocks, and the blocks with their info strings. */
function splitFences(md) {
  const fences = [];
  const text = md.replace(/^```(\S*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm, (_, info, body) => {
    fences.push({ info, body });
    return '';
  });
  return { text, fences };
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading) {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Every anchor a markdown file has: its headings' (with GitHub's -1, -2 for repeats) and explicit ids. */
function anchorsOf(md) {
  const { text } = splitFences(md);
  const seen = new Map();
  const anchors = new Set();
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const [, id] of text.matchAll(/\bid="([^"]+)"/g)) anchors.add(id);
  return anchors;
}

/**
 * The problems of one markdown file: paths in `code` that do not exist, and links whose file or
 * anchor does not. `file` is its path from the repository root; `md` its text.
 */
function problemsIn(file, md, anchorsFor = (target) => anchorsOf(read(target))) {
  const problems = [];
  const { text, fences } = splitFences(md);
  const commands = fences.filter((f) => f.info === 'sh').map((f) => f.body);

  for (const code of [...[...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]), ...commands]) {
    for (let word of code.split(/\s+/)) {
      word = word.replace(/^\(?(\.\/)?/, '').replace(/[,;:.)]+$/, '');
      const top = word.split('/')[0];
      if (!TOP.has(top)) continue;
      if (!word.includes('/') && !TOP_FILES.has(word)) continue;
      for (const path of expandBraces(word)) {
        if (!isBuilt(path) && !exists(path)) problems.push(`${file}: \`${path}\` does not exist`);
      }
    }
  }

  for (const [, target] of text.matchAll(/\]\(([^()\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [pathPart, anchor] = target.split('#');
    const path = pathPart === '' ? file : posix.normalize(posix.join(posix.dirname(file), pathPart));
    if (path.startsWith('..')) {
      problems.push(`${file}: link ${target} leaves the repository`);
    } else if (!exists(path)) {
      problems.push(`${file}: link ${target} → ${path} does not exist`);
    } else if (anchor && (!path.endsWith('.md') || !anchorsFor(path).has(anchor))) {
      problems.push(`${file}: link ${target}: no heading or id “${anchor}” in ${path}`);
    }
  }
  return problems;
}

/**
 * The README's tree (its ```tree block): two spaces of indent per level, a name (folders end in
 * `/`), then two or more spaces and what it is. Returns the paths it lists.
 */
function treePaths(block) {
  const paths = [];
  const stack = [];
  for (const line of block.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^( *)(\S+)(?: {2,}.*)?$/.exec(line);
    assert.ok(m, `tree line not understood: “${line}”`);
    const depth = m[1].length / 2;
    assert.ok(Number.isInteger(depth) && depth <= stack.length, `tree line indented wrongly: “${line}”`);
    stack.length = depth;
    assert.ok(depth === 0 || stack[depth - 1].endsWith('/'), `tree line under a file: “${line}”`);
    const path = stack.join('') + m[2];
    paths.push(path);
    stack.push(m[2]);
  }
  return paths;
}

/** The folders the tree must show: every folder under src/ and www/, and every top-level one. */
function foldersToShow() {
  return [...FOLDERS]
    .filter((f) => /^(src|www)\//.test(f) || (!f.includes('/') && !f.startsWith('.')))
    .filter((f) => !isBuilt(f))
    .sort();
}

test('every repository path and link in README.md and docs/ exists', () => {
  const problems = DOCS.flatMap((file) => problemsIn(file, read(file)));
  assert.deepEqual(problems, []);
});

test('the path check fails on a wrong path, a wrong link and a wrong anchor', () => {
  const md = [
    'Real: `src/trainer/ops/mod.rs`, `www/{lib,trainer}/`, `shaders/lstm/*.wgsl`, `./scripts/test`,',
    '`Cargo.toml`, `dist/pkg/x.wasm` (built), `sw.js` and `pkg/` (in dist/), [design](design.md).',
    'Wrong: `src/trainer/ops/nope.rs`, `www/{lib,nope}/`, [gone](gone.md), [anchor](design.md#no-such).',
  ].join('\n');
  const problems = problemsIn('docs/example.md', md, () => new Set(['the-two-layers']));
  assert.deepEqual(problems, [
    'docs/example.md: `src/trainer/ops/nope.rs` does not exist',
    'docs/example.md: `www/nope/` does not exist',
    'docs/example.md: link gone.md → docs/gone.md does not exist',
    'docs/example.md: link design.md#no-such: no heading or id “no-such” in docs/design.md',
  ]);
});

test('headings become GitHub’s anchors', () => {
  assert.equal(slug('The ops: one entry each, the path decided once'), 'the-ops-one-entry-each-the-path-decided-once');
  assert.equal(slug('Publishing: a static site in `dist/`'), 'publishing-a-static-site-in-dist');
  assert.equal(slug("Fused kernels' accuracy"), 'fused-kernels-accuracy');
  assert.deepEqual([...anchorsOf('# A\n## A\n<a id="x"></a>')], ['a', 'a-1', 'x']);
});

test('the README’s tree lists only what exists, and every folder of src/, www/ and the top level', () => {
  const trees = splitFences(read('README.md')).fences.filter((f) => f.info === 'tree');
  assert.equal(trees.length, 1, 'README.md has one ```tree block');
  const listed = treePaths(trees[0].body);
  assert.deepEqual(
    listed.filter((p) => !exists(p)),
    [],
    'the tree lists paths that do not exist',
  );
  const shown = new Set(listed.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1)));
  assert.deepEqual(
    foldersToShow().filter((f) => !shown.has(f)),
    [],
    'folders missing from the tree',
  );
});

test('the tree check fails on a missing folder and a wrong indent', () => {
  assert.deepEqual(treePaths('src/\n  lib.rs  the crate\n  trainer/\n    ops/\nwww/'), [
    'src/',
    'src/lib.rs',
    'src/trainer/',
    'src/trainer/ops/',
    'www/',
  ]);
  assert.throws(() => treePaths('src/\n    lib.rs'), /indented wrongly/);
  assert.throws(() => treePaths('src/\n  lib.rs\n    x.rs'), /under a file/);
  const shown = new Set(treePaths('src/\n  trainer/\nwww/').map((p) => p.replace(/\/$/, '')));
  assert.ok(foldersToShow().some((f) => !shown.has(f)));
});

test(`README.md has at most ${README_MAX_LINES} lines and links every page of docs/`, () => {
  const readme = read('README.md');
  const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0);
  assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines`);
  const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#\s]+\.md)/g)].map((m) => m[1]));
  assert.deepEqual(
    DOCS.filter((d) => d.startsWith('docs/') && !linked.has(d)),
    [],
    'docs/ pages the README does not link',
  );
});

test('what the docs call build outputs is ignored by git', () => {
  const ignored = read('.gitignore').split('\n');
  for (const b of BUILT) assert.ok(ignored.includes(`/${b}`), `.gitignore does not list /${b}`);
});
