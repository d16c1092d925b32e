// This file imports a template module BEFORE src/render/index.ts (vitest gives each test file its own
// module graph), the order that breaks when a template enters the index → registry → templates cycle.
import { briefing } from '../../templates/briefing.tsx';
import { describe, expect, it } from 'vitest';
import { buildEditionView, getTemplate, sampleReader } from '../../src/render/index.ts';
import { testConfig, testEdition } from './fixtures.ts';

describe('loading order', () => {
  it('renders when a template file is the first module loaded', async () => {
    expect(getTemplate('briefing')).toBe(briefing);
    const config = testConfig();
    const { html } = await briefing.render({ view: buildEditionView(testEdition(2, config), config), reader: sampleReader });
    expect(html).toContain('Good morning, Ana.');
  });
});
