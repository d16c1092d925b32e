import { describe, expect, it } from 'vitest';
import { getEditionTemplate, getTemplate, preheaderOf, renderEdition, type TransactionalTemplate } from '../../src/designs/index.ts';
import { PREHEADER_MAX_CHARS, preheaderText } from '../../src/render/preheader.ts';
import { elements } from '../render/html-tools.ts';
import { fullProps } from './fixtures/transactional-props.ts';
import { sampleEditions } from './sample-editions.ts';

const { config, editions } = sampleEditions();
const monday = editions.find((e) => e.newsletter.id === 'morning' && e.date === '2026-11-30')!;

describe('preheaderText', () => {
  it('keeps whole sentences within the limit and adds the next headline only when it fits', () => {
    const dek = 'Lawmakers come back from the Thanksgiving recess facing a December 11 funding deadline. The two chambers are still $38 billion apart, and a short-term deal is not yet written.';
    expect(preheaderText(dek, 'Climate talks enter their final week')).toBe('Lawmakers come back from the Thanksgiving recess facing a December 11 funding deadline. Also: Climate talks enter their final week');
    expect(preheaderText(dek, 'A headline long enough that it would push the preheader past what an inbox list shows')).toBe('Lawmakers come back from the Thanksgiving recess facing a December 11 funding deadline.');
    expect(preheaderText('Short. Sweet.', 'The next story')).toBe('Short. Sweet. Also: The next story');
  });

  it('cuts a single over-long sentence at a word, with an ellipsis', () => {
    const out = preheaderText(`${'word '.repeat(60)}end.`, null);
    expect(out.length).toBeLessThanOrEqual(PREHEADER_MAX_CHARS);
    expect(out).toMatch(/word…$/);
  });
});

describe.each(['briefing', 'compact'])('the %s design, for deliverability', (template) => {
  it('has a viewport, an Outlook-only 600-px wrapper, images no wider than their column, and the iOS data-detector reset', async () => {
    const { html } = (await renderEdition(monday, config, getEditionTemplate(template).name)).personalize({ email: 'ann@example.com', firstName: 'Ann', unsubscribeUrl: 'https://x.example/u' });
    const meta = elements(html).filter((e) => e.name === 'meta').map((e) => e.attribs);
    expect(meta).toContainEqual(expect.objectContaining({ name: 'viewport', content: 'width=device-width, initial-scale=1' }));
    expect(html).toMatch(/<!--\[if mso( \| IE)?\]><table[^>]*width="600"/);
    for (const img of elements(html).filter((e) => e.name === 'img')) {
      expect(Number(img.attribs.width), img.attribs.src).toBeLessThanOrEqual(552);
    }
    expect(html).toContain('a[x-apple-data-detectors]{color:inherit!important');
  });

  it('underlines the links inside text, and ends the preheader on a sentence followed by padding', async () => {
    const { html } = (await renderEdition(monday, config, getEditionTemplate(template).name)).personalize({ email: 'ann@example.com', firstName: 'Ann', unsubscribeUrl: 'https://x.example/u' });
    const unsubscribe = elements(html).find((e) => e.name === 'a' && e.attribs.href === 'https://x.example/u')!;
    expect(unsubscribe.attribs.style).toMatch(/text-decoration:underline/);
    const preheader = preheaderOf(html)!;
    expect(preheader.length).toBeLessThanOrEqual(PREHEADER_MAX_CHARS);
    expect(preheader).toMatch(/[.!?”"]$/);
    expect(html).toContain(`${'\u034f\u00a0'.repeat(40)}`);
  });
});

describe('transactional mail', () => {
  it.each(['confirm-subscription', 'welcome', 'unsubscribed'] as const)('%s has a <title> (its subject) and a viewport', async (name) => {
    const { subject, html } = await (getTemplate(name) as TransactionalTemplate).render(fullProps[name]);
    const title = elements(html).find((e) => e.name === 'title');
    expect(title?.children?.map((c) => (c as { data?: string }).data).join('')).toBe(subject);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1"\/?>/);
  });
});
