/**
 * Says when a newsletter arrives, in the reader's terms ("every day at 6:00 a.m. Eastern",
 * "every Sunday at 8:00 a.m. Eastern"), from its cron pattern and timezone (the welcome email).
 * Common patterns get a sentence; anything else falls back to "on schedule <cron> (<timezone>)" rather
 * than saying something wrong.
 */

export interface ScheduleLike {
  /** `localTime`: sent at that time in each reader's own zone (the cron is its twin in `timezone`). */
  schedule?: { cron?: string; timezone?: string; localTime?: string | undefined };
}

const DEFAULT_CRON = '0 6 * * *';
const DEFAULT_TIMEZONE = 'America/New_York';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_ABBREVIATIONS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// croner's nicknames (https://github.com/hexagon/croner#pattern), normalized to five fields.
const NICKNAMES: Record<string, string> = {
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
};

/**
 * @example
 * describeSchedule({ schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }) // "every day at 6:00 a.m. Eastern"
 * describeSchedule({ schedule: { cron: '30 7 * * 1-5', timezone: 'America/Los_Angeles' } }) // "every weekday at 7:30 a.m. Pacific"
 */
export function describeSchedule(newsletter: ScheduleLike): string {
  const cron = (newsletter.schedule?.cron ?? DEFAULT_CRON).trim();
  const timezone = newsletter.schedule?.timezone ?? DEFAULT_TIMEZONE;
  const fallback = `on schedule ${cron} (${timezone})`;

  let fields = (NICKNAMES[cron.toLowerCase()] ?? cron).split(/\s+/);
  // Six fields carry seconds first; a fixed second 0 says nothing a reader needs.
  if (fields.length === 6) {
    if (fields[0] !== '0') return fallback;
    fields = fields.slice(1);
  }
  if (fields.length !== 5) return fallback;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];

  const minuteValue = integer(minute, 0, 59);
  const hours = listOf(hour, (h) => integer(h, 0, 23));
  if (minuteValue === null || hours === null || month !== '*') return fallback;
  const times = joinAnd(hours.map((h) => clockTime(h, minuteValue)));
  // A local-time newsletter reaches each reader at that time in their own zone.
  const zone = newsletter.schedule?.localTime ? 'your local time' : timezoneName(timezone);

  let days: string | null;
  if (dayOfMonth === '*') {
    days = describeDaysOfWeek(dayOfWeek);
  } else if (dayOfWeek === '*' || dayOfWeek === '?') {
    const dom = integer(dayOfMonth, 1, 31);
    days = dom === null ? null : `on the ${ordinal(dom)} of every month`;
  } else {
    // Both set: cron fires when either matches; too subtle for one sentence.
    days = null;
  }
  if (days === null) return fallback;
  return `${days} at ${times} ${zone}`;
}

/** "every day", "every weekday", "every Sunday", "every Monday, Wednesday and Friday", or null. */
function describeDaysOfWeek(field: string): string | null {
  if (field === '*' || field === '?') return 'every day';
  const days = new Set<number>();
  for (const part of field.split(',')) {
    const range = part.split('-');
    if (range.length === 1) {
      const d = weekday(range[0]!);
      if (d === null) return null;
      days.add(d);
    } else if (range.length === 2) {
      const from = weekday(range[0]!);
      const to = weekday(range[1]!);
      if (from === null || to === null) return null;
      // "5-0"/"FRI-SUN" wrap past Saturday; 7 is also Sunday.
      const end = to < from ? to + 7 : to;
      for (let d = from; d <= end; d++) days.add(d % 7);
    } else {
      return null;
    }
  }
  const sorted = [...days].sort((a, b) => a - b);
  if (sorted.length === 7) return 'every day';
  if (sorted.join() === '1,2,3,4,5') return 'every weekday';
  if (sorted.join() === '0,6') return 'every Saturday and Sunday';
  // Monday first, the way a reader lists a week.
  const mondayFirst = sorted.sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
  return `every ${joinAnd(mondayFirst.map((d) => DAY_NAMES[d]!))}`;
}

function weekday(token: string): number | null {
  const named = DAY_ABBREVIATIONS.indexOf(token.toLowerCase());
  if (named !== -1) return named;
  const n = integer(token, 0, 7);
  return n === null ? null : n % 7;
}

function integer(token: string, min: number, max: number): number | null {
  if (!/^\d{1,2}$/.test(token)) return null;
  const n = Number(token);
  return n >= min && n <= max ? n : null;
}

function listOf<T>(field: string, parse: (token: string) => T | null): T[] | null {
  const out: T[] = [];
  for (const token of field.split(',')) {
    const value = parse(token);
    if (value === null) return null;
    out.push(value);
  }
  return out;
}

/** AP style: "6:00 a.m.", "12:30 p.m.", "12:00 a.m." for midnight. */
function clockTime(hour: number, minute: number): string {
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return `${h12}:${String(minute).padStart(2, '0')} ${hour < 12 ? 'a.m.' : 'p.m.'}`;
}

function ordinal(n: number): string {
  const suffix = n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The generic (no standard/daylight) name of a timezone from Intl: "Eastern Time" reads as "Eastern",
 * as Americans say it; longer names stay whole ("Central European Time", "Japan Standard Time").
 */
export function timezoneName(timezone: string): string {
  if (/^(Etc\/)?(UTC|UCT|Universal|Zulu|GMT|Greenwich)$/i.test(timezone)) return 'UTC';
  let name: string | undefined;
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longGeneric' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value;
  } catch {
    return timezone;
  }
  if (!name) return timezone;
  const oneWord = /^([A-Za-z-]+) Time$/.exec(name);
  if (oneWord) return oneWord[1]!;
  // A bare offset ("GMT+03:00") says less than the IANA name does.
  if (/^GMT[+-]/.test(name)) return `${timezone} time`;
  return name;
}
