import type { Newsletter } from './config-schema.ts';
import { localDate, nextFiring } from './schedule-times.ts';

/**
 * The date of the edition an article published at `publishedAt` falls in: the first firing at or after
 * it, in the newsletter's timezone (windows are (previous, this], so an article published at a send
 * time belongs to that edition). Null when the schedule never fires again. A candidate only: callers
 * confirm it by assembling the edition, which also applies the newsletter's filter.
 *
 * @example
 * articleEditionDate(morning, '2026-11-30T09:00:00-05:00'); // '2026-12-01' for a 06:00 briefing
 */
export function articleEditionDate(newsletter: Pick<Newsletter, 'schedule'>, publishedAt: string): string | null {
  const firing = nextFiring(newsletter, new Date(Date.parse(publishedAt) - 1));
  return firing ? localDate(firing, newsletter.schedule.timezone) : null;
}
