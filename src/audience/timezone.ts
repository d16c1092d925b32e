import { z } from 'zod';

/** Longer than any IANA name ("America/Argentina/ComodRivadavia" is 32); a bound on what we try. */
const MAX_ZONE_LENGTH = 64;

/**
 * The canonical spelling of an IANA timezone name ("europe/london" → "Europe/London", "US/Pacific" →
 * "America/Los_Angeles"), or null when the runtime's time-zone database does not know it. Offsets such
 * as "+05:00" are not zones (they have no DST rules) and are refused.
 *
 * @example
 * canonicalTimezone('Europe/London'); // 'Europe/London'
 * canonicalTimezone('Mars/Olympus_Mons'); // null
 */
export function canonicalTimezone(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_ZONE_LENGTH || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The message every input path gives for a zone it refuses. */
export function unknownTimezoneMessage(name: string): string {
  const shown = name.length > MAX_ZONE_LENGTH ? `${name.slice(0, MAX_ZONE_LENGTH)}…` : name;
  return `Unknown timezone ${JSON.stringify(shown)}: expected an IANA name such as "Europe/London" or "America/New_York".`;
}

/**
 * A reader's timezone at an input edge (sign-up form, preference page, CLI, import): an IANA name,
 * canonicalized; anything else fails with unknownTimezoneMessage.
 *
 * @example
 * TimezoneSchema.parse('europe/paris'); // 'Europe/Paris'
 */
export const TimezoneSchema = z.string({ error: 'The timezone must be text.' }).transform((value, ctx) => {
  const zone = canonicalTimezone(value.trim());
  if (zone === null) {
    ctx.issues.push({ code: 'custom', input: value, message: unknownTimezoneMessage(value) });
    return z.NEVER;
  }
  return zone;
});

/**
 * The zone a reader's copy is timed and dated in: their stored zone when valid, else `fallback` (the
 * newsletter's). A stored zone that is no longer valid (an old import, a runtime without it) is never a
 * reason to drop the reader: `onInvalid` hears about it and the newsletter's zone is used.
 *
 * @example
 * readerZone('Not/AZone', 'America/New_York', (z) => log(`warning: ${z}`)); // 'America/New_York'
 */
export function readerZone(stored: string | null, fallback: string, onInvalid?: (stored: string) => void): string {
  if (stored === null || stored === '') return fallback;
  const zone = canonicalTimezone(stored);
  if (zone === null) {
    onInvalid?.(stored);
    return fallback;
  }
  return zone;
}
