import { describe, expect, it } from 'vitest';
import { getEditionTemplate, getTemplate, listTemplates, templates } from '../../src/designs/index.ts';
import { templates as fromTemplatesFolder } from '../../templates/index.ts';

describe('the template registry', () => {
  it('lists the briefing as a React Email edition template with a description', () => {
    const briefing = listTemplates().find((t) => t.name === 'briefing');
    expect(briefing).toMatchObject({ name: 'briefing', engine: 'react-email', kind: 'edition' });
    expect(briefing?.description.length).toBeGreaterThan(10);
    expect(typeof briefing?.render).toBe('function');
  });

  it('is the list in templates/index.ts, with unique names', () => {
    expect(listTemplates()).toEqual(fromTemplatesFolder);
    expect(templates).toBe(fromTemplatesFolder);
    const names = listTemplates().map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('finds a template by name', () => {
    expect(getTemplate('briefing').name).toBe('briefing');
    expect(getEditionTemplate('briefing').kind).toBe('edition');
  });

  it('rejects an unknown name with a usage error naming the known templates', () => {
    expect(() => getTemplate('brefing')).toThrow(/Unknown template "brefing" \(known templates: .*briefing/);
    try {
      getTemplate('nope');
    } catch (error) {
      expect((error as { code: string }).code).toBe('EUSAGE');
    }
    expect.assertions(2);
  });
});
