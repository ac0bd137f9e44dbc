// @ts-check
// Tabs that are also anchors: #blowup, #stepper, #trainer, #inside. Arrow keys, Home and End
// move between tabs (the WAI-ARIA tabs pattern); the URL hash keeps the choice on reload.

/**
 * @param {(panelId: string) => void} [onChange]  told the id of the panel shown
 */
export function setupTabs(onChange = () => {}) {
  const tabs = /** @type {HTMLElement[]} */ ([...document.querySelectorAll('[role="tab"]')]);
  const panels = tabs.map((t) => document.getElementById(t.getAttribute('aria-controls')));

  /**
   * @param {number} index
   * @param {boolean} focus
   */
  function select(index, focus) {
    tabs.forEach((tab, i) => {
      const on = i === index;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
    });
    if (focus) tabs[index].focus();
    onChange(panels[index].id);
  }

  function fromHash() {
    const i = panels.findIndex((p) => `#${p.id}` === location.hash);
    select(Math.max(i, 0), false);
  }

  tabs.forEach((tab, i) => {
    tab.addEventListener('keydown', (e) => {
      const last = tabs.length - 1;
      const next = { ArrowRight: i === last ? 0 : i + 1, ArrowLeft: i === 0 ? last : i - 1, Home: 0, End: last }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      history.replaceState(null, '', tabs[next].getAttribute('href'));
      select(next, true);
    });
  });
  window.addEventListener('hashchange', fromHash);
  fromHash();
}

/**
 * Run `action` now if `section` is shown, else once it is first shown.
 * @param {HTMLElement} section
 * @param {() => void} action
 */
export function whenShown(section, action) {
  if (!section.hidden) {
    action();
    return;
  }
  const watch = new MutationObserver(() => {
    if (section.hidden) return;
    watch.disconnect();
    action();
  });
  watch.observe(section, { attributes: true, attributeFilter: ['hidden'] });
}
