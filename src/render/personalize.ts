import { DaybreakError } from '../errors.ts';
import { escapeHtml, READER_FIELDS } from './reader-fields.ts';
import type { ReaderField, Segmented } from './types.ts';

/**
 * Splits a document rendered with a placeholder reader at its tokens.
 * document = parts[0] + token(fields[0]) + parts[1] + … + parts[n].
 */
export function segment(document: string, nonce: string): Segmented<ReaderField> {
  const pattern = new RegExp(`%%DAYBREAK-${nonce}:(${READER_FIELDS.join('|')})%%`, 'g');
  const parts: string[] = [];
  const fields: ReaderField[] = [];
  let last = 0;
  for (const match of document.matchAll(pattern)) {
    parts.push(document.slice(last, match.index));
    fields.push(match[1] as ReaderField);
    last = match.index + match[0].length;
  }
  parts.push(document.slice(last));
  // A token the engine mangled (escaped, wrapped, re-encoded) would leak to every reader: refuse.
  if (parts.some((p) => p.includes(`DAYBREAK-${nonce}`))) {
    throw new DaybreakError('ETEMPLATE', 'A reader placeholder was altered by the template engine and cannot be substituted');
  }
  return { parts, fields };
}

/** Joins a Segmented document with one reader's values (already escaped for the document's format). */
export function fillSegments(doc: Segmented<ReaderField>, values: Record<ReaderField, string>): string {
  const { parts, fields } = doc;
  let out = parts[0]!;
  for (let i = 0; i < fields.length; i++) out += values[fields[i]!] + parts[i + 1]!;
  return out;
}

/** The values escaped for HTML (text and attributes alike, as React escapes both the same way). */
export function htmlValues(values: Record<ReaderField, string>): Record<ReaderField, string> {
  return {
    greeting: escapeHtml(values.greeting),
    firstName: escapeHtml(values.firstName),
    email: escapeHtml(values.email),
    unsubscribeUrl: escapeHtml(values.unsubscribeUrl),
    manageUrl: escapeHtml(values.manageUrl),
  };
}
