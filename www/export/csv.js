// @ts-check
// CSV for the exports: RFC 4180 (CRLF, fields with a comma, quote or line break quoted, quotes
// doubled), a header row, numbers at full precision (JS's shortest round-trip form), not the
// 3-decimal display. Text that a spreadsheet would run as a formula (it starts with =, +, -, @,
// a tab or a carriage return: a review's word, a column name from a file) gets a leading ' as
// OWASP's CSV-injection advice says; numbers are written as numbers. Pure (unit-tested).

/**
 * A header and its rows.
 * @typedef {{ header: string[], rows: unknown[][] }} Table
 */

/** What makes a spreadsheet read a cell as a formula (OWASP, CSV injection). */
const FORMULA = /^[=+\-@\t\r]/;

/**
 * One CSV field: full precision for numbers, quoted when it holds a comma, quote or line break;
 * null and undefined are empty.
 * @param {unknown} value
 */
export function csvField(value) {
  if (value === null || value === undefined) return '';
  let s;
  if (typeof value === 'number') {
    s = Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  } else {
    s = String(value);
    if (FORMULA.test(s)) s = `'${s}`;
  }
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * A whole file: the header, then each row, every line ended by CRLF.
 * @param {string[]} header
 * @param {unknown[][]} rows
 */
export function toCsv(header, rows) {
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/**
 * A uPlot chart's data as a table: x, then one column per series (empty where it has no value).
 * @param {{ series: { label?: unknown }[], data: ArrayLike<unknown>[] }} u
 * @returns {Table}
 */
export function chartTable(u) {
  const header = u.series.map((s, i) => String(s.label ?? (i === 0 ? 'x' : `series ${i}`)));
  const rows = Array.from(u.data[0], (_, k) => u.data.map((col) => col[k]));
  return { header, rows };
}

/** @param {Table} table */
export const csvBlob = ({ header, rows }) => new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' });
