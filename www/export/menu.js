// @ts-check
// Exports for slides: every chart as PNG and as a real vector SVG, every table as CSV, each made
// from what is on screen now (the current step, the current settings). Each view lists what it
// can export (`exportables()`, typed by Exportable below); this module only turns that list into
// "Export" menus of download buttons. The files themselves are made by png.js, svg.js and
// csv.js (through files.js, loaded on the first click), and go out through lib/download.js.

import { saveFile } from '../lib/download.js';

/** The file makers, loaded when first needed. */
const files = () => import('./files.js');

/** @typedef {import('../lib/uplot.js').default} uPlot */
/** @typedef {import('./svg.js').Decorate} Decorate */
/** @typedef {import('./svg.js').Grid} Grid */
/** @typedef {import('./csv.js').Table} Table */

/**
 * One thing on screen a view can export, with where its menu goes. Things that share `at`
 * share one "Export" menu, in the order listed; the first names the menu.
 * @typedef {object} ExportCommon
 * @property {string} id  names the buttons (`export-<id>-png`) and, by default, the files (`lstm-lab-<id>.png`)
 * @property {string} what  for the buttons' accessible names: "Download <what> as PNG"
 * @property {HTMLElement} at  the menu goes just before this element
 * @property {HTMLElement} [follow]  the menu is hidden while this element is (a table shown once it has rows)
 * @property {(ext: string) => string} [file]  the file's name, when it depends on what is shown
 * @property {() => boolean} [available]  offered only while true (asked as the menu opens)
 * @property {() => string} [title]  the title written into a PNG or an SVG
 */

/**
 * A canvas heatmap: its PNG while it is drawn, and its SVG either as a grid of cells (`grid`) or
 * drawn by the view (`svg`, given the title).
 * @typedef {{ canvas: () => HTMLCanvasElement | null, footer: () => string, grid?: () => Grid, svg?: (title: string) => string | Promise<string> }} HeatmapSource
 */

/**
 * What a view exports; exactly one source each:
 *   chart    a uPlot chart → PNG, SVG (`decorate` adds what its draw hooks paint), CSV of its data
 *   svg      a live <svg> (the cell diagram) → PNG, SVG with its styles written in
 *   heatmap  a canvas heatmap → PNG, SVG
 *   csv      a table → CSV
 * @typedef {ExportCommon & { chart: () => uPlot, decorate?: Decorate }} ChartExport
 * @typedef {ExportCommon & { svg: () => SVGSVGElement }} SvgExport
 * @typedef {ExportCommon & { heatmap: HeatmapSource }} HeatmapExport
 * @typedef {ExportCommon & { csv: () => Table }} TableExport
 * @typedef {ChartExport | SvgExport | HeatmapExport | TableExport} Exportable
 */

/**
 * One button of a menu: the file it downloads and how it is made.
 * @typedef {{ id: string, format: 'png' | 'svg' | 'csv', what: string, file: () => string, make: () => Blob | Promise<Blob>, available?: () => boolean }} Item
 */

const FORMATS = { png: 'PNG', svg: 'SVG', csv: 'CSV' };

/** @param {string} text */
const svgBlob = (text) => new Blob([text], { type: 'image/svg+xml;charset=utf-8' });

/**
 * The buttons of one exportable thing, in the order the menu shows them.
 * @param {Exportable} e
 * @returns {Item[]}
 */
export function itemsOf(e) {
  /** @param {'png' | 'svg' | 'csv'} ext */
  const file = (ext) => () => (e.file ? e.file(ext) : `lstm-lab-${e.id}.${ext}`);
  const title = () => e.title?.() ?? '';
  /**
   * @param {'png' | 'svg' | 'csv'} format
   * @param {() => Blob | Promise<Blob>} make
   * @param {{ what?: string, available?: () => boolean }} [more]
   * @returns {Item}
   */
  const item = (format, make, { what = e.what, available = e.available } = {}) => ({
    id: `export-${e.id}-${format}`,
    format,
    what,
    file: file(format),
    make,
    available,
  });
  if ('chart' in e) {
    return [
      item('png', async () => (await files()).uplotPng(e.chart(), { title: title() })),
      item('svg', async () =>
        svgBlob((await files()).uplotSvg(e.chart(), { title: title(), decorate: e.decorate ?? null })),
      ),
      item(
        'csv',
        async () => {
          const f = await files();
          return f.csvBlob(f.chartTable(e.chart()));
        },
        { what: `the data of ${e.what}` },
      ),
    ];
  }
  if ('svg' in e) {
    return [
      item('png', async () => {
        const f = await files();
        return f.svgPng(f.inlineSvg(e.svg(), { title: title() }));
      }),
      item('svg', async () => svgBlob((await files()).inlineSvg(e.svg(), { title: title() }).text)),
    ];
  }
  if ('heatmap' in e) {
    const h = e.heatmap;
    // A heatmap is offered while it is drawn (above 16 units the stepper shows one, not a table).
    const available = e.available ?? (() => !!h.canvas());
    return [
      item('png', async () => (await files()).canvasPng(h.canvas(), { title: title(), footer: h.footer() }), {
        available,
      }),
      item(
        'svg',
        async () => svgBlob(h.svg ? await h.svg(title()) : (await files()).gridSvg({ title: title(), ...h.grid() })),
        { available },
      ),
    ];
  }
  return [item('csv', async () => (await files()).csvBlob(e.csv()))];
}

/**
 * A small "Export ▾" menu (a <details>) placed before `anchor`, one button per file. `what` names
 * the thing for the menu's accessible name ("Export the blow-up chart"); an unavailable item is
 * hidden when the menu opens.
 * @param {HTMLElement} anchor
 * @param {{ what: string, items: Item[], follow?: HTMLElement | null }} menu
 */
function exportMenu(anchor, { what, items, follow = null }) {
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
    const label = `Download ${item.what} as ${FORMATS[item.format]}`;
    b.setAttribute('aria-label', label);
    b.title = label;
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        const name = item.file();
        saveFile(await item.make(), name);
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
    items.forEach((item, k) => {
      buttons[k].hidden = item.available ? !item.available() : false;
    });
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
    const sync = () => {
      bar.hidden = follow.hidden;
    };
    new MutationObserver(sync).observe(follow, { attributes: true, attributeFilter: ['hidden'] });
    sync();
  }
  return bar;
}

/**
 * An export menu beside everything the views can export: one menu per place, holding the
 * buttons of every thing listed there.
 * @param {{ exportables(): Exportable[] }[]} views
 */
export function setupExports(views) {
  /** @type {Map<HTMLElement, Exportable[]>} */
  const places = new Map();
  for (const view of views) {
    for (const e of view.exportables()) places.set(e.at, [...(places.get(e.at) ?? []), e]);
  }
  for (const [at, things] of places) {
    exportMenu(at, { what: things[0].what, items: things.flatMap(itemsOf), follow: things[0].follow ?? null });
  }
}

// A click elsewhere closes an open menu, as a menu does.
document.addEventListener('click', (e) => {
  for (const open of document.querySelectorAll('details.export-menu[open]')) {
    if (!open.contains(/** @type {Node} */ (e.target))) /** @type {HTMLDetailsElement} */ (open).open = false;
  }
});
