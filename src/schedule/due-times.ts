import { datesAround, goesOutOn, isLocalTime, localDate, previousFiring, sendTimeOn, waveTimes, type Newsletter } from '../content/index.ts';
import { addDays } from './format-times.ts';

const MINUTE = 60_000;

/**
 * The current edition of a cron-scheduled newsletter at `now`: the newsletter on the local date of its
 * latest firing, and when that edition is due (the date's send time, else the firing itself). Null
 * before the schedule's first firing.
 *
 * @example
 * currentEdition(newsletter, new Date('2026-03-08T12:00:00Z')); // { date: '2026-03-08', sendAt: 2026-03-08T11:00:00.000Z }
 */
export function currentEdition(newsletter: Newsletter, now: Date): { date: string; sendAt: Date } | null {
  const last = previousFiring(newsletter, new Date(now.getTime() + 1));
  if (!last) return null;
  const date = localDate(last, newsletter.schedule.timezone);
  return { date, sendAt: sendTimeOn(newsletter, date).sendAt ?? last };
}

/**
 * A local-time newsletter's next wave after `now`, of whichever date (today's, yesterday's or
 * tomorrow's in some zone, or a later one): `schedule.localTime` in each of `zones`. The dates looked at
 * run a week past those around now, so a newsletter that goes out on some days of the week only
 * (`schedule.days`) still has its next wave. Null when none is ahead in that time.
 *
 * @example
 * nextWaveAt(newsletter, now, ['Europe/London', 'America/New_York']);
 */
export function nextWaveAt(newsletter: Newsletter, now: Date, zones: string[]): Date | null {
  let next: Date | null = null;
  const around = datesAround(now);
  const dates = [...around];
  for (let day = 1; day <= 8; day++) dates.push(addDays(around.at(-1)!, day));
  for (const date of dates) {
    if (!goesOutOn(newsletter, date)) continue;
    for (const w of waveTimes(newsletter, date, zones)) {
      if (w.getTime() > now.getTime() && (next === null || w.getTime() < next.getTime())) next = w;
    }
  }
  return next;
}

/**
 * Copies of a local-time edition due before this instant are missed (past the grace window) and expire
 * unsent; undefined for a cron-scheduled newsletter, whose copies are all due at once.
 *
 * @example
 * missedBefore(newsletter, now); // now − schedule.graceMinutes
 */
export function missedBefore(newsletter: Newsletter, now: Date): Date | undefined {
  return isLocalTime(newsletter) ? new Date(now.getTime() - newsletter.schedule.graceMinutes * MINUTE) : undefined;
}
