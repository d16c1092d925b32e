import { resolve } from 'node:path';
import { assembleEdition, isSkipped, loadConfig, loadContent, type Config, type Edition } from '../../src/content/index.ts';
import { isDaybreakError } from '../../src/errors.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Every edition the sample data in data/ makes, for every newsletter of daybreak.config.json: each local
 * date from the first article's day to a week after the last, skipping dates a newsletter does not go out
 * on and quiet days.
 */
export function sampleEditions(): { config: Config; editions: Edition[] } {
  const config = loadConfig({ file: resolve(ROOT, 'daybreak.config.json') });
  const content = loadContent(resolve(ROOT, 'data'));
  const times = content.articles.map((a) => Date.parse(a.publishedAt));
  const first = Math.min(...times) - 86_400_000;
  const last = Math.max(...times) + 8 * 86_400_000;
  const editions: Edition[] = [];
  for (const newsletter of config.newsletters) {
    for (let t = first; t <= last; t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      try {
        const edition = assembleEdition({ config, content, newsletterId: newsletter.id, date });
        if (!isSkipped(edition)) editions.push(edition);
      } catch (error) {
        if (!isDaybreakError(error, 'ENOEDITION')) throw error;
      }
    }
  }
  return { config, editions };
}
