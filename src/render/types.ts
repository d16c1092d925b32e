/**
 * The render contracts shared by templates, delivery, preview and the web app.
 * Templates are pure: typed props in, `{ subject, html, text }` out.
 */

/** The per-reader fields of an edition copy (issue 2, "render once, personalize many"). */
export interface Reader {
  email: string;
  /** The reader's first name as they typed it; null or empty when they gave none. */
  firstName: string | null;
  /** Per-reader, signed unsubscribe URL (issue 5 tokens). */
  unsubscribeUrl: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The preheader (hidden preview text) the template emitted, for the preview's headers tab. */
  preheader?: string;
}

export type TemplateEngine = 'react-email' | 'mjml';
export type TemplateKind = 'edition' | 'transactional';

/**
 * A rendered document split at its per-reader fields:
 * document = parts[0] + value(fields[0]) + parts[1] + … + value(fields[n-1]) + parts[n].
 * For HTML the values are HTML-escaped; for text they are inserted as they are.
 * Delivery uses this to substitute readers into an already-encoded MIME message.
 */
export interface Segmented<F extends string = string> {
  parts: string[];
  fields: F[];
}
