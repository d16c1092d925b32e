import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fallbackTemplates } from '../../src/audience/index.ts';
import { PortSchema } from '../../src/cli/context.ts';
import { escapeHtml } from '../../src/web/index.ts';
import { browserSkipRequested, launchChromium } from '../helpers/chromium.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Files of src/ (and tests/) whose text matches, so a copied helper shows up by name. */
function holders(roots: string[], pattern: RegExp): string[] {
  return roots.flatMap(files).filter((f) => /\.tsx?$/.test(f) && pattern.test(readFileSync(f, 'utf8'))).sort();
}

describe('one implementation of each shared helper', () => {
  it('escapes HTML for web pages, the preview and the fallback mails with src/html only', async () => {
    // The escape table written out: in the readers', web and preview code only src/html/html.ts may hold one (the
    // Atom feed's XML escaper, with &apos;, is another language's; src/render keeps React's mirror).
    expect(holders(['src/audience', 'src/web', 'src/preview', 'src/html'], /'&':\s*'&amp;'/).filter((f) => f !== 'src/web/archive-feed.ts')).toEqual(['src/html/html.ts']);
    const mail = await fallbackTemplates.confirmation({
      publisher: { name: `O'Brien & <Sons>`, postalAddress: '1 "Main" St', from: 'x@example.com' } as never,
      newsletters: [],
      confirmUrl: 'https://example.com/confirm?token=a&b',
      signUpUrl: 'https://example.com/',
      manageUrl: 'https://example.com/manage?token=m',
    });
    expect(mail.html).toContain(escapeHtml(`O'Brien & <Sons>`));
    expect(mail.html).toContain(escapeHtml('https://example.com/confirm?token=a&b'));
  });

  it('declares the port schema once, in src/cli/context.ts, for serve and preview', () => {
    expect(holders(['src'], /number\(\{ error: 'Expected a port number' \}\)/)).toEqual(['src/cli/context.ts']);
    expect(PortSchema.safeParse('0').success).toBe(true);
    expect(PortSchema.safeParse('65535').data).toBe(65535);
    for (const bad of ['65536', '-1', '3.5', 'http']) expect(PortSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('launches Chromium from tests/helpers/chromium.ts only; a missing Chromium fails clearly, and only DAYBREAK_SKIP_BROWSER=1 skips', async () => {
    expect(holders(['tests'], /chromium\.launch\(/)).toEqual(['tests/helpers/chromium.ts']);
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(/\/nonexistent\/chromium is missing[\s\S]*apt-get install -y chromium[\s\S]*DAYBREAK_SKIP_BROWSER=1/);
    expect(browserSkipRequested({ DAYBREAK_SKIP_BROWSER: '1' })).toBe(true);
    for (const value of [undefined, '', '0', 'true', 'yes']) expect(browserSkipRequested({ DAYBREAK_SKIP_BROWSER: value }), String(value)).toBe(false);
  });
});
