import { describe, expect, it } from 'vitest';
import { plural } from '../src/plural.ts';

describe('plural', () => {
  it('says the singular for exactly one, and the plural for none and for more', () => {
    expect(plural(1, 'second')).toBe('1 second');
    expect(plural(0, 'second')).toBe('0 seconds');
    expect(plural(2, 'second')).toBe('2 seconds');
  });

  it('takes an irregular plural', () => {
    expect(plural(1, 'copy', 'copies')).toBe('1 copy');
    expect(plural(3, 'deferred copy', 'deferred copies')).toBe('3 deferred copies');
  });
});
