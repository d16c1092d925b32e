/**
 * The archive serves each edition as it went out: kept when it is sent, never re-rendered from articles
 * edited since, and safe from article text that looks like the archive's own placeholders.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ArticleSchema, ConfigSchema, type ArticleRecord, type Content } from '../../src/content/index.ts';
import { assembleEdition, isSkipped } from '../../src/content/index.ts';
import { renderEdition } from '../../src/designs/index.ts';
import { archiveCopy, createArchiveApp } from '../../src/web/index.ts';
import { sqliteStore } from '../helpers/test-store.ts';

const config = ConfigSchema.parse({
  baseUrl: 'https://news.example.org',
  newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
});
const DATE = '2026-11-30';

function contentWith(headline: string, dek: string): Content {
  const articles: ArticleRecord[] = [
    { ...ArticleSchema.parse({ id: 'lead', kicker: 'Top story', headline, dek, url: 'https://news.example.org/lead', publishedAt: '2026-11-30T04:00:00-05:00', priority: 5 }), file: 'lead.json' },
    { ...ArticleSchema.parse({ id: 'two', kicker: 'Speed read', headline: 'A second story', dek: 'More.', url: 'https://news.example.org/two', publishedAt: '2026-11-30T03:00:00-05:00' }), file: 'two.json' },
  ];
  return { articles, byId: new Map(articles.map((a) => [a.id, a])), editions: new Map() };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function keepAsSent(content: Content, store: Awaited<ReturnType<typeof sqliteStore>>['store'], sentAt: Date) {
  const edition = assembleEdition({ config, content, newsletterId: 'morning', date: DATE });
  if (isSkipped(edition)) throw new Error('no edition');
  await store.archive.keep(archiveCopy(await renderEdition(edition, config), config.newsletters[0]!, config, DATE, sentAt));
}

describe('the archive as sent', () => {
  it('serves the copy kept when the edition went out, whatever the articles say afterwards, dated by its send', async () => {
    const t = await sqliteStore();
    cleanups.push(t.cleanup);
    let content = contentWith('Harbor bridge reopens', 'Traffic returns.');
    const sentAt = new Date('2026-11-30T11:00:05Z');
    await keepAsSent(content, t.store, sentAt);
    // An editor changes the lead after the send.
    content = contentWith('EDITED LATER', 'Rewritten after the send.');
    const app = createArchiveApp({ config, archive: t.store.archive, loadContent: () => content });
    const page = await (await app.request(`http://localhost/morning/${DATE}`)).text();
    expect(page).toContain('Harbor bridge reopens');
    expect(page).not.toContain('EDITED LATER');
    expect(await t.store.archive.listSent()).toEqual([{ newsletter: 'morning', date: DATE, sentAt: sentAt.toISOString() }]);
    // Kept once: a second keep (another sender, a resume) does not replace the copy that went out.
    await keepAsSent(content, t.store, new Date('2026-11-30T12:00:00Z'));
    expect((await t.store.archive.kept('morning', DATE))!.html).toContain('Harbor bridge reopens');
  });

  it('keeps an article that quotes the old placeholder text intact', async () => {
    const t = await sqliteStore();
    cleanups.push(t.cleanup);
    const content = contentWith('A headline that must stay', 'Readers saw daybreak-archive-reader-email in a bug report.');
    await keepAsSent(content, t.store, new Date());
    const html = (await t.store.archive.kept('morning', DATE))!.html;
    expect(html).toContain('A headline that must stay');
    expect(html).toContain('daybreak-archive-reader-email in a bug report');
    expect(html).toContain('You are reading the web edition of The Morning Briefing.');
  });
});
