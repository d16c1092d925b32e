import { z } from 'zod';
import { HEX_COLOR, WCAG_AA, contrastRatio, normalizeHex } from './color-contrast.ts';

/**
 * The neutral colours every Daybreak surface paints (email designs, transactional emails, site pages), in
 * light and dark. The brand adds its accent and link colours on top; each of those is checked against every
 * background of its scheme here, so no design can put a brand colour where it cannot be read.
 */
export const NEUTRALS = {
  light: {
    ink: '#1b1b1b',
    muted: '#5c5850',
    paper: '#ffffff',
    page: '#eeebe4',
    tint: '#f6f3ec',
    rule: '#ddd8cc',
    /** The site pages' background (a lighter page colour for long reading on screens). */
    site: '#faf7f2',
  },
  dark: {
    ink: '#ece8e1',
    muted: '#b5afa5',
    paper: '#1e1e1e',
    page: '#121212',
    tint: '#2a2926',
    rule: '#3d3b37',
    site: '#161513',
  },
} as const;

export type Scheme = keyof typeof NEUTRALS;

/** Where each background is used, for the message when a colour fails on it. */
const BACKGROUND_NAMES: Record<string, string> = {
  paper: 'the card',
  page: 'the page and footer',
  tint: 'the boxes (sign-up, quote, sponsor)',
  site: 'the site pages',
};

/** The backgrounds brand text sits on in one scheme, with names for messages. */
export function brandBackgrounds(scheme: Scheme): Array<{ name: string; color: string }> {
  const n = NEUTRALS[scheme];
  return (['paper', 'page', 'tint', 'site'] as const).map((key) => ({ name: BACKGROUND_NAMES[key]!, color: n[key] }));
}

/** The defaults: Daybreak's own rust-red and ink blue, the same everywhere. */
export const DEFAULT_BRAND_COLORS = { accentColor: '#a8321e', linkColor: '#0b4f8a' } as const;

const hexColor = z
  .string()
  .regex(HEX_COLOR, { error: 'Expected a hex colour like "#9c2b1c"' })
  .transform(normalizeHex);

// Font stacks go into inline styles and a <style> block: letters, digits, spaces, commas, hyphens and
// single quotes are all a font-family list needs, and nothing else can end the declaration.
const fontStack = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9 ,'-]+$/, { error: "Expected a CSS font list like \"Georgia, 'Times New Roman', serif\" (letters, digits, spaces, commas, hyphens, single quotes)" });

// PNG, JPEG and GIF are what every email client shows; SVG and WebP are not shown by Gmail or Outlook.
const logoFile = z
  .string()
  .min(1)
  .regex(/\.(png|jpe?g|gif)$/i, { error: 'Expected a .png, .jpg or .gif file (email clients do not show SVG or WebP)' });

/**
 * `publisher.brand`: logo, colours and fonts, applied to every design, the transactional emails and the
 * site pages. Colours are checked for WCAG AA (4.5:1) against every background of their scheme; a dark
 * variant left out is derived from the light one (lightened until it passes).
 */
export const BrandSchema = z
  .strictObject({
    /** A PNG, JPEG or GIF, relative to the config file's folder (e.g. "data/brand/logo.png"). */
    logo: logoFile.optional(),
    /** The logo for dark mode (light lettering); without it the light logo sits on a light panel. */
    logoDark: logoFile.optional(),
    /** Shown width in CSS pixels; the height follows the file's proportions. */
    logoWidth: z.number().int().min(40).max(552).default(180),
    accentColor: hexColor.default(DEFAULT_BRAND_COLORS.accentColor),
    accentColorDark: hexColor.optional(),
    linkColor: hexColor.default(DEFAULT_BRAND_COLORS.linkColor),
    linkColorDark: hexColor.optional(),
    fontFamily: fontStack.default('Georgia, Times, serif'),
    headingFontFamily: fontStack.optional(),
  })
  .check((ctx) => {
    if (ctx.value.logoDark !== undefined && ctx.value.logo === undefined) {
      ctx.issues.push({ code: 'custom', message: 'logoDark needs a logo for light mode too', input: ctx.value.logoDark, path: ['logoDark'] });
    }
    const checks: Array<[keyof typeof ctx.value, Scheme]> = [
      ['accentColor', 'light'],
      ['linkColor', 'light'],
      ['accentColorDark', 'dark'],
      ['linkColorDark', 'dark'],
    ];
    for (const [key, scheme] of checks) {
      const color = ctx.value[key];
      if (typeof color !== 'string') continue;
      const problem = contrastProblem(color, scheme);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: color, path: [key] });
    }
  });

/** Why `color` cannot be text on this scheme's backgrounds, or null when it passes AA on all of them. */
export function contrastProblem(color: string, scheme: Scheme): string | null {
  for (const bg of brandBackgrounds(scheme)) {
    const ratio = contrastRatio(color, bg.color);
    if (ratio < WCAG_AA) {
      const fix = scheme === 'light' ? 'choose a darker shade' : 'choose a lighter shade';
      return (
        `"${color}" has a contrast of ${ratio.toFixed(2)}:1 on ${bg.name} (${bg.color}) in ${scheme} mode; ` +
        `WCAG AA needs ${WCAG_AA}:1 for text (${fix})`
      );
    }
  }
  return null;
}

export type BrandConfig = z.infer<typeof BrandSchema>;
