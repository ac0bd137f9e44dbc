// @ts-check
// The file makers of the exports, in one module that export/menu.js loads on the first click of
// an Export button: nobody needs PNG and SVG encoding code to see the first view.

export { chartTable, csvBlob } from './csv.js';
export { canvasPng, svgPng, uplotPng } from './png.js';
export { gridSvg, inlineSvg, uplotSvg } from './svg.js';
