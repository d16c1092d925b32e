import { assembleEdition, isSkipped } from './assemble-edition.ts';
import type { Config } from './config-schema.ts';
import { findNewsletter } from './find-newsletter.ts';
import type { Content } from './load-content.ts';
import { editionDateCandidates } from './edition-date-candidates.ts';

/**
 * The dates on which a newsletter's edition has at least one article, oldest first: for a person who
 * asked for a quiet day, the dates worth asking for instead. Each candidate (the send date following
 * each article, and every curated edition) is confirmed by assembling it, so the answer never disagrees
 * with `build` itself.
 *
 * @example
 * datesWithArticles(config, content, 'morning'); // ['2026-11-29', '2026-11-30', '2026-12-01']
 */
export function datesWithArticles(config: Config, content: Content, newsletterId: string): string[] {
  const newsletter = findNewsletter(config, newsletterId);
  const candidates = editionDateCandidates(newsletter, content);
  return [...candidates].sort().filter((date) => {
    try {
      return !isSkipped(assembleEdition({ config, content, newsletterId: newsletter.id, date }));
    } catch {
      return false;
    }
  });
}
