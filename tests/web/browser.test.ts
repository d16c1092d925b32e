import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, skipBrowser } from '../helpers/chromium.ts';
import { startServer, type RunningServer } from '../../src/web/index.ts';
import { harness, linkTo, parse, testConfig, type Harness } from './setup.ts';
import { lowContrastText } from '../helpers/low-contrast-text.ts';

describe.skipIf(skipBrowser)('sign-up in a real browser (Chromium)', () => {
  let h: Harness;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const config = testConfig();
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

  it('fills the form, follows the emailed link, presses confirm and sees the confirmed page; screenshots the phone layout', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) external.push(r.url());
    });
    await page.goto(`${server.url}/`);
    mkdirSync('out', { recursive: true });
    await page.screenshot({ path: 'out/signup-375.png', fullPage: true });
    // The page fits a phone: nothing wider than the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    await expect(page.getByLabel('Email address').isVisible()).resolves.toBe(true);
    await page.getByLabel('Email address').fill('browser@example.com');
    await page.getByLabel(/First name/).fill('Bea');
    await page.getByLabel(/The Good News Weekly/).check();
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your inbox');

    await h.sink.waitForMessages(1);
    const mail = await parse(h.sink.messages[0]!);
    await page.goto(linkTo(mail.text!, '/confirm'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm your subscription');
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe("You're subscribed");
    expect(await page.textContent('main')).toContain('The Morning Briefing and The Good News Weekly');
    expect((await h.app.audience.store.findByEmail('browser@example.com'))!.subscriptions.map((s) => s.status)).toEqual(['confirmed', 'confirmed']);
    expect(external).toEqual([]);

    await context.close();
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await desktop.goto(`${server.url}/`);
    await desktop.screenshot({ path: 'out/signup-1280.png', fullPage: true });
    await desktop.close();
  }, 60_000);
});

describe.skipIf(skipBrowser)('the site pages in the brand (Chromium)', () => {
  let h: Harness;
  let server: RunningServer;
  let browser: Browser;
  const root = new URL('../..', import.meta.url).pathname;

  beforeAll(async () => {
    const config = testConfig({
      publisher: {
        name: 'The Daybreak Post',
        postalAddress: '120 Harbor Street, Portland, ME',
        brand: { logo: `${root}data/brand/logo.png`, logoDark: `${root}data/brand/logo-dark.png`, logoWidth: 200, accentColor: '#9c2b1c' },
      },
    });
    h = await harness({ config });
    server = await startServer(h.app, { port: 0 });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it.each(['light', 'dark'] as const)('shows the %s logo in the masthead, loaded, and the other one hidden', async (scheme) => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 }, colorScheme: scheme });
    await page.goto(`${server.url}/`);
    const shown = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('.masthead img')).filter((i) => i.getClientRects().length > 0 && i.naturalWidth > 0).map((i) => new URL(i.src).pathname),
    );
    expect(shown).toEqual([scheme === 'light' ? '/assets/brand/logo.png' : '/assets/brand/logo-dark.png']);
    await page.close();
  });

  it('sends a branded confirmation email that fits a 320 px phone, long confirm link included', async () => {
    await h.app.request('/subscribe', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=phone%40example.com&newsletters=morning' });
    await h.settle();
    const mail = await parse(h.sink.messages.at(-1)!);
    const page = await browser.newPage({ viewport: { width: 320, height: 800 } });
    await page.route('**/*', (route) => (route.request().url().startsWith('http') ? route.abort() : route.continue()));
    await page.setContent(String(mail.html), { waitUntil: 'load' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    expect(await page.evaluate(() => Array.from(document.querySelectorAll('img')).map((i) => i.getAttribute('src')))).toEqual(['http://daybreak.test/assets/brand/logo.png']);
    await page.close();
  });

  it.each(['light', 'dark'] as const)('keeps every text/background pair of the sign-up page at WCAG AA in %s mode', async (scheme) => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 }, colorScheme: scheme });
    await page.goto(`${server.url}/`);
    expect(await page.evaluate(lowContrastText)).toEqual([]);
    await page.close();
  });
});
