/**
 * The render contracts shared by templates, delivery, preview and the web app.
 * Templates are pure: typed props in, `{ subject, html, text }` out.
 */
import type { Brand } from '../content/index.ts';

/** The per-reader fields of an edition copy ("render once, personalize many"). */
export interface Reader {
  email: string;
  /** The reader's first name as they typed it; null or empty when they gave none. */
  firstName: string | null;
  /** Per-reader, signed unsubscribe URL (signed tokens). */
  unsubscribeUrl: string;
  /**
   * Per-reader, signed preference-page URL ("Manage your subscriptions"). Senders always give it; when
   * absent (samples, previews) it is the unsubscribe URL's `/manage` twin (manageUrlFor).
   */
  manageUrl?: string;
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

/** The names of the per-reader fields a template may show (see `readerFieldValues`). */
export type ReaderField = 'greeting' | 'firstName' | 'email' | 'unsubscribeUrl' | 'manageUrl';

/** One article as every edition template shows it: already validated, plain text (templates escape it). */
export interface ArticleView {
  id: string;
  /** Its place in the edition, counted across sections: the lead is 1. */
  number: number;
  kicker: string;
  headline: string;
  dek: string;
  url: string;
  section?: string;
  /** The "Why it matters" line, or null. */
  why: string | null;
}

/** The short items under one section heading. */
export interface SectionView {
  /** The heading; null when no item of the edition has a section (then there is one group, unheaded). */
  heading: string | null;
  items: ArticleView[];
}

export interface SponsorView {
  /** "Sponsored" unless the edition file says otherwise; always shown. */
  label: string;
  headline: string;
  text: string;
  url: string;
  image: ImageView | null;
  /** The number of the story it follows (3, or the last story of a shorter edition). */
  afterNumber: number;
}

export interface ImageView {
  url: string;
  alt: string;
  width: number;
  height: number;
}

/** The lead story: the article plus what the long treatment needs. */
export interface LeadView extends ArticleView {
  /** "By Ana Ruiz", or null when the article has no author. */
  byline: string | null;
  author: { name: string; bio: string | null; url: string | null } | null;
  image: ImageView | null;
  /** The first paragraphs of the body shown in the email (the dek when the article has no body). */
  paragraphs: string[];
  /** True when the body has more than the paragraphs shown. */
  truncated: boolean;
}

/**
 * Everything an edition template shows, computed once by `buildEditionView` so that every design (React
 * Email or MJML) says the same thing ("the data → view-model step lives in one place").
 */
export interface EditionView {
  newsletter: { id: string; name: string; description: string };
  publisher: { name: string; postalAddress: string };
  /** YYYY-MM-DD, the edition's local date. */
  date: string;
  /** "Monday, November 30, 2026", in the newsletter's timezone and locale. */
  longDate: string;
  /** BCP 47 tag for `<html lang>`, e.g. "en-US". */
  lang: string;
  /** ISO 8601 instant of the send time. */
  sendAt: string;
  subject: string;
  /** The hidden preview text shown after the subject in inbox lists. */
  preheader: string;
  /** The editor's note, when the curated edition has one. */
  intro: string | null;
  lead: LeadView;
  /** Every article after the lead, in reading order (grouped by section, numbered from 2). */
  items: ArticleView[];
  /** The same items under their section headings, in the newsletter's `sections` order. */
  sections: SectionView[];
  /** "In this edition": the first few stories after the lead, short enough for one phone screen. */
  contents: Array<Pick<ArticleView, 'id' | 'number' | 'headline' | 'url'>>;
  /** How many stories follow that the contents list leaves out ("and 12 more below"). */
  contentsMore: number;
  /** The edition's length in words (what a reader reads: stories and modules, not links or footer). */
  readingTime: { words: number; minutes: number; label: string };
  /** Logo, colours and fonts from `publisher.brand`. */
  brand: Brand;
  quote: { text: string; by: string | null } | null;
  sponsor: SponsorView | null;
  /** "By the numbers", or an empty list. */
  numbers: Array<{ figure: string; text: string }>;
  links: {
    /** `{baseUrl}/archive/{newsletter}/{date}` */
    viewInBrowserUrl: string;
    /** `{baseUrl}/` */
    signUpUrl: string;
  };
  /** Why the reader gets this email (CAN-SPAM / good practice), one sentence. */
  reason: string;
  /** The "Forwarded this?" box, worded once so every design and the text part say the same. */
  signUp: {
    /** The link's text: "Sign up for The Morning Briefing". */
    linkText: string;
    /** The sentence after the link: the newsletter's description, or "It's free." without one. */
    pitch: string;
  };
}

/** Props of every edition template. Per-reader text must come from `readerFieldValues(reader)`. */
export interface EditionProps {
  view: EditionView;
  reader: Reader;
}

interface TemplateBase {
  name: string;
  engine: TemplateEngine;
  /** One line for `daybreak templates`. */
  description: string;
}

export interface EditionTemplate extends TemplateBase {
  kind: 'edition';
  render(props: EditionProps): Promise<RenderedEmail>;
}

export interface TransactionalTemplate<P = any> extends TemplateBase {
  kind: 'transactional';
  render(props: P): Promise<RenderedEmail>;
}

export type TemplateDefinition = EditionTemplate | TransactionalTemplate;
