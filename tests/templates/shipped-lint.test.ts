import { listTemplates, renderEdition, sampleReader, type TransactionalTemplate } from '../../src/render/index.ts';
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
