// @ts-check
// A step's action, the `do:` line of a lesson: what the student does, detected from what the lab
// already shows. One or more conditions joined by `and`, each `reading op value`:
//
//   do: open stepper                                   the Cell stepper's tab is shown
//   do: stepper.t >= 7                                 the stepper at step 7 or later
//   do: blowup.first-inf = none and blowup.first-zero = none
//   do: stepper.f < 0.1                                the forget gate (of the unit shown) below 0.1
//   do: trainer.run = finished
//
// Readings are every key a link holds (docs/classroom.md) plus what the lab computes (READINGS).
// Pure: `parseAction` and `holds` take no page; lessons/readings.js reads the page.

/** @typedef {'=' | '!=' | '<' | '<=' | '>' | '>='} Op */
/** @typedef {{ name: string, op: Op, value: string }} Condition */
/** @typedef {{ conditions: Condition[], describe: string }} Action */

/** What the lab computes, beyond the link's keys: name → what it reads. */
export const READINGS = {
  tab: 'the tab shown: blowup, stepper, trainer or inside',
  'blowup.first-inf': 'the step at which the product first holds Inf (none: never)',
  'blowup.first-nan': 'the step at which it first holds NaN (none: never)',
  'blowup.first-zero': 'the step at which it is first all zeros (none: never)',
  'stepper.i': 'the input gate of the unit shown, at the step shown',
  'stepper.f': 'the forget gate, likewise',
  'stepper.g': 'the candidate, likewise',
  'stepper.o': 'the output gate, likewise',
  'stepper.c': 'the cell state, likewise',
  'stepper.h': 'the hidden state, likewise',
  'stepper.steps': 'how many steps the sequence has',
  'trainer.state': 'the trainer: starting, ready, loading, running, paused or crashed',
  'trainer.run': 'none, running (or paused) or finished (a run ended with epochs in its table)',
  'trainer.epochs-done': 'rows in the epochs table',
  'inside.review': 'the kind of review inspected: misclassified, confident, borderline, text or none',
  'inside.verdict': 'the prediction shown for it: positive, negative or none',
};

/** Every key a link can hold (docs/classroom.md#every-key-a-link-can-hold). */
export const LINK_KEYS = [
  ...['n', 'steps', 'scale', 'init', 'seed', 'engine'].map((k) => `blowup.${k}`),
  ...['cell', 'preset', 'sequence', 'input', 'hidden', 'w', 'fb', 'compare', 'post', 'speed', 'unit', 't'].map(
    (k) => `stepper.${k}`,
  ),
  ...['steps', 'hidden', 'scale', 'fb', 'clip', 'clipAt', 'seed'].map((k) => `gradflow.${k}`),
  ...[
    'vocab',
    'maxlen',
    'embed',
    'hidden',
    'batch',
    'lr',
    'epochs',
    'split',
    'seed',
    'device',
    'kernel',
    'workers',
    'predict',
    'data',
  ].map((k) => `trainer.${k}`),
  ...['model', 'example', 'text', 'q', 'padding', 'at'].map((k) => `inside.${k}`),
  'present',
];

export const TABS = ['blowup', 'stepper', 'trainer', 'inside'];
const SHOW = { '=': '=', '!=': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥' };

/**
 * Read a `do:` line.
 * @param {string} text
 * @returns {Action | { error: string }}
 */
export function parseAction(text) {
  /** @type {Condition[]} */
  const conditions = [];
  for (const part of text.trim().split(/\s+and\s+/i)) {
    const open = part.match(/^open\s+(\S+)$/i);
    if (open) {
      const tab = open[1].replace(/^#/, '');
      if (!TABS.includes(tab)) {
        return { error: `“open ${open[1]}”: no such tab; the tabs are ${TABS.join(', ')}` };
      }
      conditions.push({ name: 'tab', op: '=', value: tab });
      continue;
    }
    const m = part.match(/^([A-Za-z][\w.-]*)\s*(<=|>=|!=|=|<|>)\s*(.+)$/);
    if (!m) {
      return { error: `“${part}” is not “reading op value” (e.g. stepper.t >= 7) nor “open tab”` };
    }
    const [, name, op, value] = m;
    if (!(name in READINGS) && !LINK_KEYS.includes(name)) {
      const near = [...Object.keys(READINGS), ...LINK_KEYS].filter((k) => k.split('.')[0] === name.split('.')[0]);
      return {
        error: `no reading “${name}”${near.length ? `; ${name.split('.')[0]} has ${near.join(', ')}` : ''} (see docs/lessons.md)`,
      };
    }
    const v = value.trim();
    if (['<', '<=', '>', '>='].includes(op) && Number.isNaN(Number(v))) {
      return { error: `“${part}”: ${op} compares numbers, and “${v}” is not one` };
    }
    conditions.push({ name, op: /** @type {Op} */ (op), value: v });
  }
  return { conditions, describe: conditions.map(describeCondition).join(' and ') };
}

/** @param {Condition} c */
function describeCondition(c) {
  if (c.name === 'tab') return `open the ${c.value} tab`;
  return `${c.name} ${SHOW[c.op]} ${c.value}`;
}

/**
 * Whether one reading meets a condition. Numbers compare as numbers; otherwise as text (only =
 * and ≠). A reading the page does not have (null) reads as “none”.
 * @param {Condition} c
 * @param {string | number | null} reading
 */
export function meets(c, reading) {
  const got = reading == null || reading === '' ? 'none' : String(reading);
  const a = Number(got);
  const b = Number(c.value);
  const numeric = got !== 'none' && c.value !== 'none' && !Number.isNaN(a) && !Number.isNaN(b);
  switch (c.op) {
    case '=':
      return numeric ? a === b : got === c.value;
    case '!=':
      return numeric ? a !== b : got !== c.value;
    case '<':
      return numeric && a < b;
    case '<=':
      return numeric && a <= b;
    case '>':
      return numeric && a > b;
    case '>=':
      return numeric && a >= b;
  }
  return false;
}

/**
 * Whether the lab now shows what an action asks for.
 * @param {Action} action
 * @param {(name: string) => string | number | null} read
 */
export function holds(action, read) {
  return action.conditions.every((c) => meets(c, read(c.name)));
}
