// Accessibility (WCAG 2.2 AA) and small screens, as a teacher's class meets the page: axe-core
// finds nothing on any tab, in the light or the dark scheme, before or after something was
// computed; Tab reaches every control and each shows a focus ring that stands out; the gate
// colours stay apart for colour-blind eyes; the stepper tells screen readers each step; nothing
// moves under prefers-reduced-motion; a phone and a tablet get every tab without scrolling the
// page sideways (screenshots in test-artifacts/a11y-*.png).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { browserTest, setValue } from './harness.mjs';

const require = createRequire(import.meta.url);
// Evaluated in the page as DevTools would, not added as a <script>: the page's
// Content-Security-Policy (scripts from 'self' and one hash) stays in force during the checks.
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const TABS = ['blowup', 'stepper', 'trainer', 'inside'];
const SCHEMES = ['light', 'dark'];

/** Run axe-core on the whole document (hidden tabs are skipped by axe); fail on any violation. */
async function axe(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
  assert.deepEqual(violations, [], `axe, ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

async function openTab(page, tab) {
  await page.click(`#tab-${tab}`);
  await page.waitForFunction((id) => !document.getElementById(id).hidden, tab);
}

/** Something computed on each tab that has more to show after it: a step, a model, data. */
async function compute(page, tab) {
  if (tab === 'stepper') {
    const t = Number(await page.locator('#stepper-t-value').innerText());
    await page.click('#stepper-step');
    await page.waitForFunction(
      (before) => document.getElementById('stepper-t-value').textContent === String(before + 1),
      t,
    );
  } else if (tab === 'inside') {
    await page.click('#inside-pretrained');
    await page.waitForFunction(() => document.body.dataset.insideReady, null, { timeout: 60_000 });
  } else if (tab === 'trainer') {
    // The trainer's module loads when its tab opens; the sample needs it.
    await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
      timeout: 240_000,
    });
    await page.click('#trainer-sample');
    await page.waitForFunction(
      () => document.getElementById('trainer-counts').textContent.startsWith('imdb-sample'),
      null,
      { timeout: 60_000 },
    );
    // The per-epoch table as training fills it (drawn by the page's own code; training itself
    // would take minutes here).
    await page.evaluate(() => {
      const report = {
        epoch: 1,
        is_best: true,
        // biome-ignore lint/suspicious/noApproximativeNumericConstant: a loss as the table shows it (4 decimals), not ln 2
        train_loss: 0.6931,
        train_accuracy: 0.5012,
        valid_loss: 0.6925,
        valid_accuracy: 0.5121,
      };
      globalThis.lstmLab.trainer.addEpochRow(report, 83_000);
    });
  }
}

browserTest('axe-core finds no violation on any tab, light or dark, before and after computing', async (app) => {
  const page = app.page;
  for (const tab of TABS) {
    await openTab(page, tab);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await axe(page, `${tab}, ${scheme}`);
    }
    if (tab === 'blowup') continue; // its results are computed at load
    await compute(page, tab);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await axe(page, `${tab} after computing, ${scheme}`);
    }
  }
});

// ------------------------------------------------------------------------------------ focus

/** In the page: where focus is, whether its ring is drawn, and its contrast with what is behind it. */
function focusInfo() {
  const el = document.activeElement;
  if (!el || el === document.body || !el.closest('main, header')) return null;
  const rgba = (c) => {
    const m = c.match(/^rgba?\(([^)]+)\)$/);
    if (m) {
      const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).map(Number);
      return [r / 255, g / 255, b / 255, a];
    }
    const s = c.match(/^color\(srgb ([^)]+)\)$/);
    if (s) {
      const [r, g, b, a = 1] = s[1]
        .split(/[\s/]+/)
        .filter(Boolean)
        .map(Number);
      return [r, g, b, a];
    }
    return null;
  };
  const luminance = ([r, g, b]) => {
    const lin = (v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  // A hidden file input shows its focus on its label.
  const shown = el.type === 'file' && el.labels?.length ? el.labels[0] : el;
  const style = getComputedStyle(shown);
  let behind = null;
  for (let n = shown.parentElement; n && !behind; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c && c[3] > 0.5) behind = c;
  }
  behind ??= rgba(getComputedStyle(document.body).backgroundColor);
  const ring = rgba(style.outlineColor);
  const [hi, lo] = [luminance(ring), luminance(behind)].sort((a, b) => b - a);
  const box = shown.getBoundingClientRect();
  globalThis.reachedByTab ??= [];
  globalThis.reachedByTab.push(el);
  return {
    inMain: Boolean(el.closest('main')),
    what: el.id
      ? `#${el.id}`
      : `${el.tagName.toLowerCase()}.${el.className} “${(el.textContent || el.value || '').slice(0, 20)}”`,
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    contrast: (hi + 0.05) / (lo + 0.05),
    visible: box.width > 0 && box.height > 0,
  };
}

