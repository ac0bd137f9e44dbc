// @ts-check
// For the classroom: "Copy link" (the exact view, see urlstate.js), presenter mode (large type,
// diagrams and plots at full width, high contrast), the controls students see (the teacher
// ticks them; kept in the link as `hide=`), and keyboard shortcuts for a whole lesson (`?`).

import { $ } from '../lib/dom.js';
import { CONTROLS, labelOf } from './controls.js';
import { unknownNote } from './linktext.js';

/** @typedef {import('../stepper/view.js').StepperView} StepperView */
/** @typedef {{ label: string, targets: string[] }} Hideable  a control's name and the selectors of what hides with it */

/**
 * One control: itself and its label.
 * @param {string} id
 * @returns {Hideable}
 */
function control(id) {
  return { label: labelOf(id), targets: [`#${id}`, `label[for="${id}"]`] };
}

/**
 * What a teacher can hide, by section: link key → { label, targets (selectors) }. The keys are in
 * links people have shared (`hide=`): keep them.
 * @returns {Record<string, Record<string, Hideable>>}
 */
function hideable() {
  return {
    'Blow-up lab': {
      'blowup.presets': { label: 'Presets', targets: ['#blowup-form .presets'] },
      'blowup.n': control('blowup-n'),
      'blowup.steps': control('blowup-steps'),
      'blowup.scale': {
        label: labelOf('blowup-scale'),
        targets: ['label[for="blowup-scale"]', '#blowup-scale', '.scale-slider', '#blowup-critical-label'],
      },
      'blowup.init': control('blowup-init'),
      'blowup.seed': control('blowup-seed'),
      'blowup.engine': control('blowup-engine'),
    },
    'Cell stepper': {
      'stepper.cell': { label: 'Cell (LSTM, GRU, plain RNN)', targets: ['label[for="stepper-cell"]', '#stepper-cell'] },
      'stepper.preset': { label: 'Preset', targets: ['label[for="stepper-preset"]', '#stepper-preset'] },
      'stepper.sequence': {
        label: 'Sequence',
        targets: ['label[for="stepper-sequence"]', '#stepper-sequence', '#stepper-sequence + .hint'],
      },
      'stepper.sizes': { label: 'Input and hidden size', targets: ['#stepper-form .pair'] },
      'stepper.fb': {
        label: 'Forget-gate bias shift',
        targets: ['label[for="stepper-forget-bias"]', '#stepper-forget-bias'],
      },
      'stepper.compare': { label: 'The post’s sigmoid-g cell', targets: ['label:has(> #stepper-compare)'] },
      'stepper.post': { label: 'The post’s output layer', targets: ['label:has(> #stepper-post-output)'] },
      'stepper.speed': { label: 'Play speed', targets: ['label[for="stepper-speed"]', '#stepper-speed'] },
      'stepper.unit': { label: 'Unit shown', targets: ['.unit-pick'] },
      'stepper.charts': { label: 'Charts over time', targets: ['#stepper-over-time', '#stepper .charts3'] },
      'stepper.weights': {
        label: 'Weights table',
        targets: ['#stepper-weights-title', '#stepper-weights-title + .hint', '#stepper-weights'],
      },
      'stepper.gradflow': { label: 'Gradient flow (all of it)', targets: ['#gradflow-part'] },
    },
    'Gradient flow': Object.fromEntries(
      Object.entries(CONTROLS.gradflow)
        .filter(([name]) => name !== 'clipAt')
        .map(([name, id]) => [
          `gradflow.${name}`,
          name === 'clip' ? { label: 'Gradient clipping', targets: ['label:has(> #gradflow-clip)'] } : control(id),
        ]),
    ),
    Trainer: {
      'trainer.data': { label: 'Data (upload, sample)', targets: ['#trainer-data-card'] },
      'trainer.presets': { label: 'Settings presets', targets: ['#trainer-settings-card .presets-row'] },
      ...Object.fromEntries(
        Object.entries(CONTROLS.trainer)
          .filter(([name]) => name !== 'predict')
          .map(([name, id]) => [`trainer.${name}`, control(id)]),
      ),
      'trainer.device': control('trainer-device'),
      'trainer.model': { label: 'Save or load a model', targets: ['#trainer-model-card'] },
    },
    'Inside the model': {
      'inside.model': { label: 'Choosing a model', targets: ['#inside-model-card'] },
      'inside.example': { label: 'Validation review picker', targets: ['#inside-examples'] },
      'inside.text': { label: 'Any text', targets: ['label[for="inside-text"]', '#inside-text', '#inside-run'] },
      'inside.q': { label: 'Gate or state shown', targets: ['#inside-quantity'] },
      'inside.grad': { label: 'Gradient through time per word', targets: ['#inside-grad-card'] },
      'inside.surgery': { label: 'Gate surgery', targets: ['#inside-surgery'] },
      'inside.stepper': {
        label: 'Step this review in the Cell stepper',
        targets: ['#inside-open-stepper', '#inside-open-stepper + .hint'],
      },
    },
  };
}

