import { mkdirSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArticleSchema, assembleEdition, isSkipped, type Content } from '../../src/content/index.ts';
import { createDeliverySender } from '../../src/schedule/delivery-sender.ts';
import { startServer, type RunningServer } from '../../src/web/index.ts';
import { launchChromium, skipBrowser } from '../helpers/chromium.ts';
import { harness, testConfig, type Harness } from './setup.ts';

const D = '2026-03-08';

/** The morning's lead and one short item per offered section, published the evening before. */
function content(): Content {
  const make = (id: string, section: string, priority = 0) => ({
    ...ArticleSchema.parse({
      id, kicker: 'News', headline: `Story ${id}`, dek: `Dek ${id}.`, url: `https://news.example.com/${id}`,
      publishedAt: '2026-03-07T12:00:00Z', priority, section,
    }),
    file: `${id}.json`,
  });
  const articles = [make('lead', 'Politics', 10), make('politics', 'Politics'), make('business', 'Business'), make('science', 'Science')];
  return { articles, byId: new Map(articles.map((a) => [a.id, a])), editions: new Map() };
}

describe.skipIf(skipBrowser)('the preference page in a real browser (Chromium)', () => {
  let h: Harness;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const config = testConfig({
      newsletters: [
        { id: 'morning', name: 'The Morning Briefing', schedule: { localTime: '06:00', timezone: 'America/New_York' }, readerChoices: { sections: ['Politics', 'Business', 'Science'] } },
        { id: 'good-news', name: 'The Good News Weekly', schedule: { cron: '0 8 * * 0', timezone: 'America/New_York' } },
      ],
    });
    h = await harness({ config });
    server = await startServer(h.app, { port: 0 });
    config.baseUrl = server.url;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('sends the browser\'s own timezone with a sign-up', async () => {
    const context = await browser.newContext({ timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Email address').fill('tokyo@example.com');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your inbox');
    expect((await h.store.subscribers.findByEmail('tokyo@example.com'))!.timezone).toBe('Asia/Tokyo');
    await context.close();
  });

  it('switches a newsletter off, chooses sections and changes the zone; the next sends honour each', async () => {
    const { id } = await h.store.subscribers.add({ email: 'pat@example.com', name: 'Pat', newsletters: ['morning', 'good-news'], confirmed: true, source: 'test' }, new Date());
    // Someone who changes nothing, to show the zone is what moves Pat's copy.
    await h.store.subscribers.add({ email: 'sam@example.com', name: 'Sam', newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    await page.goto(h.tokens.manageUrl(server.url, id));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Manage your subscriptions');
    await expect(page.getByLabel(/The Good News Weekly/).isChecked()).resolves.toBe(true);

    await page.getByLabel(/The Good News Weekly/).uncheck();
    const sections = page.locator('#sections-morning');
    await sections.getByLabel('Politics').uncheck();
    await sections.getByLabel('Business').uncheck();
    await expect(sections.getByLabel('Science').isChecked()).resolves.toBe(true);
    await page.getByLabel('Your timezone').selectOption('Europe/London');
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').textContent()).toBe('Your choices are saved.');
    // The page shows what is now stored.
    await expect(page.getByLabel(/The Good News Weekly/).isChecked()).resolves.toBe(false);
    await expect(page.locator('#sections-morning').getByLabel('Politics').isChecked()).resolves.toBe(false);
    await expect(page.getByLabel('Your timezone').inputValue()).resolves.toBe('Europe/London');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    mkdirSync('out', { recursive: true });
    await page.screenshot({ path: 'out/manage-390.png', fullPage: true });
    expect(external).toEqual([]);
    await context.close();

    // The next morning edition: Pat's copy goes at 06:00 London (Sam's waits for 06:00 New York), with
    // the lead and Science only.
    const sender = createDeliverySender({
      sends: h.store.sends, config: h.config, transport: h.mailer, secret: 'a-test-secret-of-enough-length',
      unsubscribeUrlFor: (sid, nl) => h.tokens.unsubscribeUrl(h.config.baseUrl, sid, nl),
      manageUrlFor: (sid) => h.tokens.manageUrl(h.config.baseUrl, sid),
    });
    const morning = assembleEdition({ config: h.config, content: content(), newsletterId: 'morning', date: D, closesAt: new Date('2026-03-08T06:00:00Z') });
    if (isSkipped(morning)) throw new Error('expected an edition');
    const before = h.sink.messages.length;
    const at = new Date('2026-03-08T06:00:00Z');
    const report = await sender.send({ newsletterId: 'morning', date: D, edition: morning, signal: new AbortController().signal, retry: false, now: () => at });
    expect(report).toMatchObject({ sent: 1 });
    const sent = h.sink.messages.slice(before);
    expect(sent.map((m) => m.to[0])).toEqual(['pat@example.com']);
    const text = (await simpleParser(sent[0]!.raw)).text!;
    expect(text).toContain('Story lead');
    expect(text).toContain('Story science');
    expect(text).not.toContain('Story politics');
    expect(text).not.toContain('Story business');
    expect((await h.store.sends.waiting({ newsletter: 'morning', date: D }, at)).count).toBe(1);

    // The Good News Weekly is off: its next edition goes to nobody.
    const weekly = assembleEdition({ config: h.config, content: content(), newsletterId: 'good-news', date: D });
    if (isSkipped(weekly)) throw new Error('expected an edition');
    const weeklyReport = await sender.send({ newsletterId: 'good-news', date: D, edition: weekly, signal: new AbortController().signal, retry: false });
    expect(weeklyReport).toMatchObject({ total: 0, sent: 0 });
  }, 60_000);
});
