import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { resolveBrand, type Config, type Edition } from '../content/index.ts';
import { dateFnsLocale } from './date-locale.ts';
import type { ArticleView, EditionView, LeadView, SectionView } from './types.ts';
import { preheaderText } from './preheader.ts';

/** How much of the lead's body the email shows before "Continue reading". */
const LEAD_PARAGRAPHS = 3;
const LEAD_CHARACTERS = 1_200;
/** "In this edition" lists this many stories: at 375 px each takes two or three lines. */
const CONTENTS_ENTRIES = 5;
/** The sponsor slot follows this story (counting the lead as 1). */
const SPONSOR_AFTER = 3;
/** Adult silent reading of non-fiction in English: about 238 words a minute (Brysbaert 2019), rounded. */
export const WORDS_PER_MINUTE = 230;
/** The heading of the items without a section when other items have one. */
export const NO_SECTION_HEADING = 'More news';

function articleView(a: Edition['lead'], number: number): ArticleView {
  return {
    id: a.id,
    number,
    kicker: a.kicker,
    headline: a.headline,
    dek: a.dek,
    url: a.url,
    ...(a.section !== undefined ? { section: a.section } : {}),
    why: a.why ?? null,
  };
}

/**
 * The items grouped by section: the newsletter's `sections` first in that order, then sections it does
 * not list in the order they first appear, then the items without a section. Within a group the edition's
 * order holds. Numbers are given afterwards, in reading order.
 */
export function groupBySection<T extends { section?: string | undefined }>(items: readonly T[], order: readonly string[] = []): Array<{ name: string | null; items: T[] }> {
  const groups = new Map<string | null, T[]>();
  for (const name of order) groups.set(name, []);
  for (const item of items) {
    const key = item.section ?? null;
    if (key === null) continue;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(item);
  }
  const loose = items.filter((i) => i.section === undefined);
  const out = [...groups].filter(([, list]) => list.length > 0).map(([name, list]) => ({ name, items: list }));
  if (loose.length > 0) out.push({ name: null, items: loose });
  return out;
}

/** Words as a reader counts them: runs of non-space that hold a letter or a digit (a lone "—" is not one). */
export function countWords(texts: ReadonlyArray<string | null | undefined>): number {
  let n = 0;
  for (const text of texts) {
    if (!text) continue;
    for (const token of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) n++;
  }
  return n;
}

/** "6-minute read": the words over WORDS_PER_MINUTE, rounded, at least one minute. */
export function readingTime(words: number): { words: number; minutes: number; label: string } {
  const minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
  return { words, minutes, label: `${minutes}-minute read` };
}

/** Up to three paragraphs, stopping early once about 1,200 characters are shown (always at least one). */
function leadParagraphs(body: string[] | undefined, dek: string): { paragraphs: string[]; truncated: boolean } {
  const all = (body ?? []).map((p) => p.trim()).filter((p) => p !== '');
  if (all.length === 0) return { paragraphs: [dek], truncated: false };
  const shown: string[] = [];
  let length = 0;
  for (const p of all) {
    if (shown.length >= LEAD_PARAGRAPHS || (shown.length > 0 && length + p.length > LEAD_CHARACTERS)) break;
    shown.push(p);
    length += p.length;
  }
  return { paragraphs: shown, truncated: shown.length < all.length };
}

