// @ts-check
// PNG exports: a chart's own canvas (uPlot's, or a heatmap's) at the device pixel ratio, on the
// theme's panel colour, with a title (and for uPlot the legend, which uPlot keeps in HTML). The
// cell diagram is an SVG on screen: its PNG is its exported SVG drawn into a canvas (img-src
// already allows blob:, so the Content-Security-Policy needs nothing more).

import { FONT, heading, LEGEND_FONT, layoutLegend, TITLE_LINE, textWidth, theme } from './layout.js';

/** @typedef {import('../lib/uplot.js').default} uPlot */
/** @typedef {import('./layout.js').Theme} Theme */
/** @typedef {import('./layout.js').Heading} Heading */
/** @typedef {import('./layout.js').Legend} Legend */
/** @typedef {import('./svg.js').SvgFile} SvgFile */

/**
 * @param {HTMLCanvasElement} canvas
 * @returns {Promise<Blob>}
 */
function pngBlob(canvas) {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the PNG'))),
      'image/png',
    ),
  );
}

/**
 * The title at the top left, in css px on a context already scaled to css px.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Heading} head
 * @param {Theme} t
 */
function drawTitle(ctx, head, t) {
  ctx.fillStyle = t.ink;
  ctx.font = `700 16px ${FONT}`;
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  head.lines.forEach((line, k) => {
    ctx.fillText(line, 12, 24 + TITLE_LINE * k);
  });
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {Legend} legend
 * @param {number} top
 * @param {Theme} t
 */
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

/**
 * A uPlot chart as PNG: its canvas (at the device pixel ratio) under a title, above its legend.
 * @param {uPlot} u
 * @param {{ title: string }} options
 */
export function uplotPng(u, { title }) {
  const src = u.ctx.canvas;
  const pr = src.width / u.width;
  const t = theme();
  const legend = layoutLegend(u, u.width);
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
 * A heatmap canvas (drawn at css px) as PNG at the device pixel ratio, under a title, above an
 * optional `footer` line (what the colours mean).
 * @param {HTMLCanvasElement} src
 * @param {{ title: string, footer?: string }} options
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
 * An SVG drawn into a canvas at the device pixel ratio, as PNG.
 * @param {SvgFile} svg
 */
export async function svgPng({ text, width, height }) {
  const pr = window.devicePixelRatio || 1;
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
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
