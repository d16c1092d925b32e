import { describe, expect, it } from 'vitest';
import {
  ArticleSchema,
  assembleEdition,
  ConfigSchema,
  datesWithArticles,
  editionDateCandidates,
  findNewsletter,
  isSkipped,
  type ArticleRecord,
  type Config,
  type Content,
  type EditionFile,
} from '../../src/content/index.ts';
import { articleJson } from './fixtures.ts';

function art(id: string, publishedAt: string, more: Record<string, unknown> = {}): ArticleRecord {
  return { ...ArticleSchema.parse(articleJson({ id, publishedAt, url: `https://news.example.com/${id}`, ...more })), file: 'data/articles/test.json' };
}

function contentOf(articles: ArticleRecord[], editions: Record<string, EditionFile> = {}): Content {
  return {
    articles,
    byId: new Map(articles.map((a) => [a.id, a])),
    editions: new Map(Object.entries(editions).map(([key, e]) => [key, { ...e, file: `data/editions/${key}.json` }])),
  };
}

/** The definition the answer must agree with: every candidate date, confirmed by assembling it from all the content. */
function byFullAssembly(config: Config, content: Content, newsletterId: string): string[] {
  const newsletter = findNewsletter(config, newsletterId);
  return [...editionDateCandidates(newsletter, content)].sort().filter((date) => {
    try {
      return !isSkipped(assembleEdition({ config, content, newsletterId, date }));
    } catch {
      return false;
    }
  });
}

const config = ConfigSchema.parse({
  newsletters: [
    // Daily at 06:00 New York, across the end of daylight saving time (2026-11-01) and its start (2027-03-14).
    { id: 'morning', name: 'Morning', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } },
    // Sundays at 08:00 New York, only what is tagged good-news.
    { id: 'weekly', name: 'Weekly', schedule: { cron: '0 8 * * 0', timezone: 'America/New_York' }, include: { tags: ['good-news'] } },
    // Twice a day in Tokyo: an edition is the first firing of its date, so an article after 06:00 and by 18:00 is in none.
    { id: 'tokyo', name: 'Tokyo', schedule: { cron: '0 6,18 * * *', timezone: 'Asia/Tokyo' } },
    // Weekdays at 07:00 London, where curated files decide some editions.
    { id: 'london', name: 'London', schedule: { cron: '0 7 * * 1-5', timezone: 'Europe/London' } },
  ],
});

const articles = [
  art('ny-dawn', '2026-11-30T05:00:00-05:00', { tags: ['good-news'] }),
  art('ny-at-send-time', '2026-11-30T06:00:00-05:00'),
  art('ny-a-millisecond-late', '2026-11-30T06:00:00.001-05:00'),
  art('written-in-tokyo', '2026-12-02T09:30:00+09:00'),
  art('written-in-utc', '2026-12-03T23:59:59Z', { tags: ['good-news'] }),
  art('written-in-los-angeles', '2026-12-05T21:15:00-08:00'),
  art('written-in-kolkata', '2026-12-10T16:29:59.999+05:30', { tags: ['good-news'] }),
  art('dst-ends-night', '2026-11-01T01:30:00-04:00'),
  art('dst-ends-repeated-hour', '2026-11-01T01:30:00-05:00'),
  art('dst-starts-morning', '2027-03-14T05:59:00-04:00', { tags: ['good-news'] }),
  art('tokyo-afternoon', '2026-12-08T14:00:00+09:00'),
  art('london-saturday', '2026-12-12T10:00:00Z'),
  art('london-monday-early', '2026-12-14T06:59:00Z'),
  art('far-past', '2019-05-05T12:00:00+02:00'),
];
const content = contentOf(articles, {
  // A lead only, on a day whose window holds nothing: an edition all the same.
  'london/2026-12-21': { lead: 'far-past' },
  // An empty article list overrides the window's articles: a quiet day.
  'london/2026-12-14': { articles: [] },
  // A Saturday, when the London letter does not go out: not a date to ask for.
  'london/2026-12-19': { lead: 'far-past' },
  // Curated for a newsletter of its own: only morning sees it.
  'morning/2027-01-15': { articles: ['far-past'] },
});

describe('datesWithArticles', () => {
  it('lists the same dates as assembling every candidate edition, for each newsletter and timezone', () => {
    for (const { id } of config.newsletters) {
      expect(datesWithArticles(config, content, id), id).toEqual(byFullAssembly(config, content, id));
    }
  });

  it('puts each article in the edition of its newsletter\'s next send, in the newsletter\'s own timezone', () => {
    expect(datesWithArticles(config, content, 'morning')).toEqual([
      '2019-05-05', '2026-11-01', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-04', '2026-12-06', '2026-12-08', '2026-12-10',
      '2026-12-12', '2026-12-14', '2027-01-15', '2027-03-14',
    ]);
    expect(datesWithArticles(config, content, 'weekly')).toEqual(['2026-12-06', '2026-12-13', '2027-03-14']);
    expect(datesWithArticles(config, content, 'london')).toEqual(['2019-05-06', '2026-11-02', '2026-12-01', '2026-12-02', '2026-12-04', '2026-12-07', '2026-12-08', '2026-12-11', '2026-12-21', '2027-03-15']);
  });

  it('leaves out a twice-a-day newsletter\'s afternoon articles, which no edition holds', () => {
    const tokyo = datesWithArticles(config, content, 'tokyo');
    expect(tokyo).toEqual(byFullAssembly(config, content, 'tokyo'));
    expect(tokyo).not.toContain('2026-12-08');
  });

  it('lists nothing when there are no articles and no curated editions', () => {
    expect(datesWithArticles(config, contentOf([]), 'morning')).toEqual([]);
  });
});