/** In the page: the controls of the open tab that Tab should reach but did not. */
function missedByTab() {
  const panel = document.querySelector('main > section:not([hidden])');
  const reached = new Set(globalThis.reachedByTab ?? []);
  const controls = [...panel.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')].filter(
    (el) =>
      !el.disabled &&
      el.tabIndex >= 0 &&
      el.checkVisibility() &&
      // One stop per radio group: the checked radio.
      !(el.type === 'radio' && !el.checked),
  );
  globalThis.reachedByTab = [];
  return controls.filter((el) => !reached.has(el)).map((el) => el.id || el.outerHTML.slice(0, 80));
}

/** Tab from the selected tab to the end of its panel, checking the ring on every stop. */
async function tabThrough(page, where) {
  await page.focus('[role="tab"][aria-selected="true"]');
  let stops = 0;
  let entered = false; // the header's classroom buttons come first, then the panel
  for (;;) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(focusInfo);
    if (!f || (entered && !f.inMain)) break;
    entered ||= f.inMain;
    stops += 1;
    assert.ok(stops < 400, `${where}: Tab never leaves the panel`);
    assert.ok(f.visible, `${where}: ${f.what} has focus but is not visible`);
    assert.ok(
      f.style !== 'none' && f.width >= 2,
      `${where}: ${f.what} shows no focus ring (outline ${f.style} ${f.width}px)`,
    );
    assert.ok(
      f.contrast >= 3,
      `${where}: the focus ring of ${f.what} has contrast ${f.contrast.toFixed(2)} with what is behind it (3:1 needed)`,
    );
  }
  assert.deepEqual(await page.evaluate(missedByTab), [], `${where}: controls Tab does not reach`);
  return stops;
}

browserTest(
  'presenter mode too: axe finds nothing on any tab, light or dark, with the classroom dialogs and notes open',
  async (app) => {
    const page = app.page;
    // The link's bad value leaves a note; presenter mode and a hidden control come from it.
    await page.locator('#link-notes').waitFor();
    assert.equal(await page.evaluate(() => document.body.classList.contains('presenter')), true);
    await page.click('#copy-link');
    await page.locator('#copy-link-box').waitFor();
    for (const tab of TABS) {
      await openTab(page, tab);
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        await axe(page, `presenter mode, ${tab}, ${scheme}`);
      }
    }
    await openTab(page, 'inside');
    await compute(page, 'inside');
    await openTab(page, 'stepper');
    await compute(page, 'stepper');
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.click('#shortcuts-open');
      await axe(page, `the shortcuts dialog, ${scheme}`);
      await page.keyboard.press('Escape');
      await page.click('#presenter-controls');
      await axe(page, `the controls-students-see dialog, ${scheme}`);
      await page.click('#presenter-panel-done');
    }
  },
  { hash: '?present=1&hide=blowup.seed&blowup.n=999#stepper' },
);

