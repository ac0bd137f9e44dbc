// @ts-check
// Compare models: 2–4 models (cell × readout × the LSTM's variants) trained one after another by
// the ordinary run (run.js: the worker's `start`, its progress, its end), each with the same
// data, split, settings and seed, so each sees the same batches in the same order and only the
// model differs. Their curves overlaid (curves.js) and a table: best validation accuracy, epochs,
// parameters, seconds per epoch. The models are in the link as `trainer.compare=lstm/pool,rnn/pool`.
// After each model's epoch the comparison is kept in this browser (comparestore.js, one per tab
// beside the runs of runstore.js): a reload, or a closed tab, draws it again, marked as kept.
// The lesson preset sets the form to "does the LSTM beat a plain RNN?" (four models).

import { $ } from '../lib/dom.js';
import { ago, int } from '../lib/format.js';
import { joinSeries, makeCompareChart } from './curves.js';
import { applySettings, archName } from './settings.js';

/** @typedef {import('./view.js').TrainerView} TrainerView */
/** @typedef {import('./view.js').TrainerState} TrainerState */
/** @typedef {import('./protocol.js').EpochReport} EpochReport */
/** @typedef {import('./protocol.js').RunSettings} RunSettings */
/** @typedef {import('./protocol.js').RunSummary} RunSummary */
/** @typedef {import('./settings.js').ArchInfo} ArchInfo */

/** The comparison a fresh page offers: the post's LSTM against a plain RNN, both pooled. */
export const DEFAULT_ENTRANTS = ['lstm/pool', 'rnn/pool'];
export const MIN_ENTRANTS = 2;
export const MAX_ENTRANTS = 4;

/**
 * The lesson "does the LSTM beat a plain RNN?": the form's settings (on the built-in sample) and
 * the four models, the LSTM and the plain RNN each pooled and read by its last state.
 */
export const LESSON = {
  settings: {
    vocab: '2000',
    maxlen: '128',
    embed: '32',
    hidden: '32',
    batch: '32',
    lr: '0.003',
    epochs: '5',
    seed: '1',
  },
  entrants: ['lstm/pool', 'rnn/pool', 'lstm/last', 'rnn/last'],
};

/**
 * A comparison as IndexedDB keeps it (comparestore.js; checked by `comparisonProblem` in
 * runrecord.js before it is drawn).
 * @typedef {{ version: 1, savedAt: number, settings: RunSettings, data: string | null, over: boolean, entrants: { name: string, status: Entrant['status'], parameters: number | null, epochs: EpochReport[], epochMs: number[], batches: (number | null)[][] }[] }} KeptComparison
 */

/**
 * One compared model and its run: `run` is the run's own record (view.run while it trains).
 * `interrupted`: a kept comparison's model that was training when its page went away.
 * @typedef {{ name: string, info: ArchInfo, status: 'waiting' | 'training' | 'done' | 'stopped' | 'failed' | 'interrupted', run: import('./view.js').Run | null, parameters: number | null }} Entrant
 */

/**
 * A comparison: its models, the one training (`index`), the settings they share, the data's
 * name; `kept`: drawn from this browser's storage (its key, what Discard deletes, and its date);
 * `adopted`: the key of a kept comparison of a closed tab this one replaces on screen (deleted
 * when this one is first kept).
 * @typedef {{ entrants: Entrant[], index: number, settings: RunSettings, data?: string | null, stopping: boolean, over: boolean, kept?: { key: IDBValidKey, savedAt: number } | null, adopted?: IDBValidKey | null }} Comparison
 */

/**
 * `lstm/pool,rnn/last` as model names (empty parts dropped).
 * @param {string} text
 */
export function parseEntrants(text) {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Parameters of a model at these sizes: the embedding, the cell's stacked gates (4 LSTM, 3 GRU,
 * 1 plain RNN) with both biases, the post's relu(Linear(h)) layer when on, the head (2H inputs
 * pooled, H the last state). `vocab`: the embedding's rows.
 * @param {{ vocab: number, embed: number, hidden: number, outputs: number, cell: string, readout: string, switches: string[] }} m
 */
export function parameterCount({ vocab, embed, hidden, outputs, cell, readout, switches }) {
  const gates = { lstm: 4, gru: 3, rnn: 1 }[cell];
  const width = readout === 'last' ? hidden : 2 * hidden;
  const reluOut = switches.includes('relu-out') ? hidden * hidden + hidden : 0;
  return vocab * embed + gates * hidden * (embed + hidden + 2) + reluOut + outputs * (width + 1);
}

