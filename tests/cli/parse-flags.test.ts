import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseFlags } from '../../src/cli/parse-flags.ts';
import { DaybreakError } from '../../src/errors.ts';

const Flags = z.strictObject({
  limit: z.string().regex(/^\d+$/, { error: 'Expected a whole number, e.g. 50' }).transform(Number),
  allowInsecureLinks: z.boolean().default(false),
  kind: z.enum(['a', 'b']).optional(),
});

function usageError(run: () => unknown): DaybreakError {
  try {
    run();
  } catch (error) {
    if (error instanceof DaybreakError) return error;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('parseFlags', () => {
  it('returns the parsed flags when every flag is valid', () => {
    expect(parseFlags(Flags, { limit: '7', kind: 'b' })).toEqual({ limit: 7, allowInsecureLinks: false, kind: 'b' });
  });

  it('names a bad flag as the user typed it, dashed, with the schema message', () => {
    const error = usageError(() => parseFlags(Flags, { limit: 'x', allowInsecureLinks: 'yes' }));
    expect(error.code).toBe('EUSAGE');
    expect(error.details).toEqual(['--limit: Expected a whole number, e.g. 50', expect.stringMatching(/^--allow-insecure-links: /)]);
    expect(error.message).toBe(error.details.join('\n'));
  });

  it('says a problem with no flag to name (one about the options together) as the schema words it', () => {
    const Pair = z.strictObject({ from: z.string().optional(), to: z.string().optional() }).refine((f) => !(f.from && f.to), { error: 'Give --from or --to, not both' });
    const error = usageError(() => parseFlags(Pair, { from: 'a', to: 'b' }));
    expect(error.details).toEqual(['Give --from or --to, not both']);
    expect(error.message).toBe('Give --from or --to, not both');
  });
});
