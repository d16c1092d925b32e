import { assembleEdition, isSkipped, matchesFilter } from './assemble-edition.ts';
import type { Config } from './config-schema.ts';
import { findNewsletter } from './find-newsletter.ts';
import type { Content } from './load-content.ts';
import { articleEditionDate } from './article-edition-date.ts';

/**
 * The newest edition date before `date` whose edition has articles, or null: for a person told that an
 * edition will be skipped, one that would not be. Articles are taken newest first and each edition date
 * confirmed by assembling it (so the answer never disagrees with `build`), stopping at the first that has
 * articles: a data folder of years of articles costs a few assemblies, not one per date.
 *
 * @example
 * latestEditionBefore(config, content, 'morning', '2026-12-08'); // '2026-12-01'
 */
export function latestEditionBefore(config: Config, content: Content, newsletterId: string, date: string): string | null {
  const newsletter = findNewsletter(config, newsletterId);
  const curated = [...content.editions.keys()].map((key) => key.split('/') as [string, string]).filter(([id, d]) => id === newsletter.id && d < date).map(([, d]) => d);
  const newestCurated = curated.sort().at(-1) ?? null;
  const tried = new Set<string>();
  // Only the newsletter's own articles (its include filter), so one whose filter takes none costs no more than a sort.
  const articles = content.articles.filter((a) => matchesFilter(a, newsletter.include)).sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt));
  for (const article of articles) {
    const candidate = articleEditionDate(newsletter, article.publishedAt);
    if (!candidate || candidate >= date || tried.has(candidate)) continue;
    // Articles come newest first, so a curated edition newer than this one is the answer.
    if (newestCurated && newestCurated > candidate) return newestCurated;
    tried.add(candidate);
    try {
      if (!isSkipped(assembleEdition({ config, content, newsletterId: newsletter.id, date: candidate }))) return candidate;
    } catch {
      // A date the newsletter skips: not an answer.
    }
  }
  return newestCurated;
}
