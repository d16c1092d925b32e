import type { Locale } from 'date-fns';
import * as locales from 'date-fns/locale';

const table = locales as unknown as Record<string, Locale>;

/**
 * Maps a BCP 47 tag from the config ("en-US", "fr", "pt-BR") to a date-fns locale: the exact region
 * first (`enUS`, `ptBR`), then the bare language (`fr`), then the language's first regional variant
 * (`en` → `enUS`), and American English when date-fns has nothing for the language.
 */
export function dateFnsLocale(tag: string): Locale {
  const [language = 'en', region] = tag.split(/[-_]/);
  const lang = language.toLowerCase();
  const exact = region ? table[`${lang}${region.toUpperCase()}`] : undefined;
  if (exact) return exact;
  if (table[lang]) return table[lang];
  const variant = Object.keys(table).find((key) => key.startsWith(lang) && /^[A-Z]/.test(key.slice(lang.length)));
  return (variant && table[variant]) || locales.enUS;
}
