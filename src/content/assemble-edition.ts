import { DaybreakError } from '../errors.ts';
import type { EditionNumber, Quote, Sponsor } from './article-schema.ts';
import type { Config, Newsletter } from './config-schema.ts';
import { findNewsletter } from './find-newsletter.ts';
import { isIsoDate, type ArticleRecord, type Content } from './load-content.ts';
import { previousFiring, sendTimeOn } from './schedule-times.ts';

export interface Edition {
  newsletter: Newsletter;
  /** The local date of the edition in the newsletter's timezone, YYYY-MM-DD. */
  date: string;
  /** The first cron firing on that local date. */
  sendAt: Date;
  /** Articles published in (from, to] belong to this edition. */
  window: { from: Date; to: Date };
  lead: ArticleRecord;
  /** Every article after the lead, in order. */
  items: ArticleRecord[];
  intro?: string;
  /** The edition file's modules: quote of the day, sponsor slot, "By the numbers". */
  quote?: Quote;
  sponsor?: Sponsor;
  numbers?: EditionNumber[];
  /** The subject with the pattern's fields filled in. */
  subject: string;
  /** The curated edition file that decided lead and order, if any. */
  curatedBy?: string;
}

export interface SkippedEdition {
  newsletter: Newsletter;
  date: string;
  sendAt: Date;
  window: { from: Date; to: Date };
  skipped: 'no articles';
}

/**
 * Whether an article passes a newsletter's `include` filters (every filter given must match).
 *
 * @example
 * matchesFilter(article, { sections: ['Politics'] }) // true for an article whose section is Politics
 */
export function matchesFilter(article: ArticleRecord, include: Newsletter['include']): boolean {
  if (!include) return true;
  if (include.sections && !(article.section && include.sections.includes(article.section))) return false;
  if (include.kickers && !include.kickers.includes(article.kicker)) return false;
  if (include.tags && !(article.tags ?? []).some((t) => include.tags!.includes(t))) return false;
  return true;
}

/** Priority first, then newest first; ids break ties so the order never depends on file order. */
function byPriorityThenNewest(a: ArticleRecord, b: ArticleRecord): number {
  return (
    b.priority - a.priority ||
    Date.parse(b.publishedAt) - Date.parse(a.publishedAt) ||
    a.id.localeCompare(b.id)
  );
}

/**
 * Fills a subject pattern: `{newsletter}`, `{leadHeadline}`, `{date}` (YYYY-MM-DD) and `{publisher}`.
 * Unknown fields are left as written so a typo is visible in the preview rather than silently dropped
 * (only the object's own keys count: `{constructor}` is not a field). A subject is one header line
 * (RFC 5322 unfolds it anyway), so line breaks and runs of whitespace from a headline become one space.
 */
export function fillSubject(pattern: string, fields: Record<string, string>): string {
  return pattern
    .replace(/\{(\w+)\}/g, (whole, key: string) => (Object.hasOwn(fields, key) ? fields[key]! : whole))
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Assembles one newsletter's edition for a local date: the window between the previous firing and this
 * one, the newsletter's filters, and a curated edition file where one exists.
 *
 * @example
 * const edition = assembleEdition({ config, content, newsletterId: 'morning', date: '2026-11-30' });
 * if ('skipped' in edition) console.log('quiet day');
 */
export function assembleEdition(options: {
  config: Config;
  content: Content;
  newsletterId?: string;
  date: string;
  /**
   * Local-time delivery: the edition's window closes when its first wave goes out, this instant, and is
   * as long as the schedule's window for the date would be.
   */
  closesAt?: Date;
}): Edition | SkippedEdition {
  const { config, content, date } = options;
  const newsletter = findNewsletter(config, options.newsletterId);
  if (!isIsoDate(date)) {
    throw new DaybreakError('EUSAGE', `Invalid date "${date}": expected a calendar date written YYYY-MM-DD`);
  }
  const time = sendTimeOn(newsletter, date);
  if (time.sendAt === null) {
    const next = time.nextDate ? `; the next edition is on ${time.nextDate}` : '';
    throw new DaybreakError(
      'ENOEDITION',
      `${newsletter.id} does not go out on ${date} (schedule "${newsletter.schedule.cron}" in ${newsletter.schedule.timezone})${next}`,
    );
  }
  const scheduled = time.sendAt;
  const scheduledFrom = previousFiring(newsletter, scheduled) ?? new Date(0);
  const sendAt = options.closesAt ?? scheduled;
  const from = options.closesAt ? new Date(options.closesAt.getTime() - (scheduled.getTime() - scheduledFrom.getTime())) : scheduledFrom;
  const window = { from, to: sendAt };

  const inWindow = content.articles.filter((a) => {
    const t = Date.parse(a.publishedAt);
    return t > from.getTime() && t <= sendAt.getTime() && matchesFilter(a, newsletter.include);
  });

  const curated = content.editions.get(`${newsletter.id}/${date}`);
  let ordered: ArticleRecord[];
  if (curated?.articles) {
    ordered = curated.articles.map((id) => content.byId.get(id)!);
  } else {
    ordered = [...inWindow].sort(byPriorityThenNewest);
  }
  if (curated?.lead) {
    const lead = content.byId.get(curated.lead)!;
    ordered = [lead, ...ordered.filter((a) => a.id !== lead.id)];
  }
  const [lead, ...items] = ordered;
  if (!lead) return { newsletter, date, sendAt, window, skipped: 'no articles' };

  const subject = fillSubject(curated?.subject ?? newsletter.subject, {
    newsletter: newsletter.name,
    leadHeadline: lead.headline,
    date,
    publisher: config.publisher.name,
  });
  return {
    newsletter,
    date,
    sendAt,
    window,
    lead,
    items,
    ...(curated?.intro !== undefined ? { intro: curated.intro } : {}),
    ...(curated?.quote !== undefined ? { quote: curated.quote } : {}),
    ...(curated?.sponsor !== undefined ? { sponsor: curated.sponsor } : {}),
    ...(curated?.numbers !== undefined ? { numbers: curated.numbers } : {}),
    subject,
    ...(curated ? { curatedBy: curated.file } : {}),
  };
}

export function isSkipped(edition: Edition | SkippedEdition): edition is SkippedEdition {
  return 'skipped' in edition;
}
