/**
 * Every transactional email, as a reader gets it (real tokens in real links, through the real sign-up,
 * confirm and unsubscribe flow), fits a phone: at 320 and 375 px wide in Chromium the page does not
 * scroll sideways, long links included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, skipBrowser } from '../helpers/chromium.ts';
import { form, harness, linkTo, parse, type Harness } from '../web/setup.ts';

describe.skipIf(skipBrowser)('transactional emails on a phone', () => {
  let browser: Browser;
  let h: Harness;
  const mails: { kind: string; html: string }[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    h = await harness({ configOverrides: { baseUrl: 'https://newsletters.daybreak-post.example/readers' } });
    const email = 'a.rather.long.address.for.a.reader@example.com';
    await h.app.request('/subscribe', form({ email, newsletters: ['morning', 'good-news'] }));
    await h.settle();
    const confirmation = await parse(h.sink.messagesTo(email)[0]!);
    mails.push({ kind: 'confirmation', html: confirmation.html as string });
    const token = new URL(linkTo(confirmation.text!, '/confirm')).searchParams.get('token')!;
    await h.app.request('/confirm', form({ token }));
    await h.settle();
    const welcome = await parse(h.sink.messagesTo(email)[1]!);
    mails.push({ kind: 'welcome', html: welcome.html as string });
    const unsubscribe = new URL(linkTo(welcome.text!, '/unsubscribe'));
    // The app is mounted at the root here; the links carry the config's longer baseUrl path.
    // The page's button (a one-click POST sends no mail at all).
    await h.app.request(unsubscribe.pathname.replace('/readers', '') + unsubscribe.search, form({}));
    await h.settle();
    const unsubscribed = await parse(h.sink.messagesTo(email)[2]!);
    mails.push({ kind: 'unsubscribed', html: unsubscribed.html as string });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  for (const width of [320, 375]) {
    it(`shows every transactional email at ${width} px without sideways scrolling`, async () => {
      expect(mails.map((m) => m.kind)).toEqual(['confirmation', 'welcome', 'unsubscribed']);
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      try {
        for (const mail of mails) {
          await page.setContent(mail.html);
          const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(scrollWidth, `${mail.kind} at ${width} px`).toBeLessThanOrEqual(width);
        }
      } finally {
        await page.close();
      }
    });
  }
});
