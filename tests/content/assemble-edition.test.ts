import { describe, expect, it } from 'vitest';
import {
  ArticleSchema,
  ConfigSchema,
  assembleEdition,
  fillSubject,
  isSkipped,
  type ArticleRecord,
  type Config,
  type Content,
  type Edition,
  type EditionFile,
} from '../../src/content/index.ts';
import { DaybreakError } from '../../src/errors.ts';
import { articleJson, twoNewsletters } from './fixtures.ts';

/** An article record published at `publishedAt`, as loadContent would give it. */
function art(id: string, publishedAt: string, more: Record<string, unknown> = {}): ArticleRecord {
  return { ...ArticleSchema.parse(articleJson({ id, publishedAt, url: `https://news.example.com/${id}`, headline: `Headline ${id}`, ...more })), file: 'data/articles/test.json' };
}

function contentOf(articles: ArticleRecord[], editions: Record<string, EditionFile> = {}): Content {
  return {
    articles,
    byId: new Map(articles.map((a) => [a.id, a])),
    editions: new Map(Object.entries(editions).map(([key, e]) => [key, { ...e, file: `data/editions/${key}.json` }])),
  };
}

function edition(config: Config, content: Content, newsletterId: string, date: string): Edition {
  const result = assembleEdition({ config, content, newsletterId, date });
  if (isSkipped(result)) throw new Error(`expected an edition for ${newsletterId} ${date}, got skipped: ${result.skipped}`);
  return result;
}

const ids = (e: Edition) => [e.lead.id, ...e.items.map((a) => a.id)];
const hours = (window: { from: Date; to: Date }) => (window.to.getTime() - window.from.getTime()) / 3_600_000;

describe('assembleEdition: the window', () => {
  const config = twoNewsletters();

  it('sends at the first firing on the local date and takes the 24 hours before it', () => {
    const e = edition(config, contentOf([art('a', '2026-11-30T04:12:00-05:00')]), 'morning', '2026-11-30');
    expect(e.sendAt.toISOString()).toBe('2026-11-30T11:00:00.000Z');
    expect(e.window).toEqual({ from: new Date('2026-11-29T11:00:00.000Z'), to: new Date('2026-11-30T11:00:00.000Z') });
    expect(e.date).toBe('2026-11-30');
    expect(e.newsletter.id).toBe('morning');
  });

  it('excludes an article published exactly at the previous firing and includes one exactly at the send time', () => {
    const content = contentOf([
      art('at-previous-firing', '2026-11-29T06:00:00-05:00'),
      art('just-after-previous', '2026-11-29T06:00:00.001-05:00'),
      art('at-send-time', '2026-11-30T06:00:00-05:00'),
      art('just-after-send', '2026-11-30T06:00:00.001-05:00'),
    ]);
    expect(ids(edition(config, content, 'morning', '2026-11-30')).sort()).toEqual(['at-send-time', 'just-after-previous']);
    // The article at the previous firing belongs to the edition that went out then.
    expect(ids(edition(config, content, 'morning', '2026-11-29'))).toEqual(['at-previous-firing']);
    expect(ids(edition(config, content, 'morning', '2026-12-01'))).toEqual(['just-after-send']);
  });

  it('compares instants, not local clock readings, whatever offset an article is written in', () => {
    const content = contentOf([
      art('pacific', '2026-11-29T21:30:00-08:00'), // 00:30 in New York on the 30th
      art('utc', '2026-11-30T10:59:00Z'), // 05:59 in New York
      art('tokyo-too-late', '2026-11-30T20:01:00+09:00'), // 06:01 in New York
    ]);
    expect(ids(edition(config, content, 'morning', '2026-11-30')).sort()).toEqual(['pacific', 'utc']);
  });

  it('makes the window 23 hours on the spring-forward day (2026-03-08 in New York)', () => {
    const content = contentOf([
      art('before-window', '2026-03-07T05:59:00-05:00'),
      art('saturday-morning', '2026-03-07T06:30:00-05:00'),
      art('after-the-change', '2026-03-08T05:30:00-04:00'),
      art('after-send', '2026-03-08T06:00:01-04:00'),
    ]);
    const e = edition(config, content, 'morning', '2026-03-08');
    expect(e.window.from.toISOString()).toBe('2026-03-07T11:00:00.000Z');
    expect(e.sendAt.toISOString()).toBe('2026-03-08T10:00:00.000Z');
    expect(hours(e.window)).toBe(23);
    expect(ids(e).sort()).toEqual(['after-the-change', 'saturday-morning']);
  });

  it('makes the window 25 hours on the fall-back day (2026-11-01 in New York)', () => {
    const content = contentOf([
      art('saturday-0559', '2026-10-31T05:59:00-04:00'),
      art('saturday-0601', '2026-10-31T06:01:00-04:00'),
      art('repeated-hour-first', '2026-11-01T01:30:00-04:00'),
      art('repeated-hour-second', '2026-11-01T01:30:00-05:00'),
      art('sunday-0559', '2026-11-01T05:59:00-05:00'),
      art('sunday-0601', '2026-11-01T06:01:00-05:00'),
    ]);
    const e = edition(config, content, 'morning', '2026-11-01');
    expect(e.window.from.toISOString()).toBe('2026-10-31T10:00:00.000Z');
    expect(e.sendAt.toISOString()).toBe('2026-11-01T11:00:00.000Z');
    expect(hours(e.window)).toBe(25);
    expect(ids(e).sort()).toEqual(['repeated-hour-first', 'repeated-hour-second', 'saturday-0601', 'sunday-0559']);
  });

  it('goes back to 24-hour windows the day after each change', () => {
    const content = contentOf([]);
    for (const date of ['2026-03-09', '2026-11-02']) {
      const result = assembleEdition({ config, content, newsletterId: 'morning', date });
      expect(hours(result.window)).toBe(24);
    }
  });

  it('gives a weekly newsletter the 7 days since its previous Sunday', () => {
    const content = contentOf([
      art('last-sunday-0800', '2026-11-22T08:00:00-05:00', { tags: ['good-news'] }),
      art('last-sunday-0801', '2026-11-22T08:01:00-05:00', { tags: ['good-news'] }),
      art('wednesday', '2026-11-25T12:00:00-05:00', { tags: ['good-news'] }),
      art('sunday-0800', '2026-11-29T08:00:00-05:00', { tags: ['good-news'] }),
    ]);
    const e = edition(config, content, 'weekly', '2026-11-29');
    expect(e.sendAt.toISOString()).toBe('2026-11-29T13:00:00.000Z');
    expect(e.window.from.toISOString()).toBe('2026-11-22T13:00:00.000Z');
    expect(hours(e.window)).toBe(7 * 24);
    expect(ids(e).sort()).toEqual(['last-sunday-0801', 'sunday-0800', 'wednesday']);
  });

  it('uses the first firing of the day when a newsletter fires twice a day', () => {
    const twice = ConfigSchema.parse({ newsletters: [{ id: 'twice', name: 'Twice', schedule: { cron: '0 6,18 * * *', timezone: 'Europe/London' } }] });
    const content = contentOf([art('evening-before', '2026-11-29T19:00:00Z'), art('afternoon-before', '2026-11-29T15:00:00Z')]);
    const e = edition(twice, content, 'twice', '2026-11-30');
    expect(e.sendAt.toISOString()).toBe('2026-11-30T06:00:00.000Z');
    expect(e.window.from.toISOString()).toBe('2026-11-29T18:00:00.000Z');
    expect(ids(e)).toEqual(['evening-before']);
  });
});

