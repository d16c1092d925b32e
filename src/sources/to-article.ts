import { ArticleSchema, formatIssues, readableErrors, type Article, type Source } from '../content/index.ts';
import { canonicalUrl } from './canonical-url.ts';
import { toOffsetDateTime } from './feed-date.ts';
import { cutAtSentence, htmlToParagraphs, htmlToText } from './html-text.ts';
import { articleIdFor } from './item-id.ts';
import type { SourceItem } from './source-item.ts';

export interface MappingContext {
  source: Source;
  /** The source's `timezone`, else the first newsletter's: how dates without an offset are read. */
  timezone: string;
  /** The feed's own title: the kicker of last resort. */
  feedTitle?: string;
  /** When this item was first seen (ISO 8601): its date when the source gives none or an unreadable one. */
  firstSeen: (id: string) => string;
}

/** Headlines are one line; a hostile feed's megabyte title stops here. */
const HEADLINE_MAX = 300;
const TAGS_MAX = 20;

function unique(values: string[]): string[] {
  return [...new Set(values.map((v) => htmlToText(v.replace(/&(?![#\w]+;)/g, '&amp;').replace(/</g, '&lt;'))).filter((v) => v !== ''))];
}

/**
 * Maps one source item to an article in Daybreak's format, validated by the same schema as a hand-written
 * file: id from the item's id (source-prefixed; a hash when absent), headline from the title, dek from the
 * summary cut at a sentence, body paragraphs from the content as plain text, the canonical link,
 * `publishedAt` with its offset, author, image (only with its size: the templates need width and height),
 * kicker, section and tags. Returns the article or the reasons it cannot be one.
 *
 * @example
 * const result = toArticle(item, { source, timezone: 'America/New_York', firstSeen: () => now });
 * if ('article' in result) write(result.article);
 */
export function toArticle(item: SourceItem, ctx: MappingContext): { article: Article; id: string } | { errors: string[]; id: string } {
  const { source } = ctx;
  const url = canonicalUrl(item.link, source.url);
  // WordPress (with Yoast) ends feed summaries with "The post X appeared first on Y.": a footer, not the story.
  const summaryParas = item.summary ? htmlToParagraphs(item.summary).filter((p) => !/^The post .+ appeared first on .+\.$/.test(p)) : [];
  const summaryText = summaryParas.join(' ');
  const contentParas = item.content
    ? htmlToParagraphs(item.content)
    : item.contentText
      ? item.contentText.split(/\n\s*\n/).map((p) => htmlToText(p.replace(/&/g, '&amp;').replace(/</g, '&lt;'))).filter(Boolean)
      : [];
  const titleText = item.title ? htmlToText(item.title) : '';
  const id = articleIdFor(source.id, item.id, url ?? `${titleText}|${item.published ?? ''}`);
  const errors: string[] = [];
  if (!url) errors.push(item.link ? `its link "${item.link.slice(0, 200)}" is not an http(s) URL` : 'it has no link');

  const headline = cutAtSentence(titleText || summaryText || contentParas[0] || '', HEADLINE_MAX);
  if (headline === '') errors.push('it has no title, summary or content');
  const dek = cutAtSentence(summaryText) || cutAtSentence(contentParas.join(' ')) || headline;
  // Without separate content, a summary longer than the dek is the story's text (many RSS feeds put it all there).
  const body = contentParas.length > 0 ? contentParas : summaryText.length > dek.length ? summaryParas : [];

  let publishedAt = item.published ? toOffsetDateTime(item.published, ctx.timezone) : null;
  publishedAt ??= ctx.firstSeen(id);

  const categories = unique(item.categories).slice(0, TAGS_MAX);
  const fromCategory = categories[0];
  const kicker =
    (source.kickerFrom === 'category' ? (fromCategory ?? source.kicker) : (source.kicker ?? fromCategory)) ??
    (ctx.feedTitle ? htmlToText(ctx.feedTitle) || undefined : undefined) ??
    source.id;
  const section = source.sectionFrom === 'category' ? (fromCategory ?? source.section) : source.section;

  const authorName = item.author?.name ? htmlToText(item.author.name) : '';
  const authorUrl = canonicalUrl(item.author?.url);
  const authorBio = item.author?.bio ? cutAtSentence(htmlToText(item.author.bio), 500) : '';
  const imageUrl = item.image ? canonicalUrl(item.image.url, url ?? source.url) : null;
  const image =
    imageUrl && item.image?.width && item.image.height && Number.isInteger(item.image.width) && Number.isInteger(item.image.height)
      ? { url: imageUrl, alt: item.image.alt ? htmlToText(item.image.alt) : '', width: item.image.width, height: item.image.height }
      : undefined;

  if (errors.length > 0) return { errors, id };
  const article = {
    id,
    kicker,
    headline,
    dek,
    url: url!,
    publishedAt,
    ...(section ? { section } : {}),
    ...(categories.length > 0 ? { tags: categories } : {}),
    ...(body.length > 0 ? { body } : {}),
    ...(authorName ? { author: { name: authorName, ...(authorBio ? { bio: authorBio } : {}), ...(authorUrl ? { url: authorUrl } : {}) } } : {}),
    ...(image ? { image } : {}),
  };
  const checked = ArticleSchema.safeParse(article, { error: readableErrors });
  if (!checked.success) return { errors: formatIssues(id, checked.error).map((line) => line.replace(`${id}: `, '')), id };
  // The object as built (without the defaults the schema fills in), so the file says only what the source said.
  return { article: article as Article, id };
}
