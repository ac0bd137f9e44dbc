// @ts-check
// Colour maps for values drawn as cells. Pure functions (unit-tested in tests/unit/).

/**
 * A heatmap cell's colour: blue (−1) through white (0) to red (+1), clamped (the Cell stepper's
 * heatmaps of large sizes, and their exports).
 * @param {number} v
 */
export function heatColor(v) {
  const x = Math.max(-1, Math.min(1, v));
  const [red, green, blue] = x >= 0 ? [255, 255 * (1 - x), 255 * (1 - x)] : [255 * (1 + x), 255 * (1 + x), 255];
  return `rgb(${red | 0},${green | 0},${blue | 0})`;
}

/** @typedef {[number, number, number]} Rgb  red, green, blue in 0–255 (not rounded) */

/**
 * Diverging colour for v in [−1, 1]: orange (negative) – white – blue (positive), clamped.
 * @param {number} v
 * @returns {Rgb}
 */
export function diverging(v) {
  const t = Math.max(-1, Math.min(1, v));
  const [r, g, b] = t >= 0 ? [31, 95, 191] : [214, 110, 20];
  const a = Math.abs(t);
  return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
}

/**
 * Sequential colour for v in [0, 1]: white – dark blue, clamped.
 * @param {number} v
 * @returns {Rgb}
 */
export function sequential(v) {
  const t = Math.max(0, Math.min(1, v));
  return [255 - 235 * t, 255 - 190 * t, 255 - 110 * t];
}

/**
 * White or black, whichever contrasts more with the background `rgb` (WCAG's relative
 * luminance; the better of the two is always at least 4.5:1, WCAG 1.4.3).
 * @param {Rgb} rgb
 */
export function inkOn(rgb) {
  /** @param {number} c */
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgb.map(lin);
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#fff' : '#000';
}