describe('assembleEdition: dates it does not go out, empty days, bad input', () => {
  const config = twoNewsletters();

  it('refuses a date the newsletter does not go out on, naming the next date it does', () => {
    expect(() => assembleEdition({ config, content: contentOf([]), newsletterId: 'weekly', date: '2026-11-30' })).toThrow(
      new DaybreakError(
        'ENOEDITION',
        'weekly does not go out on 2026-11-30 (schedule "0 8 * * 0" in America/New_York); the next edition is on 2026-12-06',
      ),
    );
    const weekdays = twoNewsletters({ morning: { schedule: { cron: '0 6 * * 1-5', timezone: 'America/New_York' } } });
    try {
      assembleEdition({ config: weekdays, content: contentOf([]), newsletterId: 'morning', date: '2026-11-28' });
      expect.unreachable('a Saturday is not a send date');
    } catch (error) {
      expect((error as DaybreakError).code).toBe('ENOEDITION');
      expect((error as DaybreakError).message).toMatch(/the next edition is on 2026-11-30$/);
    }
  });

  it('returns a skipped edition with its window when no article falls in it', () => {
    const content = contentOf([art('yesterday', '2026-11-28T12:00:00-05:00')]);
    const result = assembleEdition({ config, content, newsletterId: 'morning', date: '2026-11-30' });
    expect(isSkipped(result)).toBe(true);
    expect(result).toEqual({
      newsletter: config.newsletters[0],
      date: '2026-11-30',
      sendAt: new Date('2026-11-30T11:00:00.000Z'),
      window: { from: new Date('2026-11-29T11:00:00.000Z'), to: new Date('2026-11-30T11:00:00.000Z') },
      skipped: 'no articles',
    });
  });

  it('skips an edition whose only articles are filtered out', () => {
    const content = contentOf([art('no-good-news', '2026-11-25T12:00:00-05:00', { tags: ['politics'] })]);
    expect(assembleEdition({ config: twoNewsletters({ weekly: { include: { tags: ['good-news'] } } }), content, newsletterId: 'weekly', date: '2026-11-29' })).toMatchObject({
      skipped: 'no articles',
    });
  });

  it('uses the first newsletter when none is named, and names the known ones for an unknown id', () => {
    const content = contentOf([art('a', '2026-11-30T04:00:00-05:00')]);
    expect(assembleEdition({ config, content, date: '2026-11-30' }).newsletter.id).toBe('morning');
    expect(() => assembleEdition({ config, content, newsletterId: 'evening', date: '2026-11-30' })).toThrow(
      new DaybreakError('EUSAGE', 'Unknown newsletter "evening" (the config has: morning, weekly)'),
    );
  });

  it('rejects a date that is not a real YYYY-MM-DD date', () => {
    for (const date of ['2026-11-31', '30/11/2026', '2026-1-5', 'today']) {
      expect(() => assembleEdition({ config, content: contentOf([]), newsletterId: 'morning', date })).toThrow(
        new DaybreakError('EUSAGE', `Invalid date "${date}": expected a calendar date written YYYY-MM-DD`),
      );
    }
  });
});

