import { nextFiring, startOfLocalDate, type Newsletter } from '../content/index.ts';

/** The calendar date after `date` (YYYY-MM-DD; a date, not an instant, so no timezone is involved). */
function dayAfter(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * The first firing of the newsletter's next edition after `date` (its next local date with a firing),
 * or null when the schedule has none. This is when the edition's time is over: its deferred copies
 * expire instead of being retried, a run interrupted mid-send is closed rather than resumed, and nobody
 * joins its send any more. A reader who gets yesterday's edition after today's has been sent is worse
 * served than one who misses it.
 *
 * @example
 * nextEditionAt(newsletter, '2026-03-08'); // 2026-03-09T11:00:00.000Z for a daily 06:00 America/New_York
 */
export function nextEditionAt(newsletter: Pick<Newsletter, 'schedule'>, date: string): Date | null {
  const tz = newsletter.schedule.timezone;
  return nextFiring(newsletter, new Date(startOfLocalDate(dayAfter(date), tz).getTime() - 1));
}

/**
 * Whether the edition's time is over at `now`: its next edition has begun (see nextEditionAt).
 *
 * @example
 * if (editionExpired(newsletter, run.date, now)) await store.expireDeferred(key);
 */
export function editionExpired(newsletter: Pick<Newsletter, 'schedule'>, date: string, now: Date): boolean {
  const expiry = nextEditionAt(newsletter, date);
  return expiry !== null && now.getTime() >= expiry.getTime();
}
