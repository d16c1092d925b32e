import type { z } from 'zod';
import { DaybreakError } from '../errors.ts';

/** commander hands options over camel-cased (`--allow-insecure-links` → allowInsecureLinks); users typed the dashed form. */
const flagName = (key: PropertyKey) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Validates a command's options with its zod schema, at the edge: the parsed flags, or a usage error
 * (exit 2) with one line per problem naming the flag as it was typed.
 *
 * @example
 * const flags = parseFlags(z.strictObject({ limit: z.coerce.number().int().positive() }), { limit: '0' });
 * // throws DaybreakError EUSAGE "--limit: Too small: expected number to be >0"
 */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${flagName(issue.path[0]!)}: ${issue.message}` : issue.message));
  throw new DaybreakError('EUSAGE', lines.join('\n'), { details: lines });
}
