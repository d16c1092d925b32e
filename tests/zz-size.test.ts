import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { renderEdition } from '../src/render/index.ts';
import { testConfig, testEdition } from './render/fixtures.ts';
it('size', async () => {
  const config = testConfig();
  for (const t of ['briefing', 'compact']) {
    const r = await renderEdition(testEdition(25, config), config, t);
    console.log(t, r.htmlBytes);
    writeFileSync(`/tmp/r21/fixture-${t}.html`, r.personalize({ email: 'a@b.c', firstName: 'Ana', unsubscribeUrl: 'https://x.example/u' }).html);
  }
});