browserTest(
  'Tab reaches every control, each with a focus ring of 3:1 in both schemes; no motion when reduced',
  async (app) => {
    const page = app.page;
    for (const tab of TABS) {
      await openTab(page, tab);
      if (tab === 'inside') await compute(page, tab); // the heatmap, its words and the model's buttons
      // Controls are enabled as the trainer's module becomes ready: walk them once it is.
      if (tab === 'trainer')
        await page.waitForFunction(() => document.getElementById('trainer').dataset.state === 'ready', null, {
          timeout: 240_000,
        });
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        const stops = await tabThrough(page, `${tab}, ${scheme}`);
        console.log(`${tab}, ${scheme}: ${stops} focus stops, each with a ring`);
      }
    }

    // The stepper from the keyboard: focus the diagram, step with → and say it to screen readers.
    await openTab(page, 'stepper');
    await page.selectOption('#stepper-preset', 'france');
    await page.focus('#stepper-diagram');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await app.text('#stepper-t-value'), '3');
    const live = page.locator('#stepper-announce');
    assert.equal(await live.getAttribute('aria-live'), 'polite');
    const said = await live.textContent();
    const word = (await page.locator('#stepper-tokens .token').nth(2).innerText()).trim();
    const m = said.match(/^Step 3, word '(.+)': i (\S+), f (\S+), g (\S+), o (\S+), c (\S+), h (\S+) \(unit 1\)$/);
    assert.ok(m, `announced: ${said}`);
    assert.equal(m[1], word);
    for (const [k, name] of ['i', 'f', 'g', 'o', 'c', 'h'].entries()) {
      const spoken = Number(m[k + 2].replace('−', '-'));
      const table = Number(await app.text(`#stepper-value-${name}-0`)); // three decimals
      assert.ok(Math.abs(spoken - table) <= 0.0051, `${name}: said ${m[k + 2]}, the table shows ${table}`);
    }

    // Space presses the focused button (it does not start playing), Enter too.
    await page.focus('#stepper-step');
    await page.keyboard.press(' ');
    assert.equal(await app.text('#stepper-t-value'), '4');
    await page.keyboard.press('Enter');
    assert.equal(await app.text('#stepper-t-value'), '5');
    assert.equal(await app.text('#stepper-play'), '▶ Play');
    // A chart's legend entry toggles its series from the keyboard, as a click does.
    const entry = page.locator('#stepper-chart-gates .u-legend [role="button"]').first();
    assert.equal(await entry.getAttribute('aria-pressed'), 'true');
    await entry.focus();
    await page.keyboard.press('Enter');
    assert.equal(await entry.getAttribute('aria-pressed'), 'false');
    await page.keyboard.press(' ');
    assert.equal(await entry.getAttribute('aria-pressed'), 'true');
    assert.equal(await app.text('#stepper-play'), '▶ Play');

    // prefers-reduced-motion: nothing transitions or animates, and scrolling jumps.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const moving = await page.evaluate(() => {
      const found = [];
      for (const el of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
          const s = getComputedStyle(el, pseudo);
          const moves = s.transitionDuration.split(',').some((d) => parseFloat(d) > 0) || s.animationName !== 'none';
          if (moves) found.push(`${el.tagName.toLowerCase()}#${el.id}${pseudo ?? ''}`);
        }
      }
      if (getComputedStyle(document.documentElement).scrollBehavior !== 'auto') found.push('html: smooth scrolling');
      return found;
    });
    assert.deepEqual(moving, [], 'moves under prefers-reduced-motion: reduce');
  },
);

// ------------------------------------------------------------------------------ gate colours

