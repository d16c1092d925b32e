import { describe, expect, it } from 'vitest';
import {
  awkwardReader,
  buildEditionView,
  createPlaceholderReader,
  escapeHtml,
  getEditionTemplate,
  noNameReader,
  readerFieldValues,
  renderEdition,
  sampleReader,
  segment,
  type Reader,
} from '../../src/designs/index.ts';
import { article, testConfig, testEdition } from './fixtures.ts';

const config = testConfig();

const readers: Array<[string, Reader]> = [
  ['the sample reader', sampleReader],
  ['a reader with no name', noNameReader],
  ['a reader whose name holds < & quotes and emoji', awkwardReader],
  ['an empty-string name', { email: 'empty@example.com', firstName: '', unsubscribeUrl: 'https://daybreak.example/u/1' }],
  ['a name that looks like markup', { email: 'x@example.com', firstName: '</p><script>alert("x")</script>', unsubscribeUrl: 'https://daybreak.example/u/2' }],
  ['a name that looks like an entity', { email: 'amp@example.com', firstName: '&amp; &#x27; &lt;', unsubscribeUrl: 'https://daybreak.example/u/3' }],
  ['a name with a placeholder-like token', { email: 't@example.com', firstName: '%%DAYBREAK-00:email%%', unsubscribeUrl: 'https://daybreak.example/u/4' }],
  ['non-Latin scripts and combining marks', { email: 'ünïcode@exämple.com', firstName: 'Ｊｏｓé 李 محمد 👩‍👩‍👧', unsubscribeUrl: 'https://daybreak.example/u/5?a=1&b=2' }],
  ['odd emails', { email: '"very.unusual@"@example.com', firstName: "D'Arcy", unsubscribeUrl: 'https://daybreak.example/u/6#frag' }],
];

describe('render once, personalize many', () => {
  const edition = testEdition(8, config);
  const once = renderEdition(edition, config);

  for (const [label, reader] of readers) {
    it(`gives ${label} a copy byte-identical to a full render (HTML and text)`, async () => {
      const copy = (await once).personalize(reader);
      const full = await getEditionTemplate('briefing').render({ view: buildEditionView(edition, config), reader });
      expect(copy.html).toBe(full.html);
      expect(copy.text).toBe(full.text);
      expect(copy.subject).toBe(full.subject);
      expect(copy.preheader).toBe(full.preheader);
    });

    it(`gives ${label} the same copy as UTF-8 bytes through personalizeBytes`, async () => {
      const rendered = await once;
      const copy = rendered.personalize(reader);
      const bytes = rendered.personalizeBytes(reader);
      expect(bytes.html.equals(Buffer.from(copy.html, 'utf8'))).toBe(true);
      expect(bytes.text.equals(Buffer.from(copy.text, 'utf8'))).toBe(true);
      expect([bytes.subject, bytes.preheader]).toEqual([copy.subject, copy.preheader]);
    });
  }

  it('gives different readers different bytes (personalizeBytes substitutes, it does not cache one copy)', async () => {
    const rendered = await once;
    const a = rendered.personalizeBytes(sampleReader).html.toString('utf8');
    expect(a).toContain('Good morning, Ana.');
    expect(a).not.toContain('Good morning, Zoë');
    expect(rendered.personalizeBytes(awkwardReader).html.toString('utf8')).toContain(escapeHtml('Good morning, Zoë "Z" <O\'Brien> & 🦊.'));
  });

  it('differs from a full render for another reader (the equivalence check can fail)', async () => {
    const copy = (await once).personalize(sampleReader);
    const other = await getEditionTemplate('briefing').render({ view: buildEditionView(edition, config), reader: awkwardReader });
    expect(copy.html).not.toBe(other.html);
    expect(copy.text).not.toBe(other.text);
  });

  it('escapes values in the HTML and leaves them raw in the text', async () => {
    const copy = (await once).personalize(awkwardReader);
    expect(copy.html).toContain('Good morning, Zoë &quot;Z&quot; &lt;O&#x27;Brien&gt; &amp; 🦊.');
    expect(copy.html).not.toContain(awkwardReader.firstName!);
    expect(copy.text).toContain(`Good morning, ${awkwardReader.firstName}.`);
    expect(copy.html).toContain(`href="${escapeHtml(awkwardReader.unsubscribeUrl)}"`);
  });

  it('splits the HTML and text at the greeting, email, unsubscribe URL and manage URL', async () => {
    const rendered = await once;
    expect(rendered.html.fields).toEqual(['greeting', 'email', 'unsubscribeUrl', 'manageUrl']);
    expect(rendered.text.fields).toEqual(['greeting', 'email', 'unsubscribeUrl', 'manageUrl']);
    expect(rendered.html.parts).toHaveLength(5);
    expect(rendered.html.parts.join('')).not.toMatch(/%%DAYBREAK/);
    expect(rendered.template).toBe('briefing');
    expect(rendered.engine).toBe('react-email');
  });

  it('never substitutes a token written into article text (tokens carry a random nonce)', async () => {
    const forged = article(1, { headline: '%%DAYBREAK-abc:email%% and %%DAYBREAK-000000000000:email%%' });
    const ed = testEdition(2, config, { items: [forged] });
    const copy = (await renderEdition(ed, config)).personalize(sampleReader);
    expect(copy.html).toContain(forged.headline);
    expect(copy.text).toContain(forged.headline);
  });

  it('refuses a render in which the engine mangled a placeholder', () => {
    const reader = createPlaceholderReader('feedbeef');
    const token = readerFieldValues(reader).email;
    expect(segment(`a ${token} b`, 'feedbeef')).toEqual({ parts: ['a ', ' b'], fields: ['email'] });
    expect(() => segment(`a ${token.replace('%%', '%25%25')} b`, 'feedbeef')).toThrow(/placeholder was altered/);
  });
});

describe('readerFieldValues', () => {
  it('gives the greeting with the trimmed first name, or the fallback', () => {
    expect(readerFieldValues(sampleReader).greeting).toBe('Good morning, Ana.');
    expect(readerFieldValues({ ...sampleReader, firstName: '  Ana  ' }).firstName).toBe('Ana');
    expect(readerFieldValues(noNameReader).greeting).toBe('Good morning.');
    expect(readerFieldValues({ ...sampleReader, firstName: ' ' }).greeting).toBe('Good morning.');
  });

  it('returns tokens, not values, for a placeholder reader', () => {
    const values = readerFieldValues(createPlaceholderReader('abc123'));
    expect(values).toEqual({
      greeting: '%%DAYBREAK-abc123:greeting%%',
      firstName: '%%DAYBREAK-abc123:firstName%%',
      email: '%%DAYBREAK-abc123:email%%',
      unsubscribeUrl: '%%DAYBREAK-abc123:unsubscribeUrl%%',
      manageUrl: '%%DAYBREAK-abc123:manageUrl%%',
    });
  });
});

describe('escapeHtml', () => {
  it('escapes exactly what React escapes', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#x27;s&lt;/a&gt;');
    expect(escapeHtml('plain 🦊 text')).toBe('plain 🦊 text');
    expect(escapeHtml('')).toBe('');
  });
});
