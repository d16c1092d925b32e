import { DetectError, parseFeed, type AnyFeed } from 'feedsmith';
import { DaybreakError } from '../errors.ts';
import type { SourceDocument, SourceItem } from './source-item.ts';

type MediaLike = {
  contents?: Array<{ url?: string; medium?: string; type?: string; width?: number; height?: number; title?: { value?: string }; description?: { value?: string } }>;
  groups?: Array<{ contents?: MediaLike['contents'] }>;
  thumbnails?: Array<{ url?: string; width?: number; height?: number }>;
  title?: { value?: string };
  description?: { value?: string };
};

function isImage(c: { medium?: string; type?: string }): boolean {
  return c.medium === 'image' || (c.type ?? '').startsWith('image/') || (c.medium === undefined && c.type === undefined);
}

/** The item's picture from Media RSS: the first image `media:content` (also inside `media:group`), else a thumbnail. */
function mediaImage(media: MediaLike | undefined): SourceItem['image'] | undefined {
  if (!media) return undefined;
  const contents = [...(media.contents ?? []), ...(media.groups ?? []).flatMap((g) => g.contents ?? [])];
  const content = contents.find((c) => c.url && isImage(c));
  const alt = content?.description?.value ?? content?.title?.value ?? media.description?.value ?? media.title?.value;
  if (content?.url) return { url: content.url, ...(alt ? { alt } : {}), ...dims(content) };
  const thumb = media.thumbnails?.find((t) => t.url);
  if (thumb?.url) return { url: thumb.url, ...(alt ? { alt } : {}), ...dims(thumb) };
  return undefined;
}

function dims(x: { width?: number; height?: number }): { width?: number; height?: number } {
  return { ...(x.width ? { width: x.width } : {}), ...(x.height ? { height: x.height } : {}) };
}

/** RSS `<author>` is "email (Name)" (RSS 2.0); `dc:creator` is the name. */
function rssAuthorName(author: { name?: string; email?: string } | undefined): string | undefined {
  const text = author?.name ?? author?.email;
  if (!text) return undefined;
  const paren = /\(([^)]+)\)\s*$/.exec(text);
  if (paren) return paren[1]!.trim();
  return text.includes('@') && !text.includes(' ') ? undefined : text;
}

/**
 * RSS 2.0 lets a reader take a `<guid>` as the item's permalink unless `isPermaLink="false"`, but only a guid that
 * is an absolute http(s) URL can be one: "nolink-1" is an identifier, and resolving it against the feed's address
 * would invent a page that does not exist. Such an item has no link (and is skipped, saying so).
 */
function guidPermalink(guid: { value?: string; isPermaLink?: boolean } | undefined): string | undefined {
  if (!guid?.value || guid.isPermaLink === false) return undefined;
  const url = URL.parse(guid.value.trim());
  return url && (url.protocol === 'http:' || url.protocol === 'https:') ? guid.value : undefined;
}

function fromRss(feed: Extract<AnyFeed, { format: 'rss' }>['feed']): SourceDocument {
  return {
    format: 'rss',
    ...(feed.title ? { title: feed.title } : {}),
    items: (feed.items ?? []).map((item): SourceItem => {
      const enclosure = item.enclosures?.find((e) => e.url && (e.type ?? '').startsWith('image/'));
      const image = mediaImage(item.media as MediaLike | undefined) ?? (enclosure?.url ? { url: enclosure.url } : undefined);
      const name = item.dc?.creators?.[0] ?? rssAuthorName(item.authors?.[0]);
      const link = item.link ?? guidPermalink(item.guid);
      return {
        ...(item.guid?.value ? { id: item.guid.value } : {}),
        ...(link ? { link } : {}),
        ...(item.title ? { title: item.title } : {}),
        ...(item.description ? { summary: item.description } : {}),
        ...(item.content?.encoded ? { content: item.content.encoded } : {}),
        ...((item.pubDate ?? item.dc?.dates?.[0]) ? { published: (item.pubDate ?? item.dc?.dates?.[0])! } : {}),
        ...(name ? { author: { name } } : {}),
        ...(image ? { image } : {}),
        categories: [...(item.categories ?? []).map((c) => c.name), ...(item.dc?.subjects ?? [])].filter((c): c is string => !!c),
      };
    }),
  };
}

function fromRdf(feed: Extract<AnyFeed, { format: 'rdf' }>['feed']): SourceDocument {
  return {
    format: 'rdf',
    ...(feed.title ? { title: feed.title } : {}),
    items: (feed.items ?? []).map((item): SourceItem => ({
      ...(item.rdf?.about ? { id: item.rdf.about } : {}),
      ...(item.link ? { link: item.link } : {}),
      ...(item.title ? { title: item.title } : {}),
      ...(item.description ? { summary: item.description } : {}),
      ...(item.content?.encoded ? { content: item.content.encoded } : {}),
      ...(item.dc?.dates?.[0] ? { published: item.dc.dates[0] } : {}),
      ...(item.dc?.creators?.[0] ? { author: { name: item.dc.creators[0] } } : {}),
      categories: item.dc?.subjects ?? [],
    })),
  };
}

