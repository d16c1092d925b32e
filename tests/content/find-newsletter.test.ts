import { describe, expect, it } from 'vitest';
import { findNewsletter, parseConfig } from '../../src/content/index.ts';

const config = parseConfig('test.json', JSON.stringify({ newsletters: [{ id: 'morning', name: 'Morning' }, { id: 'weekly', name: 'Weekly' }] }));

describe('findNewsletter', () => {
  it('finds a newsletter by id, and the first one when no id is given', () => {
    expect(findNewsletter(config, 'weekly').name).toBe('Weekly');
    expect(findNewsletter(config).id).toBe('morning');
    expect(findNewsletter(config, '').id).toBe('morning');
  });

  it('rejects an unknown id with a usage error naming the config\'s newsletters', () => {
    expect(() => findNewsletter(config, 'evening')).toThrow(/Unknown newsletter "evening" \(the config has: morning, weekly\)/);
    expect(() => findNewsletter(config, 'evening')).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });
});