/**
 * The Compare panel: its model rows, Start and Stop; the comparison itself runs through the
 * view's messages (messages.js calls `started`, `progress` and `ended`).
 * @param {TrainerView} view
 */
export function setupCompare(view) {
  const { cells, readouts, switches } = view.schema;
  let names = [...DEFAULT_ENTRANTS];
  /** @type {import('../lib/uplot.js').default | null} */
  let lossChart = null;
  /** @type {import('../lib/uplot.js').default | null} */
  let accChart = null;
  let pending = false;

  /**
   * @param {string} id
   * @param {[string, string][]} choices
   * @param {string} value
   * @param {string} label
   */
  const select = (id, choices, value, label) => {
    const s = document.createElement('select');
    s.id = id;
    s.setAttribute('aria-label', label);
    for (const [v, text] of choices)
      s.append(Object.assign(document.createElement('option'), { value: v, textContent: text }));
    s.value = value;
    return s;
  };

  /** The rows from `names`. */
  const draw = () => {
    const busy = Boolean(view.comparison && !view.comparison.over);
    $('trainer-compare-entrants').replaceChildren(
      ...names.map((name, i) => {
        let info;
        try {
          info = view.arch.parse(name);
        } catch {
          info = view.arch.parse(DEFAULT_ENTRANTS[i % 2]);
        }
        const li = document.createElement('li');
        li.id = `trainer-compare-entrant-${i}`;
        const cell = select(`trainer-compare-cell-${i}`, cells, info.cell, `Model ${i + 1}: cell`);
        const readout = select(`trainer-compare-readout-${i}`, readouts, info.readout, `Model ${i + 1}: readout`);
        const boxes = switches.map(([sw, label]) => {
          const box = Object.assign(document.createElement('input'), {
            type: 'checkbox',
            id: `trainer-compare-variant-${i}-${sw}`,
            checked: info.switches.includes(sw),
            disabled: info.cell !== 'lstm' || busy,
          });
          box.dataset.switch = sw;
          const l = Object.assign(document.createElement('label'), { className: 'check', title: label });
          l.append(box, ` ${sw}`);
          return l;
        });
        const variants = document.createElement('span');
        variants.className = 'compare-variants';
        variants.setAttribute('role', 'group');
        variants.setAttribute('aria-label', `Model ${i + 1}: LSTM variants`);
        variants.append(...boxes);
        const remove = Object.assign(document.createElement('button'), {
          type: 'button',
          id: `trainer-compare-remove-${i}`,
          textContent: 'Remove',
          disabled: names.length <= MIN_ENTRANTS || busy,
        });
        remove.setAttribute('aria-label', `Remove model ${i + 1}`);
        remove.addEventListener('click', () => {
          names.splice(i, 1);
          draw();
        });
        cell.disabled = busy;
        readout.disabled = busy;
        const onChange = () => {
          names[i] = archName(
            cell.value,
            readout.value,
            boxes
              .map((l) => /** @type {HTMLInputElement} */ (l.firstChild))
              .filter((b) => b.checked)
              .map((b) => b.dataset.switch),
          );
          draw();
        };
        for (const el of [cell, readout, ...boxes.map((l) => l.firstChild)]) el.addEventListener('change', onChange);
        li.append(`Model ${i + 1}: `, cell, ' ', readout, ' ', variants, ' ', remove);
        return li;
      }),
    );
    $('trainer-compare-add').disabled = names.length >= MAX_ENTRANTS || busy;
  };

  $('trainer-compare-add').addEventListener('click', () => {
    if (names.length >= MAX_ENTRANTS) return;
    names.push(names.includes('gru/pool') ? 'lstm/last' : 'gru/pool');
    draw();
  });
  $('trainer-compare-start').addEventListener('click', () => start());
  $('trainer-compare-stop').addEventListener('click', () => {
    const c = view.comparison;
    if (!c || c.over) return;
    c.stopping = true;
    $('trainer-compare-status').textContent = 'Stopping after this model’s current step…';
    view.send({ type: 'stop' });
  });

  /** Start the comparison with the settings in the form. */
  const start = () => {
    view.clear('trainer-compare-error');
    /** @type {ArchInfo[]} */
    const infos = [];
    try {
      for (const n of names) infos.push(view.arch.parse(n));
    } catch (e) {
      view.fail('trainer-compare-error', `Not started: ${e.message ?? e}.`);
      return;
    }
    const { settings, error } = view.readSettings();
    if (error) {
      view.fail('trainer-compare-error', `Not started: ${error}`);
      return;
    }
    const before = view.comparison;
    view.comparison = {
      entrants: infos.map(
        (info) => /** @type {Entrant} */ ({ name: info.name, info, status: 'waiting', run: null, parameters: null }),
      ),
      index: -1,
      settings,
      data: view.loaded?.name ?? null,
      stopping: false,
      over: false,
      // A closed tab's comparison on screen is replaced: forgotten once this one is kept.
      adopted: before?.kept?.key ?? before?.adopted ?? null,
    };
    $('trainer-compare-kept').hidden = true;
    charts(infos.map((i) => i.name));
    next();
  };

  /**
   * Fresh charts, one series per model.
   * @param {string[]} labels
   */
  const charts = (labels) => {
    lossChart = makeCompareChart('trainer-compare-chart-loss', 'epoch', 'training loss', labels, {
      existing: lossChart,
    });
    accChart = makeCompareChart('trainer-compare-chart-acc', 'epoch', 'validation accuracy', labels, {
      range: [0, 1],
      points: true,
      existing: accChart,
    });
  };

  /** Train the next model, or end the comparison. */
  const next = () => {
    const c = view.comparison;
    c.index += 1;
    if (c.index >= c.entrants.length || c.stopping) {
      finish();
      return;
    }
    const e = c.entrants[c.index];
    e.status = 'training';
    /** @type {RunSettings} */
    const settings = structuredClone(c.settings);
    settings.train.arch = e.info.arch;
    view.settings = settings;
    view.resuming = null;
    view.pendingResume = null;
    $('trainer-compare-status').textContent =
      `Training model ${c.index + 1} of ${c.entrants.length}: ${e.name}${e.info.unfused ? ' (reference ops: slower)' : ''}…`;
    $('trainer-status').textContent = `Comparison: tokenising for ${e.name}…`;
    view.setState(view.state); // the buttons
    draw();
    view.send({ type: 'start', settings });
  };

  const finish = () => {
    const c = view.comparison;
    c.over = true;
    const trained = c.entrants.filter((e) => e.status === 'done' || e.status === 'stopped');
    $('trainer-compare-status').textContent = c.stopping
      ? `Comparison stopped after ${trained.length} of ${c.entrants.length} models.`
      : `Comparison done: ${bestSentence(trained)}.`;
    draw();
    view.setState(view.state);
    view.bump();
    keep();
  };

  /** The comparison as it stands, kept in this browser (in order: each save after the last). */
  let saving = Promise.resolve();
  const keep = () => {
    const c = view.comparison;
    if (!c || c.kept) return;
    /** @type {KeptComparison} */
    const record = {
      version: 1,
      savedAt: Date.now(),
      settings: c.settings,
      data: c.data ?? null,
      over: c.over,
      entrants: c.entrants.map((e) => ({
        name: e.name,
        status: e.status,
        parameters: e.parameters,
        epochs: [...(e.run?.epochs ?? [])],
        epochMs: [...(e.run?.epochMs ?? [])],
        batches: [...(e.run?.batches ?? [])],
      })),
    };
    const adopted = c.adopted ?? null;
    saving = saving
      .then(() => new Promise((resolve) => view.later((p) => resolve(p.saveComparison(record, adopted)))))
      .then(() => {
        if (c.adopted === adopted) c.adopted = null;
      })
      .catch(() => {}); // no storage here: the comparison is still on screen
  };

  /**
   * Draw a comparison kept in this browser (an earlier visit's, or a closed tab's): its curves
   * and table, the line saying so, and Discard. A model that was training when the page went
   * away is marked as not finished.
   * @param {IDBValidKey} key
   * @param {KeptComparison} record  checked by `comparisonProblem`
   * @returns {boolean} whether it was drawn
   */
  const showKept = (key, record) => {
    if (view.comparison) return false; // a comparison started meanwhile: it comes first
    /** @type {Entrant[]} */
    const entrants = [];
    for (const e of record.entrants) {
      let info;
      try {
        info = view.arch.parse(e.name);
      } catch {
        return false; // a model this page does not know: not drawn
      }
      entrants.push({
        name: e.name,
        info,
        status: e.status === 'training' ? 'interrupted' : e.status,
        parameters: e.parameters ?? null,
        run:
          e.status === 'waiting'
            ? null
            : { batches: e.batches, epochs: e.epochs, epochMs: e.epochMs, total: 0, done: 0, first: 0 },
      });
    }
    view.comparison = {
      entrants,
      index: entrants.length,
      settings: record.settings,
      data: record.data ?? null,
      stopping: false,
      over: true,
      kept: { key, savedAt: record.savedAt },
    };
    charts(entrants.map((e) => e.name));
    const finished = entrants.filter((e) => e.status === 'done' || e.status === 'stopped');
    const unfinished = entrants.filter((e) => e.status === 'interrupted');
    const untrained = entrants.filter((e) => e.status === 'waiting');
    const failed = entrants.filter((e) => e.status === 'failed');
    const list = (/** @type {Entrant[]} */ es) => es.map((e) => e.name).join(', ');
    const data = typeof record.data === 'string' ? `${record.data.slice(0, 80)}, ` : '';
    $('trainer-compare-kept-text').textContent =
      `Kept comparison from ${ago(record.savedAt)} (${data}${record.settings.train.epochs} epoch${record.settings.train.epochs === 1 ? '' : 's'} each).`;
    $('trainer-compare-kept').hidden = false;
    const validated = finished.some((e) => bestOf(e.run));
    const bestText = bestSentence(finished);
    if (unfinished.length || untrained.length || failed.length || !record.over) {
      const parts = [`${finished.length} of ${entrants.length} models finished`];
      if (unfinished.length) parts.push(`${list(unfinished)} did not finish (training when the page went away)`);
      if (untrained.length) parts.push(`${list(untrained)} not trained`);
      if (failed.length) parts.push(`${list(failed)} failed`);
      $('trainer-compare-status').textContent =
        `Comparison interrupted: ${parts.join('; ')}. ${validated ? `Of those finished, ${bestText}.` : ''}`.trim();
    } else {
      $('trainer-compare-status').textContent = `Comparison done: ${bestText}.`;
    }
    redraw();
    view.setState(view.state);
    return true;
  };

  /** Forget the kept comparison: gone from the page at once; the stored copy follows. */
  const discardKept = () => {
    const c = view.comparison;
    if (!c?.kept) return;
    const { key } = c.kept;
    view.comparison = null;
    $('trainer-compare-kept').hidden = true;
    $('trainer-compare').dataset.kept = 'none';
    $('trainer-compare-table').hidden = true;
    $('trainer-compare-table').querySelector('tbody').replaceChildren();
    charts(names);
    $('trainer-compare-status').textContent = 'Load data, choose the models, then start.';
    view.later((p) => p.discardComparison(key));
    view.setState(view.state);
    view.bump();
  };
  $('trainer-compare-discard').addEventListener('click', discardKept);

  /** The lesson: its settings, the sample, its four models; ready for Start comparison. */
  $('trainer-compare-lesson').addEventListener('click', () => {
    applySettings(view, LESSON.settings);
    names = [...LESSON.entrants];
    draw();
    const sample = view.loaded?.name === 'imdb-sample.csv.gz' || view.pending?.name === 'imdb-sample.csv.gz';
    if (!sample) view.loadSample();
    $('trainer-compare-status').textContent = sample
      ? 'The lesson is set: press Start comparison.'
      : 'The lesson is set: loading the built-in sample, then press Start comparison.';
    view.bump();
  });

  /** The charts and the table from the comparison's runs (at most once a frame). */
  const redraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const c = view.comparison;
      if (!c || !lossChart) return;
      const runs = c.entrants.map((e) => e.run);
      lossChart.setData(
        joinSeries(runs.map((r) => [r ? r.batches.map((b) => b[0]) : [], r ? r.batches.map((b) => b[1]) : []])),
      );
      accChart.setData(
        joinSeries(
          runs.map((r) => [r ? r.epochs.map((e) => e.epoch) : [], r ? r.epochs.map((e) => e.valid_accuracy) : []]),
        ),
      );
      table();
      view.bump();
    });
  };

  const table = () => {
    const c = view.comparison;
    const t = $('trainer-compare-table');
    t.hidden = false;
    t.querySelector('tbody').replaceChildren(
      ...c.entrants.map((e, i) => {
        const row = document.createElement('tr');
        row.id = `trainer-compare-row-${i}`;
        const best = bestOf(e.run);
        const ms = e.run?.epochMs ?? [];
        const perEpoch = ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length / 1000 : null;
        row.dataset.parameters = e.parameters == null ? '' : String(e.parameters);
        row.dataset.status = e.status;
        const th = Object.assign(document.createElement('th'), { scope: 'row', textContent: e.name });
        const td = (/** @type {string} */ text) => Object.assign(document.createElement('td'), { textContent: text });
        row.append(
          th,
          td(
            best
              ? `${best.valid_accuracy.toFixed(4)} (epoch ${best.epoch})${e.status === 'interrupted' ? ', did not finish' : ''}`
              : e.status === 'waiting'
                ? c.kept
                  ? 'not trained'
                  : 'waiting'
                : e.status === 'interrupted'
                  ? 'did not finish'
                  : '–',
          ),
          td(e.run ? String(e.run.epochs.length) : '–'),
          td(e.parameters == null ? '–' : int.format(e.parameters)),
          td(perEpoch == null ? '–' : perEpoch.toFixed(2)),
        );
        return row;
      }),
    );
  };

  draw();
  return {
    /** The models, as the link holds them. */
    entrants: () => names.join(','),
    /**
     * The models a link asks for (unknown ones dropped, with a note; 2–4 kept).
     * @param {string} text
     * @param {string[]} notes
     */
    setEntrants(text, notes) {
      /** @type {string[]} */
      const ok = [];
      for (const n of parseEntrants(text)) {
        try {
          ok.push(view.arch.parse(n).name);
        } catch (e) {
          notes.push(`Compare: “${n.slice(0, 40)}” is not a model (${e.message ?? e}); left out.`);
        }
      }
      if (ok.length > MAX_ENTRANTS)
        notes.push(`Compare: at most ${MAX_ENTRANTS} models; kept the first ${MAX_ENTRANTS}.`);
      while (ok.length < MIN_ENTRANTS) ok.push(DEFAULT_ENTRANTS.find((d) => !ok.includes(d)) ?? 'lstm/pool');
      names = ok.slice(0, MAX_ENTRANTS);
      draw();
    },
    /** @param {TrainerState} state */
    setState(state) {
      const busy = Boolean(view.comparison && !view.comparison.over);
      $('trainer-compare-start').disabled = busy || !(state === 'ready' && view.hasData && !view.preview?.problem);
      $('trainer-compare-stop').disabled = !busy;
    },
    /** @param {RunSummary} summary */
    started(summary) {
      const c = view.comparison;
      if (!c || c.over) return;
      const e = c.entrants[c.index];
      e.run = view.run;
      e.parameters = summary.parameters;
      redraw();
      keep();
    },
    /** A model's epoch ended (and its run was kept): keep the comparison too. */
    epoch() {
      if (view.comparison && !view.comparison.over) keep();
    },
    /**
     * Draw a comparison kept in this browser.
     * @param {IDBValidKey} key
     * @param {KeptComparison} record
     */
    showKept,
    progress() {
      if (view.comparison && !view.comparison.over) redraw();
    },
    /**
     * The model's run ended: finished, stopped, or failed (`failed`: the message).
     * @param {'done' | 'stopped' | 'failed'} how
     * @param {string} [message]
     */
    ended(how, message) {
      const c = view.comparison;
      if (!c || c.over || c.index < 0) return;
      const e = c.entrants[c.index];
      e.status = how;
      redraw();
      keep();
      if (how === 'failed') {
        view.fail('trainer-compare-error', `${e.name} failed: ${message}`);
        c.stopping = true;
      }
      // After this message's own handling (the run's end on screen), the next model.
      setTimeout(next, 0);
    },
  };
}

/**
 * Which model reached the best validation accuracy (all of them, when tied), in words.
 * @param {Entrant[]} entrants
 */
export function bestSentence(entrants) {
  const scored = entrants.map((e) => ({ name: e.name, best: bestOf(e.run) })).filter((s) => s.best);
  if (!scored.length) return 'no model was validated';
  const top = Math.max(...scored.map((s) => s.best.valid_accuracy));
  const at = scored.filter((s) => s.best.valid_accuracy === top).map((s) => s.name);
  return at.length === 1
    ? `${at[0]} reached the best validation accuracy (${top.toFixed(4)})`
    : `${at.slice(0, -1).join(', ')} and ${at.at(-1)} tied for the best validation accuracy (${top.toFixed(4)})`;
}

/**
 * A run's best epoch (the first with the highest validation accuracy), or null.
 * @param {import('./view.js').Run | null} run
 * @returns {EpochReport | null}
 */
function bestOf(run) {
  return (run?.epochs ?? []).reduce(
    (best, r) => (!best || r.valid_accuracy > best.valid_accuracy ? r : best),
    /** @type {EpochReport | null} */ (null),
  );
}
