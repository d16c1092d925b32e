// The render index first: it loads the registry, which loads every template (see templates/index.ts).
import {
  awkwardReader,
  buildEditionView,
  getEditionTemplate,
  noNameReader,
  renderEdition,
  sampleReader,
  type Reader,
} from '../../src/designs/index.ts';
import { parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { lintEmail, preheaderOf, GMAIL_CLIP_BYTES } from '../../src/render/lint-email.ts';
import { article, leadArticle, testConfig, testEdition } from '../render/fixtures.ts';
import { elements, links, textOf } from '../render/html-tools.ts';
import { sampleEditions } from './sample-editions.ts';

const config = testConfig();
const { config: sampleConfig, editions } = sampleEditions();

async function full(template: string, edition = testEdition(25, config), reader: Reader = sampleReader, cfg = config) {
  return getEditionTemplate(template).render({ view: buildEditionView(edition, cfg), reader });
}



describe('the sign-up box, worded once in the view', () => {
  const bare = testConfig({ newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }] });

  it.each(['briefing', 'compact'])('%s shows the newsletter description after the sign-up link, in the HTML and the text part', async (template) => {
    const view = buildEditionView(testEdition(4, config), config);
    expect(view.signUp).toEqual({ linkText: 'Sign up for The Morning Briefing', pitch: 'The day, explained.' });
    const { html, text } = await full(template);
    const box = textOf(parseDocument(html)).replace(/\s+/g, ' ');
    expect(box).toContain('Forwarded this? Sign up for The Morning Briefing. The day, explained.');
    expect(box).not.toContain("It's free.");
    expect(text).toContain('Forwarded this? Sign up for The Morning Briefing: https://daybreak.example/\nThe day, explained.');
  });

  it.each(['briefing', 'compact'])('%s falls back to the same sentence when the newsletter has no description', async (template) => {
    const { html, text } = await full(template, testEdition(4, bare), sampleReader, bare);
    expect(textOf(parseDocument(html)).replace(/\s+/g, ' ')).toContain("Forwarded this? Sign up for The Morning Briefing. It's free.");
    expect(text).toContain("It's free.");
  });
});

