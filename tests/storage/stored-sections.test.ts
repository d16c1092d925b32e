import { describe, expect, it } from 'vitest';
import { parseSections } from '../../src/storage/stored-sections.ts';

describe('parseSections', () => {
  it('reads a stored JSON list of section ids', () => {
    expect(parseSections('["world","tech"]')).toEqual(['world', 'tech']);
    expect(parseSections('[]')).toEqual([]);
  });

  it('reads NULL as every section', () => {
    expect(parseSections(null)).toBeNull();
  });

  it('reads anything that is not a list of strings as every section, so a damaged row sends the whole edition', () => {
    for (const damaged of ['', 'not json', '{"world":true}', '"world"', '[1,2]', '["world",null]']) expect(parseSections(damaged)).toBeNull();
  });
});
