import { randomBytes } from 'node:crypto';
import type { Reader, ReaderField } from './types.ts';

/** Every per-reader field, in a fixed order. */
export const READER_FIELDS: readonly ReaderField[] = ['greeting', 'firstName', 'email', 'unsubscribeUrl', 'manageUrl'];

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };
const HTML_SPECIAL = /[&<>"']/g;

/**
 * Escapes text for HTML text and attribute values exactly as React DOM's server renderer does
 * (`escapeTextForBrowser`: & < > " '), so a substituted copy is byte-identical to a full render.
 */
export function escapeHtml(value: string): string {
  HTML_SPECIAL.lastIndex = 0;
  return HTML_SPECIAL.test(value) ? value.replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c]!) : value;
}

/** Marks a Reader whose field values are placeholder tokens (the render-once pass). */
const PLACEHOLDER_NONCE = Symbol('daybreak.placeholderNonce');

type PlaceholderReader = Reader & { [PLACEHOLDER_NONCE]: string };

/**
 * The token for one field. Plain ASCII letters, digits, `%`, `-` and `:`: nothing React, MJML or an HTML
 * minifier escapes or rewrites. The nonce is random per render, so article text can never forge a token.
 */
export function placeholderToken(nonce: string, field: ReaderField): string {
  return `%%DAYBREAK-${nonce}:${field}%%`;
}

/** A Reader for the render-once pass: `readerFieldValues` of it returns tokens instead of values. */
export function createPlaceholderReader(nonce: string = randomBytes(6).toString('hex')): PlaceholderReader {
  return {
    email: placeholderToken(nonce, 'email'),
    firstName: placeholderToken(nonce, 'firstName'),
    unsubscribeUrl: placeholderToken(nonce, 'unsubscribeUrl'),
    manageUrl: placeholderToken(nonce, 'manageUrl'),
    [PLACEHOLDER_NONCE]: nonce,
  };
}

/** The nonce of a placeholder reader, or null for a real one. */
export function placeholderNonce(reader: Reader): string | null {
  return (reader as Partial<PlaceholderReader>)[PLACEHOLDER_NONCE] ?? null;
}

/**
 * The raw (unescaped) per-reader values a template may show. Templates MUST take every per-reader string
 * from here and show each as ONE whole string (one text node or one attribute), never build text around
 * `reader.firstName` themselves: that is what makes substituting into a render-once copy byte-identical to
 * a full render (the greeting's "no name" fallback is decided here, not in the template).
 *
 * @example
 * const { greeting, email, unsubscribeUrl } = readerFieldValues(reader); // "Good morning, Ana."
 */
export function readerFieldValues(reader: Reader): Record<ReaderField, string> {
  const nonce = placeholderNonce(reader);
  if (nonce !== null) {
    return {
      greeting: placeholderToken(nonce, 'greeting'),
      firstName: placeholderToken(nonce, 'firstName'),
      email: placeholderToken(nonce, 'email'),
      unsubscribeUrl: placeholderToken(nonce, 'unsubscribeUrl'),
      manageUrl: placeholderToken(nonce, 'manageUrl'),
    };
  }
  const firstName = (reader.firstName ?? '').trim();
  return {
    greeting: firstName ? `Good morning, ${firstName}.` : 'Good morning.',
    firstName,
    email: reader.email,
    unsubscribeUrl: reader.unsubscribeUrl,
    manageUrl: reader.manageUrl ?? manageUrlFor(reader.unsubscribeUrl),
  };
}

/**
 * The preference-page twin of an unsubscribe URL (`…/unsubscribe?token=X` → `…/manage?token=X`), for
 * readers given without a manage URL: sample readers get a sample link of the right shape. A real
 * unsubscribe token does not open the page (its purpose differs), so senders always pass the real one.
 */
export function manageUrlFor(unsubscribeUrl: string): string {
  return unsubscribeUrl.replace(/\/unsubscribe\?/, '/manage?');
}

/** The base URL of the default config (`baseUrl` in src/content/config-schema.ts). */
const DEFAULT_BASE_URL = 'http://localhost:3000';

/**
 * The unsubscribe URL of a SAMPLE reader: `{baseUrl}/unsubscribe?token=sample-…`, the shape that
 * `tokens.unsubscribeUrl` (src/audience) gives real readers. Deliberately NOT a signed token:
 * a sample reader has no subscriber row, and a validly signed token for some id would unsubscribe whoever
 * really holds that id if someone clicked it in a built file. It also keeps `daybreak build` from needing
 * (and making) the token keys. The unsubscribe page answers this link with "invalid or expired".
 */
export function sampleUnsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/unsubscribe?token=${token}`;
}

/** The sample readers for a config's `baseUrl`: the `.eml` of `daybreak build` and the preview's reader switch. */
export function sampleReaders(baseUrl: string): { sample: Reader; noName: Reader; awkward: Reader } {
  return {
    /** The reader `daybreak build` writes its .eml for and the preview shows first. */
    sample: { email: 'ana.reader@example.com', firstName: 'Ana', unsubscribeUrl: sampleUnsubscribeUrl(baseUrl, 'sample-ana') },
    /** A reader who gave no name: the greeting falls back to "Good morning." */
    noName: { email: 'no.name@example.com', firstName: null, unsubscribeUrl: sampleUnsubscribeUrl(baseUrl, 'sample-noname') },
    /** A reader whose fields hold everything that must be escaped: < & quotes and emoji. */
    awkward: {
      email: `o'brien+news&"more"@example.com`,
      firstName: `Zoë "Z" <O'Brien> & 🦊`,
      unsubscribeUrl: sampleUnsubscribeUrl(baseUrl, 'a<b>&n="1"&x=\'2\''),
    },
  };
}

const defaults = sampleReaders(DEFAULT_BASE_URL);
/** The sample readers for the default `baseUrl` (tests); commands use `sampleReaders(config.baseUrl)`. */
export const sampleReader: Reader = defaults.sample;
export const noNameReader: Reader = defaults.noName;
export const awkwardReader: Reader = defaults.awkward;
