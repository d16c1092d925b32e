/**
 * The shipped sample data (data/) is what `npm start`, the preview and every demo show first: it must load
 * cleanly and give real, different editions on consecutive days.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleEdition, isSkipped, loadConfig, loadContent, type Edition } from '../../src/content/index.ts';

const root = join(import.meta.dirname, '../..');
const config = loadConfig({ file: join(root, 'daybreak.config.json') });
const content = loadContent(join(root, 'data'), { newsletters: config.newsletters.map((n) => n.id) });

function edition(newsletterId: string, date: string): Edition {
  const result = assembleEdition({ config, content, newsletterId, date });
  if (isSkipped(result)) throw new Error(`${newsletterId} ${date} was skipped: ${result.skipped}`);
  return result;
}

const MORNINGS = ['2026-11-29', '2026-11-30', '2026-12-01'];
const all = (e: Edition) => [e.lead, ...e.items];

describe('the shipped sample data', () => {
  it("gives a postal address that does not repeat the publisher's name, which the site footer puts beside it", async () => {
    expect(config.publisher.postalAddress).not.toContain(config.publisher.name);
    const { signUpPage } = await import('../../src/web/pages.ts');
    const footer = /<footer[^>]*>([\s\S]*?)<\/footer>/.exec(signUpPage(config))![1]!;
    expect(footer.split(config.publisher.name)).toHaveLength(2);
  });

  it('loads with no problems', () => {
    expect(content.articles.length).toBeGreaterThanOrEqual(45);
  });

  for (const date of MORNINGS) {
    it(`gives the morning briefing of ${date} 15+ articles and a full lead story`, () => {
      const e = edition('morning', date);
      expect(all(e).length).toBeGreaterThanOrEqual(15);
      expect(e.lead.body?.length ?? 0).toBeGreaterThanOrEqual(6);
      expect(e.lead.author).toMatchObject({ name: expect.any(String), bio: expect.any(String), url: expect.stringMatching(/^https:\/\//) });
      expect(e.lead.image).toBeDefined();
      expect(new Set(all(e).map((a) => a.kicker)).size).toBeGreaterThanOrEqual(4);
      expect(new Set(all(e).map((a) => a.section)).size).toBeGreaterThanOrEqual(5);
    });

    it(`puts every article of the ${date} files inside that morning's window`, () => {
      const e = edition('morning', date);
      const fromFiles = content.articles.filter((a) => a.file.includes(`/${date}-`)).map((a) => a.id).sort();
      expect(fromFiles.length).toBeGreaterThanOrEqual(15);
      expect(all(e).map((a) => a.id).sort()).toEqual(fromFiles);
    });
  }

  it('gives consecutive mornings really different news', () => {
    const [first, second, third] = MORNINGS.map((d) => edition('morning', d));
    for (const [a, b] of [[first!, second!], [second!, third!]] as const) {
      const idsA = new Set(all(a).map((x) => x.id));
      const headlinesA = new Set(all(a).map((x) => x.headline));
      expect(all(b).filter((x) => idsA.has(x.id))).toEqual([]);
      expect(all(b).filter((x) => headlinesA.has(x.headline))).toEqual([]);
      expect(b.lead.id).not.toBe(a.lead.id);
      expect(b.subject).not.toBe(a.subject);
    }
  });

  it('curates the 2026-11-30 morning: lead, intro and subject from the edition file, same articles as the window', () => {
    const e = edition('morning', '2026-11-30');
    expect(e.curatedBy).toBe('data/editions/morning/2026-11-30.json');
    expect(e.lead.id).toBe('shutdown-deadline-congress-returns');
    expect(e.intro).toMatch(/^Congress is back/);
    expect(e.subject).toBe("Twelve days to a shutdown deadline, and the rest of Monday's news");
    const inWindow = content.articles
      .filter((a) => Date.parse(a.publishedAt) > e.window.from.getTime() && Date.parse(a.publishedAt) <= e.window.to.getTime())
      .map((a) => a.id)
      .sort();
    expect(all(e).map((a) => a.id).sort()).toEqual(inWindow);
  });

  it('leads the uncurated mornings with their priority-10 story and fills the subject pattern', () => {
    const e = edition('morning', '2026-12-01');
    expect(e.lead.priority).toBe(10);
    expect(e.curatedBy).toBeUndefined();
    expect(e.subject).toBe(`The Morning Briefing: ${e.lead.headline}`);
  });

  it('gives the weekly good-news letter of Sunday 2026-11-29 at least 5 articles, all tagged good-news', () => {
    const e = edition('good-news', '2026-11-29');
    expect(all(e).length).toBeGreaterThanOrEqual(5);
    for (const a of all(e)) expect(a.tags).toContain('good-news');
    expect(e.lead.body?.length ?? 0).toBeGreaterThanOrEqual(4);
    expect(e.window.from.toISOString()).toBe('2026-11-22T13:00:00.000Z');
  });

  it('refuses a good-news edition on a Monday, pointing at the next Sunday', () => {
    expect(() => assembleEdition({ config, content, newsletterId: 'good-news', date: '2026-11-30' })).toThrow(/next edition is on 2026-12-06/);
  });
});
