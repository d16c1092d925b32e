import { describe, expect, it } from 'vitest';
import { buildEditionView, countWords, dateFnsLocale, longDate, readingTime, WORDS_PER_MINUTE } from '../../src/render/index.ts';
import { article, leadArticle, testConfig, testEdition } from './fixtures.ts';

describe('buildEditionView', () => {
  it('formats the long date in the newsletter timezone and locale', () => {
    const view = buildEditionView(testEdition(3), testConfig());
    expect(view.longDate).toBe('Monday, November 30, 2026');
    expect(view.lang).toBe('en-US');
  });

  it('uses the local date, not the UTC one, for a send time after midnight UTC', () => {
    // 20:00 in Los Angeles on Monday is already Tuesday in UTC.
    expect(longDate(new Date('2026-12-01T04:00:00Z'), 'America/Los_Angeles', 'en-US')).toBe('Monday, November 30, 2026');
    expect(longDate(new Date('2026-12-01T04:00:00Z'), 'UTC', 'en-US')).toBe('Tuesday, December 1, 2026');
  });

  it('formats other locales in their own words', () => {
    expect(longDate(new Date('2026-11-30T11:00:00Z'), 'Europe/Paris', 'fr-FR')).toBe('lundi 30 novembre 2026');
    expect(longDate(new Date('2026-11-30T11:00:00Z'), 'Europe/Berlin', 'de-DE')).toMatch(/^Montag, 30\. November 2026$/);
  });

  it('maps locale tags to date-fns locales, falling back to American English for unknown languages', () => {
    expect(dateFnsLocale('en-US').code).toBe('en-US');
    expect(dateFnsLocale('en-GB').code).toBe('en-GB');
    expect(dateFnsLocale('pt-BR').code).toBe('pt-BR');
    expect(dateFnsLocale('fr').code).toBe('fr');
    expect(dateFnsLocale('en').code).toMatch(/^en-/);
    expect(dateFnsLocale('xx-YY').code).toBe('en-US');
  });

  it('builds the view-in-browser and sign-up links from baseUrl, with or without a trailing slash', () => {
    for (const baseUrl of ['https://daybreak.example', 'https://daybreak.example/']) {
      const config = testConfig({ baseUrl });
      const view = buildEditionView(testEdition(3, config), config);
      expect(view.links.viewInBrowserUrl).toBe('https://daybreak.example/archive/morning/2026-11-30');
      expect(view.links.signUpUrl).toBe('https://daybreak.example/');
    }
  });

  it('lists the stories after the lead in "In this edition", numbered from 2 since the lead is 1', () => {
    const view = buildEditionView(testEdition(4), testConfig());
    expect(view.lead.number).toBe(1);
    expect(view.contents.map((c) => [c.number, c.id])).toEqual([[2, 'story-1'], [3, 'story-2'], [4, 'story-3']]);
    expect(view.contentsMore).toBe(0);
    expect(view.items.map((c) => c.id)).toEqual(['story-1', 'story-2', 'story-3']);
  });

  it('keeps "In this edition" to five stories and counts the rest', () => {
    const view = buildEditionView(testEdition(25), testConfig());
    expect(view.contents.map((c) => c.number)).toEqual([2, 3, 4, 5, 6]);
    expect(view.contentsMore).toBe(19);
  });

  it('groups items under the configured sections in that order, unlisted sections next, sectionless items last, numbered in reading order', () => {
    const config = testConfig({
      newsletters: [{ id: 'morning', name: 'The Morning Briefing', sections: ['Science', 'Politics'], schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
    });
    const items = [
      article(1, { id: 'p1', section: 'Politics' }),
      article(2, { id: 'none', section: undefined }),
      article(3, { id: 'c1', section: 'Culture' }),
      article(4, { id: 's1', section: 'Science' }),
      article(5, { id: 'p2', section: 'Politics' }),
    ];
    const view = buildEditionView(testEdition(2, config, { items }), config);
    expect(view.sections.map((g) => [g.heading, g.items.map((i) => `${i.number}:${i.id}`)])).toEqual([
      ['Science', ['2:s1']],
      ['Politics', ['3:p1', '4:p2']],
      ['Culture', ['5:c1']],
      ['More news', ['6:none']],
    ]);
    expect(view.items.map((i) => i.id)).toEqual(['s1', 'p1', 'p2', 'c1', 'none']);
  });

  it('leaves the one group unheaded when no item has a section', () => {
    const items = [article(1, { section: undefined }), article(2, { section: undefined })];
    const view = buildEditionView(testEdition(3, testConfig(), { items }), testConfig());
    expect(view.sections).toHaveLength(1);
    expect(view.sections[0]!.heading).toBeNull();
  });

  it('counts the words a reader reads and turns them into a reading time', () => {
    const lead = article(0, { id: 'l', headline: 'One two three', dek: 'Four five', body: ['Six seven eight — nine'], why: 'Ten' });
    const items = [article(1, { headline: 'Eleven', dek: 'Twelve thirteen', why: undefined })];
    const edition = testEdition(2, testConfig(), { lead, items, intro: 'Fourteen', quote: { text: 'Fifteen sixteen', by: 'Seventeen' }, numbers: [{ figure: '41', text: 'nineteen' }] });
    const view = buildEditionView(edition, testConfig());
    expect(view.readingTime).toEqual({ words: 19, minutes: 1, label: '1-minute read' });
    expect(readingTime(WORDS_PER_MINUTE * 6).label).toBe('6-minute read');
    expect(readingTime(WORDS_PER_MINUTE * 6 + WORDS_PER_MINUTE * 0.6).minutes).toBe(7);
    expect(countWords(['a — b', '', null, '  c  '])).toBe(3);
  });

  it('places the sponsor after story 3, or after the last story of a shorter edition', () => {
    const sponsor = { label: 'Sponsored', headline: 'Try it', text: 'It is good.', url: 'https://ads.example.com/x' };
    expect(buildEditionView(testEdition(10, testConfig(), { sponsor }), testConfig()).sponsor).toMatchObject({ afterNumber: 3, label: 'Sponsored', image: null });
    expect(buildEditionView(testEdition(2, testConfig(), { sponsor }), testConfig()).sponsor?.afterNumber).toBe(2);
    expect(buildEditionView(testEdition(1, testConfig(), { sponsor }), testConfig()).sponsor?.afterNumber).toBe(1);
    expect(buildEditionView(testEdition(10), testConfig()).sponsor).toBeNull();
  });

  it('shows at most three lead paragraphs and says when the body goes on', () => {
    const view = buildEditionView(testEdition(2), testConfig());
    expect(view.lead.paragraphs).toHaveLength(3);
    expect(view.lead.truncated).toBe(true);
    expect(view.lead.byline).toBe('By Maya Okafor');
    expect(view.lead.image).toEqual({ url: 'https://images.example.com/river-bridge.jpg', alt: 'The river bridge at dawn, with traffic crossing', width: 600, height: 338 });
  });

  it('falls back to the dek when the lead has no body, and to no byline without an author', () => {
    const lead = article(0, { id: 'bare' });
    const view = buildEditionView(testEdition(2, testConfig(), { lead }), testConfig());
    expect(view.lead.paragraphs).toEqual([lead.dek]);
    expect(view.lead.truncated).toBe(false);
    expect(view.lead.byline).toBeNull();
    expect(view.lead.author).toBeNull();
    expect(view.lead.image).toBeNull();
  });

  it('stops before a paragraph that would make the excerpt too long, but always shows one', () => {
    const long = 'word '.repeat(300).trim();
    const lead = leadArticle({ body: [long, long, long] });
    const view = buildEditionView(testEdition(2, testConfig(), { lead }), testConfig());
    expect(view.lead.paragraphs).toEqual([long]);
    expect(view.lead.truncated).toBe(true);
  });

  it('carries the subject, the editor intro and a reason naming the newsletter and publisher', () => {
    const view = buildEditionView(testEdition(2, testConfig(), { intro: 'A note from the editor.' }), testConfig());
    expect(view.subject).toBe('The Morning Briefing: Inside the overnight deal that kept the river bridge open');
    expect(view.intro).toBe('A note from the editor.');
    expect(view.reason).toContain('The Morning Briefing');
    expect(view.reason).toContain('The Daybreak Post');
    expect(view.publisher.postalAddress).toBe('120 Harbor Street, Portland, ME 04101, USA');
  });
});