describe('assembleEdition: lead, order, curation, filters, subject', () => {
  const config = twoNewsletters();

  it('leads with the highest priority, then the newest; the rest follow by priority, then newest first', () => {
    const content = contentOf([
      art('old-low', '2026-11-29T08:00:00-05:00', { priority: 0 }),
      art('new-low', '2026-11-30T05:00:00-05:00', { priority: 0 }),
      art('old-high', '2026-11-29T09:00:00-05:00', { priority: 5 }),
      art('new-high', '2026-11-30T01:00:00-05:00', { priority: 5 }),
      art('mid', '2026-11-29T20:00:00-05:00', { priority: 2 }),
      art('negative', '2026-11-30T05:59:00-05:00', { priority: -1 }),
    ]);
    const e = edition(config, content, 'morning', '2026-11-30');
    expect(e.lead.id).toBe('new-high');
    expect(ids(e)).toEqual(['new-high', 'old-high', 'mid', 'new-low', 'old-low', 'negative']);
    expect(e.curatedBy).toBeUndefined();
    expect(e.intro).toBeUndefined();
  });

  it('breaks full ties by id, so the order never depends on file order', () => {
    const a = art('b-story', '2026-11-30T05:00:00-05:00');
    const b = art('a-story', '2026-11-30T05:00:00-05:00');
    expect(ids(edition(config, contentOf([a, b]), 'morning', '2026-11-30'))).toEqual(['a-story', 'b-story']);
    expect(ids(edition(config, contentOf([b, a]), 'morning', '2026-11-30'))).toEqual(['a-story', 'b-story']);
  });

  it('lets a curated edition file decide the lead and the order, with its intro and subject', () => {
    const content = contentOf(
      [
        art('top-priority', '2026-11-30T05:00:00-05:00', { priority: 9 }),
        art('editors-pick', '2026-11-29T07:00:00-05:00', { priority: 0 }),
        art('second', '2026-11-29T08:00:00-05:00'),
        art('third', '2026-11-29T09:00:00-05:00'),
      ],
      {
        'morning/2026-11-30': {
          lead: 'editors-pick',
          articles: ['third', 'top-priority', 'second'],
          intro: 'A note from the editor.',
          subject: '{newsletter} for {date}: {leadHeadline}',
        },
      },
    );
    const e = edition(config, content, 'morning', '2026-11-30');
    expect(ids(e)).toEqual(['editors-pick', 'third', 'top-priority', 'second']);
    expect(e.intro).toBe('A note from the editor.');
    expect(e.subject).toBe('The Morning Briefing for 2026-11-30: Headline editors-pick');
    expect(e.curatedBy).toBe('data/editions/morning/2026-11-30.json');
  });

  it('takes the curated article list as written, leaving out articles it does not name', () => {
    const content = contentOf(
      [art('kept', '2026-11-30T05:00:00-05:00'), art('dropped', '2026-11-30T04:00:00-05:00', { priority: 9 })],
      { 'morning/2026-11-30': { articles: ['kept'] } },
    );
    expect(ids(edition(config, content, 'morning', '2026-11-30'))).toEqual(['kept']);
  });

  it('moves a curated lead to the front and orders the rest automatically when the file names only a lead', () => {
    const content = contentOf(
      [
        art('low', '2026-11-30T05:00:00-05:00', { priority: 0 }),
        art('high', '2026-11-30T04:00:00-05:00', { priority: 9 }),
        art('mid', '2026-11-30T03:00:00-05:00', { priority: 4 }),
      ],
      { 'morning/2026-11-30': { lead: 'low' } },
    );
    expect(ids(edition(config, content, 'morning', '2026-11-30'))).toEqual(['low', 'high', 'mid']);
  });

  it('does not list the curated lead twice when the article list names it too', () => {
    const content = contentOf([art('x', '2026-11-30T05:00:00-05:00'), art('y', '2026-11-30T04:00:00-05:00')], {
      'morning/2026-11-30': { lead: 'y', articles: ['x', 'y'] },
    });
    expect(ids(edition(config, content, 'morning', '2026-11-30'))).toEqual(['y', 'x']);
  });

  it('applies a curated file only to its own newsletter and date', () => {
    const content = contentOf([art('x', '2026-11-30T05:00:00-05:00', { priority: 1 }), art('y', '2026-11-30T04:00:00-05:00')], {
      'morning/2026-12-01': { lead: 'y' },
      'weekly/2026-11-30': { lead: 'y' },
    });
    const e = edition(config, content, 'morning', '2026-11-30');
    expect(e.lead.id).toBe('x');
    expect(e.curatedBy).toBeUndefined();
  });

  it('filters by section, by kicker and by tag, and requires every filter given', () => {
    const pool = [
      art('politics-speed', '2026-11-30T05:00:00-05:00', { section: 'Politics', kicker: 'Speed read', tags: ['congress'] }),
      art('politics-explainer', '2026-11-30T04:00:00-05:00', { section: 'Politics', kicker: 'The explainer', tags: ['good-news'] }),
      art('science-good', '2026-11-30T03:00:00-05:00', { section: 'Science', kicker: 'Speed read', tags: ['space', 'good-news'] }),
      art('no-section-no-tags', '2026-11-30T02:00:00-05:00', { kicker: 'Speed read' }),
    ];
    const content = contentOf(pool);
    const only = (include: Record<string, string[]>) =>
      ids(edition(twoNewsletters({ morning: { include } }), content, 'morning', '2026-11-30')).sort();
    expect(only({ sections: ['Politics'] })).toEqual(['politics-explainer', 'politics-speed']);
    expect(only({ kickers: ['Speed read'] })).toEqual(['no-section-no-tags', 'politics-speed', 'science-good']);
    expect(only({ tags: ['good-news'] })).toEqual(['politics-explainer', 'science-good']);
    expect(only({ tags: ['space', 'congress'] })).toEqual(['politics-speed', 'science-good']);
    expect(only({ sections: ['Politics'], tags: ['good-news'] })).toEqual(['politics-explainer']);
    expect(only({ sections: ['Science', 'Politics'], kickers: ['Speed read'] })).toEqual(['politics-speed', 'science-good']);
    expect(only({})).toEqual(['no-section-no-tags', 'politics-explainer', 'politics-speed', 'science-good']);
  });

  it('fills the subject pattern: newsletter, lead headline, date and publisher', () => {
    const custom = ConfigSchema.parse({
      publisher: { name: 'The Daybreak Post' },
      newsletters: [{ id: 'morning', name: 'The Morning Briefing', subject: '{publisher} · {newsletter} · {date}: {leadHeadline}' }],
    });
    const e = edition(custom, contentOf([art('x', '2026-11-30T05:00:00-05:00', { headline: 'Congress returns' })]), 'morning', '2026-11-30');
    expect(e.subject).toBe('The Daybreak Post · The Morning Briefing · 2026-11-30: Congress returns');
    const byDefault = edition(config, contentOf([art('x', '2026-11-30T05:00:00-05:00', { headline: 'Congress returns' })]), 'morning', '2026-11-30');
    expect(byDefault.subject).toBe('The Morning Briefing: Congress returns');
  });
});

