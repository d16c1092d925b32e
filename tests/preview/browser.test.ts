import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipBrowser } from '../helpers/chromium.ts';
import { createImageApp, startServer, type RunningServer } from '../../src/web/index.ts';
import { previewHarness, type PreviewHarness } from './setup.ts';

const SHOTS = 'out/preview';
const LEAD_FILE = 'articles/2026-12-01-lead-winter-storm.json';

/** Text of the email document in the frame currently shown (the page swaps two frames on reload). */
function frameText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const frame = document.querySelector<HTMLIFrameElement>('iframe.email.active');
    return frame?.contentDocument?.body?.textContent ?? '';
  });
}

/** The images of the email in the frame shown, once every one has loaded: each one's src and decoded width. */
async function frameImages(page: Page): Promise<{ jsonValue(): Promise<unknown> }> {
  return page.waitForFunction(() => {
    const doc = document.querySelector<HTMLIFrameElement>('iframe.email.active')?.contentDocument;
    const all = [...(doc?.images ?? [])];
    return all.length > 0 && all.every((i) => i.complete) && all.map((i) => ({ src: i.getAttribute('src'), width: i.naturalWidth }));
  });
}

describe.skipIf(skipBrowser)('the preview in a real browser (Chromium)', () => {
  let h: PreviewHarness;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];

  beforeAll(async () => {
    h = previewHarness({ watch: true });
    server = await startServer(h.app, { port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => {
      // The preview's own page may call nothing but its server (the framed email may load its images).
      if (request.frame() === page.mainFrame() && !request.url().startsWith(server.url)) outside.push(request.url());
    });
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('opens on the newest edition of the first newsletter in its own design, with checks, calling nothing outside', async () => {
    await page.goto(`${server.url}/preview/`);
    await page.waitForSelector('body.ready');
    const view = await (await fetch(`${server.url}/preview/api/view`)).json();
    expect(await page.textContent('#subject')).toBe(view.subject);
    await page.waitForFunction((subject) => document.querySelector('iframe.email.active')?.getAttribute('src')?.includes('morning/2026-12-01/briefing.html'), view.subject);
    expect(await frameText(page)).toContain(view.text.match(/IN THE SPOTLIGHT\n(.+)\n/)![1]);
    expect(await page.getAttribute('iframe.email.active', 'sandbox')).not.toContain('allow-scripts');
    expect(await page.textContent('[aria-current="page"]')).toMatch(/Dec 1/);
    expect(await page.textContent('#check-articles')).toBe(String(view.checks.articles));
    // The send time over the zone as configured with its offset then, as the sidebar writes zones; no "EST".
    expect(await page.innerText('#check-send-at')).toMatch(/^Tuesday, December 1, 2026.*6:00\sAM\nAmerica\/New_York, UTC-5$/);
    expect(await page.textContent('#check-size')).toContain('of 102.0 KB');
    expect(await page.textContent('.design.selected')).toContain('briefing');
    // Where each article came from: the sample data is all written by hand.
    const origins = await page.locator('#check-origins li').allTextContents();
    expect(origins).toHaveLength(view.checks.articles);
    expect(origins[0]).toBe(`${view.checks.origins[0].headline}written by hand: ${view.checks.origins[0].file}`);
    // The cadence in words, with the zone as configured and its offset now; the cron is only the tooltip.
    expect(await page.textContent('[data-newsletter="morning"] .schedule')).toMatch(/^Every day at 6:00 a\.m\. America\/New_York, UTC-[45]$/);
    expect(await page.getAttribute('[data-newsletter="morning"] .schedule', 'title')).toBe('0 6 * * * (America/New_York)');
    await page.screenshot({ path: `${SHOTS}/desktop.png` });
    expect(outside).toEqual([]);
  });

  it('keeps the subject readable in a 1,200-pixel window: the controls wrap instead of squeezing it', async () => {
    await page.setViewportSize({ width: 1200, height: 900 });
    try {
      await page.goto(`${server.url}/preview/`);
      await page.waitForSelector('body.ready');
      const box = (await page.locator('#subject').boundingBox())!;
      // Squeezed, the subject was a column about 40 px wide, a few letters to a line (seen as a user).
      expect(box.width).toBeGreaterThanOrEqual(240);
      expect(box.height).toBeLessThan(100);
    } finally {
      await page.setViewportSize({ width: 1440, height: 1000 });
    }
  });

  it('switches to phone width and dark mode (the email\'s dark styles apply) and screenshots both', async () => {
    const lightBackground = await page.evaluate(() => {
      const doc = document.querySelector<HTMLIFrameElement>('iframe.email.active')!.contentDocument!;
      return getComputedStyle(doc.querySelector('.bg') ?? doc.body).backgroundColor;
    });
    await page.click('button[data-width="375"]');
    await page.waitForFunction(() => Math.round(document.querySelector('iframe.email.active')!.getBoundingClientRect().width) === 375);
    expect(await page.evaluate(() => document.querySelector<HTMLIFrameElement>('iframe.email.active')!.contentWindow!.innerWidth)).toBe(375);
    await page.screenshot({ path: `${SHOTS}/phone.png` });

    await page.check('#dark');
    await page.waitForFunction(() => document.querySelector('iframe.email.active')?.getAttribute('src')?.includes('scheme=dark'));
    const darkBackground = await page.evaluate(() => {
      const doc = document.querySelector<HTMLIFrameElement>('iframe.email.active')!.contentDocument!;
      return getComputedStyle(doc.querySelector('.bg') ?? doc.body).backgroundColor;
    });
    expect(darkBackground).not.toBe(lightBackground);
    await page.screenshot({ path: `${SHOTS}/phone-dark.png` });
    expect(new URL(page.url()).searchParams.get('dark')).toBe('1');
    expect(new URL(page.url()).searchParams.get('width')).toBe('375');

    await page.fill('#custom-width', '520');
    await page.press('#custom-width', 'Enter');
    await page.waitForFunction(() => Math.round(document.querySelector('iframe.email.active')!.getBoundingClientRect().width) === 520);
    await page.uncheck('#dark');
    await page.click('button[data-width="800"]');
  });

  it('shows the plain-text part with the lead headline, and the headers', async () => {
    const view = await (await fetch(`${server.url}/preview/api/view`)).json();
    const lead = view.text.match(/IN THE SPOTLIGHT\n(.+)\n/)![1];
    await page.click('#tab-text');
    await page.waitForSelector('#panel-text:not([hidden])');
    expect(await page.textContent('#text-part')).toContain(lead);
    await page.screenshot({ path: `${SHOTS}/plain-text.png` });
    await page.click('#tab-headers');
    const headers = await page.textContent('#headers');
    expect(headers).toContain('List-Unsubscribe');
    expect(headers).toContain('List-Unsubscribe=One-Click');
    expect(headers).toContain('From');
    await page.click('#tab-source');
    await page.waitForFunction(() => document.querySelector('#source')!.textContent!.startsWith('<!DOCTYPE html'));
    await page.click('#tab-html');
  });

  it('switches the reader and the design', async () => {
    await page.selectOption('#reader', 'awkward');
    await page.waitForFunction(() => document.querySelector('iframe.email.active')?.getAttribute('src')?.includes('reader=awkward'));
    expect(await frameText(page)).toContain('Zoë "Z" <O\'Brien> & 🦊');
    await page.selectOption('#reader', 'sample');
    await page.click('button[data-template="compact"]');
    await page.waitForFunction(() => document.querySelector('iframe.email.active')?.getAttribute('src')?.includes('/compact.html'));
    expect(await page.textContent('#check-facts')).toContain('compact (mjml)');
    await page.screenshot({ path: `${SHOTS}/compact.png` });
    await page.click('button[data-template="briefing"]');
    await page.waitForFunction(() => document.querySelector('iframe.email.active')?.getAttribute('src')?.includes('/briefing.html'));
  });

  it('shows a headline changed in the data file without a page reload', async () => {
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    const headline = `Live edit ${Date.now()}: the storm stalls over Lake Michigan`;
    const started = Date.now();
    h.editJson(LEAD_FILE, (article) => ({ ...article, headline }));
    // A polling wait (not a timed assertion): the frame shows the new headline once the change arrives.
    await page.waitForFunction((text) => document.querySelector<HTMLIFrameElement>('iframe.email.active')?.contentDocument?.body?.textContent?.includes(text), headline, { timeout: 10_000, polling: 50 });
    console.log(`preview showed the edited headline ${Date.now() - started} ms after the write`);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
    expect(await page.textContent('#subject')).toContain(headline);
  });

  it('shows validation errors instead of a blank frame, offers the last good render, and recovers', async () => {
    const broken = join(h.dataDir, 'articles', 'zz-broken.json');
    writeFileSync(broken, JSON.stringify({ id: 'broken', kicker: 'K', headline: 'H', dek: 'D', url: 'notaurl', publishedAt: 'yesterday' }));
    await page.waitForSelector('#problem:not([hidden])');
    const errors = await page.$$eval('#problem-errors li', (items) => items.map((li) => li.textContent));
    expect(errors).toEqual([expect.stringMatching(/zz-broken\.json: url: /), expect.stringMatching(/zz-broken\.json: publishedAt: /)]);
    expect(await page.textContent('#problem-title')).toBe('The data does not validate');
    await page.screenshot({ path: `${SHOTS}/invalid-data.png` });
    await page.click('#show-last-good');
    await page.waitForFunction(() => document.querySelector('iframe.email.active')?.getAttribute('src')?.includes('last-good=1'));
    expect(await page.isVisible('iframe.email.active')).toBe(true);
    expect(await page.textContent('#frame-note')).toContain('last good render');
    await page.screenshot({ path: `${SHOTS}/last-good.png` });
    rmSync(broken);
    await page.waitForSelector('#problem', { state: 'hidden' });
    expect(await page.isVisible('#frame-note')).toBe(false);
  });

  it('says a date has no articles and which window it searched', async () => {
    await page.fill('#other-date-input', '2027-01-15');
    await page.click('#other-date button');
    await page.waitForSelector('#problem:not([hidden])');
    expect(await page.textContent('#problem-title')).toBe('No articles for this edition');
    expect(await page.textContent('#problem-errors')).toMatch(/published after .*January 14, 2027/);
    expect(await page.textContent('#checks')).toContain('Looked from');
    await page.screenshot({ path: `${SHOTS}/no-articles.png` });
    await page.click('a.date[data-newsletter="morning"][data-date="2026-12-01"]');
    await page.waitForSelector('#problem', { state: 'hidden' });
  });

  it('sends a test and finds it in /inbox', async () => {
    await page.fill('#send-to', 'editor@example.com');
    await page.click('#send-test button[type=submit]');
    await page.waitForSelector('#send-status.good');
    expect(await page.textContent('#send-status')).toContain('Sent to editor@example.com');
    await page.click('#open-inbox');
    await page.waitForURL(`${server.url}/inbox`);
    const subject = await page.textContent('.messages tbody tr:first-child td:last-child');
    expect(subject).toMatch(/^\[Test\] The Morning Briefing: Live edit/);
    expect(await page.textContent('.messages tbody tr:first-child')).toContain('editor@example.com');
    await page.screenshot({ path: `${SHOTS}/inbox.png` });
    await page.click('.messages tbody tr:first-child a');
    await page.waitForSelector('iframe.email');
    await page.waitForFunction(() => (document.querySelector<HTMLIFrameElement>('iframe.email')?.contentDocument?.body?.textContent ?? '').includes('Live edit'));
    expect(await page.textContent('pre.text-part')).toContain('Live edit');
    await page.screenshot({ path: `${SHOTS}/inbox-message.png`, fullPage: false });
  });

  it('shows the logo and the lead image from its own server when baseUrl does not answer, says so, and warns in the headline', async () => {
    // baseUrl on a port nothing listens on: only `daybreak preview` runs, as in a new user's first try.
    const gone = await startServer(h.app, { port: 0 });
    const baseUrl = gone.url;
    await gone.close();
    const own = previewHarness();
    own.editJson('../daybreak.config.json', (config) => ({ ...config, baseUrl }));
    const ownServer = await startServer(own.app, { port: 0 });
    const tab = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    tab.setDefaultTimeout(10_000);
    try {
      await tab.goto(`${ownServer.url}/preview/?newsletter=morning&date=2026-12-01&template=briefing`);
      await tab.waitForSelector('body.ready');
      // Every picture of the email decoded into pixels: none shows as alt text.
      const images = await frameImages(tab);
      expect(await images.jsonValue()).toEqual([
        { src: '/assets/brand/logo.png', width: expect.any(Number) },
        { src: '/assets/brand/logo-dark.png', width: expect.any(Number) },
        { src: '/images/storm-radar-600.jpg', width: 600 },
      ]);
      for (const image of (await images.jsonValue()) as { width: number }[]) expect(image.width).toBeGreaterThan(0);
      expect(await tab.textContent('#images-note')).toContain(`3 images whose address is on baseUrl (${baseUrl})`);
      expect(await tab.textContent('#check-headline')).toBe('Pre-send checks: pass, but 3 images do not load');
      expect(await tab.getAttribute('#check-headline', 'data-status')).toBe('warn');
      expect(await tab.locator('#check-images li').first().textContent()).toBe(
        `${baseUrl}/assets/brand/logo.png: nothing listens there (ECONNREFUSED). The frame shows it from this preview’s /assets/brand/logo.png`,
      );
      await tab.screenshot({ path: `${SHOTS}/images-from-preview.png` });

      await tab.click('#tab-source');
      await tab.waitForFunction((url) => (document.getElementById('source')?.textContent ?? '').includes(url), `${baseUrl}/images/storm-radar-600.jpg`);
      expect(await tab.textContent('#source')).not.toContain('src="/images/');
    } finally {
      await tab.close();
      await ownServer.close();
      await own.close();
    }
  });

  it('writes the sidebar\'s time zone as configured (Europe/Paris, with its UTC offset), not its long name', async () => {
    const paris = previewHarness();
    paris.editJson('../daybreak.config.json', (config) => ({
      ...config,
      newsletters: config.newsletters.map((n: { schedule: object }, i: number) => (i === 0 ? { ...n, schedule: { ...n.schedule, cron: '0 7 * * 1-5', timezone: 'Europe/Paris' } } : n)),
    }));
    const parisServer = await startServer(paris.app, { port: 0 });
    const tab = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    tab.setDefaultTimeout(10_000);
    try {
      await tab.goto(`${parisServer.url}/preview/`);
      await tab.waitForSelector('body.ready');
      const schedule = tab.locator('[data-newsletter="morning"] .schedule');
      // UTC+1 in winter, UTC+2 in summer: the offset in force when the page is shown.
      expect(await schedule.textContent()).toMatch(/^Every weekday at 7:00 a\.m\. Europe\/Paris, UTC\+[12]$/);
      expect(await tab.locator('.sidebar').innerHTML()).not.toMatch(/Central European|Eastern/);
      expect(await schedule.getAttribute('title')).toBe('0 7 * * 1-5 (Europe/Paris)');
      await tab.locator('.sidebar').screenshot({ path: `${SHOTS}/sidebar-timezone.png` });
    } finally {
      await tab.close();
      await parisServer.close();
      await paris.close();
    }
  });

  it('shows an image on the live site that the preview does not have from the site, not as a broken image', async () => {
    // The "live site" under baseUrl: it has a picture the local data folder does not.
    const siteImages = mkdtempSync(join(tmpdir(), 'daybreak-site-images-'));
    copyFileSync(join('data', 'images', 'storm-radar-600.jpg'), join(siteImages, 'only-on-the-site.jpg'));
    const siteApp = new Hono();
    siteApp.route('/images', createImageApp(siteImages));
    const site = await startServer(siteApp, { port: 0, hostname: '127.0.0.1' });
    const own = previewHarness();
    own.editJson('../daybreak.config.json', (config) => ({ ...config, baseUrl: site.url }));
    own.editJson(LEAD_FILE, (article) => ({ ...article, image: { ...article.image, url: `${site.url}/images/only-on-the-site.jpg` } }));
    const ownServer = await startServer(own.app, { port: 0 });
    const tab = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    tab.setDefaultTimeout(10_000);
    try {
      await tab.goto(`${ownServer.url}/preview/?newsletter=morning&date=2026-12-01&template=briefing`);
      await tab.waitForSelector('body.ready');
      const images = await frameImages(tab);
      // The logos the preview has come from it; the picture it does not have comes from the site, decoded.
      expect(await images.jsonValue()).toEqual([
        { src: '/assets/brand/logo.png', width: expect.any(Number) },
        { src: '/assets/brand/logo-dark.png', width: expect.any(Number) },
        { src: `${site.url}/images/only-on-the-site.jpg`, width: 600 },
      ]);
      expect(await tab.textContent('#images-note')).toContain('2 images whose address is on baseUrl');
      await tab.screenshot({ path: `${SHOTS}/image-from-site.png` });
    } finally {
      await tab.close();
      await ownServer.close();
      await own.close();
      await site.close();
      rmSync(siteImages, { recursive: true, force: true });
    }
  });
});
