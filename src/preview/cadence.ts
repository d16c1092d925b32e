import { describeSchedule, timezoneName, type ScheduleLike } from '../content/index.ts';
import { zoneLabel } from './zone-label.ts';

/**
 * When a newsletter goes out, as the preview's sidebar says it: the sentence the sign-up page uses
 * ("Every day at 6:00 a.m. …"), capitalised, but with the zone as configured and its offset
 * ("Europe/Paris, UTC+1", see zoneLabel) instead of the reader's long name ("Central European Time").
 * A local-time schedule says it is each reader's own clock. A schedule with no sentence keeps
 * describeSchedule's fallback, which already names the IANA zone.
 *
 * @example
 * previewCadence({ schedule: { cron: '0 7 * * *', timezone: 'Europe/Paris' } }, new Date('2026-01-15T12:00:00Z'));
 * // "Every day at 7:00 a.m. Europe/Paris, UTC+1"
 */
export function previewCadence(newsletter: ScheduleLike & { schedule: { timezone: string } }, at: Date = new Date()): string {
  let words = describeSchedule(newsletter);
  const timezone = newsletter.schedule.timezone;
  const readerName = ` ${timezoneName(timezone)}`;
  const localTime = ' your local time';
  if (newsletter.schedule.localTime && words.endsWith(localTime)) {
    // The sign-up page speaks to the reader; the editor needs to know whose clock, and the fallback zone.
    words = `${words.slice(0, -localTime.length)} in each reader's own zone (${zoneLabel(timezone, at)} for readers without one)`;
  } else if (words.endsWith(readerName)) {
    words = `${words.slice(0, -readerName.length)} ${zoneLabel(timezone, at)}`;
  }
  return words.charAt(0).toUpperCase() + words.slice(1);
}
