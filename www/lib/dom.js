// @ts-check
// The page's elements by id, and its CSS variables. The ids are the page's contract with its markup (index.html) and
// with the browser tests, which find everything by id; an element's kind is known there, not
// here, so this returns it untyped rather than making every caller cast.

/**
 * @param {string} id
 * @returns {any}
 */
export const $ = (id) => document.getElementById(id);

/**
 * The value of a CSS custom property of the page (the scheme's colours), trimmed.
 * @param {string} name
 */
export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
