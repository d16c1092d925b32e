import { Cron } from 'croner';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { Newsletter } from './config-schema.ts';

function cronFor(newsletter: Pick<Newsletter, 'schedule'>): Cron {
  // paused: we only evaluate the pattern here; the scheduler owns the timers.
  return new Cron(newsletter.schedule.cron, { timezone: newsletter.schedule.timezone, paused: true });
}

/** The local calendar date (YYYY-MM-DD) of an instant in a timezone. */
export function localDate(instant: Date, timezone: string): string {
  return format(new TZDate(instant.getTime(), timezone), 'yyyy-MM-dd');
}

/** Local midnight starting `date` in `timezone`, as an instant. */
export function startOfLocalDate(date: string, timezone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, 0, 0, 0, 0, timezone).getTime());
}

/** The first firing strictly after `after`, or null if the pattern never fires again. */
export function nextFiring(newsletter: Pick<Newsletter, 'schedule'>, after: Date): Date | null {
  return cronFor(newsletter).nextRun(after);
}

/** The last firing strictly before `before`. */
export function previousFiring(newsletter: Pick<Newsletter, 'schedule'>, before: Date): Date | null {
  return cronFor(newsletter).previousRuns(1, before)[0] ?? null;
}

/**
 * The send time of the edition for `date`: the first cron firing on that local date, or null when the
 * newsletter does not go out that day (with the next date it does).
 */
export function sendTimeOn(
  newsletter: Pick<Newsletter, 'schedule'>,
  date: string,
): { sendAt: Date } | { sendAt: null; nextDate: string | null } {
  const tz = newsletter.schedule.timezone;
  const first = nextFiring(newsletter, new Date(startOfLocalDate(date, tz).getTime() - 1));
  if (first && localDate(first, tz) === date) return { sendAt: first };
  return { sendAt: null, nextDate: first ? localDate(first, tz) : null };
}
