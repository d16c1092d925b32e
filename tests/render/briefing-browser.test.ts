import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { awkwardReader, renderEdition } from '../../src/designs/index.ts';
import { launchChromium, skipBrowser } from '../helpers/chromium.ts';
import { lowContrastText } from '../helpers/low-contrast-text.ts';
import { testConfig, testEdition } from './fixtures.ts';

// Skipped only when DAYBREAK_SKIP_BROWSER=1; a missing /usr/bin/chromium fails (tests/helpers/chromium.ts).
describe.skipIf(skipBrowser).each(['briefing', 'compact'])('the %s design in a real browser (Chromium)', (template) => {
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    browser = await launchChromium();
    const config = testConfig();
    html = (await renderEdition(testEdition(25, config), config, template)).personalize(awkwardReader).html;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(content: string, width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme, javaScriptEnabled: true });
    // Offline: the lead image and anything else remote is refused, as an images-off client would.
    await page.route('**/*', (route) => (route.request().url().startsWith('http') ? route.abort() : route.continue()));
    await page.setContent(content, { waitUntil: 'load' });
    return page;
  }

  it('fits a 375 px phone without sideways scrolling, and stays within 600 px on a wide screen', async () => {
    const phone = await open(html, 375, 'light');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await phone.close();
    const wide = await open(html, 1024, 'light');
    const cardWidth = await wide.evaluate(() => {
      const card = Array.from(document.querySelectorAll<HTMLElement>('table, div')).find((t) => t.style.maxWidth === '600px');
      return card?.getBoundingClientRect().width ?? -1;
    });
    expect(cardWidth).toBe(600);
    await wide.close();
  });

  it.runIf(template === 'compact')('stacks the item columns full width at 375 px and sets them side by side at 600 px', async () => {
    const boxes = async (width: number) => {
      const page = await open(html, width, 'light');
      const result = await page.evaluate(() => {
        const rect = (e: Element) => {
          const r = e.getBoundingClientRect();
          return { left: Math.round(r.left), top: Math.round(r.top), width: Math.round(r.width) };
        };
        const columns = Array.from(document.querySelectorAll('.ic')).slice(0, 2);
        // The row's content box: the width a full-width item gets.
        const row = columns[0]!.parentElement!;
        const rowWidth = Math.round(row.clientWidth);
        return { full: { width: rowWidth }, halves: columns.map(rect) };
      });
      await page.close();
      return result;
    };
    const phone = await boxes(375);
    expect(phone.halves).toHaveLength(2);
    for (const half of phone.halves) expect(half.width).toBe(phone.full.width);
    expect(phone.halves[1]!.top).toBeGreaterThan(phone.halves[0]!.top);

    const wide = await boxes(600);
    const [a, b] = wide.halves as [(typeof wide.halves)[0], (typeof wide.halves)[0]];
    expect(b.top).toBe(a.top);
    expect(b.left).toBeGreaterThanOrEqual(a.left + a.width);
    expect(a.width + b.width).toBeLessThanOrEqual(wide.full.width);
    expect(a.width).toBeGreaterThan(wide.full.width / 2 - 2);
  });

  it.each(['light', 'dark'] as const)('has readable text contrast everywhere in %s mode', async (scheme) => {
    const page = await open(html, 375, scheme);
    expect(await page.evaluate(lowContrastText)).toEqual([]);
    // The check sees the scheme: the card really is dark in dark mode.
    const cardBg = await page.evaluate(() => getComputedStyle(document.querySelector('.cd')!).backgroundColor);
    expect(cardBg).toBe(scheme === 'dark' ? 'rgb(30, 30, 30)' : 'rgb(255, 255, 255)');
    await page.close();
  });

  it('flags dark text left on a dark background (the contrast check can fail)', async () => {
    const page = await open('<html><body style="background:#111"><p style="color:#333">Hidden in the dark</p></body></html>', 375, 'dark');
    const offenders = await page.evaluate(lowContrastText);
    expect(offenders).toHaveLength(1);
    expect(offenders[0]).toMatchObject({ text: 'Hidden in the dark' });
    await page.close();
  });
});