describe('fillSubject', () => {
  it('replaces every known field, however often it appears', () => {
    expect(fillSubject('{a} and {b}, again {a}', { a: 'one', b: 'two' })).toBe('one and two, again one');
  });

  it('leaves an unknown field as written so a typo shows in the preview', () => {
    expect(fillSubject('{newsletter}: {leadHeadlin}', { newsletter: 'Morning' })).toBe('Morning: {leadHeadlin}');
  });

  it('inserts values literally, even ones that look like fields or replacement patterns', () => {
    expect(fillSubject('{leadHeadline}', { leadHeadline: 'Costs $& rise {date}', date: 'x' })).toBe('Costs $& rise {date}');
  });

  it('treats only the given fields as fields, not names inherited by every object', () => {
    expect(fillSubject('{constructor} {toString} {date}', { date: '2026-11-30' })).toBe('{constructor} {toString} 2026-11-30');
  });

  it('keeps the subject on one line when a headline holds line breaks', () => {
    expect(fillSubject('{newsletter}: {leadHeadline}', { newsletter: 'Morning', leadHeadline: 'Line one\r\nBcc: victim@example.com\n' })).toBe(
      'Morning: Line one Bcc: victim@example.com',
    );
  });

  it('leaves text without braces untouched', () => {
    expect(fillSubject('Good morning', {})).toBe('Good morning');
  });
});
