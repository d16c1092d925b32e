import type { Newsletter } from './config-schema.ts';
import type { Content } from './load-content.ts';
import { localDate, nextFiring } from './schedule-times.ts';

/**
 * The dates whose edition may have something to send, unordered: the edition each article falls in (the
 * first firing at or after its publication; windows are (previous, this]) and each curated edition file's
 * date. Callers confirm a candidate by assembling it, so the answer never disagrees with `build`.
 *
 * @example
 * editionDateCandidates(newsletter, content); // Set { '2026-11-30', '2026-12-01' }
 */
export function editionDateCandidates(newsletter: Pick<Newsletter, 'id' | 'schedule'>, content: Pick<Content, 'articles' | 'editions'>): Set<string> {
  const tz = newsletter.schedule.timezone;
  const candidates = new Set<string>();
  for (const article of content.articles) {
    // An article published at a send time belongs to that edition (its window ends there, inclusive).
    const firing = nextFiring(newsletter, new Date(Date.parse(article.publishedAt) - 1));
    if (firing) candidates.add(localDate(firing, tz));
  }
  for (const key of content.editions.keys()) {
    const [id, date] = key.split('/') as [string, string];
    if (id === newsletter.id) candidates.add(date);
  }
  return candidates;
}
