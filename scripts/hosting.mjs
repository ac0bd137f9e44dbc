// What a static host is told about dist/ (written by scripts/build.mjs): `_headers` (Netlify,
// Cloudflare Pages) and `.htaccess` (Apache). docs/publishing.md says the same for nginx and
// GitHub Pages, which read neither.
//
// Caching: a content-hashed file never changes, so it may be kept for a year (`immutable`);
// everything else — the page, its scripts, the wasm-bindgen glue in pkg/ (not hashed), sw.js —
// is revalidated on every use, so a new deploy is seen at once. Security: the page may be
// framed only by its own site, its files are never MIME-sniffed, and no referrer leaves it.

/** A content-hashed name as scripts/build.mjs writes it: `name.<12 hex>.ext`. */
export const HASHED_NAME = /\.[0-9a-f]{12}\.[a-z.]+$/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** Headers every file gets. (The page's script policy is a <meta> in index.html, which any host serves; `frame-ancestors` only works as a header.) */
export const SECURITY = {
  'Content-Security-Policy': "frame-ancestors 'self'",
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Netlify's and Cloudflare Pages' `_headers`, for dist/ published at the site's root. Both add up
 * the headers of every rule that matches, so Cache-Control is set by exactly one rule per file:
 * each hashed file by name (`hashed`: paths from dist/), and the rest keeps the hosts' default
 * (`max-age=0, must-revalidate`), except sw.js, said outright.
 * @param {string[]} hashed
 */
export function headersFile(hashed) {
  const rule = (path, headers) =>
    `${path}\n${Object.entries(headers)
      .map(([name, value]) => `  ${name}: ${value}\n`)
      .join('')}`;
  return [
    '# Netlify / Cloudflare Pages (written by scripts/build.mjs; see docs/publishing.md).\n',
    rule('/*', SECURITY),
    rule('/*.wasm', { 'Content-Type': 'application/wasm' }),
    rule('/sw.js', { 'Cache-Control': REVALIDATE }),
    ...hashed.map((path) => rule(`/${path}`, { 'Cache-Control': IMMUTABLE })),
  ].join('');
}

/**
 * Apache's `.htaccess`: every `Header` inside `<IfModule mod_headers.c>` (without the module a
 * bare `Header` is a 500 for every file), the precompressed variants through mod_rewrite.
 */
export function htaccess() {
  const security = Object.entries(SECURITY)
    .map(([name, value]) => `  Header always set ${name} "${value}"\n`)
    .join('');
  return `# Apache (written by scripts/build.mjs; see docs/publishing.md): the MIME type of .wasm,
# the precompressed .br/.gz beside each file, caching, and the security headers.
<IfModule mod_mime.c>
  AddType application/wasm .wasm
</IfModule>
<IfModule mod_rewrite.c>
  RewriteEngine On
  RewriteCond %{HTTP:Accept-Encoding} br
  RewriteCond %{REQUEST_FILENAME}.br -f
  RewriteRule ^(.+)$ $1.br [L]
  RewriteCond %{HTTP:Accept-Encoding} gzip
  RewriteCond %{REQUEST_FILENAME}.gz -f
  RewriteRule ^(.+)$ $1.gz [L]
</IfModule>
<FilesMatch "\\.js\\.(br|gz)$">
  ForceType text/javascript
</FilesMatch>
<FilesMatch "\\.css\\.(br|gz)$">
  ForceType text/css
</FilesMatch>
<FilesMatch "\\.html\\.(br|gz)$">
  ForceType text/html
</FilesMatch>
<FilesMatch "\\.wasm\\.(br|gz)$">
  ForceType application/wasm
</FilesMatch>
<FilesMatch "\\.json\\.(br|gz)$">
  ForceType application/json
</FilesMatch>
<IfModule mod_headers.c>
${security}  # Revalidate everything (the page, its scripts, the glue in pkg/, sw.js)…
  Header set Cache-Control "${REVALIDATE}"
  # …but content-hashed files, which never change (and their .br/.gz).
  <FilesMatch "\\.[0-9a-f]{12}\\.[a-z.]+$">
    Header set Cache-Control "${IMMUTABLE}"
  </FilesMatch>
  <FilesMatch "\\.(js|css|html|wasm|json)\\.br$">
    Header set Content-Encoding br
    Header append Vary Accept-Encoding
  </FilesMatch>
  <FilesMatch "\\.(js|css|html|wasm|json)\\.gz$">
    Header set Content-Encoding gzip
    Header append Vary Accept-Encoding
  </FilesMatch>
</IfModule>
`;
}
