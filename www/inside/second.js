// @ts-check
// A second model beside the first in Inside the model's gradient view (e.g. the plain RNN and
// the LSTM of a comparison, saved from the Trainer): the pretrained one or an `.lstmlab` file,
// and its part of the link (`inside.second`, with `inside.grad`, the words' underline).

import { fit } from '../classroom/controls.js';
import { shown } from '../classroom/linktext.js';
import { assetUrl } from '../lib/assets.js';
import { $ } from '../lib/dom.js';
import { modelFileProblem } from '../lib/filecheck.js';

/** @typedef {import('../lib/page-wasm.js').ModelSession} ModelSession */
/** @typedef {typeof import('../lib/page-wasm.js')} PageWasm */

export const PRETRAINED = 'the pretrained IMDB model';

export class SecondModel {
  /**
   * @param {PageWasm} wasm
   * @param {() => void} changed  called when the second model arrives or goes
   */
  constructor(wasm, changed) {
    this.wasm = wasm;
    this.changed = changed;
    /** @type {ModelSession | null} */
    this.session = null;
    /** @type {string | null} */
    this.source = null;
    $('inside-second-pretrained').addEventListener('click', () => this.loadPretrained());
    $('inside-second-file').addEventListener('change', (/** @type {Event & { target: HTMLInputElement }} */ e) =>
      this.loadFile(e.target.files[0]).finally(() => {
        e.target.value = '';
      }),
    );
    $('inside-second-clear').addEventListener('click', () => this.clear());
  }

  async loadPretrained() {
    const button = $('inside-second-pretrained');
    button.disabled = true;
    this.status('Downloading the pretrained model…');
    try {
      const response = await fetch(assetUrl('pretrained'));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      this.use(() => this.wasm.ModelSession.fromFile(bytes), PRETRAINED);
    } catch (e) {
      this.status(`Could not load the pretrained model: ${e.message ?? e}`);
    } finally {
      button.disabled = false;
    }
  }

  /** @param {File | undefined} file  a `.lstmlab` model file */
  async loadFile(file) {
    if (!file) return;
    try {
      const problem = await modelFileProblem(file);
      if (problem) {
        this.status(`${file.name}: ${problem}.`);
        return;
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      this.use(() => this.wasm.ModelSession.fromFile(bytes), file.name);
    } catch (e) {
      this.status(`${file.name}: ${e.message ?? e}`);
    }
  }

  /**
   * @param {() => ModelSession} open
   * @param {string} source
   */
  use(open, source) {
    let session;
    try {
      session = open();
    } catch (e) {
      this.status(`${source}: ${e.message ?? e}`);
      return;
    }
    this.session?.free();
    this.session = session;
    this.source = source;
    $('inside-second-clear').disabled = false;
    this.status(`Second model: ${source}.`);
    this.changed();
  }

  clear() {
    this.session?.free();
    this.session = null;
    this.source = null;
    $('inside-second-clear').disabled = true;
    this.status('No second model.');
    this.changed();
  }

  /** @param {string} text */
  status(text) {
    $('inside-second-status').textContent = text;
  }
}

/**
 * The gradient view's part of the link: the second model (`pretrained`, or `file`, which a link
 * cannot carry) and the underline when it is not the default.
 * @param {import('./gradient.js').GradientView} view
 * @returns {[string, string | null][]}
 */
export function readGradientLink(view) {
  const s = view.second;
  const second = s.session ? (s.source === PRETRAINED ? 'pretrained' : 'file') : null;
  return [
    ['inside.second', second],
    ['inside.grad', $('inside-grad-underline').value],
  ];
}

/**
 * A link's second model and underline into the page (the pretrained model is downloaded; a
 * file cannot come by link: a note says so).
 * @param {import('./gradient.js').GradientView} view
 * @param {(key: string) => string | null} want
 * @param {string[]} notes
 * @returns {Promise<void>}
 */
export async function applyGradientLink(view, want, notes) {
  const underline = fit($('inside-grad-underline'), want('inside.grad') ?? 'all', notes);
  if (underline != null) $('inside-grad-underline').value = String(underline);
  const second = want('inside.second');
  const s = view.second;
  if (second === 'pretrained') {
    if (s.source !== PRETRAINED) await s.loadPretrained();
  } else if (second === 'file') {
    if (!s.session)
      notes.push(
        'This link was made with a second model from a file, which a link cannot carry: load it beside the first.',
      );
  } else if (second != null) {
    notes.push(`Inside the model: no second model “${shown(second)}”; the pretrained one is “pretrained”.`);
  } else if (s.session) {
    s.clear();
  }
}
