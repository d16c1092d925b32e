import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { Config, Edition } from '../content/index.ts';
import { dateFnsLocale } from './date-locale.ts';
import type { ArticleView, EditionView, LeadView } from './types.ts';

/** How much of the lead's body the email shows before "Continue reading". */
const LEAD_PARAGRAPHS = 3;
const LEAD_CHARACTERS = 1_200;

function articleView(a: Edition['lead']): ArticleView {
  return {
    id: a.id,
    kicker: a.kicker,
    headline: a.headline,
    dek: a.dek,
    url: a.url,
    ...(a.section !== undefined ? { section: a.section } : {}),
  };
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
    ...articleView(lead),
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
  const items = edition.items.map(articleView);
  const host = new URL(config.baseUrl).host;
  return {
    newsletter: { id: newsletter.id, name: newsletter.name, description: newsletter.description },
    publisher: { name: config.publisher.name, postalAddress: config.publisher.postalAddress },
    date: edition.date,
    longDate: longDate(edition.sendAt, newsletter.schedule.timezone, newsletter.locale),
    lang: newsletter.locale,
    sendAt: edition.sendAt.toISOString(),
    subject: edition.subject,
    // The lead's summary, then what else is inside: inbox lists show this after the subject.
    preheader: items.length > 0 ? `${lead.dek} Also: ${items[0]!.headline}` : lead.dek,
    intro: edition.intro ?? null,
    lead: leadView,
    items,
    contents: [leadView, ...items].map(({ id, headline, url }) => ({ id, headline, url })),
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
