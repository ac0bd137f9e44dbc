// @ts-check
// SVG exports, rebuilt from the data, not a picture wrapped in <image>: for uPlot one
// <g class="series"> per series holding its <polyline> (one per unbroken run: a null value is a
// gap, as uPlot draws it), axes with uPlot's own ticks and labels, and a legend; for heatmaps one
// <rect> per cell; for a live <svg> (the cell diagram) the element with every computed style
// written inline (CSS variables resolved), so it looks the same outside the page.

import { FONT, heading, LEGEND_FONT, layoutLegend, seriesStroke, TITLE_LINE, textWidth, theme } from './layout.js';
import { escapeXml as esc, xmlSafe } from './xml.js';

/** @typedef {import('../lib/uplot.js').default} uPlot */
/** @typedef {import('./layout.js').Theme} Theme */
/** @typedef {import('./layout.js').Heading} Heading */
/** @typedef {import('./layout.js').Legend} Legend */

export const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * A coordinate as SVG text: two decimals at most.
 * @param {number} v
 */
export const num = (v) => (Math.round(v * 100) / 100).toString();

/**
 * What a chart's draw hooks paint on its canvas, as SVG: `x(v)` and `y(v)` place values, `plot`
 * is the plotting area, `line` and `text` return markup.
 * @typedef {object} Decoration
 * @property {{ left: number, top: number, width: number, height: number }} plot
 * @property {Theme} theme
 * @property {(v: number) => number} x
 * @property {(v: number) => number} y
 * @property {(x1: number, y1: number, x2: number, y2: number, style: { stroke: string, width?: number, dash?: number[] | null }) => string} line
 * @property {(x: number, y: number, str: string, style: { fill: string, anchor?: string, size?: number }) => string} text
 */

/** @typedef {(d: Decoration) => string[]} Decorate */

/**
 * The title band: a <title> and the wrapped lines at the top left.
 * @param {Heading} head
 * @param {Theme} t
 */
export function svgTitle(head, t) {
  const lines = head.lines.map((line, k) => `<tspan x="12" y="${24 + TITLE_LINE * k}">${esc(line)}</tspan>`).join('');
  return `<title>${esc(head.title)}</title>\n<text font-size="16" font-weight="700" fill="${t.ink}">${lines}</text>`;
}

/**
 * @param {Legend} legend
 * @param {number} top
 * @param {Theme} t
 */
function svgLegend(legend, top, t) {
  return legend.placed
    .map((e) => {
      const y = top + 12 + e.y;
      const dash = e.dash ? ` stroke-dasharray="${e.dash.join(' ')}"` : '';
      return (
        `<g class="legend-entry"><line x1="${e.x}" y1="${y}" x2="${e.x + 26}" y2="${y}" stroke="${e.stroke}" stroke-width="${Math.max(2, e.width)}"${dash}/>` +
        `<text x="${e.x + 32}" y="${y}" dy="0.35em" font-size="${LEGEND_FONT}" fill="${t.ink}">${esc(e.label)}</text></g>`
      );
    })
    .join('\n');
}

/**
 * A uPlot chart as vector SVG, from `u.data`, `u.series`, `u.scales` and `u.axes` (uPlot's own
 * ticks and tick labels, so the file matches the screen). `decorate(draw)` adds what the chart's
 * draw hooks paint on the canvas (markers, guides): `draw` has `x(v)`, `y(v)`, `plot`, `theme`,
 * `line(...)` and `text(...)`, each returning SVG markup.
 * @param {uPlot} u
 * @param {{ title: string, decorate?: Decorate | null }} options
 */
