import { describe, expect, it } from 'vitest';
import {
  buildEditionView,
  getEditionTemplate,
  GMAIL_CLIP_BYTES,
  noNameReader,
  renderEdition,
  sampleReader,
} from '../../src/designs/index.ts';
import { article, leadArticle, testConfig, testEdition } from './fixtures.ts';
import { elements, links, textOf } from './html-tools.ts';

const config = testConfig();

async function renderFull(edition = testEdition(25, config), reader = sampleReader) {
  return getEditionTemplate('briefing').render({ view: buildEditionView(edition, config), reader });
}

describe('the briefing template', () => {
  it('links every headline to its URL in the HTML and lists every headline with its URL in the text', async () => {
    const edition = testEdition(25, config);
    const { html, text } = await renderFull(edition);
    const anchors = links(html);
    const numbers = new Map(buildEditionView(edition, config).items.map((i) => [i.id, i.number]));
    for (const a of [edition.lead, ...edition.items]) {
      expect(anchors).toContainEqual([a.url, a.headline]);
      const lines = text.split('\n');
      // The last occurrence: "In this edition" lists the first few again, without links.
      const at = lines.lastIndexOf(`${numbers.get(a.id) ?? 1}. ${a.headline}`);
      expect(at, a.headline).toBeGreaterThan(-1);
      expect(lines.slice(at, at + 3)).toContain(a.url);
    }
  });

  it('shows HTML in article text literally, never as markup, in every place text appears', async () => {
    const evil = '<script>alert(1)</script>';
    const lead = leadArticle({ headline: `Lead ${evil}`, dek: `Dek <b>bold</b> & more`, kicker: '<i>k</i>', body: [`Body ${evil}`], author: { name: '<Ann>', bio: `Bio ${evil}` } });
    const item = article(1, { headline: evil, dek: '<img src=x onerror=alert(1)>', kicker: '<u>k</u>' });
    const edition = testEdition(2, config, { lead, items: [item], intro: `Intro ${evil}`, subject: `Subject ${evil}` });
    const { html, text } = await renderFull(edition);
    const tags = elements(html).map((e) => e.name);
    for (const forbidden of ['script', 'b', 'i', 'u', 'img']) {
      if (forbidden === 'img') expect(elements(html).filter((e) => e.name === 'img').every((e) => e.attribs.src !== 'x')).toBe(true);
      else expect(tags, forbidden).not.toContain(forbidden);
    }
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(links(html)).toContainEqual([item.url, evil]);
    // The text part is plain text: the characters stay as they are.
    expect(text).toContain(evil);
  });

  it('fails the escaping check when markup is injected (the check above can fail)', () => {
    const injected = '<p>ok</p><script>alert(1)</script>';
    expect(elements(injected).map((e) => e.name)).toContain('script');
  });

  it('keeps the HTML of a 25-article edition under the 102 KB Gmail clips at', async () => {
    const rendered = await renderEdition(testEdition(25, config), config);
    expect(rendered.htmlBytes).toBeGreaterThan(10_000);
    expect(rendered.htmlBytes).toBeLessThan(GMAIL_CLIP_BYTES);
  });

  it('would exceed the budget with far more text, so the size check measures something real', async () => {
    const long = 'A long dek sentence that goes on and on for the sake of the size test. '.repeat(60);
    const edition = testEdition(25, config);
    const bloated = { ...edition, items: edition.items.map((a) => ({ ...a, dek: long })) };
    const rendered = await renderEdition(bloated, config);
    expect(rendered.htmlBytes).toBeGreaterThan(GMAIL_CLIP_BYTES);
  });

  it('sets lang on <html> from the newsletter locale', async () => {
    const fr = testConfig({ newsletters: [{ id: 'matin', name: 'Le Matin', locale: 'fr-FR', schedule: { cron: '0 6 * * *', timezone: 'Europe/Paris' } }] });
    const edition = testEdition(3, fr);
    const { html } = await getEditionTemplate('briefing').render({ view: buildEditionView(edition, fr), reader: sampleReader });
    expect(elements(html).find((e) => e.name === 'html')?.attribs.lang).toBe('fr-FR');
    expect(html).toContain('lundi 30 novembre 2026');
    const en = await renderFull(testEdition(3, config));
    expect(elements(en.html).find((e) => e.name === 'html')?.attribs.lang).toBe('en-US');
  });

  it('greets the reader by first name, and falls back gracefully without one', async () => {
    const named = await renderFull(testEdition(2, config), { ...sampleReader, firstName: '  Ana ' });
    expect(named.html).toContain('>Good morning, Ana.</p>');
    expect(named.text).toContain('\nGood morning, Ana.\n');
    for (const firstName of [null, '', '   ']) {
      const anon = await renderFull(testEdition(2, config), { ...noNameReader, firstName });
      expect(anon.html).toContain('>Good morning.</p>');
      expect(anon.html).not.toContain('Good morning, ');
      expect(anon.text).toContain('\nGood morning.\n');
    }
  });

  it('shows masthead, date, preheader, lead byline, bio, image and the continue link', async () => {
    const edition = testEdition(3, config);
    const { html, text, subject, preheader } = await renderFull(edition);
    const view = buildEditionView(edition, config);
    expect(subject).toBe(edition.subject);
    expect(preheader).toBe(view.preheader);
    expect(html).toContain('The Morning Briefing');
    expect(html).toContain('Monday, November 30, 2026');
    expect(html).toContain(view.preheader.slice(0, 60));
    expect(html).toContain('By Maya Okafor');
    const bio = elements(html).filter((e) => e.name === 'p' && /\bbx\b/.test(e.attribs.class ?? ''));
    expect(bio.map((p) => textOf(p))).toEqual([edition.lead.author!.bio]);
    const img = elements(html).find((e) => e.name === 'img');
    // A 600 × 338 picture in the 552-px column: its attributes are the column's, the height scaled to match.
    expect(img?.attribs).toMatchObject({ src: 'https://images.example.com/river-bridge.jpg', alt: 'The river bridge at dawn, with traffic crossing', width: '552', height: '311' });
    expect(links(html)).toContainEqual([edition.lead.url, 'Continue reading →']);
    expect(text).toContain(`Continue reading: ${edition.lead.url}`);
    expect(text).toContain('About the author: Maya Okafor covers transportation');
  });

  it('leaves out the image, byline and bio when the lead has none', async () => {
    const lead = article(0, { id: 'bare-lead' });
    const { html, text } = await renderFull(testEdition(2, config, { lead }));
    expect(lead.author).toBeUndefined();
    expect(elements(html).some((e) => e.name === 'img')).toBe(false);
    expect(html).not.toContain('>By ');
    // The bio is the one paragraph boxed like the sign-up box (class "bx"): none without an author.
    expect(elements(html).filter((e) => e.name === 'p' && /\bbx\b/.test(e.attribs.class ?? ''))).toEqual([]);
    expect(text).not.toContain('About the author');
  });

  it('has the sign-up box, unsubscribe, view-in-browser, reason and postal address in the footer, in both parts', async () => {
    const { html, text } = await renderFull();
    const anchors = links(html);
    expect(anchors).toContainEqual(['https://daybreak.example/', 'Sign up for The Morning Briefing']);
    expect(html).toContain('Forwarded this?');
    expect(anchors).toContainEqual([sampleReader.unsubscribeUrl, 'Unsubscribe']);
    expect(anchors).toContainEqual(['https://daybreak.example/archive/morning/2026-11-30', 'View in your browser']);
    expect(html).toContain(`This email was sent to ${sampleReader.email}.`);
    expect(html).toContain('120 Harbor Street, Portland, ME 04101, USA');
    expect(text).toContain('Forwarded this? Sign up for The Morning Briefing: https://daybreak.example/');
    expect(text).toContain(`Unsubscribe: ${sampleReader.unsubscribeUrl}`);
    expect(text).toContain('View in your browser: https://daybreak.example/archive/morning/2026-11-30');
    expect(text).toContain('120 Harbor Street, Portland, ME 04101, USA');
  });

  it('gives every element that holds text an explicit colour and every container a background (dark mode)', async () => {
    const { html } = await renderFull();
    const all = elements(html);
    const body = all.find((e) => e.name === 'body');
    expect(body?.attribs.style).toMatch(/background-color:#/);
    const card = all.find((e) => e.name === 'table' && /max-width:600px/.test(e.attribs.style ?? ''));
    expect(card?.attribs.style).toMatch(/background-color:#fff/);
    for (const p of all.filter((e) => e.name === 'p' && textOf(e).trim() !== '')) {
      const colour = /(^|;)color:#/.test(p.attribs.style ?? '') || all.some((a) => a.name === 'a' && a.parent === p);
      expect(colour, textOf(p)).toBe(true);
    }
    expect(html).toContain('prefers-color-scheme:dark');
  });
});
