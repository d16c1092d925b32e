/**
 * One item as read from any kind of source, before it becomes an article: the fields the mapping needs,
 * with HTML still in them. Each reader (feeds, WordPress, Ghost) fills what its format has.
 */
export interface SourceItem {
  /** The item's own id: RSS guid, Atom id, JSON Feed id, the CMS's post id. */
  id?: string;
  link?: string;
  /** HTML (RSS titles are HTML in practice; Atom says so with type="html"). */
  title?: string;
  /** HTML: description, summary or excerpt. */
  summary?: string;
  /** HTML: the full content. */
  content?: string;
  /** Plain text content, when that is what the source gives (JSON Feed `content_text`). */
  contentText?: string;
  /** As written by the source; read by toOffsetDateTime. */
  published?: string;
  author?: { name?: string; bio?: string; url?: string };
  image?: { url: string; alt?: string; width?: number; height?: number };
  categories: string[];
}

/** A source's items and the title of the source itself (the kicker of last resort). */
export interface SourceDocument {
  title?: string;
  /** The format that was read: rss, atom, rdf, jsonfeed, wordpress, ghost. */
  format: string;
  items: SourceItem[];
}