/** "Monday, November 30, 2026" for English; the locale's own full date format (PPPP) for the others. */
export function longDate(instant: Date, timezone: string, locale: string): string {
  const local = new TZDate(instant.getTime(), timezone);
  const dfLocale = dateFnsLocale(locale);
  const pattern = dfLocale.code?.startsWith('en') ? 'EEEE, MMMM d, yyyy' : 'PPPP';
  return format(local, pattern, { locale: dfLocale });
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The one data → view-model step both template engines use: dates formatted in the newsletter's
 * timezone and locale, the lead's paragraphs chosen, every link built. Pure; no per-reader data.
 *
 * @example
 * const view = buildEditionView(edition, config);
 * view.longDate; // "Monday, November 30, 2026"
 * view.links.viewInBrowserUrl; // "http://localhost:3000/archive/morning/2026-11-30"
 */
export function buildEditionView(edition: Edition, config: Config): EditionView {
  const { newsletter, lead } = edition;
  const base = trimSlash(config.baseUrl);
  const { paragraphs, truncated } = leadParagraphs(lead.body, lead.dek);
  const leadView: LeadView = {
    ...articleView(lead, 1),
    byline: lead.author ? `By ${lead.author.name}` : null,
    author: lead.author
      ? { name: lead.author.name, bio: lead.author.bio ?? null, url: lead.author.url ?? null }
      : null,
    image: lead.image
      ? {
          // An image shipped in data/images is served by Daybreak itself, under the config's baseUrl.
          url: lead.image.url.startsWith('/') ? `${base}${lead.image.url}` : lead.image.url,
          alt: lead.image.alt,
          width: lead.image.width,
          height: lead.image.height,
        }
      : null,
    paragraphs,
    truncated,
  };
  const grouped = groupBySection(edition.items, newsletter.sections);
  let number = 1;
  const sections: SectionView[] = grouped.map((g) => ({
    heading: g.name ?? (grouped.length > 1 ? NO_SECTION_HEADING : null),
    items: g.items.map((a) => articleView(a, ++number)),
  }));
  const items = sections.flatMap((g) => g.items);
  const host = new URL(config.baseUrl).host;
  const quote = edition.quote ? { text: edition.quote.text, by: edition.quote.by ?? null } : null;
  const numbers = (edition.numbers ?? []).map((n) => ({ figure: n.figure, text: n.text }));
  // What the reader reads, not what they might click: the contents list repeats headlines and the
  // sponsor is not the edition's to count.
  const words = countWords([
    edition.intro,
    leadView.headline,
    leadView.dek,
    ...leadView.paragraphs,
    leadView.why,
    ...items.flatMap((i) => [i.headline, i.dek, i.why]),
    quote?.text,
    quote?.by,
    ...numbers.flatMap((n) => [n.figure, n.text]),
  ]);
  const sponsor = edition.sponsor;
  return {
    newsletter: { id: newsletter.id, name: newsletter.name, description: newsletter.description },
    publisher: { name: config.publisher.name, postalAddress: config.publisher.postalAddress },
    date: edition.date,
    longDate: longDate(edition.sendAt, newsletter.schedule.timezone, newsletter.locale),
    lang: newsletter.locale,
    sendAt: edition.sendAt.toISOString(),
    subject: edition.subject,
    // The lead's summary, then what else is inside: inbox lists show this after the subject.
    // Whole sentences only, within what inbox lists show (the rest would be cut mid-word).
    preheader: preheaderText(lead.dek, items[0]?.headline ?? null),
    intro: edition.intro ?? null,
    lead: leadView,
    items,
    sections,
    contents: items.slice(0, CONTENTS_ENTRIES).map(({ id, number, headline, url }) => ({ id, number, headline, url })),
    contentsMore: Math.max(0, items.length - CONTENTS_ENTRIES),
    readingTime: readingTime(words),
    brand: resolveBrand(config),
    quote,
    sponsor: sponsor
      ? {
          label: sponsor.label,
          headline: sponsor.headline,
          text: sponsor.text,
          url: sponsor.url,
          image: sponsor.image ? { ...sponsor.image } : null,
          afterNumber: Math.min(SPONSOR_AFTER, 1 + items.length),
        }
      : null,
    numbers,
    links: {
      viewInBrowserUrl: `${base}/archive/${encodeURIComponent(newsletter.id)}/${edition.date}`,
      signUpUrl: `${base}/`,
    },
    signUp: {
      linkText: `Sign up for ${newsletter.name}`,
      pitch: newsletter.description.trim() || "It's free.",
    },
    reason: `You are receiving ${newsletter.name} from ${config.publisher.name} because you signed up for it at ${host}.`,
  };
}