export function uplotSvg(u, { title, decorate = null }) {
  const t = theme();
  const pr = u.ctx.canvas.width / u.width;
  const W = u.width;
  const legend = layoutLegend(u, W);
  const head = heading(title, W);
  const top = head.height; // the chart starts under its title
  const H = top + u.height + legend.height;
  const plot = {
    left: u.bbox.left / pr,
    top: u.bbox.top / pr + top,
    width: u.bbox.width / pr,
    height: u.bbox.height / pr,
  };
  // valToPos without its third argument is in css px from the plotting area's corner.
  /**
   * @param {number} v
   * @param {string} scale
   */
  const pos = (v, scale) => (u.scales[scale].ori === 0 ? plot.left : plot.top) + u.valToPos(v, scale);
  const out = [
    `<svg xmlns="${SVG_NS}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`,
    `<rect width="${W}" height="${H}" fill="${t.panel}"/>`,
    svgTitle(head, t),
    `<defs><clipPath id="plot-area"><rect x="${num(plot.left)}" y="${num(plot.top)}" width="${num(plot.width)}" height="${num(plot.height)}"/></clipPath></defs>`,
  ];

  // Axes: grid lines, ticks and tick labels where uPlot put them, and the axis labels.
  const bottom = plot.top + plot.height;
  // uPlot's ticks and tick labels as it drew them: kept in fields its types do not declare.
  for (const axis of /** @type {(uPlot.Axis & { _splits?: number[], _values?: string[] })[]} */ (u.axes)) {
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
        parts.push(
          `<line x1="${num(p)}" y1="${num(plot.top)}" x2="${num(p)}" y2="${num(bottom)}" stroke="${t.line}"/>`,
        );
        parts.push(
          `<line x1="${num(p)}" y1="${num(bottom)}" x2="${num(p)}" y2="${num(bottom + 6)}" stroke="${t.line}"/>`,
        );
        if (label !== '')
          parts.push(
            `<text class="tick" x="${num(p)}" y="${num(bottom + 20)}" text-anchor="middle">${esc(label)}</text>`,
          );
      } else {
        if (p < plot.top - 0.5 || p > bottom + 0.5) return;
        parts.push(
          `<line x1="${num(plot.left)}" y1="${num(p)}" x2="${num(plot.left + plot.width)}" y2="${num(p)}" stroke="${t.line}"/>`,
        );
        parts.push(
          `<line x1="${num(plot.left - 6)}" y1="${num(p)}" x2="${num(plot.left)}" y2="${num(p)}" stroke="${t.line}"/>`,
        );
        if (label !== '')
          parts.push(
            `<text class="tick" x="${num(plot.left - 9)}" y="${num(p)}" dy="0.35em" text-anchor="end">${esc(label)}</text>`,
          );
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
  out.push(
    `<rect class="plot-frame" x="${num(plot.left)}" y="${num(plot.top)}" width="${num(plot.width)}" height="${num(plot.height)}" fill="none" stroke="${t.line}"/>`,
  );

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
    const parts = [
      `<g class="series" data-label="${esc(s.label ?? '')}" fill="none" stroke="${stroke}" stroke-width="${width}"${dash} stroke-linejoin="round" clip-path="url(#plot-area)">`,
    ];
    for (const r of runs) parts.push(`<polyline points="${r.map(([a, b]) => `${num(a)},${num(b)}`).join(' ')}"/>`);
    // Points where uPlot shows them, and always for a lone point (a one-point line is invisible).
    const dots = showsPoints(u, i) ? runs.flat() : runs.filter((r) => r.length === 1).flat();
    const radius = Math.max(2, (s.points?.size ?? 5) / 2);
    for (const [a, b] of dots)
      parts.push(`<circle cx="${num(a)}" cy="${num(b)}" r="${num(radius)}" fill="${t.panel}"/>`);
    parts.push('</g>');
    out.push(parts.join('\n'));
  });

  if (decorate) {
    /** @type {Decoration} */
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

/**
 * Whether uPlot draws series `i`'s points (it turns `points.show` into a function).
 * @param {uPlot} u
 * @param {number} i
 */
function showsPoints(u, i) {
  const show = u.series[i].points?.show;
  try {
    return typeof show === 'function' ? !!show(u, i, 0, u.data[0].length - 1, null) : !!show;
  } catch {
    return false;
  }
}

/**
 * A grid of values to draw as cells: `rows` is [[label, values]], `color(v)` a CSS colour,
 * `columns` optional labels (shown every few columns when there are many), `scale` a legend
 * [[value, label]].
 * @typedef {{ rows: [string, number[]][], columns?: string[] | null, color: (v: number) => string, scale?: [number, string][] }} Grid
 */

/**
 * Rows of values as one <rect> per cell, under `title`.
 * @param {Grid & { title: string }} grid
 */
export function gridSvg({ title, rows, columns = null, color, scale = [] }) {
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
    const labels = columns.map((c, j) =>
      j % every === 0
        ? `<text x="${num(labelW + j * cell + cell / 2)}" y="${top - 5}" text-anchor="middle">${esc(c)}</text>`
        : '',
    );
    out.push(`<g class="column-labels" font-size="10" fill="${t.muted}">${labels.join('')}</g>`);
  }
  const fontSize = Math.min(cell, 11);
  rows.forEach(([name, values], r) => {
    const y = top + r * cell;
    const cells = values.map(
      (v, j) =>
        `<rect x="${labelW + j * cell}" y="${y}" width="${cell - gap}" height="${cell - gap}" fill="${color(v)}"/>`,
    );
    const label =
      cell >= 6
        ? `<text x="${labelW - 6}" y="${y + cell / 2}" dy="0.35em" text-anchor="end" font-size="${fontSize}" fill="${t.ink}">${esc(name)}</text>`
        : '';
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

// What the diagram's stylesheet sets, copied from the computed style of every element (the font
// only where there is text).
const SVG_PAINT = [
  'display',
  'visibility',
  'opacity',
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
];
const SVG_TEXT = [
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'font-variant-numeric',
  'text-anchor',
  'dominant-baseline',
];

/**
 * The live <svg> with its computed styles inlined and a title band above.
 * @typedef {{ text: string, width: number, height: number }} SvgFile
 * @param {SVGSVGElement} svg
 * @param {{ title: string }} options
 * @returns {SvgFile}
 */
export function inlineSvg(svg, { title }) {
  const t = theme();
  const box = svg.viewBox.baseVal;
  const width = box.width;
  const head = heading(title, width);
  const height = box.height + head.height;
  const clone = /** @type {SVGSVGElement} */ (svg.cloneNode(true));
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
  // The diagram's labels are the page's text: a control character in them would make the file malformed.
  return { text: xmlSafe(new XMLSerializer().serializeToString(root)), width, height };
}
