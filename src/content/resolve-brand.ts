import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { DaybreakError } from '../errors.ts';
import { brandBackgrounds, NEUTRALS, type BrandConfig } from './brand-schema.ts';
import { liftToContrast } from './color-contrast.ts';
import { imageSize, type ImageSize } from './image-size.ts';

/** A logo as the emails and pages show it: an absolute URL under baseUrl and its display size. */
export interface BrandLogo {
  url: string;
  /** Path on the web app, e.g. "/assets/brand/logo.png". */
  path: string;
  /** The file it is served from. */
  file: string;
  contentType: string;
  width: number;
  height: number;
  alt: string;
}

/** The colours of one scheme: the neutrals plus the brand's accent and link colours. */
export interface SchemeColors {
  ink: string;
  muted: string;
  paper: string;
  page: string;
  tint: string;
  rule: string;
  site: string;
  accent: string;
  link: string;
  /** Text on an accent-coloured button. */
  onAccent: string;
}

/** Everything a design needs from `publisher.brand`, resolved once. */
export interface Brand {
  name: string;
  logo: BrandLogo | null;
  logoDark: BrandLogo | null;
  fontFamily: string;
  headingFontFamily: string;
  light: SchemeColors;
  dark: SchemeColors;
}

const CONTENT_TYPES: Record<ImageSize['type'], string> = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif' };

const sizes = new Map<string, { mtimeMs: number; size: ImageSize | null }>();

/**
 * The size of a logo file, or a DaybreakError naming the config key. Cached per file and modification
 * time: designs render per edition, and the preview re-renders on every change.
 */
export function logoFileSize(file: string, key: string): ImageSize {
  let mtimeMs: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    mtimeMs = stat.mtimeMs;
  } catch {
    throw new DaybreakError('ECONFIG', `publisher.brand.${key}: file not found: ${file}`);
  }
  let cached = sizes.get(file);
  if (!cached || cached.mtimeMs !== mtimeMs) {
    cached = { mtimeMs, size: imageSize(file) };
    sizes.set(file, cached);
  }
  if (!cached.size) throw new DaybreakError('ECONFIG', `publisher.brand.${key}: ${file} is not a PNG, JPEG or GIF image`);
  return cached.size;
}

function logo(file: string | undefined, key: string, name: string, base: string, width: number): BrandLogo | null {
  if (file === undefined) return null;
  // Relative paths that loadConfig has not already made absolute (a config built in code) are the cwd's.
  const absolute = resolve(file);
  const size = logoFileSize(absolute, key);
  const path = `/assets/brand/${key === 'logo' ? 'logo' : 'logo-dark'}${extname(file).toLowerCase().replace('.jpeg', '.jpg')}`;
  return {
    url: `${base}${path}`,
    path,
    file: absolute,
    contentType: CONTENT_TYPES[size.type],
    width,
    height: Math.max(1, Math.round((width * size.height) / size.width)),
    alt: name,
  };
}

/**
 * `publisher.brand` resolved for rendering: logo URLs under `baseUrl` (the web app serves them there, so
 * emails reference them absolutely) with their display size, and both colour schemes complete. A dark
 * accent or link colour not given is the light one lightened until it reads on every dark background.
 *
 * @example
 * const brand = resolveBrand(config);
 * brand.logo?.url; // "https://daybreak.example/assets/brand/logo.png"
 * brand.dark.accent; // "#d9806f"
 */
export function resolveBrand(config: {
  baseUrl: string;
  publisher: { name: string; brand: BrandConfig };
}): Brand {
  const b = config.publisher.brand;
  const base = config.baseUrl.replace(/\/+$/, '');
  const darkBackgrounds = brandBackgrounds('dark').map((bg) => bg.color);
  return {
    name: config.publisher.name,
    logo: logo(b.logo, 'logo', config.publisher.name, base, b.logoWidth),
    logoDark: logo(b.logoDark, 'logoDark', config.publisher.name, base, b.logoWidth),
    fontFamily: b.fontFamily,
    headingFontFamily: b.headingFontFamily ?? b.fontFamily,
    light: { ...NEUTRALS.light, accent: b.accentColor, link: b.linkColor, onAccent: '#ffffff' },
    dark: {
      ...NEUTRALS.dark,
      accent: b.accentColorDark ?? liftToContrast(b.accentColor, darkBackgrounds),
      link: b.linkColorDark ?? liftToContrast(b.linkColor, darkBackgrounds),
      onAccent: NEUTRALS.dark.site,
    },
  };
}
