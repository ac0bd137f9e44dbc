// @ts-check
// Numbers and times as the page writes them. Pure functions (unit-tested in tests/unit/).

/** Whole numbers with thousands separators, as the page writes counts: 12,345. */
export const int = new Intl.NumberFormat('en');

/**
 * A scale factor to three significant digits, in exponent form below 0.01 (the Blow-up lab's
 * scale of W and 1/√n).
 * @param {number} scale
 */
export function formatScale(scale) {
  return scale >= 0.01 ? String(Number(scale.toPrecision(3))) : scale.toExponential(2);
}

/**
 * A duration for people: "42 s", "3 min 5 s", "2 h 14 min" (rounded to the second).
 * @param {number} ms
 */
export function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * How long ago `time` was, in words: "12 minutes ago", "yesterday".
 * @param {number} time  epoch milliseconds
 * @param {number} [now]
 */
export function ago(time, now = Date.now()) {
  const s = Math.round((now - time) / 1000);
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  if (s < 60) return rtf.format(-s, 'second');
  if (s < 3600) return rtf.format(-Math.round(s / 60), 'minute');
  if (s < 86400) return rtf.format(-Math.round(s / 3600), 'hour');
  return rtf.format(-Math.round(s / 86400), 'day');
}

/** @type {Record<string, string>} */
const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe for HTML (and XML, SVG) text and attribute values: the user's CSV column
 * names and reviews, a model's words.
 * @param {unknown} text
 */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}
