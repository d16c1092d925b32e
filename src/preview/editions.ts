import {
  assembleEdition,
  editionDateCandidates,
  isSkipped,
  sendTimeOn,
  type Config,
  type Content,
  type Newsletter,
} from '../content/index.ts';

export interface AvailableEdition {
  date: string;
  /** Lead plus items. */
  articles: number;
  /** The curated edition file, when one decides this edition. */
  curatedBy?: string;
}

/**
 * The dates on which a newsletter goes out and has something to send, newest first: each article makes
 * its edition a candidate (the first firing at or after its publication; windows are (previous, this]),
 * and so does each curated edition file; every candidate is then assembled exactly as `daybreak build`
 * would, so a date appears here only if building it would not be skipped.
 *
 * @example
 * availableEditions(config, content, config.newsletters[0]!); // [{ date: '2026-12-01', articles: 16 }, …]
 */
export function availableEditions(config: Config, content: Content, newsletter: Newsletter): AvailableEdition[] {
  const out: AvailableEdition[] = [];
  for (const date of editionDateCandidates(newsletter, content)) {
    // A curated file for a day the newsletter does not go out is not an edition.
    if (sendTimeOn(newsletter, date).sendAt === null) continue;
    const edition = assembleEdition({ config, content, newsletterId: newsletter.id, date });
    if (isSkipped(edition)) continue;
    out.push({
      date,
      articles: 1 + edition.items.length,
      ...(edition.curatedBy ? { curatedBy: edition.curatedBy } : {}),
    });
  }
  return out.sort((a, b) => b.date.localeCompare(a.date));
}
