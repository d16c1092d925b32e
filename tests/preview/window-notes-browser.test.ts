import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipBrowser } from '../helpers/chromium.ts';
import { startServer, type RunningServer } from '../../src/web/index.ts';
import { articleJson } from '../content/fixtures.ts';
import { previewHarness, type PreviewHarness } from './setup.ts';

describe.skipIf(skipBrowser)('the preview page near a window edge (Chromium)', () => {
  let h: PreviewHarness;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    h = previewHarness();
    writeFileSync(join(h.dataDir, 'articles', 'late.json'), JSON.stringify([
      articleJson({ id: 'late-filing', publishedAt: '2026-12-01T06:40:00-05:00', url: 'https://news.example.com/late-filing' }),
      articleJson({ id: 'wednesday-lunch', publishedAt: '2026-12-03T12:30:00-05:00', url: 'https://news.example.com/wednesday-lunch' }),
    ]));
    server = await startServer(h.app, { port: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(10_000);
    mkdirSync('out/preview', { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('shows in the checks panel which edition the article just after the window is in', async () => {
    await page.goto(`${server.url}/preview/?newsletter=morning&date=2026-12-01&template=briefing`);
    await page.waitForSelector('#check-window-notes li');
    expect(await page.locator('#check-window-notes h3').textContent()).toBe('Near the window’s edges');
    expect(await page.locator('#check-window-notes li').allTextContents()).toContain(
      'article late-filing (06:40 Dec 1) belongs to the Dec 2 edition; the Dec 1 window closed at 06:00 (America/New_York)',
    );
    await page.locator('#checks').screenshot({ path: 'out/preview/window-notes.png' });
  });

  it('shows them beside the empty window on a day with no articles', async () => {
    await page.goto(`${server.url}/preview/?newsletter=morning&date=2026-12-03&template=briefing`);
    await page.waitForSelector('#check-window-notes li');
    expect(await page.locator('#check-window-notes li').allTextContents()).toEqual([
      'article wednesday-lunch (12:30 Dec 3) belongs to the Dec 4 edition; the Dec 3 window closed at 06:00 (America/New_York)',
    ]);
  });
});
