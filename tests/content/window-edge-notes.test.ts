import { describe, expect, it } from 'vitest';
import {
  ArticleSchema,
  assembleEdition,
  ConfigSchema,
  windowEdgeNotes,
  type ArticleRecord,
  type Config,
  type Content,
  type EditionFile,
} from '../../src/content/index.ts';
import { articleJson, twoNewsletters } from './fixtures.ts';

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

function notes(config: Config, content: Content, newsletterId: string, date: string): string[] {
  return windowEdgeNotes(assembleEdition({ config, content, newsletterId, date }), content).map((n) => n.message);
}

// The morning letter goes out at 06:00 New York: the Dec 7 edition holds (06:00 Dec 6, 06:00 Dec 7].
const config = twoNewsletters();
const articles = [
  art('in-the-edition', '2026-12-07T05:00:00-05:00'),
  art('just-missed', '2026-12-07T06:30:00-05:00'),
  art('mid-morning', '2026-12-07T09:00:00-05:00'),
  art('day-before-dawn', '2026-12-06T05:30:00-05:00'),
  art('at-the-opening', '2026-12-06T06:00:00-05:00'),
  art('long-before', '2026-12-05T12:00:00-05:00'),
];

describe('which edition an article near the window falls in', () => {
  it("names the articles within an hour of the window's edges, with the edition each is in and when the window closed or opened", () => {
    expect(notes(config, contentOf(articles), 'morning', '2026-12-07')).toEqual([
      'article day-before-dawn (05:30 Dec 6) belongs to the Dec 6 edition; the Dec 7 window opened at 06:00 Dec 6 (America/New_York)',
      'article at-the-opening (06:00 Dec 6) belongs to the Dec 6 edition; the Dec 7 window opened at 06:00 Dec 6 (America/New_York)',
      'article just-missed (06:30 Dec 7) belongs to the Dec 8 edition; the Dec 7 window closed at 06:00 (America/New_York)',
    ]);
  });

  it('says nothing about articles far from the edges or inside the window', () => {
    const quiet = contentOf([art('in-the-edition', '2026-12-07T05:00:00-05:00'), art('long-before', '2026-12-05T12:00:00-05:00'), art('mid-morning', '2026-12-07T09:00:00-05:00')]);
    expect(notes(config, quiet, 'morning', '2026-12-07')).toEqual([]);
  });

  it("on a day with no articles, also names every article dated that day that went to the next edition (09:00 Dec 7 is Dec 8's)", () => {
    const content = contentOf([art('mid-morning', '2026-12-07T09:00:00-05:00'), art('evening', '2026-12-07T19:15:00-05:00')]);
    const edition = assembleEdition({ config, content, newsletterId: 'morning', date: '2026-12-07' });
    expect('skipped' in edition).toBe(true);
    expect(windowEdgeNotes(edition, content)).toEqual([
      {
        id: 'mid-morning',
        publishedAt: '2026-12-07T09:00:00-05:00',
        belongsTo: '2026-12-08',
        message: 'article mid-morning (09:00 Dec 7) belongs to the Dec 8 edition; the Dec 7 window closed at 06:00 (America/New_York)',
      },
      {
        id: 'evening',
        publishedAt: '2026-12-07T19:15:00-05:00',
        belongsTo: '2026-12-08',
        message: 'article evening (19:15 Dec 7) belongs to the Dec 8 edition; the Dec 7 window closed at 06:00 (America/New_York)',
      },
    ]);
  });

  it("leaves out articles the newsletter's filters drop and articles a curated edition chose", () => {
    const filtered = twoNewsletters({ morning: { include: { sections: ['Politics'] } } });
    const content = contentOf([
      art('in-the-edition', '2026-12-07T05:00:00-05:00', { section: 'Politics' }),
      art('sports-late', '2026-12-07T06:10:00-05:00', { section: 'Sports' }),
      art('politics-late', '2026-12-07T06:20:00-05:00', { section: 'Politics' }),
    ]);
    expect(notes(filtered, content, 'morning', '2026-12-07')).toEqual([
      'article politics-late (06:20 Dec 7) belongs to the Dec 8 edition; the Dec 7 window closed at 06:00 (America/New_York)',
    ]);
    const curated = contentOf(articles, { 'morning/2026-12-07': { lead: 'in-the-edition', articles: ['just-missed'] } });
    expect(notes(config, curated, 'morning', '2026-12-07').some((line) => line.includes('just-missed'))).toBe(false);
  });

  it("says an article is in no edition when it falls between a day's first firing and a later one", () => {
    const twice = ConfigSchema.parse({ newsletters: [{ id: 'twice', name: 'Twice', schedule: { cron: '0 6,18 * * *', timezone: 'UTC' } }] });
    const content = contentOf([art('in-the-edition', '2026-12-07T05:00:00Z'), art('mid-morning', '2026-12-07T06:45:00Z')]);
    expect(notes(twice, content, 'twice', '2026-12-07')).toEqual([
      "article mid-morning (06:45 Dec 7) falls between two editions' windows, so no edition has it; the Dec 7 window closed at 06:00 (UTC)",
    ]);
  });

  it('writes the times in the newsletter\'s timezone whatever offset the article was written with', () => {
    const content = contentOf([art('in-the-edition', '2026-12-07T05:00:00-05:00'), art('from-london', '2026-12-07T11:40:00Z')]);
    expect(notes(config, content, 'morning', '2026-12-07')).toEqual([
      'article from-london (06:40 Dec 7) belongs to the Dec 8 edition; the Dec 7 window closed at 06:00 (America/New_York)',
    ]);
  });
});