const SHORTCUTS = [
  ['?', 'this list of shortcuts'],
  ['1 2 3 4', 'Blow-up lab, Cell stepper, Trainer, Inside the model'],
  ['p', 'presenter mode on or off'],
  ['l', 'copy the link to this exact view'],
  ['Blow-up lab', null],
  ['o', 'the post: randn → overflow to Inf and NaN'],
  ['z', 'the post: ×0.01 → zeros'],
  ['k', 'the critical scale 1/√n'],
  ['s', 'a new seed'],
  ['Cell stepper', null],
  ['→ or PageDown', 'next step (PageDown/PageUp for a clicker, in presenter mode)'],
  ['← or PageUp', 'previous step'],
  ['space', 'play or pause'],
  ['Home / End', 'first / last step'],
  ['u / U', 'next / previous unit'],
  ['c', 'the post’s sigmoid-g cell beside the real one'],
  ['Inside the model', null],
  ['m', 'focus the heatmap, then the arrow keys move over words and units'],
  ['A lesson (in presenter mode)', null],
  ['PageDown / PageUp', 'next / previous step of the lesson (a clicker; the stepper keeps → and ←)'],
  ['Esc', 'close this list'],
];

export class Presenter {
  /** @param {{ stepper: StepperView }} views  the stepper's keys (←, →, space, u, …) drive it */
  constructor({ stepper }) {
    this.stepper = stepper;
    this.on = false;
    /** @type {Set<string>} the keys of the controls students do not see */
    this.hidden = new Set();
    this.items = hideable();
    /** @type {Map<string, Hideable>} a Map: `hide=` is link text, and may say `__proto__` */
    this.flat = new Map(Object.values(this.items).flatMap((items) => Object.entries(items)));
    /** @type {import('./urlstate.js').LinkState | null} set by app.js */
    this.link = null;
    $('presenter-toggle').addEventListener('click', () => this.toggle());
    $('presenter-controls').addEventListener('click', () => this.choose());
    $('presenter-panel-done').addEventListener('click', () => $('presenter-panel').close());
    $('presenter-show-all').addEventListener('click', () => this.setHidden(new Set()));
    $('shortcuts-open').addEventListener('click', () => this.shortcuts());
    $('shortcuts-close').addEventListener('click', () => $('shortcuts').close());
    $('copy-link').addEventListener('click', () => this.copyLink());
    $('copy-link-close').addEventListener('click', () => {
      $('copy-link-box').hidden = true;
    });
    $('link-notes-close').addEventListener('click', () => {
      $('link-notes').hidden = true;
    });
    document.addEventListener('keydown', (e) => this.key(e));
    this.buildPanel();
    this.buildShortcuts();
  }

  // ------------------------------------------------------------------ state (in the link)

  /** The link keys this part reads and writes. */
  keys() {
    return ['present', 'hide'];
  }

  read() {
    return new Map([
      ['present', this.on ? '1' : '0'],
      ['hide', [...this.hidden].sort().join(',')],
    ]);
  }

  /**
   * @param {(key: string) => string | null} want
   * @param {string[]} notes
   */
  apply(want, notes) {
    this.set(want('present') === '1');
    const asked = (want('hide') ?? '').split(',').filter(Boolean);
    const unknown = unknownNote(
      asked.filter((k) => !this.flat.has(k)),
      'a control “hide” can hide',
    );
    if (unknown) notes.push(`hide: ${unknown}`);
    this.setHidden(new Set(asked.filter((k) => this.flat.has(k))));
  }

  // ------------------------------------------------------------------ presenter mode

  /** @param {boolean} on */
  set(on) {
    this.on = on;
    document.body.classList.toggle('presenter', on);
    $('presenter-toggle').setAttribute('aria-pressed', String(on));
    $('presenter-controls').hidden = !on;
    // Charts size themselves to their boxes (ResizeObserver); nothing else to redraw.
  }

  toggle() {
    this.set(!this.on);
    this.link?.soon();
  }

  /**
   * Hide the controls in `keys` (for students); the rest are shown.
   * @param {Set<string>} keys
   */
  setHidden(keys) {
    this.hidden = keys;
    for (const el of document.querySelectorAll('.student-hidden')) el.classList.remove('student-hidden');
    for (const key of keys) {
      for (const selector of this.flat.get(key)?.targets ?? []) {
        for (const el of document.querySelectorAll(selector)) el.classList.add('student-hidden');
      }
    }
    for (const box of /** @type {NodeListOf<HTMLInputElement>} */ (
      document.querySelectorAll('#presenter-panel input[type="checkbox"]')
    )) {
      box.checked = !keys.has(box.value);
    }
    const note = $('presenter-hidden-note');
    note.hidden = keys.size === 0;
    $('presenter-hidden-count').textContent =
      `${keys.size} control${keys.size === 1 ? ' is' : 's are'} hidden by this link.`;
    this.link?.soon();
  }

