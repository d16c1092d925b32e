import { z } from 'zod';
import { DaybreakError } from '../errors.ts';
import { formatIssues } from '../content/index.ts';
import type { SourceDocument, SourceItem } from './source-item.ts';

const rendered = z.looseObject({ rendered: z.string() });
const WpTerm = z.looseObject({ taxonomy: z.string().optional(), name: z.string() });

/** A post from the WordPress REST API (`/wp-json/wp/v2/posts?_embed`); only the fields Daybreak reads. */
const WpPost = z.looseObject({
  id: z.union([z.number(), z.string()]),
  date: z.string().optional(),
  date_gmt: z.string().nullable().optional(),
  link: z.string(),
  guid: rendered.optional(),
  title: rendered,
  excerpt: rendered.optional(),
  content: rendered.optional(),
  _embedded: z
    .looseObject({
      author: z.array(z.looseObject({ name: z.string().optional(), description: z.string().optional(), link: z.string().optional() })).optional(),
      'wp:featuredmedia': z
        .array(
          z.looseObject({
            source_url: z.string().optional(),
            alt_text: z.string().optional(),
            media_details: z.looseObject({ width: z.number().optional(), height: z.number().optional() }).optional(),
          }),
        )
        .optional(),
      'wp:term': z.array(z.array(WpTerm)).optional(),
    })
    .optional(),
});

const GhostPerson = z.looseObject({ name: z.string(), bio: z.string().nullable().optional(), url: z.string().nullable().optional() });
const GhostTag = z.looseObject({ name: z.string(), visibility: z.string().optional() });

/** A post from the Ghost Content API (`/ghost/api/content/posts/?include=tags,authors`). */
const GhostPost = z.looseObject({
  id: z.string(),
  title: z.string(),
  url: z.string(),
  html: z.string().nullable().optional(),
  excerpt: z.string().nullable().optional(),
  custom_excerpt: z.string().nullable().optional(),
  feature_image: z.string().nullable().optional(),
  feature_image_alt: z.string().nullable().optional(),
  published_at: z.string().nullable().optional(),
  primary_author: GhostPerson.nullable().optional(),
  authors: z.array(GhostPerson).optional(),
  tags: z.array(GhostTag).optional(),
});

function parseJsonBody(text: string, what: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const snippet = text.trimStart().slice(0, 100).toLowerCase();
    const hint = snippet.startsWith('<') ? ' (it is HTML or XML: is the URL the site, and the REST API enabled?)' : '';
    throw new DaybreakError('ESOURCE', `the ${what} answer is not JSON${hint}`, { cause: error });
  }
}

function invalid(what: string, error: z.ZodError): never {
  const lines = formatIssues(what, error).slice(0, 3);
  throw new DaybreakError('ESOURCE', `the ${what} answer is not what its API returns: ${lines.join('; ')}`);
}

/** WordPress writes `date` in the site's timezone without an offset and `date_gmt` in UTC: together they give the offset. */
function wordpressDate(date: string | undefined, gmt: string | null | undefined): string | undefined {
  if (!date) return gmt ? `${gmt}Z` : undefined;
  if (!gmt) return date;
  const local = Date.parse(`${date}Z`);
  const utc = Date.parse(`${gmt}Z`);
  if (Number.isNaN(local) || Number.isNaN(utc)) return date;
  const minutes = Math.round((local - utc) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${date}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Reads a WordPress REST API posts answer (with `_embed`, for authors, featured images and terms).
 *
 * @example
 * const doc = readWordpress(await (await fetch(`${site}/wp-json/wp/v2/posts?_embed`)).text());
 */
export function readWordpress(text: string): SourceDocument {
  const result = z.array(WpPost).safeParse(parseJsonBody(text, 'WordPress'));
  if (!result.success) invalid('WordPress', result.error);
  return {
    format: 'wordpress',
    items: result.data.map((post): SourceItem => {
      const author = post._embedded?.author?.[0];
      const media = post._embedded?.['wp:featuredmedia']?.[0];
      const terms = (post._embedded?.['wp:term'] ?? []).flat();
      const categories = [...terms.filter((t) => t.taxonomy === 'category'), ...terms.filter((t) => t.taxonomy !== 'category')].map((t) => t.name);
      const published = wordpressDate(post.date, post.date_gmt);
      return {
        id: String(post.id),
        link: post.link,
        title: post.title.rendered,
        ...(post.excerpt?.rendered ? { summary: post.excerpt.rendered } : {}),
        ...(post.content?.rendered ? { content: post.content.rendered } : {}),
        ...(published ? { published } : {}),
        ...(author?.name ? { author: { name: author.name, ...(author.description ? { bio: author.description } : {}), ...(author.link ? { url: author.link } : {}) } } : {}),
        ...(media?.source_url
          ? {
              image: {
                url: media.source_url,
                ...(media.alt_text ? { alt: media.alt_text } : {}),
                ...(media.media_details?.width ? { width: media.media_details.width } : {}),
                ...(media.media_details?.height ? { height: media.media_details.height } : {}),
              },
            }
          : {}),
        categories,
      };
    }),
  };
}

/**
 * Reads a Ghost Content API posts answer (`{ posts: [...] }`). Internal tags (`#name`, visibility
 * "internal") are the publisher's bookkeeping and are left out.
 *
 * @example
 * const doc = readGhost(text);
 */
export function readGhost(text: string): SourceDocument {
  const result = z.looseObject({ posts: z.array(GhostPost) }).safeParse(parseJsonBody(text, 'Ghost'));
  if (!result.success) invalid('Ghost', result.error);
  return {
    format: 'ghost',
    items: result.data.posts.map((post): SourceItem => {
      const author = post.primary_author ?? post.authors?.[0];
      const excerpt = post.custom_excerpt ?? post.excerpt;
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      return {
        id: post.id,
        link: post.url,
        title: esc(post.title),
        ...(excerpt ? { summary: esc(excerpt) } : {}),
        ...(post.html ? { content: post.html } : {}),
        ...(post.published_at ? { published: post.published_at } : {}),
        ...(author ? { author: { name: author.name, ...(author.bio ? { bio: author.bio } : {}), ...(author.url ? { url: author.url } : {}) } } : {}),
        ...(post.feature_image ? { image: { url: post.feature_image, ...(post.feature_image_alt ? { alt: post.feature_image_alt } : {}) } } : {}),
        categories: (post.tags ?? []).filter((t) => t.visibility !== 'internal' && !t.name.startsWith('#')).map((t) => t.name),
      };
    }),
  };
}
