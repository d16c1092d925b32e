import { z } from 'zod';

/**
 * Whether the runtime's time-zone database knows `tz` as an IANA name (or an alias of one).
 *
 * @example
 * isTimezone('America/New_York'); // true
 * isTimezone('Mars/Olympus_Mons'); // false
 */
export function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * A config key that names a timezone (a schedule's, a source's): an IANA name, reported on its own key
 * with the same message wherever it appears.
 *
 * @example
 * ianaTimezone.parse('Europe/London'); // 'Europe/London'
 */
export const ianaTimezone = z.string().refine(
  isTimezone,
  { error: (issue) => `Unknown IANA timezone ${JSON.stringify(issue.input)} (use a name like "America/New_York")` },
);
