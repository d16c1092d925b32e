import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { matchesFilter, type Edition, type SkippedEdition } from './assemble-edition.ts';
import type { Newsletter } from './config-schema.ts';
import type { Content } from './load-content.ts';
import { localDate, nextFiring, sendTimeOn } from './schedule-times.ts';

/** How close to a window's edge an article from another day must be to earn a note. */
const NEAR_MS = 60 * 60 * 1000;

export interface WindowEdgeNote {
  id: string;
  publishedAt: string;
  /** The date of the edition the article is in, or null when it falls between two editions' windows. */
  belongsTo: string | null;
  message: string;
}

/** The edition whose window holds `instant`: the next firing at or after it, if that is a day's first firing. */
function editionHolding(newsletter: Newsletter, instant: Date): string | null {
  const firing = nextFiring(newsletter, new Date(instant.getTime() - 1));
  if (!firing) return null;
  const date = localDate(firing, newsletter.schedule.timezone);
  const first = sendTimeOn(newsletter, date);
  return first.sendAt?.getTime() === firing.getTime() ? date : null;
}

/** "Dec 7" for an edition date. */
function shortDate(date: string): string {
  return format(new Date(`${date}T12:00:00Z`), 'MMM d');
}

/** "09:00 Dec 7" in the newsletter's timezone. */
function shortTime(instant: Date, timezone: string, withDate: boolean): string {
  return format(new TZDate(instant.getTime(), timezone), withDate ? 'HH:mm MMM d' : 'HH:mm');
}

/**
 * Which edition an article near this edition's window falls in, for the articles a person would expect
 * here and will not find: those published within an hour after the window closed (an article at 06:30 on
 * Dec 7 is in Dec 8's 06:00 edition) or within an hour before it opened. For an edition with no articles,
 * also every article published on the edition's own date after the window closed, since that is where an
 * editor who dated a story "today" looks first. Only articles the newsletter's filters keep are named, and
 * never the ones a curated edition file chose.
 *
 * @example
 * windowEdgeNotes(edition, content).map((n) => n.message)
 * // ['article x (06:30 Dec 7) belongs to the Dec 8 edition; the Dec 7 window closed at 06:00 (America/New_York)']
 */
export function windowEdgeNotes(edition: Edition | SkippedEdition, content: Content): WindowEdgeNote[] {
  const { newsletter, date, window } = edition;
  const tz = newsletter.schedule.timezone;
  const skipped = !('lead' in edition);
  const inEdition = new Set(skipped ? [] : [edition.lead, ...edition.items].map((a) => a.id));
  const from = window.from.getTime();
  const to = window.to.getTime();
  // The window may open on an earlier day (every window does, for a morning letter): then say which.
  const opensOnOtherDay = localDate(window.from, tz) !== date;
  const notes: Array<WindowEdgeNote & { at: number }> = [];
  for (const article of content.articles) {
    if (inEdition.has(article.id) || !matchesFilter(article, newsletter.include)) continue;
    const at = Date.parse(article.publishedAt);
    const published = new Date(at);
    const afterClose = at > to && (at - to <= NEAR_MS || (skipped && localDate(published, tz) === date));
    const beforeOpen = at <= from && from - at < NEAR_MS;
    if (!afterClose && !beforeOpen) continue;
    const belongsTo = editionHolding(newsletter, published);
    const where = belongsTo ? `belongs to the ${shortDate(belongsTo)} edition` : "falls between two editions' windows, so no edition has it";
    const edge = afterClose
      ? `the ${shortDate(date)} window closed at ${shortTime(window.to, tz, false)}`
      : `the ${shortDate(date)} window opened at ${shortTime(window.from, tz, opensOnOtherDay)}`;
    notes.push({
      id: article.id,
      publishedAt: article.publishedAt,
      belongsTo,
      message: `article ${article.id} (${shortTime(published, tz, true)}) ${where}; ${edge} (${tz})`,
      at,
    });
  }
  return notes.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).map(({ at: _at, ...note }) => note);
}
