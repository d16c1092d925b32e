import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestEditionBefore, loadConfig, loadContent, type Content } from '../../src/content/index.ts';

const root = join(import.meta.dirname, '../..');
const config = loadConfig({ file: join(root, 'daybreak.config.json') });
const content = loadContent(join(root, 'data'), { newsletters: config.newsletters.map((n) => n.id) });

describe('latestEditionBefore', () => {
  it('gives the newest edition with articles strictly before the date, per newsletter', () => {
    expect(latestEditionBefore(config, content, 'morning', '2026-12-08')).toBe('2026-12-01');
    expect(latestEditionBefore(config, content, 'morning', '2026-12-01')).toBe('2026-11-30');
    expect(latestEditionBefore(config, content, 'good-news', '2026-12-13')).toBe('2026-12-06');
  });

  it('gives a curated edition file when it is newer than any article\'s edition', () => {
    const only: Content = { ...content, articles: content.articles.filter((a) => Date.parse(a.publishedAt) < Date.parse('2026-11-29T00:00:00Z')) };
    // The curated 2026-11-30 file names its own articles, so that edition has articles whatever the window holds.
    expect(latestEditionBefore(config, only, 'morning', '2026-12-08')).toBe('2026-11-30');
  });

  it('gives null when no earlier edition has articles: none before the first, none for a newsletter none match', () => {
    expect(latestEditionBefore(config, { ...content, editions: new Map() }, 'morning', '2026-11-01')).toBeNull();
    const none: Content = { ...content, articles: [], editions: new Map() };
    expect(latestEditionBefore(config, none, 'good-news', '2026-12-13')).toBeNull();
  });
});
