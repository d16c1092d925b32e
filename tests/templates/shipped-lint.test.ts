import { listTemplates, renderEdition, sampleReader, type TransactionalTemplate } from '../../src/designs/index.ts';
import { describe, expect, it } from 'vitest';
import { lintEmail } from '../../src/render/lint-email.ts';
import { testConfig, testEdition } from '../render/fixtures.ts';
import { fullProps, minimalProps } from './fixtures/transactional-props.ts';

const config = testConfig();

describe('every shipped template passes the email-client lint', () => {
  for (const template of listTemplates()) {
    it(`${template.name} (${template.engine}, ${template.kind})`, async () => {
      if (template.kind === 'edition') {
        for (const count of [1, 2, 25]) {
          const rendered = await renderEdition(testEdition(count, config), config, template.name);
          expect(lintEmail(rendered.personalize(sampleReader).html), `${count} articles`).toEqual([]);
        }
      } else {
        // A new transactional template needs sample props here before it can ship.
        const name = template.name as keyof typeof fullProps;
        expect(Object.keys(fullProps), 'sample props for this template').toContain(name);
        for (const props of [fullProps[name], minimalProps[name]]) {
          const { html } = await (template as TransactionalTemplate).render(props);
          expect(lintEmail(html)).toEqual([]);
        }
      }
    });
  }
});

describe('an edition with every module and a logo, at 25 items', () => {
  const REPO = new URL('../..', import.meta.url).pathname;
  const branded = testConfig({
    publisher: {
      name: 'The Daybreak Post',
      postalAddress: '120 Harbor Street, Portland, ME 04101, USA',
      brand: { logo: `${REPO}data/brand/logo.png`, logoDark: `${REPO}data/brand/logo-dark.png`, logoWidth: 240, accentColor: '#9c2b1c', fontFamily: "Georgia, 'Times New Roman', Times, serif" },
    },
    newsletters: [
      { id: 'morning', name: 'The Morning Briefing', description: 'The day, explained.', sections: ['World', 'Politics', 'Science', 'Business', 'Culture'], schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } },
    ],
  });
  const base = testEdition(25, branded);
  const edition = {
    ...base,
    intro: 'Congress is back, the climate talks are in their last week and the Northeast is watching the sky.',
    lead: { ...base.lead, why: 'A closed bridge would add an hour to 40,000 commutes each way.' },
    items: base.items.map((a) => ({ ...a, why: 'It decides who pays for the new docks, and when the ferries run again.' })),
    quote: { text: 'The calendar is the calendar. Nobody is writing twelve full-year bills in that time.', by: 'A senior appropriations aide' },
    sponsor: { label: 'Sponsored', headline: 'Harbor Street Coffee', text: 'Beans roasted the morning you order, at your door in two days.', url: 'https://coffee.example/daybreak', image: { url: 'https://coffee.example/bag.jpg', alt: 'A bag of coffee', width: 600, height: 300 } },
    numbers: [
      { figure: '12', text: 'days until federal funding runs out' },
      { figure: '$38 billion', text: 'between the House and Senate plans' },
      { figure: '41', text: 'measles cases in the outbreak' },
    ],
  };

  it.each(['briefing', 'compact'])('%s stays under 60 KB of HTML and passes the email-client lint', async (name) => {
    const rendered = await renderEdition(edition, branded, name);
    const html = rendered.personalize(sampleReader).html;
    expect(lintEmail(html)).toEqual([]);
    expect(rendered.htmlBytes).toBeGreaterThan(30_000);
    expect(rendered.htmlBytes).toBeLessThan(60 * 1024);
    for (const shown of ['Quote of the day', 'By the numbers', 'Sponsored', 'Why it matters:', 'assets/brand/logo-dark.png']) expect(html, shown).toContain(shown);
  });
});
