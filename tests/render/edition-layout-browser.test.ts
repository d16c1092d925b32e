import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assembleEdition, isSkipped, loadConfig, loadContent, type Edition } from '../../src/content/index.ts';
import { buildEditionView, renderEdition, sampleReader, type EditionView } from '../../src/designs/index.ts';
import { launchChromium, skipBrowser } from '../helpers/chromium.ts';
import { lowContrastText } from '../helpers/low-contrast-text.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const WIDTHS = [320, 375, 600] as const;
const SCHEMES = ['light', 'dark'] as const;

/** Words as a reader counts them, written here independently of the view's counter. */
function words(texts: Array<string | null | undefined>): number {
  return texts.flatMap((t) => (t ?? '').split(/\s+/)).filter((w) => /[A-Za-z0-9]/.test(w)).length;
}

/**
 * Runs in the page: every visible element with its own text whose font size is under its floor: 14 px in
 * the footer (class "ft"), 12 px for labels and meta lines (class "lb": kickers, section names, byline,
 * date bar, reading time), 16 px for everything else (the reading text).
 */
function smallText(): Array<{ text: string; size: number; floor: number }> {
  const out: Array<{ text: string; size: number; floor: number }> = [];
  for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
    const own = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.textContent ?? '').join('').replace(/[\s\u00a0\u200c\u034f\u2007\u00ad\ufeff]/g, '');
    if (!own || el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    // The preheader: kept out of view with a 1 px font and zero height by every design.
    if (el.getBoundingClientRect().height <= 1) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const floor = el.closest('.ft') ? 14 : el.closest('.lb') ? 12 : 16;
    if (size < floor) out.push({ text: own.slice(0, 40), size, floor });
  }
  return out;
}