describe('the compact template (MJML)', () => {
  it('is registered as an MJML edition design', () => {
    expect(getEditionTemplate('compact')).toMatchObject({ name: 'compact', engine: 'mjml', kind: 'edition' });
  });

  it('renders every sample edition, through both engines, with no lint findings', async () => {
    expect(editions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(editions.map((e) => e.newsletter.id))).toEqual(new Set(sampleConfig.newsletters.map((n) => n.id)));
    for (const edition of editions) {
      for (const template of ['briefing', 'compact']) {
        const rendered = await renderEdition(edition, sampleConfig, template);
        const copy = rendered.personalize(sampleReader);
        expect(lintEmail(copy.html), `${template} ${edition.newsletter.id} ${edition.date}`).toEqual([]);
        expect(copy.text.length).toBeGreaterThan(200);
      }
    }
  });

  it('carries the same subject, headlines and article URLs as the briefing for the same edition', async () => {
    for (const edition of editions) {
      const [briefing, compact] = await Promise.all(
        ['briefing', 'compact'].map(async (t) => (await renderEdition(edition, sampleConfig, t)).personalize(sampleReader)),
      );
      expect(compact!.subject).toBe(briefing!.subject);
      expect(compact!.subject).toBe(edition.subject);
      const articleLinks = (html: string) =>
        new Set(links(html).filter(([href]) => [edition.lead, ...edition.items].some((a) => a.url === href)).map(([href, text]) => `${href} ${text}`));
      const fromCompact = articleLinks(compact!.html);
      for (const a of [edition.lead, ...edition.items]) expect(fromCompact, a.id).toContain(`${a.url} ${a.headline}`);
      // Every headline link the briefing has, compact has too (the briefing adds its contents list and "Continue reading").
      for (const entry of fromCompact) expect(articleLinks(briefing!.html)).toContain(entry);
      // The plain-text part is the same builder for both designs.
      expect(compact!.text).toBe(briefing!.text);
    }
  });

  it('links every headline, the sign-up page, the reader\'s unsubscribe URL and the archive copy', async () => {
    const edition = testEdition(25, config);
    const { html, text, subject, preheader } = await full('compact', edition);
    const anchors = links(html);
    for (const a of [edition.lead, ...edition.items]) expect(anchors).toContainEqual([a.url, a.headline]);
    const view = buildEditionView(edition, config);
    expect(anchors).toContainEqual([view.links.signUpUrl, `Sign up for ${view.newsletter.name}`]);
    expect(anchors).toContainEqual([sampleReader.unsubscribeUrl, 'Unsubscribe']);
    expect(anchors).toContainEqual([view.links.viewInBrowserUrl, 'View in your browser']);
    expect(anchors).toContainEqual([edition.lead.url, 'Continue reading →']);
    expect(subject).toBe(edition.subject);
    expect(preheaderOf(html)).toBe(preheader);
    const page = textOf(parseDocument(html));
    for (const needle of ['Good morning, Ana.', 'Monday, November 30, 2026', 'By Maya Okafor', view.publisher.postalAddress, `This email was sent to ${sampleReader.email}.`, 'Forwarded this?']) {
      expect(page).toContain(needle);
    }
    for (const a of [edition.lead, ...edition.items]) {
      expect(text).toContain(`${a.headline}\n`);
      expect(text).toContain(a.url);
    }
    expect(text).toContain(sampleReader.unsubscribeUrl);
  });

  it('sets lang, shows the lead image with alt, width and height, and falls back to "Good morning." without a name', async () => {
    const { html } = await full('compact', testEdition(25, config), noNameReader);
    const htmlEl = elements(html).find((e) => e.name === 'html')!;
    expect(htmlEl.attribs.lang).toBe('en-US');
    const img = elements(html).find((e) => e.name === 'img')!;
    expect(img.attribs).toMatchObject({ src: 'https://images.example.com/river-bridge.jpg', alt: 'The river bridge at dawn, with traffic crossing', width: '552', height: '311' });
    expect(textOf(parseDocument(html))).toContain('Good morning.');
  });

  /** An edition whose items have no section: one unheaded group, so the pairing is the edition's order. */
  const unsectioned = (count: number) => {
    const edition = testEdition(count, config);
    return { ...edition, items: edition.items.map(({ section: _section, ...a }) => a) };
  };

  /** The items laid out as halves (class "ic"): inline-blocks of at most half the width. */
  const halvesOf = (html: string) => elements(html).filter((e) => /\bic\b/.test(e.attribs.class ?? ''));

  it('puts the short items two to a row, and an odd last item alone on its row', async () => {
    // 25 articles: the lead plus 24 items, twelve rows of two.
    expect(halvesOf((await full('compact', unsectioned(25))).html)).toHaveLength(24);
    const { html } = await full('compact', unsectioned(4));
    const halves = halvesOf(html);
    expect(halves.map((e) => textOf(e))).toEqual([expect.stringContaining('2.'), expect.stringContaining('3.')]);
    // The third item is not a half: it has the row to itself.
    expect(textOf(parseDocument(html))).toContain('4. ');
    expect(halves.some((e) => textOf(e).includes('4. '))).toBe(false);
  });

  it('pairs items within their section, so a section of one item takes a whole row under its heading', async () => {
    // Four items in two sections: Politics has three (a pair and a lone one), Science one.
    const edition = testEdition(5, config);
    const items = edition.items.map((a, i) => ({ ...a, section: i === 1 ? 'Science' : 'Politics' }));
    const { html } = await full('compact', { ...edition, items });
    const headings = elements(html).filter((e) => /\bsec\b/.test(e.attribs.class ?? '')).map((e) => textOf(e).trim().toUpperCase());
    expect(headings).toEqual(['POLITICS', 'SCIENCE']);
    expect(halvesOf(html)).toHaveLength(2);
  });

  it('stacks the halves below 480 px: full width unless the screen is wide enough for two', async () => {
    const { html } = await full('compact', unsectioned(5));
    expect(html).toContain('@media (max-width:480px){.ic{max-width:100%!important}}');
    const half = halvesOf(html)[0]!;
    expect(half.attribs.style).toContain('display:inline-block;width:100%;max-width:284px');
  });

  it('keeps a 25-article edition under the 102 KB Gmail clips at', async () => {
    const rendered = await renderEdition(testEdition(25, config), config, 'compact');
    expect(rendered.htmlBytes).toBeGreaterThan(20_000);
    expect(rendered.htmlBytes).toBeLessThan(GMAIL_CLIP_BYTES);
  });

  it('shows HTML in article text literally, never as markup', async () => {
    const evil = '<script>alert(1)</script>';
    const lead = leadArticle({ headline: `Lead ${evil}`, body: [`Body ${evil}`], author: { name: '<Ann>', bio: `Bio ${evil}` } });
    const item = article(1, { headline: evil, dek: '<img src=x onerror=alert(1)>', kicker: '<u>k</u>' });
    const { html } = await full('compact', testEdition(2, config, { lead, items: [item], intro: `Intro ${evil}` }));
    const names = elements(html).map((e) => e.name);
    expect(names).not.toContain('script');
    expect(names).not.toContain('u');
    expect(elements(html).filter((e) => e.name === 'img').map((e) => e.attribs.src)).toEqual([lead.image!.url]);
    expect(links(html)).toContainEqual([item.url, evil]);
  });

  describe('render once, personalize many', () => {
    const newlineReader: Reader = { email: 'line@example.com', firstName: 'Ann\n   Marie class="x"', unsubscribeUrl: 'https://daybreak.example/u?t=1\n>' };
    const readers: Array<[string, Reader]> = [
      ['a named reader', sampleReader],
      ['a reader without a name', noNameReader],
      ['a reader whose fields hold < & quotes and emoji', awkwardReader],
      ['a reader whose fields hold newlines and attribute-like text', newlineReader],
    ];
    it.each(readers)('gives %s a copy byte-identical to a full MJML render with their props', async (_, reader) => {
      const edition = testEdition(25, config);
      const once = await renderEdition(edition, config, 'compact');
      const copy = once.personalize(reader);
      const direct = await full('compact', edition, reader);
      expect(copy.html).toBe(direct.html);
      expect(copy.text).toBe(direct.text);
      expect(copy.subject).toBe(direct.subject);
    });

    it('finds every per-reader field in the compiled MJML (the placeholders survive compilation)', async () => {
      const once = await renderEdition(testEdition(3, config), config, 'compact');
      expect([...once.html.fields].sort()).toEqual(['email', 'greeting', 'manageUrl', 'unsubscribeUrl']);
      expect(once.html.parts.join('')).not.toContain('DAYBREAK-');
    });
  });
});
