// Exports for slides: every chart as PNG and as a real vector SVG, every table as CSV, each made
// from what is on screen now (the current step, the current settings).
//
// - PNG: the chart's own canvas (uPlot's, or a heatmap's) at the device pixel ratio, on the
//   theme's panel colour, with a title (and for uPlot the legend, which uPlot keeps in HTML).
//   The cell diagram is an SVG on screen: its PNG is its exported SVG drawn into a canvas.
// - SVG: rebuilt from the data, not a picture wrapped in <image>: for uPlot one <g class="series">
//   per series holding its <polyline> (one per unbroken run: a null value is a gap, as uPlot draws
//   it), axes with uPlot's own ticks and labels, and a legend; for heatmaps one <rect> per cell;
//   for the diagram the live <svg> with every computed style written inline (CSS variables
//   resolved), so it looks the same outside the page.
// - CSV: RFC 4180 (CRLF, fields with a comma, quote or line break quoted, quotes doubled), a
//   header row, numbers at full precision (JS's shortest round-trip form), not the 3-decimal
//   display.
//
// Files go out as a Blob through an object URL on an <a download>. The page's CSP needs nothing
// more: a download is not a fetch, and img-src already allows blob: (the diagram's PNG loads its
// SVG as an image from one).

import { cssVar } from './charts.js';
import { heatColor } from './stepper.js';

const $ = (id) => document.getElementById(id);
const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';
const TITLE_LINE = 20; // css px per line of a title above a chart
const LEGEND_FONT = 13;

// ------------------------------------------------------------------------------------- files

export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Late enough for the browser to have started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One CSV field: full precision for numbers, quoted when it holds a comma, quote or line break. */
export function csvField(value) {
  if (value === null || value === undefined) return '';
  let s;
  if (typeof value === 'number') {
    s = Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  } else {
    s = String(value);
  }
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(header, rows) {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const csvBlob = (header, rows) => new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' });
const svgBlob = (text) => new Blob([text], { type: 'image/svg+xml;charset=utf-8' });

function pngBlob(canvas) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the PNG'))), 'image/png'),
  );
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const num = (v) => (Math.round(v * 100) / 100).toString();

function theme() {
  return {
    panel: cssVar('--panel') || '#ffffff',
    ink: cssVar('--ink') || '#1b1d21',
    muted: cssVar('--muted') || '#5a606b',
    line: cssVar('--line') || '#d9dce1',
  };
}

let measurer = null;
function textWidth(text, px, weight = 400) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = `${weight} ${px}px ${FONT}`;
  return measurer.measureText(text).width;
}

/** A title wrapped to `width` css px: its lines and the height of the band it needs. */
function heading(title, width) {
  const lines = [];
  let line = '';
  for (const word of title.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, 16, 700) > width - 24) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return { title, lines, height: 16 + TITLE_LINE * lines.length };
}

/** The title at the top left, in css px on a context already scaled to css px. */
function drawTitle(ctx, head, t) {
  ctx.fillStyle = t.ink;
  ctx.font = `700 16px ${FONT}`;
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  head.lines.forEach((line, k) => ctx.fillText(line, 12, 24 + TITLE_LINE * k));
}

function svgTitle(head, t) {
  const lines = head.lines.map((line, k) => `<tspan x="12" y="${24 + TITLE_LINE * k}">${esc(line)}</tspan>`).join('');
  return `<title>${esc(head.title)}</title>\n<text font-size="16" font-weight="700" fill="${t.ink}">${lines}</text>`;
}

// ------------------------------------------------------------------------------------- uPlot

function seriesStroke(u, i) {
  const s = u.series[i].stroke;
  return (typeof s === 'function' ? s(u, i) : s) || '#000';
}

/** The entries uPlot's legend shows (none when it is hidden, as for dozens of units). */
function legendEntries(u) {
  if (u.legend?.show === false) return [];
  const entries = [];
  u.series.forEach((s, i) => {
    if (i === 0 || s.show === false) return;
    entries.push({ label: s.label ?? `series ${i}`, stroke: seriesStroke(u, i), dash: s.dash ?? null, width: s.width ?? 1 });
  });
  return entries;
}

/** Entries in rows across `width`: each a 26 px line sample and its label. */
function layoutLegend(entries, width) {
  const placed = [];
  let x = 12;
  let y = 0;
  for (const e of entries) {
    const w = 32 + textWidth(e.label, LEGEND_FONT);
    if (x > 12 && x + w > width - 12) {
      x = 12;
      y += 20;
    }
    placed.push({ ...e, x, y });
    x += w + 18;
  }
  return { placed, height: entries.length ? y + 28 : 0 };
}