  buildPanel() {
    const box = $('presenter-panel-sections');
    for (const [section, items] of Object.entries(this.items)) {
      const set = document.createElement('fieldset');
      set.append(Object.assign(document.createElement('legend'), { textContent: section }));
      for (const [key, item] of Object.entries(items)) {
        const label = document.createElement('label');
        label.className = 'check';
        const box = Object.assign(document.createElement('input'), {
          type: 'checkbox',
          value: key,
          checked: true,
          id: `show-${key.replace('.', '-')}`,
        });
        box.addEventListener('change', () => {
          const next = new Set(this.hidden);
          if (box.checked) next.delete(key);
          else next.add(key);
          this.setHidden(next);
        });
        label.append(box, ` ${item.label}`);
        set.append(label);
      }
      box.append(set);
    }
  }

  choose() {
    $('presenter-panel').showModal();
  }

  // ------------------------------------------------------------------ shortcuts

  buildShortcuts() {
    const list = $('shortcuts-list');
    for (const [keys, what] of SHORTCUTS) {
      if (what == null) {
        list.append(Object.assign(document.createElement('dt'), { className: 'group', textContent: keys }));
        list.append(document.createElement('dd'));
        continue;
      }
      const dt = document.createElement('dt');
      dt.append(
        ...keys
          .split(' ')
          .map((k) =>
            ['or', '/'].includes(k) ? ` ${k} ` : Object.assign(document.createElement('kbd'), { textContent: k }),
          ),
      );
      list.append(dt, Object.assign(document.createElement('dd'), { textContent: what }));
    }
  }

  shortcuts() {
    const dialog = $('shortcuts');
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  async copyLink() {
    this.link?.commit();
    const link = this.link ? this.link.link() : location.href;
    const field = $('copy-link-text');
    field.value = link;
    $('copy-link-box').hidden = false;
    let copied = false;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      // No clipboard permission (or not a secure context): the link is selected to copy by hand.
    }
    field.focus();
    field.select();
    const missing = this.link?.caveats() ?? [];
    const except = missing.length ? ` Not in it: ${missing.join('; ')}.` : '';
    $('copy-link-status').textContent =
      (copied ? 'Link copied: it opens this exact view.' : 'Copy this link (Ctrl+C): it opens this exact view.') +
      except;
  }

  /** @param {KeyboardEvent} e */
  key(e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = /** @type {HTMLElement} */ (e.target);
    if (target.closest?.('input, textarea, select, [contenteditable="true"]')) return;
    if (document.querySelector('dialog[open]') && e.key !== '?') return;
    const tab = document.querySelector('[role="tab"][aria-selected="true"]')?.id.replace('tab-', '');
    const onButton = target.closest?.('button, a, [role="tab"]');
    const stepper = this.stepper;
    /** @type {Record<string, () => void>} */
    const page = {
      '?': () => this.shortcuts(),
      1: () => (location.hash = '#blowup'),
      2: () => (location.hash = '#stepper'),
      3: () => (location.hash = '#trainer'),
      4: () => (location.hash = '#inside'),
      p: () => this.toggle(),
      l: () => this.copyLink(),
    };
    const act = page[e.key];
    /** @type {Record<string, () => void>} */
    const blowupKeys = {
      o: () => $('blowup-preset-overflow').click(),
      z: () => $('blowup-preset-underflow').click(),
      k: () => $('blowup-preset-critical').click(),
      s: () => {
        const seed = $('blowup-seed');
        seed.value = String((Number(seed.value) + 1) % 4294967296);
        seed.dispatchEvent(new Event('input', { bubbles: true }));
      },
    };
    const blowup = tab === 'blowup' && blowupKeys[e.key];
    /** @type {Record<string, () => void>} */
    const stepperKeys = {
      ArrowRight: () => stepper.go(stepper.t + 1),
      ArrowLeft: () => stepper.go(stepper.t - 1),
      ...(this.on ? { PageDown: () => stepper.go(stepper.t + 1), PageUp: () => stepper.go(stepper.t - 1) } : {}),
      ...(onButton ? {} : { ' ': () => stepper.togglePlay() }),
      Home: () => stepper.go(1),
      End: () => stepper.go(stepper.run.steps.length),
      u: () => this.unit(stepper, 1),
      U: () => this.unit(stepper, -1),
      c: () => $('stepper-compare').click(),
    };
    const steps = tab === 'stepper' && stepper?.run && stepperKeys[e.key];
    const inside = tab === 'inside' && e.key === 'm' && (() => $('inside-heatmap').focus());
    const action = act || blowup || steps || inside;
    // Tabs keep their own arrow keys (the tab pattern).
    if (!action || (target.getAttribute?.('role') === 'tab' && e.key.startsWith('Arrow'))) return;
    e.preventDefault();
    action();
  }

  /**
   * The stepper's next (`delta` 1) or previous (−1) unit.
   * @param {StepperView} stepper
   * @param {number} delta
   */
  unit(stepper, delta) {
    const H = stepper.base.weights.hidden;
    stepper.unit = (stepper.unit + delta + H) % H;
    $('stepper-unit').value = String(stepper.unit);
    stepper.updateCharts();
    stepper.render();
  }
}
