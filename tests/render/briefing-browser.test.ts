import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { awkwardReader, renderEdition } from '../../src/render/index.ts';
import { testConfig, testEdition } from './fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the briefing browser test: ${CHROMIUM} is missing (apt-get install -y chromium).`);

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

describe.skipIf(!hasChromium)('the briefing in a real browser (Chromium)', () => {
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    browser = await chromium.launch({
      headless: true,
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const config = testConfig();
    html = (await renderEdition(testEdition(25, config), config)).personalize(awkwardReader).html;
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
      const card = Array.from(document.querySelectorAll('table')).find((t) => t.style.maxWidth === '600px');
      return card?.getBoundingClientRect().width ?? -1;
    });
    expect(cardWidth).toBe(600);
    await wide.close();
  });

  it.each(['light', 'dark'] as const)('has readable text contrast everywhere in %s mode', async (scheme) => {
    const page = await open(html, 375, scheme);
    expect(await page.evaluate(lowContrastText)).toEqual([]);
    // The check sees the scheme: the card really is dark in dark mode.
    const cardBg = await page.evaluate(() => getComputedStyle(document.querySelector('table.cd')!).backgroundColor);
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
