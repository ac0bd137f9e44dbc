// The exports' text formats: CSV fields and files (RFC 4180, full precision), a chart's data as a
// table, and text escaped for SVG and HTML.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartTable, csvField, toCsv } from '../../www/export/csv.js';
import { svgTitle } from '../../www/export/svg.js';
import { escapeXml, xmlSafe } from '../../www/export/xml.js';
import { escapeHtml } from '../../www/lib/format.js';

test('CSV fields: numbers at full precision, special values spelled out, empty for null', () => {
  assert.equal(csvField(0.1 + 0.2), '0.30000000000000004');
  assert.equal(csvField(1e-7), '1e-7');
  assert.equal(csvField(-0), '0');
  assert.equal(csvField(Number.NaN), 'NaN');
  assert.equal(csvField(Number.POSITIVE_INFINITY), 'Infinity');
  assert.equal(csvField(Number.NEGATIVE_INFINITY), '-Infinity');
  assert.equal(csvField(null), '');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField('plain'), 'plain');
});

test('CSV fields with a comma, quote or line break are quoted, quotes doubled', () => {
  assert.equal(csvField('great, “fine” film'), '"great, “fine” film"');
  assert.equal(csvField('my 5" phone'), '"my 5"" phone"');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\r'), '"cr\r"');
  assert.equal(csvField('a;b\tc'), 'a;b\tc', 'semicolons and tabs need no quotes');
});

test('a CSV file: a header row, then the rows, every line ended by CRLF', () => {
  assert.equal(
    toCsv(
      ['epoch', 'loss'],
      [
        [1, 0.5],
        [2, null],
      ],
    ),
    'epoch,loss\r\n1,0.5\r\n2,\r\n',
  );
  assert.equal(toCsv(['only'], []), 'only\r\n');
});

test('a chart’s data as a table: x, then a column per series, empty where a series has no value', () => {
  const chart = {
    series: [{}, { label: 'train' }, { label: 'valid' }, {}],
    data: [
      [0, 1, 2],
      [0.9, 0.5, null],
      [undefined, 0.6, 0.4],
      [1, 2, 3],
    ],
  };
  const table = chartTable(chart);
  assert.deepEqual(table.header, ['x', 'train', 'valid', 'series 3']);
  assert.deepEqual(table.rows, [
    [0, 0.9, undefined, 1],
    [1, 0.5, 0.6, 2],
    [2, null, 0.4, 3],
  ]);
  assert.equal(toCsv(table.header, table.rows), 'x,train,valid,series 3\r\n0,0.9,,1\r\n1,0.5,0.6,2\r\n2,,0.4,3\r\n');
});

test('text in SVG and HTML is escaped: &, <, >, quotes', () => {
  assert.equal(escapeHtml(`<b>"Tom" & 'Jerry'</b>`), '&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;');
  assert.equal(escapeHtml(42), '42');
  const head = { title: 'Loss <x> & "y"', lines: ['Loss <x> &', '"y"'], height: 56 };
  const svg = svgTitle(head, { panel: '#fff', ink: '#111', muted: '#555', line: '#ddd' });
  assert.equal(
    svg,
    '<title>Loss &lt;x&gt; &amp; &quot;y&quot;</title>\n<text font-size="16" font-weight="700" fill="#111">' +
      '<tspan x="12" y="24">Loss &lt;x&gt; &amp;</tspan><tspan x="12" y="44">&quot;y&quot;</tspan></text>',
  );
});

test('CSV text a spreadsheet would run as a formula gets a leading quote (OWASP); numbers do not', () => {
  assert.equal(csvField('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvField('+1+1'), "'+1+1");
  assert.equal(csvField('-2+3'), "'-2+3");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField('\t=1'), "'\t=1");
  assert.equal(csvField('\r=1'), `"'\r=1"`);
  assert.equal(csvField(-0.5), '-0.5', 'a negative number stays a number');
  assert.equal(csvField(Number.NEGATIVE_INFINITY), '-Infinity');
  assert.equal(csvField('a=b'), 'a=b', 'only a leading character makes a formula');
  assert.equal(toCsv(['unit', '=cmd'], [[1, '@x']]), "unit,'=cmd\r\n1,'@x\r\n");
});

/** How many characters of `text` XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF). */
const invalidIn = (text) =>
  [...text].filter((c) => {
    const cp = c.codePointAt(0);
    return (cp < 0x20 && cp !== 0x9 && cp !== 0xa && cp !== 0xd) || cp === 0xfffe || cp === 0xffff;
  }).length;

test('XML-invalid characters become U+FFFD; the rest is escaped as before', () => {
  assert.equal(xmlSafe('a\u0000b\u0007c\u001bd'), 'a\ufffdb\ufffdc\ufffdd');
  assert.equal(xmlSafe('tab\tlf\ncr\r'), 'tab\tlf\ncr\r', 'tab, LF and CR are allowed');
  assert.equal(xmlSafe('lone \ud800 and \udc00 but 😀'), 'lone \ufffd and \ufffd but 😀');
  assert.equal(xmlSafe('&#1;&#x1B;&#65;&#x20AC;'), '\ufffd\ufffd&#65;&#x20AC;');
  assert.equal(escapeXml('<b>\u0001&'), '&lt;b&gt;\ufffd&amp;');
  // Every such text parses as XML.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg"><text>${escapeXml('x\u0000\u0008\u000b\u001f\ufffe')}</text></svg>`;
  assert.equal(invalidIn(svg), 0);
});

test('an SVG title with control characters stays well-formed', () => {
  const head = { title: 'review \u001b[31m', lines: ['review \u0007'], height: 30 };
  const out = svgTitle(head, { ink: '#000' });
  assert.equal(invalidIn(out), 0, out);
  assert.match(out, /review \ufffd\[31m/);
});
