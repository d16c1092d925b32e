import type { Newsletter } from './config-schema.ts';
import type { Content } from './load-content.ts';
import { articleEditionDate } from './article-edition-date.ts';

/**
 * The dates whose edition may have something to send, unordered: the edition each article falls in (the
 * first firing at or after its publication; windows are (previous, this]) and each curated edition file's
 * date. Callers confirm a candidate by assembling it, so the answer never disagrees with `build`.
 *
 * @example
 * editionDateCandidates(newsletter, content); // Set { '2026-11-30', '2026-12-01' }
 */
export function editionDateCandidates(newsletter: Pick<Newsletter, 'id' | 'schedule'>, content: Pick<Content, 'articles' | 'editions'>): Set<string> {
  const candidates = new Set<string>();
  for (const article of content.articles) {
    const date = articleEditionDate(newsletter, article.publishedAt);
    if (date) candidates.add(date);
  }
  for (const key of content.editions.keys()) {
    const [id, date] = key.split('/') as [string, string];
    if (id === newsletter.id) candidates.add(date);
  }
  return candidates;
}
