import { describe, expect, it } from 'vitest';
import { GMAIL_CLIP_BYTES, cssDeclarations, lintEmail, preheaderOf, type LintRule } from '../../src/render/lint-email.ts';

/** A small email that passes every rule; each failing fixture below breaks exactly one of them. */
function email(parts: { lang?: string; head?: string; preheader?: string; body?: string } = {}): string {
  const lang = parts.lang ?? ' lang="en"';
  const preheader = parts.preheader ?? '<div style="display:none;max-height:0;overflow:hidden">Today: three stories</div>';
  return `<!DOCTYPE html>
<html${lang}>
<head><meta charset="utf-8"><style>@media (max-width:600px){ .col { width:100% !important; display:block } }</style>${parts.head ?? ''}</head>
<body>
${preheader}
<table role="presentation" width="100%"><tr><td>
<p>Good morning.</p>
<a href="https://news.example.com/a">A story</a> <a href="mailto:desk@example.com">Write to us</a>
<img src="https://news.example.com/a.png" alt="" width="600" height="338">
${parts.body ?? ''}
</td></tr></table>
</body>
</html>`;
}

function rules(html: string): LintRule[] {
  return lintEmail(html).map((f) => f.rule);
}

describe('lintEmail', () => {
  it('passes a plain table-based email with a preheader, lang, absolute links and sized images', () => {
    expect(lintEmail(email())).toEqual([]);
  });

  it('flags a <script> element and says where it is', () => {
    const findings = lintEmail(email({ body: '<script>alert(1)</script>' }));
    expect(findings.map((f) => f.rule)).toEqual(['no-script']);
    expect(findings[0]!.where).toMatch(/^line \d+ <script>/);
  });

  it('flags forms and form controls', () => {
    expect(rules(email({ body: '<form action="https://x.example"><input name="q"><button>Go</button></form>' }))).toEqual([
      'no-forms',
      'no-forms',
      'no-forms',
    ]);
    expect(rules(email({ body: '<select><option>a</option></select><textarea></textarea>' }))).toEqual(['no-forms', 'no-forms']);
  });

  it('flags <link rel=stylesheet> and @import of external CSS', () => {
    expect(rules(email({ head: '<link rel="stylesheet" href="https://fonts.example.com/a.css">' }))).toEqual(['no-external-css']);
    expect(rules(email({ head: '<link rel="Alternate StyleSheet" href="https://fonts.example.com/a.css">' }))).toEqual(['no-external-css']);
    expect(rules(email({ head: '<style>@import url("https://fonts.example.com/a.css"); p { color: #111 }</style>' }))).toEqual([
      'no-external-css',
    ]);
  });

  it('does not mistake a non-stylesheet <link> for external CSS', () => {
    expect(rules(email({ head: '<link rel="icon" href="https://news.example.com/favicon.ico">' }))).toEqual([]);
  });

  it('flags flexbox and grid in inline styles', () => {
    for (const display of ['flex', 'inline-flex', 'grid', 'inline-grid']) {
      expect(rules(email({ body: `<div style="color:#111; DISPLAY : ${display} !important">x</div>` }))).toEqual(['no-flex-grid']);
    }
  });

  it('flags flexbox and grid in <style> blocks, inside @media too, and ignores them in comments and strings', () => {
    expect(rules(email({ head: '<style>@media (min-width: 480px) { .row { display: flex; } }</style>' }))).toEqual(['no-flex-grid']);
    expect(rules(email({ head: '<style>.grid{display:grid}</style>' }))).toEqual(['no-flex-grid']);
    expect(rules(email({ head: '<style>/* .x { display: flex } */ .y::after { content: "display:flex"; display: block }</style>' }))).toEqual([]);
  });

  it('flags an <img> without alt, width or height, and accepts an empty alt for decoration', () => {
    const findings = lintEmail(email({ body: '<img src="https://news.example.com/b.png" width="10">' }));
    expect(findings.map((f) => f.rule)).toEqual(['img-attributes']);
    expect(findings[0]!.message).toBe('<img> lacks alt, height');
    expect(rules(email({ body: '<img src="https://news.example.com/b.png" alt="Chart" width="" height="20">' }))).toEqual(['img-attributes']);
  });

  it('flags javascript:, relative and fragment links, and accepts http(s) and mailto', () => {
    expect(rules(email({ body: '<a href="javascript:alert(1)">x</a>' }))).toEqual(['absolute-links']);
    expect(rules(email({ body: '<a href="/archive/morning">x</a>' }))).toEqual(['absolute-links']);
    expect(rules(email({ body: '<a href="#top">x</a>' }))).toEqual(['absolute-links']);
    expect(rules(email({ body: '<a href="">x</a>' }))).toEqual(['absolute-links']);
    expect(rules(email({ body: '<a href="ftp://files.example.com/x">x</a>' }))).toEqual(['absolute-links']);
    expect(rules(email({ body: '<a href="http://localhost:3000/">x</a><a href="MAILTO:a@example.com">y</a><a name="anchor">z</a>' }))).toEqual([]);
  });

  it('flags a missing or empty <html lang>', () => {
    expect(rules(email({ lang: '' }))).toEqual(['html-lang']);
    expect(rules(email({ lang: ' lang=" "' }))).toEqual(['html-lang']);
    expect(rules('<div style="display:none">Preview</div><p>No html element</p>')).toEqual(['html-lang']);
  });

  it('flags a missing preheader: none at all, one that is visible, or one after the first visible text', () => {
    expect(rules(email({ preheader: '' }))).toEqual(['preheader']);
    expect(rules(email({ preheader: '<div>Today: three stories</div>' }))).toEqual(['preheader']);
    // Only zero-width padding is no text.
    expect(rules(email({ preheader: '<div style="display:none">\u200c\u00a0\u034f </div>' }))).toEqual(['preheader']);
    const late = email({ preheader: '' }).replace('</td></tr></table>', '<div style="display:none">Late</div></td></tr></table>');
    expect(rules(late)).toEqual(['preheader']);
  });

  it('finds the preheader text, skipping head, comments and zero-width padding', () => {
    const html = email({ preheader: '<!-- pre --><div style="mso-hide:all; display: none !important"><span>Three stories\u200c\u00a0 today</span>\u200c\u200c</div>' });
    expect(preheaderOf(html)).toBe('Three stories today');
    expect(preheaderOf(email({ preheader: '' }))).toBeNull();
  });

  it('flags HTML of 102 KB or more, counted in UTF-8 bytes', () => {
    const base = email();
    const fill = GMAIL_CLIP_BYTES - Buffer.byteLength(base, 'utf8');
    // "é" is two bytes: a string that is under the limit in characters but over it in bytes.
    const padded = email({ body: `<p>${'é'.repeat(Math.ceil(fill / 2) + 10)}</p>` });
    expect(padded.length).toBeLessThan(GMAIL_CLIP_BYTES);
    expect(rules(padded)).toEqual(['size']);
    expect(rules(email({ body: `<p>${'e'.repeat(fill - 200)}</p>` }))).toEqual([]);
  });

  it('reports the line of each finding', () => {
    const html = email({ body: '\n\n<script></script>' });
    const line = html.slice(0, html.indexOf('<script>')).split('\n').length;
    expect(lintEmail(html)[0]!.where).toBe(`line ${line} <script>`);
  });
});

describe('cssDeclarations', () => {
  it('splits declarations, keeps semicolons inside url() and drops !important', () => {
    expect(cssDeclarations('background:url(data:image/png;base64,AAA); Display: Block !important')).toEqual([
      { property: 'background', value: 'url(data:image/png;base64,aaa)' },
      { property: 'display', value: 'block' },
    ]);
  });
});
