// @ts-check
// The page's elements by id. The ids are the page's contract with its markup (index.html) and
// with the browser tests, which find everything by id; an element's kind is known there, not
// here, so this returns it untyped rather than making every caller cast.

/**
 * @param {string} id
 * @returns {any}
 */
export const $ = (id) => document.getElementById(id);
