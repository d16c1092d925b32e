import { Cron } from 'croner';
import { z } from 'zod';

/** One field of a cron pattern: its name, what one value of it is, its numeric range and what it takes. */
type Field = { name: string; noun: string; min: number; max: number; allowed: string; names?: Record<string, number> };

const STEPS = 'ranges, lists and steps such as */15';
const MONTHS = Object.fromEntries(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i + 1]));
// croner reads "sun" as 7 at the end of a range ("fri-sun"), as 0 elsewhere.
const DAYS = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d, i) => [d, i]));
const SECOND: Field = { name: 'second', noun: 'a second', min: 0, max: 59, allowed: `0–59, ${STEPS}` };
const FIVE: Field[] = [
  { name: 'minute', noun: 'a minute', min: 0, max: 59, allowed: `0–59, ${STEPS}` },
  { name: 'hour', noun: 'an hour', min: 0, max: 23, allowed: `0–23, ${STEPS}` },
  {
    name: 'day-of-month',
    noun: 'a day of the month',
    min: 1,
    max: 31,
    allowed: `1–31, L for the last day, 15W for the weekday nearest the 15th, ${STEPS}`,
  },
  { name: 'month', noun: 'a month', min: 1, max: 12, allowed: `1–12, jan–dec, ${STEPS}`, names: MONTHS },
  // 0 and 7 are both Sunday, as in Vixie cron.
  {
    name: 'day-of-week',
    noun: 'a day of the week',
    min: 0,
    max: 7,
    allowed: `0–7 with 0 and 7 for Sunday, sun–sat, 5L for the month's last Friday, 1#2 for its second Monday, ${STEPS}`,
    names: DAYS,
  },
];
const YEAR: Field = { name: 'year', noun: 'a year', min: 1, max: 9999, allowed: `1–9999, ${STEPS}` };

/** The nicknames croner expands (`@reboot` is no time, so it is not one). */
const NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** The fields of a pattern of `count` parts, in order: croner takes 5, 6 (seconds first) or 7 (a year last). */
function fieldsOf(count: number): Field[] | null {
  if (count === 5) return FIVE;
  if (count === 6) return [SECOND, ...FIVE];
  if (count === 7) return [SECOND, ...FIVE, YEAR];
  return null;
}

/** Whether croner reads `pattern` (it throws on any it cannot). */
function cronerReads(pattern: string): boolean {
  try {
    new Cron(pattern, { timezone: 'UTC', paused: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The one mistake inside a list item that a reader may not see at a glance: a number out of the field's
 * range among others ("6,25"), a range written backwards ("6-3"), a step of 0. A field that is a single bad
 * value needs no detail: the field's text and what it allows say it all.
 */
function detail(text: string, field: Field): string | null {
  for (const item of text.split(',')) {
    const [range = '', step] = item.split('/');
    if (step !== undefined && /^0+$/.test(step)) return 'a step of 0 never moves on';
    const ends = range.split('-');
    for (const end of ends) {
      if (!/^\d+$/.test(end)) continue;
      const n = Number(end);
      if ((n < field.min || n > field.max) && end !== text) return `${end} is out of range`;
    }
    const value = (end: string, last: boolean) =>
      /^\d+$/.test(end) ? Number(end) : last && end.toLowerCase() === 'sun' && field.names === DAYS ? 7 : field.names?.[end.toLowerCase()];
    const [from, to] = [value(ends[0]!, false), value(ends[1] ?? '', true)];
    if (ends.length === 2 && from !== undefined && to !== undefined && from > to) {
      return `${range === text ? 'it' : range} runs backwards (write the earlier one first, or two ranges in a list)`;
    }
  }
  return null;
}

/**
 * Why croner cannot read `pattern`, in Daybreak's words: the field it stumbles on (each field is tried
 * alone, the others wildcards, so the verdict is croner's own) and what that field takes. croner words
 * these as its internals ("dayOfWeek is not a number: 'L'", "configuration entry 5"), zero-based indexes
 * included, so none of its text reaches the user.
 */
function unreadable(pattern: string): string {
  const trimmed = pattern.trim();
  if (trimmed.startsWith('@')) {
    return `${JSON.stringify(trimmed)} is not a schedule nickname; use ${NICKNAMES.join(', ')}, or write 5 fields such as "0 6 * * *"`;
  }
  const parts = trimmed.split(/\s+/);
  const fields = fieldsOf(parts.length);
  if (!fields) {
    return `it has ${parts.length === 1 ? '1 field' : `${parts.length} fields`}; write 5 (minute hour day-of-month month day-of-week, e.g. "0 6 * * *"), 6 with seconds first, 7 with a year last, or a nickname such as @daily`;
  }
  for (const [i, field] of fields.entries()) {
    const text = parts[i]!;
    if (cronerReads(parts.map((part, j) => (j === i ? part : '*')).join(' '))) continue;
    const why = detail(text, field);
    return `the ${field.name} field ${JSON.stringify(text)} is not ${field.noun}${why ? `: ${why}` : ''} (${field.allowed})`;
  }
  // Every field reads on its own, so croner objects to how they go together.
  return `its fields do not go together; see "Cron patterns" in docs/scheduling.md`;
}

/**
 * A cron pattern for a newsletter's schedule, checked on its own key (the timezone does not change
 * whether a pattern is valid, so a bad timezone beside it cannot hide it): one that croner cannot read,
 * or one that reads but never fires ("0 6 30 2 *": the newsletter would silently never go out). Each
 * message names the pattern, and for one that does not read, the field that is wrong and what it takes.
 *
 * @example
 * CronPattern.safeParse('0 25 * * *').error?.issues[0]?.message;
 * // '"0 25 * * *" is not a valid cron pattern: the hour field "25" is not an hour (0–23, ranges, lists and steps such as …)'
 */
export const CronPattern = z
  .string()
  .min(1)
  .check((ctx) => {
    const pattern = ctx.value;
    let cron: Cron;
    try {
      cron = new Cron(pattern, { timezone: 'UTC', paused: true });
    } catch {
      ctx.issues.push({ code: 'custom', input: pattern, message: `${JSON.stringify(pattern)} is not a valid cron pattern: ${unreadable(pattern)}` });
      return;
    }
    if (cron.nextRun() === null) {
      ctx.issues.push({ code: 'custom', input: pattern, message: `${JSON.stringify(pattern)} never fires: no date matches it, so the newsletter would never go out` });
    }
  });