/** Atom text constructs (RFC 4287 §3.1): "text" is plain, "html" and "xhtml" are markup. */
function atomHtml(text: { value?: string; type?: string } | undefined): string | undefined {
  if (text?.value === undefined) return undefined;
  if (text.type === 'html' || text.type === 'xhtml') return text.value;
  // Plain text: escape it, so that "a < b" reaches the text extraction as text, not as a tag.
  return text.value.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

function fromAtom(feed: Extract<AnyFeed, { format: 'atom' }>['feed']): SourceDocument {
  return {
    format: 'atom',
    ...(feed.title?.value ? { title: feed.title.value } : {}),
    items: (feed.entries ?? []).map((entry): SourceItem => {
      const link = entry.links?.find((l) => (l.rel ?? 'alternate') === 'alternate')?.href ?? entry.links?.[0]?.href;
      const title = atomHtml(entry.title);
      const summary = atomHtml(entry.summary);
      const content = atomHtml(entry.content);
      const image = mediaImage(entry.media as MediaLike | undefined);
      const author = entry.authors?.[0];
      const published = entry.published ?? entry.updated;
      return {
        ...(entry.id ? { id: entry.id } : {}),
        ...(link ? { link } : {}),
        ...(title ? { title } : {}),
        ...(summary ? { summary } : {}),
        ...(content ? { content } : {}),
        ...(published ? { published } : {}),
        ...(author?.name ? { author: { name: author.name, ...(author.uri ? { url: author.uri } : {}) } } : {}),
        ...(image ? { image } : {}),
        categories: (entry.categories ?? []).map((c) => c.label ?? c.term).filter((c): c is string => !!c),
      };
    }),
  };
}

function fromJson(feed: Extract<AnyFeed, { format: 'json' }>['feed']): SourceDocument {
  return {
    format: 'jsonfeed',
    ...(feed.title ? { title: feed.title } : {}),
    items: (feed.items ?? []).map((item): SourceItem => {
      const author = item.authors?.[0];
      return {
        ...(item.id !== undefined ? { id: String(item.id) } : {}),
        ...((item.url ?? item.external_url) ? { link: (item.url ?? item.external_url)! } : {}),
        ...(item.title ? { title: item.title.replace(/&/g, '&amp;').replace(/</g, '&lt;') } : {}),
        ...(item.summary ? { summary: item.summary.replace(/&/g, '&amp;').replace(/</g, '&lt;') } : {}),
        ...(item.content_html ? { content: item.content_html } : {}),
        ...(item.content_text ? { contentText: item.content_text } : {}),
        ...(item.date_published ?? item.date_modified ? { published: (item.date_published ?? item.date_modified)! } : {}),
        ...(author?.name ? { author: { name: author.name, ...(author.url ? { url: author.url } : {}) } } : {}),
        ...(item.image ? { image: { url: item.image } } : {}),
        categories: item.tags ?? [],
      };
    }),
  };
}

/**
 * Reads a feed document (RSS 0.9x/2.0, RDF, Atom 0.3/1.0 or JSON Feed 1.0/1.1) with feedsmith.
 * `expected` ("rss", "atom", "jsonfeed") makes a document of another kind an error instead of a surprise.
 * Entity declarations are refused before parsing: a feed has no use for them, and they are how
 * "billion laughs" expansion and external entities (XXE, reading local files) work.
 *
 * @example
 * const doc = readFeed(text, 'rss');
 */
export function readFeed(text: string, expected?: 'rss' | 'atom' | 'jsonfeed'): SourceDocument {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (/<!ENTITY/i.test(trimmed.slice(0, 64 * 1024)) && /<!DOCTYPE/i.test(trimmed.slice(0, 64 * 1024))) {
    throw new DaybreakError('ESOURCE', 'the document declares XML entities in its DOCTYPE; refused (entity expansion and external entities are never read)');
  }
  let input: unknown = trimmed;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      input = JSON.parse(trimmed);
    } catch (error) {
      throw new DaybreakError('ESOURCE', `not valid JSON: ${(error as Error).message.replace(/, ".*$/s, '')}`, { cause: error });
    }
  }
  let parsed: AnyFeed;
  try {
    parsed = parseFeed(input);
  } catch (error) {
    if (error instanceof DetectError) {
      const what = trimmed.slice(0, 200).toLowerCase().includes('<html') ? 'an HTML page' : 'no feed format feedsmith recognises';
      throw new DaybreakError('ESOURCE', `not an RSS, Atom, RDF or JSON feed: the document is ${what}`, { cause: error });
    }
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new DaybreakError('ESOURCE', `not a well-formed feed${cause ? `: ${cause}` : ''}`, { cause: error });
  }
  const doc =
    parsed.format === 'rss' ? fromRss(parsed.feed)
    : parsed.format === 'atom' ? fromAtom(parsed.feed)
    : parsed.format === 'rdf' ? fromRdf(parsed.feed)
    : fromJson(parsed.feed);
  const kind = doc.format === 'rdf' ? 'rss' : doc.format;
  if (expected && kind !== expected) {
    throw new DaybreakError('ESOURCE', `the source is configured as "${expected}" but the document is ${doc.format === 'jsonfeed' ? 'a JSON Feed' : `an ${doc.format.toUpperCase()} feed`} (fix "type" or leave it out)`);
  }
  return doc;
}
