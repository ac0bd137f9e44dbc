// @ts-check
// A canvas grid for the Cell stepper's large sizes (every unit at a step, every weight): one row
// per [name, values], blue (−1) through white to red (+1); hover reads a cell's value.

import { heatColor } from '../lib/colors.js';
import { cssVar } from '../lib/dom.js';
import { fmt } from './format.js';

/** @typedef {import('./weights.js').Row} Row */

/**
 * `rows` as a canvas of cells of at most `maxCell` px, shrunk to fit a trained model's sizes.
 * @param {Row[]} rows
 * @param {number} maxCell
 * @param {{ width?: number, height?: number }} [fit]  the most room it may take, in css px
 */
export function heatmap(rows, maxCell, { width = 720, height = 600 } = {}) {
  const cols = Math.max(...rows.map(([, v]) => v.length));
  const cell = Math.max(1, Math.min(maxCell, Math.floor(width / cols), Math.floor(height / rows.length)));
  const gap = cell >= 4 ? 1 : 0;
  const labelWidth = 36;
  const canvas = document.createElement('canvas');
  canvas.width = labelWidth + cols * cell;
  canvas.height = rows.length * cell;
  canvas.className = 'heatmap';
  const ctx = canvas.getContext('2d');
  ctx.font = `${Math.min(cell, 11)}px system-ui`;
  ctx.fillStyle = cssVar('--ink');
  rows.forEach(([name, values], r) => {
    ctx.fillStyle = cssVar('--ink');
    if (cell >= 6) ctx.fillText(name, 0, r * cell + cell - 2);
    values.forEach((v, c) => {
      ctx.fillStyle = heatColor(v);
      ctx.fillRect(labelWidth + c * cell, r * cell, cell - gap, cell - gap);
    });
  });
  canvas.addEventListener('mousemove', (e) => {
    const r = Math.floor(e.offsetY / cell);
    const c = Math.floor((e.offsetX - labelWidth) / cell);
    const v = rows[r]?.[1][c];
    canvas.title = v === undefined ? '' : `${rows[r][0]}[${c + 1}] = ${fmt(v)}`;
  });
  return canvas;
}
