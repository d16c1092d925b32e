import { assembleEdition, isSkipped, matchesFilter } from './assemble-edition.ts';
import type { Config } from './config-schema.ts';
import { findNewsletter } from './find-newsletter.ts';
import type { ArticleRecord, Content } from './load-content.ts';
import { articleEditionDate } from './article-edition-date.ts';

/**
 * The dates on which a newsletter's edition has at least one article, oldest first: for a person who
 * asked for a quiet day, the dates worth asking for instead.
 *
 * One pass puts each of the newsletter's articles under the edition it falls in (`articleEditionDate`),
 * then each date (and each curated edition's) is confirmed by assembling it from its own articles only.
 * An article in an edition's window, (previous firing, first firing on the date], always falls in that
 * edition, so the assembly sees every article the full one would: the answer never disagrees with
 * `build`, and a data folder of years of articles costs one pass plus one small assembly per date
 * rather than one full assembly per date.
 *
 * @example
 * datesWithArticles(config, content, 'morning'); // ['2026-11-29', '2026-11-30', '2026-12-01']
 */
export function datesWithArticles(config: Config, content: Content, newsletterId: string): string[] {
  const newsletter = findNewsletter(config, newsletterId);
  const byDate = new Map<string, ArticleRecord[]>();
  for (const article of content.articles) {
    // Filtered first: an article the newsletter never takes costs no schedule arithmetic.
    if (!matchesFilter(article, newsletter.include)) continue;
    const date = articleEditionDate(newsletter, article.publishedAt);
    if (!date) continue;
    const group = byDate.get(date);
    if (group) group.push(article);
    else byDate.set(date, [article]);
  }
  // A curated edition names its own articles (content.byId still holds them all), whatever its window holds.
  for (const key of content.editions.keys()) {
    const [id, date] = key.split('/') as [string, string];
    if (id === newsletter.id && !byDate.has(date)) byDate.set(date, []);
  }
  return [...byDate.keys()].sort().filter((date) => {
    try {
      return !isSkipped(assembleEdition({ config, content: { ...content, articles: byDate.get(date)! }, newsletterId: newsletter.id, date }));
    } catch {
      // A date the newsletter does not go out on (a curated file for a day off): not an answer.
      return false;
    }
  });
}
