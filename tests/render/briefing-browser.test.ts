import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { awkwardReader, renderEdition } from '../../src/render/index.ts';
import { launchChromium, skipBrowser } from '../helpers/chromium.ts';
import { testConfig, testEdition } from './fixtures.ts';

/**
 * Runs in the page: every element with its own visible text, whose colour has a contrast ratio under
 * 4.5:1 (WCAG AA) against the first opaque background found walking up from it.
 */
function lowContrastText(): Array<{ text: string; color: string; background: string; ratio: number }> {
  const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = (c: string) => {
    const [r, g, b] = rgb(c).slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const opaque = (c: string) => c !== 'transparent' && !(rgb(c).length === 4 && rgb(c)[3] === 0);
  const out: Array<{ text: string; color: string; background: string; ratio: number }> = [];
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    const own = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent ?? '').join('').trim();
    const style = getComputedStyle(el);
    if (!own || style.display === 'none' || style.opacity === '0') continue;
    let background = 'rgb(255, 255, 255)'; // what a client paints under a transparent page
    for (let e: Element | null = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (opaque(bg)) {
        background = bg;
        break;
      }
    }
    const [a, b] = [lum(style.color), lum(background)].sort((x, y) => y - x) as [number, number];
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) out.push({ text: own.slice(0, 40), color: style.color, background, ratio: Math.round(ratio * 100) / 100 });
  }
  return out;
}

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