// Skipped only when DAYBREAK_SKIP_BROWSER=1; a missing /usr/bin/chromium fails (tests/helpers/chromium.ts).
describe.skipIf(skipBrowser).each(['briefing', 'compact'])('the %s design of the sample morning edition in Chromium', (template) => {
  let browser: Browser;
  let html: string;
  let edition: Edition;
  let view: EditionView;
  const config = loadConfig({ file: resolve(ROOT, 'daybreak.config.json') });

  beforeAll(async () => {
    browser = await launchChromium();
    const e = assembleEdition({ config, content: loadContent(resolve(ROOT, 'data')), newsletterId: 'morning', date: '2026-11-30' });
    if (isSkipped(e)) throw new Error('the sample data has no morning edition on 2026-11-30');
    edition = e;
    view = buildEditionView(edition, config);
    html = (await renderEdition(edition, config, template)).personalize(sampleReader).html;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme });
    // The logos come from the repository, as the web app would serve them; everything else remote is refused.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      const logo = /\/assets\/brand\/(logo(?:-dark)?\.png)$/.exec(url);
      if (logo) return route.fulfill({ body: readFileSync(resolve(ROOT, 'data/brand', logo[1]!)), contentType: 'image/png' });
      return url.startsWith('http') ? route.abort() : route.continue();
    });
    await page.setContent(html, { waitUntil: 'load' });
    return page;
  }

  it('uses every new key of the sample data, so the checks below look at all of it', () => {
    expect(view.brand.logo && view.brand.logoDark).toBeTruthy();
    expect(view.sponsor).not.toBeNull();
    expect(view.quote).not.toBeNull();
    expect(view.numbers.length).toBeGreaterThan(0);
    expect(view.items.some((i) => i.why) && view.lead.why).toBeTruthy();
    expect(view.sections.length).toBeGreaterThan(3);
  });

  for (const width of WIDTHS) {
    for (const scheme of SCHEMES) {
      it(`has no horizontal scroll and every text/background pair at WCAG AA at ${width} px, ${scheme}`, async () => {
        const page = await open(width, scheme);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        expect(await page.evaluate(lowContrastText)).toEqual([]);
        await page.close();
      });
    }
  }

  it.each([320, 375])('keeps body text at 16 px or more and footer text at 14 px or more on a %i px phone', async (width) => {
    for (const scheme of SCHEMES) {
      const page = await open(width, scheme);
      expect(await page.evaluate(smallText)).toEqual([]);
      // The footer check saw the footer.
      expect(await page.evaluate(() => document.querySelectorAll('.ft').length)).toBeGreaterThan(0);
      await page.close();
    }
  });

  it('starts the lead headline within the first 640 px at 375 px', async () => {
    const page = await open(375, 'light');
    const top = await page.evaluate((url) => {
      const link = Array.from(document.querySelectorAll('a')).find((a) => a.getAttribute('href') === url && a.textContent !== 'Continue reading →');
      return link ? link.getBoundingClientRect().top + window.scrollY : Infinity;
    }, view.lead.url);
    expect(top).toBeLessThanOrEqual(640);
    await page.close();
  });

  it('shows the section headings in the order the config lists them', async () => {
    const page = await open(600, 'light');
    const headings = await page.evaluate(() => Array.from(document.querySelectorAll('.sec')).map((e) => (e.textContent ?? '').trim()));
    const present = new Set(edition.items.map((a) => a.section).filter((s): s is string => s !== undefined));
    const listed = config.newsletters[0]!.sections!.filter((s) => present.has(s));
    const unlisted = [...present].filter((s) => !listed.includes(s));
    expect(listed.length).toBeGreaterThan(3);
    expect(headings).toEqual([...listed, ...unlisted]);
    await page.close();
  });

  it('labels the sponsor and places it after story 3, before story 4, on screen', async () => {
    const page = await open(375, 'light');
    const third = view.items.find((i) => i.number === 3)!;
    const fourth = view.items.find((i) => i.number === 4)!;
    const placed = await page.evaluate(([url3, url4]) => {
      const sponsor = document.querySelector<HTMLElement>('.sponsor')!;
      const bottomOf = (url: string) => {
        const a = Array.from(document.querySelectorAll('a')).find((l) => l.getAttribute('href') === url)!;
        return a.getBoundingClientRect();
      };
      const box = sponsor.getBoundingClientRect();
      return {
        label: sponsor.innerText.split('\n')[0]!.trim(),
        sponsorLinks: Array.from(sponsor.querySelectorAll('a')).map((a) => a.getAttribute('rel')),
        afterThird: box.top >= bottomOf(url3!).bottom,
        beforeFourth: box.bottom <= bottomOf(url4!).top,
        count: document.querySelectorAll('.sponsor').length,
      };
    }, [third.url, fourth.url]);
    expect(placed).toEqual({ label: 'SPONSORED', sponsorLinks: ['sponsored noopener'], afterThird: true, beforeFourth: true, count: 1 });
    await page.close();
  });

  it('shows the reading time its word count gives', async () => {
    const page = await open(375, 'light');
    const shown = await page.evaluate(() => /(\d+)-minute read/.exec(document.body.innerText)?.[1]);
    const lead = edition.lead;
    const count = words([
      edition.intro,
      lead.headline,
      lead.dek,
      ...view.lead.paragraphs,
      lead.why,
      ...edition.items.flatMap((a) => [a.headline, a.dek, a.why]),
      edition.quote?.text,
      edition.quote?.by,
      ...(edition.numbers ?? []).flatMap((n) => [n.figure, n.text]),
    ]);
    expect(count).toBeGreaterThan(500);
    expect(Number(shown)).toBe(Math.max(1, Math.round(count / 230)));
    await page.close();
  });

  it('shows the light logo in light mode and swaps in the dark one in dark mode', async () => {
    for (const scheme of SCHEMES) {
      const page = await open(375, scheme);
      const shown = await page.evaluate(() =>
        Array.from(document.querySelectorAll('img'))
          .filter((i) => i.src.includes('/assets/brand/') && i.getClientRects().length > 0 && i.naturalWidth > 0)
          .map((i) => i.src),
      );
      expect(shown).toEqual([scheme === 'light' ? 'http://localhost:3000/assets/brand/logo.png' : 'http://localhost:3000/assets/brand/logo-dark.png']);
      await page.close();
    }
  });
});

describe.skipIf(skipBrowser)('the layout checks themselves', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('flag small reading text, small footer text and labels under 12 px (the size check can fail)', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.setContent(
      '<body><p style="font-size:15px">Small body</p><p class="lb" style="font-size:12px">Label ok</p><p class="lb" style="font-size:11px">Tiny label</p>' +
        '<div class="ft"><p style="font-size:13px">Small footer</p><p style="font-size:14px">Footer ok</p></div></body>',
    );
    expect(await page.evaluate(smallText)).toEqual([
      { text: 'Smallbody', size: 15, floor: 16 },
      { text: 'Tinylabel', size: 11, floor: 12 },
      { text: 'Smallfooter', size: 13, floor: 14 },
    ]);
    await page.close();
  });
});
