/**
 * WCAG 2.x colour contrast (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio), for the brand colours the
 * config may set. AA asks 4.5:1 for body text (success criterion 1.4.3); every brand colour is used for
 * text (links, kickers, labels), so 4.5:1 is the bar throughout.
 */

/** The AA minimum for normal-size text. */
export const WCAG_AA = 4.5;

/** `#rrggbb` or `#rgb`, as the config accepts them. */
export const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function channels(hex: string): [number, number, number] {
  const h = hex.slice(1);
  const full = h.length === 3 ? h.replace(/./g, (c) => c + c) : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

/** Relative luminance, WCAG's definition (sRGB channels linearised, weighted 0.2126/0.7152/0.0722). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * The contrast ratio of two colours, from 1 (same) to 21 (black on white).
 *
 * @example
 * contrastRatio('#9c2b1c', '#ffffff'); // 7.57…
 */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `#rrggbb`, lower case. */
export function normalizeHex(hex: string): string {
  return `#${channels(hex).map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** `color` mixed with white by `amount` (0 = as it is, 1 = white), keeping its hue. */
export function tint(hex: string, amount: number): string {
  const mixed = channels(hex).map((v) => Math.round(v + (255 - v) * amount));
  return `#${mixed.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The lightest-needed tint of `hex` that reaches AA against every one of `backgrounds`: how a brand colour
 * chosen for white paper becomes readable on a dark-mode background without the publisher picking a second.
 */
export function liftToContrast(hex: string, backgrounds: readonly string[], minimum = WCAG_AA): string {
  for (let step = 0; step <= 20; step++) {
    const candidate = tint(hex, step / 20);
    if (backgrounds.every((bg) => contrastRatio(candidate, bg) >= minimum)) return candidate;
  }
  return '#ffffff';
}
