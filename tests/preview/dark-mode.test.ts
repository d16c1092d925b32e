import { describe, expect, it } from 'vitest';
import { darkCss, darkModeHtml } from '../../src/preview/dark-mode.ts';

describe('darkModeHtml (the dark-mode switch)', () => {
  it('turns prefers-color-scheme: dark queries on and light ones off, also inside longer queries', () => {
    const css = '@media (prefers-color-scheme: dark){a{color:#fff}} @media screen and (prefers-color-scheme:light){a{color:#000}}';
    expect(darkCss(css)).toBe('@media (min-width: 0px){a{color:#fff}} @media screen and (max-width: -1px){a{color:#000}}');
  });

  it('narrows a declared light-and-dark color scheme to dark, and leaves a light-only email light', () => {
    const both = '<html><head><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"><style>:root{color-scheme: light dark}</style></head><body></body></html>';
    const dark = darkModeHtml(both);
    expect(dark).toContain('<meta name="color-scheme" content="dark">');
    expect(dark).toContain('<meta name="supported-color-schemes" content="dark">');
    expect(dark).toContain(':root{color-scheme: dark}');
    const light = '<html><head><meta name="color-scheme" content="light"><style>:root{color-scheme: light}</style></head><body></body></html>';
    expect(darkModeHtml(light)).toBe(light);
  });

  it('changes only style blocks, never the text of the email', () => {
    const html = '<html><head><style>@media (prefers-color-scheme: dark){p{color:#eee}}</style></head><body><p>Our CSS guide: use (prefers-color-scheme: dark) queries</p></body></html>';
    const dark = darkModeHtml(html);
    expect(dark).toContain('<p>Our CSS guide: use (prefers-color-scheme: dark) queries</p>');
    expect(dark).toContain('<style>@media (min-width: 0px){p{color:#eee}}</style>');
  });
});
