import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBrand } from '../../src/content/index.ts';
import { buildEditionView, getEditionTemplate, sampleReader } from '../../src/designs/index.ts';
import { testEdition } from '../render/fixtures.ts';
import { form, harness, parse, testConfig, type Harness } from './setup.ts';

const REPO = join(import.meta.dirname, '../..');
const brand = {
  logo: join(REPO, 'data/brand/logo.png'),
  logoDark: join(REPO, 'data/brand/logo-dark.png'),
  logoWidth: 200,
  accentColor: '#1d5c3a',
  linkColor: '#5a2d82',
  fontFamily: 'Charter, Georgia, serif',
  headingFontFamily: "'Iowan Old Style', Georgia, serif",
};
const publisher = { name: 'The Daybreak Post', postalAddress: '120 Harbor Street, Portland, ME', from: 'The Daybreak Post <briefing@daybreak.test>' };

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('the brand on the web app', () => {
  it('serves both logos at their stable URLs, and nothing else under /assets/brand/', async () => {
    h = await harness({ configOverrides: { publisher: { ...publisher, brand } } });
    for (const [path, file] of [['/assets/brand/logo.png', 'logo.png'], ['/assets/brand/logo-dark.png', 'logo-dark.png']] as const) {
      const res = await h.app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(REPO, 'data/brand', file)))).toBe(true);
    }
    expect((await h.app.request('/assets/brand/other.png')).status).toBe(404);
  });

  it('puts the logo in the site masthead and the brand colours and fonts in the stylesheet', async () => {
    h = await harness({ configOverrides: { publisher: { ...publisher, brand } } });
    const page = await (await h.app.request('/')).text();
    expect(page).toContain('<img class="logo logo-light" src="/assets/brand/logo.png" alt="The Daybreak Post" width="200"');
    expect(page).toContain('<img class="logo logo-dark" src="/assets/brand/logo-dark.png"');
    const css = await (await h.app.request('/assets/daybreak.css')).text();
    const resolved = resolveBrand(h.config);
    expect(css).toContain('--accent: #1d5c3a;');
    expect(css).toContain('--link: #5a2d82;');
    expect(css).toContain(`--accent: ${resolved.dark.accent};`);
    expect(css).toContain("--heading-font: 'Iowan Old Style', Georgia, serif;");
    expect(css).toContain('--body-font: Charter, Georgia, serif;');
  });

  it('sends the confirmation email with the logo under baseUrl and the brand accent on its button', async () => {
    h = await harness({ signupRatePerMinute: 1000, configOverrides: { publisher: { ...publisher, brand } } });
    await h.app.request('/subscribe', form({ email: 'ann@example.com', newsletters: ['morning'] }));
    await h.settle();
    const mail = await parse(h.sink.messages[0]!);
    const html = String(mail.html);
    expect(html).toContain('src="http://daybreak.test/assets/brand/logo.png"');
    expect(html).toMatch(/background-color:#1d5c3a/);
    expect(html).toContain('color:#5a2d82');
  });

  it('gives the transactional emails the same accent as the briefing when no brand is configured', async () => {
    h = await harness({ signupRatePerMinute: 1000 });
    await h.app.request('/subscribe', form({ email: 'ann@example.com', newsletters: ['morning'] }));
    await h.settle();
    const confirmation = String((await parse(h.sink.messages[0]!)).html);
    const config = testConfig();
    const briefing = await getEditionTemplate('briefing').render({ view: buildEditionView(testEdition(3, config), config), reader: sampleReader });
    const accent = resolveBrand(config).light.accent;
    expect(accent).toBe('#a8321e');
    expect(confirmation).toMatch(new RegExp(`background-color:${accent}`));
    expect(briefing.html).toContain(`color:${accent}`);
    // The old teal is gone from every email.
    expect(confirmation).not.toContain('#0b4f6c');
  });
});
