import { TZDate } from '@date-fns/tz';
import { WEEKDAYS, type Newsletter } from './config-schema.ts';
import { localDate } from './schedule-times.ts';

type ScheduleOf = Pick<Newsletter, 'schedule'>;

/** True when the newsletter sends at a local time in each reader's zone (`schedule.localTime`). */
export function isLocalTime(newsletter: ScheduleOf): boolean {
  return newsletter.schedule.localTime !== undefined;
}

/** The weekday of a calendar date, the same everywhere. */
function weekdayOf(date: string): (typeof WEEKDAYS)[number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
}

/** True when a local-time newsletter has an edition dated `date` (`schedule.days`, default every day). */
export function goesOutOn(newsletter: ScheduleOf, date: string): boolean {
  const days = newsletter.schedule.days;
  return !days || days.includes(weekdayOf(date));
}

/**
 * The instant it is `localTime` ("06:00") on `date` in `zone`. On a day whose clocks skip that time (a
 * spring-forward gap) it is the first instant after the gap, as the wall clock then shows.
 *
 * @example
 * localTimeOn('2026-03-29', '06:00', 'Europe/London'); // 2026-03-29T05:00:00.000Z (BST begins at 01:00)
 */
export function localTimeOn(date: string, localTime: string, zone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = localTime.split(':').map(Number) as [number, number];
  return new Date(new TZDate(y, m - 1, d, hour, minute, 0, 0, zone).getTime());
}

/**
 * The waves of a local-time edition: the distinct instants at which `localTime` on `date` falls in the
 * given zones (zones sharing a UTC offset on that day share a wave), earliest first. The newsletter's own
 * zone always has a wave (readers without a zone of their own).
 *
 * @example
 * waveTimes(newsletter, '2026-03-29', ['Europe/London', 'Europe/Lisbon']); // one wave: same offset that day
 */
export function waveTimes(newsletter: ScheduleOf, date: string, zones: readonly string[]): Date[] {
  const localTime = newsletter.schedule.localTime;
  if (localTime === undefined) return [];
  const instants = new Set<number>();
  for (const zone of [newsletter.schedule.timezone, ...zones]) instants.add(localTimeOn(date, localTime, zone).getTime());
  return [...instants].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * Edition dates whose waves can fall within a day of `now`: every local date it is somewhere on Earth
 * (UTC−12 to UTC+14), and one either side.
 */
export function datesAround(now: Date): string[] {
  const from = localDate(new Date(now.getTime() - 36 * 3600_000), 'UTC');
  const to = localDate(new Date(now.getTime() + 36 * 3600_000), 'UTC');
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
