import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Locale } from 'date-fns';
import { enUS } from 'date-fns/locale/en-US';

// Locales are loaded on demand, one file each: the `date-fns/locale` barrel loads all ~100 of them
// (about 40 MB of resident memory) for the one or two a config uses.
const require = createRequire(import.meta.url);
const cache = new Map<string, Locale>([['en-US', enUS]]);
let available: Set<string> | undefined;

function availableLocales(): Set<string> {
  available ??= new Set(
    readdirSync(dirname(require.resolve('date-fns/locale/en-US')))
      .filter((name) => name.endsWith('.cjs'))
      .map((name) => name.slice(0, -'.cjs'.length)),
  );
  return available;
}

function load(name: string): Locale {
  let locale = cache.get(name);
  if (!locale) {
    const exported = require(join('date-fns/locale', name)) as Record<string, Locale>;
    locale = Object.values(exported).find((v) => typeof v === 'object' && v !== null && 'code' in v)!;
    cache.set(name, locale);
  }
  return locale;
}

/**
 * Maps a BCP 47 tag from the config ("en-US", "fr", "pt-BR") to a date-fns locale: the exact region
 * first (`pt-BR`), then the bare language (`fr`, and `de-CH`-like tags without their own file → `de`);
 * English without a known region is American English (`en`, `en-XX` → `en-US`, never the alphabetically
 * first `en-AU`); another language with only regional files takes the first of them (`zh` → `zh-CN`);
 * and American English when date-fns has nothing for the language.
 */
export function dateFnsLocale(tag: string): Locale {
  const [language = 'en', region] = tag.split(/[-_]/);
  const lang = language.toLowerCase();
  const names = availableLocales();
  const exact = region ? `${lang}-${region.toUpperCase()}` : undefined;
  if (exact && names.has(exact)) return load(exact);
  if (names.has(lang)) return load(lang);
  if (lang === 'en') return enUS;
  const variant = [...names].sort().find((name) => name.startsWith(`${lang}-`));
  return variant ? load(variant) : enUS;
}
