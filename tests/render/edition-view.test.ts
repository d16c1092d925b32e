import { describe, expect, it } from 'vitest';
import { buildEditionView, dateFnsLocale, longDate } from '../../src/render/index.ts';
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

  it('puts the lead first in the contents list, then every item in order', () => {
    const view = buildEditionView(testEdition(4), testConfig());
    expect(view.contents.map((c) => c.id)).toEqual(['lead-story', 'story-1', 'story-2', 'story-3']);
    expect(view.items.map((c) => c.id)).toEqual(['story-1', 'story-2', 'story-3']);
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