function drawLegend(ctx, legend, top, t) {
  ctx.font = `400 ${LEGEND_FONT}px ${FONT}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const e of legend.placed) {
    const y = top + 12 + e.y;
    ctx.strokeStyle = e.stroke;
    ctx.lineWidth = Math.max(2, e.width);
    ctx.setLineDash(e.dash ?? []);
    ctx.beginPath();
    ctx.moveTo(e.x, y);
    ctx.lineTo(e.x + 26, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = t.ink;
    ctx.fillText(e.label, e.x + 32, y);
  }
}

function svgLegend(legend, top, t) {
  return legend.placed
    .map((e) => {
      const y = top + 12 + e.y;
      const dash = e.dash ? ` stroke-dasharray="${e.dash.join(' ')}"` : '';
      return `<g class="legend-entry"><line x1="${e.x}" y1="${y}" x2="${e.x + 26}" y2="${y}" stroke="${e.stroke}" stroke-width="${Math.max(2, e.width)}"${dash}/>` +
        `<text x="${e.x + 32}" y="${y}" dy="0.35em" font-size="${LEGEND_FONT}" fill="${t.ink}">${esc(e.label)}</text></g>`;
    })
    .join('\n');
}

/** A uPlot chart as PNG: its canvas (at the device pixel ratio) under a title, above its legend. */
export function uplotPng(u, { title }) {
  const src = u.ctx.canvas;
  const pr = src.width / u.width;
  const t = theme();
  const legend = layoutLegend(legendEntries(u), u.width);
  const head = heading(title, u.width);
  const canvas = document.createElement('canvas');
  canvas.width = src.width;
  canvas.height = Math.round((head.height + u.height + legend.height) * pr);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = t.panel;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(src, 0, Math.round(head.height * pr));
  ctx.scale(pr, pr);
  drawTitle(ctx, head, t);
  drawLegend(ctx, legend, head.height + u.height, t);
  return pngBlob(canvas);
}

/**
 * A uPlot chart as vector SVG, from `u.data`, `u.series`, `u.scales` and `u.axes` (uPlot's own
 * ticks and tick labels, so the file matches the screen). `decorate(draw)` adds what the chart's
 * draw hooks paint on the canvas (markers, guides): `draw` has `x(v)`, `y(v)`, `plot`, `theme`,
 * `line(...)` and `text(...)`, each returning SVG markup.
 */
export function uplotSvg(u, { title, decorate = null }) {
  const t = theme();
  const pr = u.ctx.canvas.width / u.width;
  const W = u.width;
  const legend = layoutLegend(legendEntries(u), W);
  const head = heading(title, W);
  const top = head.height; // the chart starts under its title
  const H = top + u.height + legend.height;
  const plot = { left: u.bbox.left / pr, top: u.bbox.top / pr + top, width: u.bbox.width / pr, height: u.bbox.height / pr };
  // valToPos without its third argument is in css px from the plotting area's corner.
  const pos = (v, scale) => (u.scales[scale].ori === 0 ? plot.left : plot.top) + u.valToPos(v, scale);
  const out = [
    `<svg xmlns="${SVG_NS}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`,
    `<rect width="${W}" height="${H}" fill="${t.panel}"/>`,
    svgTitle(head, t),
    `<defs><clipPath id="plot-area"><rect x="${num(plot.left)}" y="${num(plot.top)}" width="${num(plot.width)}" height="${num(plot.height)}"/></clipPath></defs>`,
  ];

  // Axes: grid lines, ticks and tick labels where uPlot put them, and the axis labels.
  const bottom = plot.top + plot.height;
  for (const axis of u.axes) {
    if (axis.show === false || !axis._splits) continue;
    const horizontal = axis.side === 2; // bottom; the charts here have a bottom x and a left y axis
    if (axis.side !== 2 && axis.side !== 3) continue;
    const parts = [`<g class="axis" data-axis="${horizontal ? 'x' : 'y'}" font-size="12" fill="${t.ink}">`];
    axis._splits.forEach((v, k) => {
      if (v == null || !Number.isFinite(v)) return;
      const p = pos(v, axis.scale);
      if (!Number.isFinite(p)) return;
      const label = axis._values?.[k] ?? '';
      if (horizontal) {
        if (p < plot.left - 0.5 || p > plot.left + plot.width + 0.5) return;
        parts.push(`<line x1="${num(p)}" y1="${num(plot.top)}" x2="${num(p)}" y2="${num(bottom)}" stroke="${t.line}"/>`);
        parts.push(`<line x1="${num(p)}" y1="${num(bottom)}" x2="${num(p)}" y2="${num(bottom + 6)}" stroke="${t.line}"/>`);
        if (label !== '') parts.push(`<text class="tick" x="${num(p)}" y="${num(bottom + 20)}" text-anchor="middle">${esc(label)}</text>`);
      } else {
        if (p < plot.top - 0.5 || p > bottom + 0.5) return;
        parts.push(`<line x1="${num(plot.left)}" y1="${num(p)}" x2="${num(plot.left + plot.width)}" y2="${num(p)}" stroke="${t.line}"/>`);
        parts.push(`<line x1="${num(plot.left - 6)}" y1="${num(p)}" x2="${num(plot.left)}" y2="${num(p)}" stroke="${t.line}"/>`);
        if (label !== '') parts.push(`<text class="tick" x="${num(plot.left - 9)}" y="${num(p)}" dy="0.35em" text-anchor="end">${esc(label)}</text>`);
      }
    });
    if (axis.label) {
      parts.push(
        horizontal
          ? `<text class="axis-label" x="${num(plot.left + plot.width / 2)}" y="${num(top + u.height - 8)}" text-anchor="middle" font-size="13" font-weight="700">${esc(axis.label)}</text>`
          : `<text class="axis-label" transform="translate(16 ${num(plot.top + plot.height / 2)}) rotate(-90)" text-anchor="middle" font-size="13" font-weight="700">${esc(axis.label)}</text>`,
      );
    }
    parts.push('</g>');
    out.push(parts.join('\n'));
  }
  out.push(`<rect class="plot-frame" x="${num(plot.left)}" y="${num(plot.top)}" width="${num(plot.width)}" height="${num(plot.height)}" fill="none" stroke="${t.line}"/>`);

  // Series: a null (or non-finite) value breaks the line as on screen; undefined is spanned,
  // as uPlot does for the holes uPlot.join leaves between aligned series.
  const xs = u.data[0];
  u.series.forEach((s, i) => {
    if (i === 0 || s.show === false) return;
    const ys = u.data[i] ?? [];
    const runs = [];
    let run = [];
    for (let k = 0; k < xs.length; k++) {
      const v = ys[k];
      if (v === undefined) continue;
      const px = v === null || xs[k] == null ? NaN : pos(xs[k], 'x');
      const py = v === null ? NaN : pos(v, s.scale ?? 'y');
      if (!Number.isFinite(px) || !Number.isFinite(py)) {
        if (run.length) runs.push(run);
        run = [];
        continue;
      }
      run.push([px, py]);
    }
    if (run.length) runs.push(run);
    const stroke = seriesStroke(u, i);
    const width = s.width ?? 1;
    const dash = s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : '';
    const parts = [`<g class="series" data-label="${esc(s.label ?? '')}" fill="none" stroke="${stroke}" stroke-width="${width}"${dash} stroke-linejoin="round" clip-path="url(#plot-area)">`];
    for (const r of runs) parts.push(`<polyline points="${r.map(([a, b]) => `${num(a)},${num(b)}`).join(' ')}"/>`);
    // Points where uPlot shows them, and always for a lone point (a one-point line is invisible).
    const dots = showsPoints(u, i) ? runs.flat() : runs.filter((r) => r.length === 1).flat();
    const radius = Math.max(2, (s.points?.size ?? 5) / 2);
    for (const [a, b] of dots) parts.push(`<circle cx="${num(a)}" cy="${num(b)}" r="${num(radius)}" fill="${t.panel}"/>`);
    parts.push('</g>');
    out.push(parts.join('\n'));
  });

  if (decorate) {
    const draw = {
      plot,
      theme: t,
      x: (v) => pos(v, 'x'),
      y: (v) => pos(v, 'y'),
      line: (x1, y1, x2, y2, { stroke, width = 1, dash = null }) =>
        `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash.join(' ')}"` : ''}/>`,
      text: (x, y, str, { fill, anchor = 'start', size = 12 }) =>
        `<text x="${num(x)}" y="${num(y)}" fill="${fill}" font-size="${size}" text-anchor="${anchor}">${esc(str)}</text>`,
    };
    out.push(`<g class="decorations" clip-path="url(#plot-area)">`, ...decorate(draw), '</g>');
  }
  out.push(svgLegend(legend, top + u.height, t));
  out.push('</svg>');
  return out.join('\n');
}

/** Whether uPlot draws series `i`'s points (it turns `points.show` into a function). */
function showsPoints(u, i) {
  const show = u.series[i].points?.show;
  try {
    return typeof show === 'function' ? !!show(u, i, 0, u.data[0].length - 1, null) : !!show;
  } catch {
    return false;
  }
}

/** A uPlot chart's data as CSV: x, then one column per series (empty where it has no value). */
export function uplotCsv(u) {
  const header = u.series.map((s, i) => s.label ?? (i === 0 ? 'x' : `series ${i}`));
  const rows = u.data[0].map((x, k) => u.data.map((col) => col[k]));
  return csvBlob(header, rows);
}

// ------------------------------------------------------------------------------------- heatmaps

/**
 * A heatmap canvas (drawn at css px) as PNG at the device pixel ratio, under a title, above an
 * optional `footer` line (what the colours mean).
 */
export function canvasPng(src, { title, footer = '' }) {
  const t = theme();
  const pr = window.devicePixelRatio || 1;
  const width = Math.max(src.width, 480, footer ? Math.ceil(textWidth(footer, 12)) + 24 : 0);
  const head = heading(title, width);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * pr);
  canvas.height = Math.round((head.height + src.height + (footer ? 30 : 8)) * pr);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = t.panel;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false; // cells stay crisp squares
  ctx.drawImage(src, 0, Math.round(head.height * pr), Math.round(src.width * pr), Math.round(src.height * pr));
  ctx.scale(pr, pr);
  drawTitle(ctx, head, t);
  if (footer) {
    ctx.font = `400 12px ${FONT}`;
    ctx.fillText(footer, 12, head.height + src.height + 20);
  }
  return pngBlob(canvas);
}

/**
 * Rows of values as one <rect> per cell: `rows` is [[label, values]], `color(v)` a CSS colour,
 * `columns` optional labels (shown every few columns when there are many), `scale` a legend
 * [[value, label]].
 */
export function heatmapSvg({ title, rows, columns = null, color, scale = [] }) {
  const t = theme();
  const cols = Math.max(...rows.map(([, v]) => v.length));
  const cell = Math.max(3, Math.min(18, Math.floor(960 / cols), Math.floor(1400 / rows.length)));
  const gap = cell >= 6 ? 1 : 0;
  const labelW = Math.ceil(Math.max(24, ...rows.map(([name]) => textWidth(name, 11)))) + 8;
  const width = Math.max(labelW + cols * cell + 12, 480);
  const head = heading(title, width);
  const top = head.height + (columns ? 18 : 4);
  const mapBottom = top + rows.length * cell;
  const height = mapBottom + (scale.length ? 34 : 10);
  const out = [
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="${t.panel}"/>`,
    svgTitle(head, t),
  ];
  if (columns) {
    const every = Math.max(1, Math.ceil(28 / cell));
    const labels = columns.map((c, j) => (j % every === 0 ? `<text x="${num(labelW + j * cell + cell / 2)}" y="${top - 5}" text-anchor="middle">${esc(c)}</text>` : ''));
    out.push(`<g class="column-labels" font-size="10" fill="${t.muted}">${labels.join('')}</g>`);
  }
  const fontSize = Math.min(cell, 11);
  rows.forEach(([name, values], r) => {
    const y = top + r * cell;
    const cells = values.map((v, j) => `<rect x="${labelW + j * cell}" y="${y}" width="${cell - gap}" height="${cell - gap}" fill="${color(v)}"/>`);
    const label = cell >= 6 ? `<text x="${labelW - 6}" y="${y + cell / 2}" dy="0.35em" text-anchor="end" font-size="${fontSize}" fill="${t.ink}">${esc(name)}</text>` : '';
    out.push(`<g class="row" data-label="${esc(name)}">${label}${cells.join('')}</g>`);
  });
  if (scale.length) {
    let x = labelW;
    const items = scale.map(([v, label]) => {
      const s = `<rect x="${x}" y="${mapBottom + 12}" width="14" height="12" fill="${color(v)}" stroke="${t.line}"/><text x="${x + 18}" y="${mapBottom + 22}" font-size="11" fill="${t.ink}">${esc(label)}</text>`;
      x += 26 + textWidth(label, 11);
      return s;
    });
    out.push(`<g class="color-scale">${items.join('')}</g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

// ------------------------------------------------------------------------------------- live SVG

// What the diagram's stylesheet sets, copied from the computed style of every element (the font
// only where there is text).
const SVG_PAINT = ['display', 'visibility', 'opacity', 'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linecap', 'stroke-linejoin'];
const SVG_TEXT = ['font-family', 'font-size', 'font-weight', 'font-style', 'font-variant-numeric', 'text-anchor', 'dominant-baseline'];

/** The live <svg> with its computed styles inlined and a title band above: `{ text, width, height }`. */
export function inlineSvg(svg, { title }) {
  const t = theme();
  const box = svg.viewBox.baseVal;
  const width = box.width;
  const head = heading(title, width);
  const height = box.height + head.height;
  const clone = svg.cloneNode(true);
  const originals = svg.querySelectorAll('*');
  const copies = clone.querySelectorAll('*');
  originals.forEach((el, k) => {
    const computed = getComputedStyle(el);
    const copy = copies[k];
    copy.removeAttribute('class');
    const props = el instanceof SVGTextContentElement ? [...SVG_PAINT, ...SVG_TEXT] : SVG_PAINT;
    copy.setAttribute('style', props.map((p) => `${p}: ${computed.getPropertyValue(p)}`).join('; '));
  });
  const root = document.createElementNS(SVG_NS, 'svg');
  root.setAttribute('xmlns', SVG_NS);
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute('font-family', FONT);
  const top = new DOMParser().parseFromString(
    `<svg xmlns="${SVG_NS}"><rect width="${width}" height="${height}" fill="${t.panel}"/>${svgTitle(head, t)}</svg>`,
    'image/svg+xml',
  ).documentElement;
  for (const node of [...top.childNodes]) root.append(document.importNode(node, true));
  const body = document.createElementNS(SVG_NS, 'g');
  body.setAttribute('transform', `translate(${-box.x} ${head.height - box.y})`);
  body.append(...clone.childNodes);
  root.append(body);
  return { text: new XMLSerializer().serializeToString(root), width, height };
}

/** An SVG drawn into a canvas at the device pixel ratio, as PNG. */
export async function svgPng({ text, width, height }) {
  const pr = window.devicePixelRatio || 1;
  const url = URL.createObjectURL(svgBlob(text));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * pr);
    canvas.height = Math.round(height * pr);
    canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
    return await pngBlob(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}

// ------------------------------------------------------------------------------------- the menu

const FORMATS = { png: 'PNG', svg: 'SVG', csv: 'CSV' };

/**
 * A small "Export ▾" menu (a <details>) placed before `anchor`, one button per file. `what` names
 * the thing for the accessible names ("Download the blow-up chart as PNG"). Each item:
 * `{ id, format, file: () => name, make: () => Blob | Promise<Blob>, what?, available?: () => bool }`
 * (an unavailable item is hidden when the menu opens: a heatmap's PNG while a table shows).
 * `follow`: an element whose `hidden` the menu copies (a table shown only once it has rows).
 */
export function exportMenu(anchor, { what, items, follow = null }) {
  const bar = document.createElement('div');
  bar.className = 'export-bar';
  const details = document.createElement('details');
  details.className = 'export-menu';
  const summary = document.createElement('summary');
  summary.textContent = 'Export';
  summary.setAttribute('aria-label', `Export ${what}`);
  summary.title = `Export ${what}`;
  const panel = document.createElement('div');
  panel.className = 'export-items';
  const status = document.createElement('span');
  status.className = 'export-status';
  status.setAttribute('role', 'status');
  const buttons = items.map((item) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = item.id;
    b.textContent = FORMATS[item.format];
    const label = `Download ${item.what ?? what} as ${FORMATS[item.format]}`;
    b.setAttribute('aria-label', label);
    b.title = label;
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        const name = item.file();
        download(await item.make(), name);
        status.textContent = `Saved ${name}`;
      } catch (e) {
        status.textContent = `Could not export: ${e.message ?? e}`;
      } finally {
        b.disabled = false;
      }
    });
    return b;
  });
  panel.append(...buttons, status);
  details.append(summary, panel);
  details.addEventListener('toggle', () => {
    if (!details.open) return;
    status.textContent = '';
    items.forEach((item, k) => (buttons[k].hidden = item.available ? !item.available() : false));
  });
  details.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !details.open) return;
    e.stopPropagation();
    details.open = false;
    summary.focus();
  });
  bar.append(details);
  anchor.before(bar);
  if (follow) {
    const sync = () => (bar.hidden = follow.hidden);
    new MutationObserver(sync).observe(follow, { attributes: true, attributeFilter: ['hidden'] });
    sync();
  }
  return bar;
}

// A click elsewhere closes an open menu, as a menu does.
document.addEventListener('click', (e) => {
  for (const open of document.querySelectorAll('details.export-menu[open]')) {
    if (!open.contains(e.target)) open.open = false;
  }
});

/** PNG, SVG and CSV buttons for a uPlot chart; `chart()` returns the uPlot (charts are rebuilt). */
function chartMenu(anchor, { name, what, chart, title, decorate = null }) {
  const file = (ext) => () => `lstm-lab-${name}.${ext}`;
  return exportMenu(anchor, {
    what,
    items: [
      { id: `export-${name}-png`, format: 'png', file: file('png'), make: () => uplotPng(chart(), { title: title() }) },
      { id: `export-${name}-svg`, format: 'svg', file: file('svg'), make: () => svgBlob(uplotSvg(chart(), { title: title(), decorate })) },
      { id: `export-${name}-csv`, format: 'csv', file: file('csv'), what: `the data of ${what}`, make: () => uplotCsv(chart()) },
    ],
  });
}

// ------------------------------------------------------------------------------------- the page

/** Put an export menu by every chart and table of the page. */
export function setupExports(app) {
  setupBlowup(app.blowup);
  setupStepper(app.stepper);
  setupGradflow(app.gradflow);
  setupTrainer(app.trainer);
  setupInside(app.inside);
}

function setupBlowup(view) {
  chartMenu($('blowup-chart'), {
    name: 'blowup',
    what: 'the blow-up chart',
    chart: () => view.chart,
    title: () => {
      const c = view.lastTiming?.config;
      return c
        ? `Blow-up lab: log10 ‖x‖ per step — n = ${c.n}, scale ${formatNumber(c.scale)}, ${c.init}, seed ${c.seed}`
        : 'Blow-up lab: log10 ‖x‖ per step';
    },
    decorate: (d) => view.svgGuides(d),
  });
}

function setupGradflow(view) {
  chartMenu($('gradflow-chart'), {
    name: 'gradflow',
    what: 'the gradient-flow chart',
    chart: () => view.chart,
    title: () => {
      const c = view.lastConfig;
      return c
        ? `Gradient flow: ‖∂L/∂h_t‖, T = ${c.steps}, H = ${c.hidden}, scale ${c.weight_scale}, forget bias ${c.forget_bias}${c.clip == null ? '' : `, clipped to ${c.clip}`}`
        : 'Gradient flow: ‖∂L/∂h_t‖ per step';
    },
  });
}

function setupStepper(view) {
  const preset = () => $('stepper-preset').selectedOptions[0]?.textContent ?? '';
  const cursor = (d) => {
    const x = d.x(view.t);
    return [d.line(x, d.plot.top, x, d.plot.top + d.plot.height, { stroke: cssVar('--focus'), width: 2 })];
  };
  const charts = [
    ['c', 'the cell-state chart', 'Cell state c per unit'],
    ['h', 'the hidden-state chart', 'Hidden state h per unit'],
    ['gates', 'the gates chart', () => `Gates of unit ${view.unit + 1}`],
  ];
  for (const [key, what, heading] of charts) {
    chartMenu($(`stepper-chart-${key}`), {
      name: `stepper-${key}`,
      what,
      chart: () => view.charts[key].uplot,
      title: () => `Cell stepper: ${typeof heading === 'function' ? heading() : heading} — ${preset()}, step ${view.t}`,
      decorate: cursor,
    });
  }

  const diagramTitle = () => `Cell stepper: step ${view.t} “${view.run.encoded.tokens[view.t - 1]}”, unit ${view.unit + 1} — ${preset()}`;
  const diagram = () => inlineSvg($('stepper-diagram'), { title: diagramTitle() });
  exportMenu($('stepper-diagram'), {
    what: 'the cell diagram',
    items: [
      { id: 'export-stepper-diagram-png', format: 'png', file: () => `lstm-lab-stepper-diagram-t${view.t}-unit${view.unit + 1}.png`, make: () => svgPng(diagram()) },
      { id: 'export-stepper-diagram-svg', format: 'svg', file: () => `lstm-lab-stepper-diagram-t${view.t}-unit${view.unit + 1}.svg`, make: () => svgBlob(diagram().text) },
    ],
  });

  // Every unit at this step: a table up to 16 units, a heatmap above.
  const unitsHeatmap = () => $('stepper-values').querySelector('canvas.heatmap');
  const unitsTitle = () => `Cell stepper: every unit at step ${view.t} “${view.run.encoded.tokens[view.t - 1]}” — ${preset()}`;
  const heatScale = [[-1, '−1'], [0, '0'], [1, '+1']];
  const heatFooter = 'blue −1 · white 0 · red +1 (clamped)';
  exportMenu($('stepper-values'), {
    what: 'the table of every unit at this step',
    items: [
      {
        id: 'export-stepper-units-csv',
        format: 'csv',
        file: () => `lstm-lab-stepper-units-t${view.t}.csv`,
        make: () => {
          const rows = view.unitRows();
          const H = rows[0][1].length;
          return csvBlob(['quantity', ...Array.from({ length: H }, (_, k) => `unit ${k + 1}`)], rows.map(([name, v]) => [name, ...v]));
        },
      },
      { id: 'export-stepper-units-png', format: 'png', what: 'the heatmap of every unit', available: () => !!unitsHeatmap(), file: () => `lstm-lab-stepper-units-t${view.t}.png`, make: () => canvasPng(unitsHeatmap(), { title: unitsTitle(), footer: heatFooter }) },
      {
        id: 'export-stepper-units-svg',
        format: 'svg',
        what: 'the heatmap of every unit',
        available: () => !!unitsHeatmap(),
        file: () => `lstm-lab-stepper-units-t${view.t}.svg`,
        make: () => {
          const rows = view.unitRows();
          const columns = rows[0][1].map((_, k) => String(k + 1));
          return svgBlob(heatmapSvg({ title: unitsTitle(), rows, columns, color: heatColor, scale: heatScale }));
        },
      },
    ],
  });

  const weightsHeatmap = () => $('stepper-weights').querySelector('canvas.heatmap');
  const weightColumns = () => {
    const { input: E, hidden: H } = view.base.weights;
    return [...Array.from({ length: E }, (_, j) => `W_x${j + 1}`), ...Array.from({ length: H }, (_, j) => `U_h${j + 1}`), 'b'];
  };
  exportMenu($('stepper-weights'), {
    what: 'the weights',
    items: [
      {
        id: 'export-stepper-weights-csv',
        format: 'csv',
        file: () => 'lstm-lab-stepper-weights.csv',
        make: () => csvBlob(['row', ...weightColumns()], view.weightRows().map(([name, v]) => [name, ...v])),
      },
      {
        id: 'export-stepper-start-csv',
        format: 'csv',
        what: 'the start state',
        file: () => 'lstm-lab-stepper-start-state.csv',
        make: () => {
          const H = view.base.weights.hidden;
          return csvBlob(['state', ...Array.from({ length: H }, (_, k) => `unit ${k + 1}`)], [['h0', ...view.base.h0], ['c0', ...view.base.c0]]);
        },
      },
      { id: 'export-stepper-weights-png', format: 'png', what: 'the weights heatmap', available: () => !!weightsHeatmap(), file: () => 'lstm-lab-stepper-weights.png', make: () => canvasPng(weightsHeatmap(), { title: `Cell stepper: every weight (rows gate·unit; columns W | U | b) — ${preset()}`, footer: heatFooter }) },
      {
        id: 'export-stepper-weights-svg',
        format: 'svg',
        what: 'the weights heatmap',
        available: () => !!weightsHeatmap(),
        file: () => 'lstm-lab-stepper-weights.svg',
        make: () =>
          svgBlob(heatmapSvg({ title: `Cell stepper: every weight (rows gate·unit; columns W | U | b) — ${preset()}`, rows: view.weightRows(), columns: weightColumns(), color: heatColor, scale: heatScale })),
      },
    ],
  });
}

function setupTrainer(view) {
  const settings = () => {
    const r = view.request;
    return r ? ` — embedding ${r.train.embed}, hidden ${r.train.hidden}, batch ${r.train.batch}, lr ${r.train.lr}` : '';
  };
  chartMenu($('trainer-chart-loss'), { name: 'trainer-loss', what: 'the loss chart', chart: () => view.lossChart, title: () => `Trainer: loss (binary cross-entropy)${settings()}` });
  chartMenu($('trainer-chart-acc'), { name: 'trainer-accuracy', what: 'the accuracy chart', chart: () => view.accChart, title: () => `Trainer: accuracy${settings()}` });
  exportMenu($('trainer-epochs-table'), {
    what: 'the table of epochs',
    follow: $('trainer-epochs-table'),
    items: [
      {
        id: 'export-trainer-epochs-csv',
        format: 'csv',
        file: () => 'lstm-lab-trainer-epochs.csv',
        make: () =>
          csvBlob(
            ['epoch', 'best', 'train_loss', 'train_accuracy', 'valid_loss', 'valid_accuracy', 'seconds'],
            (view.run?.epochs ?? []).map((r, k) => [r.epoch, r.is_best ? 1 : 0, r.train_loss, r.train_accuracy, r.valid_loss, r.valid_accuracy, view.run.epochMs[k] / 1000]),
          ),
      },
    ],
  });
  exportMenu($('trainer-preview-table'), {
    what: 'the data preview',
    items: [
      {
        id: 'export-trainer-preview-csv',
        format: 'csv',
        file: () => 'lstm-lab-trainer-preview.csv',
        make: () => {
          const p = view.preview;
          return csvBlob(['line', p.text_column, p.label_column], p.sample.map((r) => [r.line, r.text, r.label]));
        },
      },
    ],
  });
}

function setupInside(view) {
  const title = () => {
    const x = view.result.inspection;
    return `Inside the model: ${view.quantityName()} — ${x.hidden} units × ${x.steps} positions, P(positive) ${x.probability.toFixed(3)} (${view.source})`;
  };
  const file = (ext) => () => `lstm-lab-inside-heatmap-${view.quantity}.${ext}`;
  exportMenu(document.querySelector('#inside-heatmap-card .heatmap-wrap'), {
    what: 'the heatmap',
    items: [
      { id: 'export-inside-heatmap-png', format: 'png', file: file('png'), available: () => !!view.result, make: () => canvasPng($('inside-heatmap'), { title: title(), footer: $('inside-legend').textContent }) },
      { id: 'export-inside-heatmap-svg', format: 'svg', file: file('svg'), available: () => !!view.result, make: () => svgBlob(insideSvg(view, title())) },
      {
        id: 'export-inside-heatmap-csv',
        format: 'csv',
        what: 'the heatmap values',
        file: file('csv'),
        available: () => !!view.result,
        make: () => {
          const x = view.result.inspection;
          const values = x.trace[view.quantity];
          const header = ['unit', 'share_of_logit', ...view.result.positions.map((p, t) => `${t + 1} ${p.word ?? '(padding)'}`)];
          const rows = view.order.map((unit) => [unit + 1, x.unit_contribution[unit], ...Array.from({ length: x.steps }, (_, t) => values[t * x.hidden + unit])]);
          return csvBlob(header, rows);
        },
      },
    ],
  });
}

/** "Inside the model"'s heatmap as it is drawn (same geometry), one <rect> per cell. */
function insideSvg(view, title) {
  const t = theme();
  const g = view.geom;
  const x = view.result.inspection;
  const values = x.trace[view.quantity];
  const color = view.cellColor();
  const rgb = ([r, gg, b]) => `rgb(${r | 0},${gg | 0},${b | 0})`;
  const legend = $('inside-legend').textContent; // what the colours mean, as on screen
  const width = Math.max(g.width, 480, Math.ceil(textWidth(legend, 12)) + 24);
  const head = heading(title, width);
  const height = head.height + g.height + 30;
  const out = [
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="${t.panel}"/>`,
    svgTitle(head, t),
    `<g transform="translate(0 ${head.height})">`,
  ];
  // The band above the map (padding grey, words by their share) and the words.
  const band = view.bandColors();
  const words = [];
  for (let p = 0; p < x.steps; p++) {
    const { x: cx, w } = g.columns[p];
    words.push(`<rect x="${cx}" y="${g.labels}" width="${w}" height="8" fill="${rgb(band[p])}"/>`);
    const word = view.result.positions[p].word;
    if (g.labels && word != null) {
      const shown = word.length > 12 ? word.slice(0, 11) + '…' : word;
      words.push(`<text transform="translate(${num(cx + w / 2)} ${g.labels - 3}) rotate(-60)" font-size="11" fill="${t.ink}">${esc(shown)}</text>`);
    }
  }
  if (g.labels && view.result.padding > 0) words.push(`<text x="${g.left}" y="${g.labels - 8}" dy="0.35em" font-size="11" fill="${t.muted}">padding</text>`);
  out.push(`<g class="words">${words.join('')}</g>`);
  // The map: rows are units, largest share of the logit first.
  view.order.forEach((unit, row) => {
    const cells = [];
    for (let p = 0; p < x.steps; p++) {
      const { x: cx, w } = g.columns[p];
      cells.push(`<rect x="${cx}" y="${g.top + row * g.ch}" width="${w}" height="${g.ch}" fill="${rgb(color(values[p * x.hidden + unit]))}"/>`);
    }
    // The unit's share of the logit as a bar left of its row.
    const share = x.unit_contribution[unit];
    const scale = Math.max(1e-9, ...x.unit_contribution.map(Math.abs));
    const mid = 22;
    const w = (Math.abs(share) / scale) * (mid - 2);
    const bar = `<rect x="${num(share >= 0 ? mid : mid - w)}" y="${g.top + row * g.ch}" width="${num(Math.max(1, w))}" height="${Math.max(1, g.ch - 1)}" fill="${share >= 0 ? 'rgb(31,95,191)' : 'rgb(214,110,20)'}"/>`;
    const won = g.columns[x.winner[unit]];
    const frame = `<rect x="${won.x + 0.5}" y="${g.top + row * g.ch + 0.5}" width="${Math.max(1, won.w - 1)}" height="${Math.max(1, g.ch - 1)}" fill="none" stroke="#000"/>`;
    out.push(`<g class="row" data-unit="${unit + 1}">${bar}${cells.join('')}${frame}</g>`);
  });
  // The cursor, as on screen: the position and unit the readout describes.
  const { position, row } = view.cursor;
  const col = g.columns[position];
  out.push(
    `<g class="cursor" fill="none" stroke="#f5a623" stroke-width="2"><rect x="${col.x - 1}" y="${g.top + row * g.ch - 1}" width="${col.w + 2}" height="${g.ch + 2}"/>` +
      `<rect x="${col.x}" y="${g.labels}" width="${col.w}" height="8"/></g>`,
  );
  out.push('</g>');
  out.push(`<text class="color-legend" x="12" y="${head.height + g.height + 18}" font-size="12" fill="${t.ink}">${esc(legend)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function formatNumber(v) {
  return v >= 0.01 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}
