import { Cron } from 'croner';
import { z } from 'zod';

/** A field's range, and the words it takes besides numbers (lower-case; `hint` names one for a message). */
type Field = { name: string; min: number; max: number; names?: readonly string[]; hint?: string };

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const FIVE: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, names: ['l', 'w', 'lw'] },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, hint: 'a month name such as jan' },
  // 0 and 7 are both Sunday, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7, names: [...DAY_NAMES, 'l'], hint: 'a day name such as mon' },
];
const YEAR: Field = { name: 'year', min: 1, max: 9999 };

/** The fields of a pattern of `count` parts, in order: croner takes 5, 6 (seconds first) or 7 (a year last). */
function fieldsOf(count: number): Field[] | null {
  if (count === 5) return FIVE;
  if (count === 6) return [SECOND, ...FIVE];
  if (count === 7) return [SECOND, ...FIVE, YEAR];
  return null;
}

/**
 * The first plain number out of its field's range ("hour 25 is out of range (0–23)"), or word that is no
 * name the field takes. croner finds these too, but words them as its own internals
 * (`CronPattern: Invalid value for day: 31` for a 32, `configuration entry 2 (x)` for the hour).
 */
function badValue(pattern: string): string | null {
  const parts = pattern.trim().split(/\s+/);
  const fields = fieldsOf(parts.length);
  if (!fields) return null;
  for (const [i, part] of parts.entries()) {
    const field = fields[i]!;
    for (const item of part.split(',')) {
      // A step ("*/15", "0-30/5") counts intervals, not values: croner judges it.
      const values = item.split('/')[0]!.split('-');
      for (const value of values) {
        if (/^[A-Za-z]+$/.test(value) && !field.names?.includes(value.toLowerCase())) {
          return `${field.name} ${JSON.stringify(value)} is not a number${field.hint ? ` or ${field.hint}` : ''}`;
        }
        if (!/^\d+$/.test(value)) continue;
        const n = Number(value);
        if (n < field.min || n > field.max) return `${field.name} ${value} is out of range (${field.min}–${field.max})`;
      }
    }
  }
  return null;
}

/** croner's message without its `CronPattern:` prefix and full stop, starting lower-case to follow a colon. */
function cronerReason(error: unknown): string {
  const text = (error as Error).message.replace(/^Cron\w*:\s*/, '').replace(/\.$/, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * A cron pattern for a newsletter's schedule, checked on its own key (the timezone does not change
 * whether a pattern is valid, so a bad timezone beside it cannot hide it): one that croner cannot read,
 * or one that reads but never fires ("0 6 30 2 *": the newsletter would silently never go out). Each
 * message names the pattern.
 *
 * @example
 * CronPattern.safeParse('0 25 * * *').error?.issues[0]?.message;
 * // '"0 25 * * *" is not a valid cron pattern: hour 25 is out of range (0–23)'
 */
export const CronPattern = z
  .string()
  .min(1)
  .check((ctx) => {
    const pattern = ctx.value;
    const invalid = (reason: string) =>
      ctx.issues.push({ code: 'custom', input: pattern, message: `${JSON.stringify(pattern)} is not a valid cron pattern: ${reason}` });
    const parts = pattern.trim().split(/\s+/).length;
    if (!pattern.trim().startsWith('@') && fieldsOf(parts) === null) {
      invalid(`it has ${parts === 1 ? '1 field' : `${parts} fields`}; write 5 (minute hour day-of-month month day-of-week, e.g. "0 6 * * *"), 6 with seconds first, 7 with a year last, or a nickname such as @daily`);
      return;
    }
    const range = badValue(pattern);
    if (range) {
      invalid(range);
      return;
    }
    let cron: Cron;
    try {
      cron = new Cron(pattern, { timezone: 'UTC', paused: true });
    } catch (error) {
      invalid(cronerReason(error));
      return;
    }
    if (cron.nextRun() === null) {
      ctx.issues.push({ code: 'custom', input: pattern, message: `${JSON.stringify(pattern)} never fires: no date matches it, so the newsletter would never go out` });
    }
  });