// Colour-vision deficiency simulation (Machado, Oliveira & Fernandes 2009, severity 1, on
// linear RGB), then CIELAB distance: the gates must stay apart for each kind.
const CVD = {
  normal: null,
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};
const linear = (hex) =>
  [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
const luminance = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
const contrast = (a, b) => {
  const [hi, lo] = [luminance(linear(a)), luminance(linear(b))].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
function lab(rgb) {
  const [r, g, b] = rgb.map((v) => Math.min(1, Math.max(0, v)));
  const f = (t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}
const seen = (hex, m) => {
  const v = linear(hex);
  return lab(m ? m.map((row) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2]) : v);
};

browserTest(
  'the gate colours stay apart with deuteranopia, protanopia and tritanopia, and differ in dash too',
  async (app) => {
    const page = app.page;
    await openTab(page, 'stepper');
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      const css = await page.evaluate(() => {
        const s = getComputedStyle(document.documentElement);
        return Object.fromEntries(
          ['--gate-i', '--gate-f', '--gate-g', '--gate-o', '--bg', '--panel'].map((v) => [
            v,
            s.getPropertyValue(v).trim().toLowerCase(),
          ]),
        );
      });
      const gates = ['i', 'f', 'g', 'o'].map((g) => [g, css[`--gate-${g}`]]);
      for (const [g, hex] of gates) {
        for (const bg of ['--bg', '--panel']) {
          assert.ok(
            contrast(hex, css[bg]) >= 3,
            `${scheme}: gate ${g} (${hex}) has contrast ${contrast(hex, css[bg]).toFixed(2)} with ${bg}`,
          );
        }
      }
      for (const [kind, m] of Object.entries(CVD)) {
        for (let a = 0; a < 4; a++) {
          for (let b = a + 1; b < 4; b++) {
            const d = Math.hypot(...seen(gates[a][1], m).map((v, k) => v - seen(gates[b][1], m)[k]));
            assert.ok(
              d >= 15,
              `${scheme}, ${kind}: gates ${gates[a][0]} and ${gates[b][0]} are only ΔE ${d.toFixed(1)} apart`,
            );
          }
        }
      }
    }
    // The gates' chart: each gate its own dash pattern and its own label, not only its colour.
    const series = await page.evaluate(() => {
      const u = document.querySelector('#stepper-chart-gates .uplot');
      const labels = [...u.querySelectorAll('.u-legend .u-series .u-label')].map((l) => l.textContent);
      return {
        labels,
        markers: [...u.querySelectorAll('.u-legend .u-series .u-marker')].map((m) => m.style.borderStyle),
      };
    });
    assert.deepEqual(series.labels, ['i (input)', 'f (forget)', 'g (candidate)', 'o (output)']);
    assert.equal(new Set(series.markers).size, 3, `legend markers: ${series.markers}`); // solid, dashed, dotted, dashed-dotted → three CSS styles
    const dashes = await page.evaluate(() =>
      globalThis.lstmLab.stepper.charts.gates.uplot.series.slice(1).map((s) => s.dash ?? 'solid'),
    );
    assert.equal(new Set(dashes.map(String)).size, 4, `dash patterns: ${JSON.stringify(dashes)}`);
  },
);

// ------------------------------------------------------------------------------ small screens

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 768, height: 1024 },
];

/** In the page: how far the page scrolls sideways, and the open tab's controls that cannot be
 * brought into view (each is scrolled to first, inside its own box if it has one). */
function layoutProblems() {
  const panel = document.querySelector('main > section:not([hidden])');
  const out = [];
  const overflow = document.documentElement.scrollWidth - innerWidth;
  const controls = [
    ...document.querySelectorAll('[role="tab"]'),
    ...panel.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'),
  ];
  for (const el of controls) {
    if (!el.checkVisibility()) continue;
    const shown = el.type === 'file' && el.labels?.length ? el.labels[0] : el;
    shown.scrollIntoView({ block: 'center', inline: 'nearest' });
    const r = shown.getBoundingClientRect();
    if (r.left < -1 || r.right > innerWidth + 1 || r.width === 0)
      out.push(`${el.id || el.outerHTML.slice(0, 60)} at x ${Math.round(r.left)}…${Math.round(r.right)}`);
  }
  scrollTo(0, 0);
  return { overflow, out };
}

browserTest(
  'a phone (390×844) and a tablet (768×1024): no sideways scrolling on any tab, every control in view',
  async (app) => {
    const page = app.page;
    // First compute what each tab can show, so the small screens get it all.
    for (const tab of ['inside', 'stepper', 'trainer']) {
      await openTab(page, tab);
      await compute(page, tab);
    }
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const tab of TABS) {
        await openTab(page, tab);
        for (const scheme of size.name === 'phone' ? SCHEMES : ['light']) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForTimeout(100); // the charts' ResizeObserver
          const { overflow, out } = await page.evaluate(layoutProblems);
          await app.screenshot(`a11y-${size.name}-${tab}-${scheme}`);
          assert.ok(overflow <= 0, `${size.name}, ${tab}: the page scrolls ${overflow}px sideways`);
          assert.deepEqual(out, [], `${size.name}, ${tab}: controls out of view`);
        }
      }
      // The stepper at 16 units: a table of every unit as wide as 17 columns, the weights as a heatmap.
      await openTab(page, 'stepper');
      if ((await page.inputValue('#stepper-hidden-size')) !== '16') await setValue(page, '#stepper-hidden-size', 16);
      await page.waitForSelector('#stepper-value-h-15');
      const { overflow, out } = await page.evaluate(layoutProblems);
      await app.screenshot(`a11y-${size.name}-stepper-16-units`);
      assert.ok(overflow <= 0, `${size.name}, stepper at 16 units: the page scrolls ${overflow}px sideways`);
      assert.deepEqual(out, [], `${size.name}, stepper at 16 units: controls out of view`);
    }
  },
);
