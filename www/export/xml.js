// @ts-check
// Text made fit for XML 1.0, for the SVG exports: a label can hold any character a link or a
// file brought (a control character in a review), and XML forbids most C0 controls and lone
// surrogates even as &#…; references — one of them makes the whole SVG malformed, and the PNG
// drawn from it fail. They become U+FFFD (�), so the reader sees something was there. Pure
// (unit-tested in tests/unit/export.test.mjs).

import { escapeHtml } from '../lib/format.js';

/** What XML 1.0 does not allow: C0 controls but tab, LF and CR; lone surrogates; U+FFFE/U+FFFF. */
const INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Character references to those code points (&#1; &#x1b;), which XML forbids as well. */
const INVALID_REF = /&#(?:x([0-9a-f]+)|([0-9]+));/gi;

/** @param {number} cp */
const allowed = (cp) =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  (cp >= 0x10000 && cp <= 0x10ffff);

/**
 * A whole document (or any text) with every character XML forbids replaced by U+FFFD.
 * @param {string} text
 */
export function xmlSafe(text) {
  return text
    .replace(INVALID, '\ufffd')
    .replace(INVALID_REF, (ref, hex, dec) => (allowed(hex ? Number.parseInt(hex, 16) : Number(dec)) ? ref : '\ufffd'));
}

/**
 * Text for an SVG element's content or an attribute value: escaped, and made fit for XML.
 * @param {unknown} text
 */
export const escapeXml = (text) => xmlSafe(escapeHtml(String(text)));
