// @ts-check
// Text from a link, made safe to show and cheap to handle: a link is typed or pasted by anyone,
// so it may hold control characters, keys named like JavaScript's own properties (`__proto__`,
// `constructor`), or 100,000 keys. Pure functions, unit-tested in tests/unit/link.test.mjs.

/** Notes shown for one link at most; the rest are counted in the last line. */
export const MAX_NOTES = 12;

/** Names quoted in one note at most (unknown keys, unknown `hide=` entries). */
export const MAX_NAMED = 5;

/** Characters of a name from a link quoted in a note. */
export const MAX_SHOWN = 60;

/**
 * Typed text (a review, a sequence) longer than this stays out of a link: some hosts answer a
 * long query with 414 and every host writes it to its logs. A few hundred characters is a tweet.
 */
export const LINK_TEXT_MAX = 400;

// C0 and C1 controls, DEL, and the line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * `text` as a note quotes it: control characters written as \u{…} escapes, cut at `max` characters.
 * @param {string} text
 * @param {number} [max]
 */
export function shown(text, max = MAX_SHOWN) {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(CONTROL, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/**
 * A link's keys and values: the first value of each key, in a Map (never an object, whose
 * prototype answers to `__proto__` or `toString`). One pass, however many keys.
 * @param {URLSearchParams} params
 * @returns {Map<string, string>}
 */
export function firstValues(params) {
  const out = new Map();
  for (const [k, v] of params) if (!out.has(k)) out.set(k, v);
  return out;
}

/**
 * One note for the names a link holds that are not `what` of this page, quoting the first few.
 * @param {string[]} names
 * @param {string} what  "a setting of this page", "a control"
 * @returns {string | null}
 */
export function unknownNote(names, what) {
  if (!names.length) return null;
  const quoted = names
    .slice(0, MAX_NAMED)
    .map((k) => `“${shown(k)}”`)
    .join(', ');
  const more = names.length > MAX_NAMED ? ` and ${(names.length - MAX_NAMED).toLocaleString('en')} more` : '';
  return names.length === 1
    ? `${quoted} is not ${what}; ignored.`
    : `${names.length.toLocaleString('en')} names are not ${what}; ignored: ${quoted}${more}.`;
}

/**
 * At most `max` notes: the first `max − 1` and a line counting the rest.
 * @param {string[]} notes
 * @param {number} [max]
 */
export function capNotes(notes, max = MAX_NOTES) {
  if (notes.length <= max) return notes;
  const rest = notes.length - (max - 1);
  return [...notes.slice(0, max - 1), `… and ${rest.toLocaleString('en')} more notes.`];
}
