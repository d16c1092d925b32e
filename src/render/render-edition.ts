import type { Config, Edition } from '../content/index.ts';
import { buildEditionView } from './edition-view.ts';
import { fillSegments, htmlValues, segment } from './personalize.ts';
import { createPlaceholderReader, placeholderNonce, readerFieldValues, sampleReaders } from './reader-fields.ts';
import type { EditionTemplate, EditionView, Reader, ReaderField, RenderedEmail, Segmented, TemplateEngine } from './types.ts';

/** An edition rendered once, ready to become any reader's copy by substitution. */
export interface PersonalizableEdition {
  template: string;
  engine: TemplateEngine;
  view: EditionView;
  subject: string;
  preheader: string;
  html: Segmented<ReaderField>;
  text: Segmented<ReaderField>;
  /** UTF-8 size of the sample reader's HTML copy (Gmail clips messages over 102 KB). */
  htmlBytes: number;
  /** One reader's copy: values HTML-escaped into the HTML, inserted as they are into the text. */
  personalize(reader: Reader): RenderedEmail;
  /**
   * The same copy as UTF-8 bytes, for whatever sends or writes it: the static parts are encoded once,
   * so a copy costs one allocation and a memcpy instead of building a string and encoding it again.
   * `personalizeBytes(r).html` equals `Buffer.from(personalize(r).html)` byte for byte.
   */
  personalizeBytes(reader: Reader): PersonalizedBytes;
}

/** One reader's copy as UTF-8 bytes (see PersonalizableEdition.personalizeBytes). */
export interface PersonalizedBytes {
  subject: string;
  preheader: string;
  html: Buffer;
  text: Buffer;
}

/** A Segmented document with its static parts pre-encoded as UTF-8. */
function encodeSegments(doc: Segmented<ReaderField>): { parts: Buffer[]; fields: ReaderField[]; staticBytes: number } {
  const parts = doc.parts.map((p) => Buffer.from(p, 'utf8'));
  return { parts, fields: doc.fields, staticBytes: parts.reduce((n, b) => n + b.length, 0) };
}

function fillBytes(doc: ReturnType<typeof encodeSegments>, values: Record<ReaderField, string>): Buffer {
  const encoded: Partial<Record<ReaderField, Buffer>> = {};
  const list: Buffer[] = [doc.parts[0]!];
  let length = doc.staticBytes;
  for (let i = 0; i < doc.fields.length; i++) {
    const field = doc.fields[i]!;
    const value = (encoded[field] ??= Buffer.from(values[field], 'utf8'));
    list.push(value, doc.parts[i + 1]!);
    length += value.length;
  }
  return Buffer.concat(list, length);
}

/**
 * Renders an edition ONCE with placeholder reader values and splits the result at the placeholders
 * ("render once, personalize many"): a React render costs milliseconds, a substitution
 * microseconds. The copy `personalize(reader)` returns is byte-identical to a full render with that reader.
 *
 * The design comes from the caller (src/designs looks it up by name), so this folder never depends on
 * the templates that depend on it.
 *
 * @example
 * const rendered = await renderEditionWith(getEditionTemplate('briefing'), edition, config);
 * const { subject, html, text } = rendered.personalize({ email, firstName, unsubscribeUrl });
 */
export async function renderEditionWith(template: EditionTemplate, edition: Edition, config: Config): Promise<PersonalizableEdition> {
  const view = buildEditionView(edition, config);
  const placeholder = createPlaceholderReader();
  const nonce = placeholderNonce(placeholder)!;
  const rendered = await template.render({ view, reader: placeholder });
  const html = segment(rendered.html, nonce);
  const text = segment(rendered.text, nonce);
  const subject = rendered.subject;
  const preheader = rendered.preheader ?? view.preheader;
  const personalize = (reader: Reader): RenderedEmail => {
    const values = readerFieldValues(reader);
    return {
      subject,
      html: fillSegments(html, htmlValues(values)),
      text: fillSegments(text, values),
      preheader,
    };
  };
  const encodedHtml = encodeSegments(html);
  const encodedText = encodeSegments(text);
  const personalizeBytes = (reader: Reader): PersonalizedBytes => {
    const values = readerFieldValues(reader);
    return { subject, preheader, html: fillBytes(encodedHtml, htmlValues(values)), text: fillBytes(encodedText, values) };
  };
  return {
    template: template.name,
    engine: template.engine,
    view,
    subject,
    preheader,
    html,
    text,
    htmlBytes: Buffer.byteLength(personalize(sampleReaders(config.baseUrl).sample).html, 'utf8'),
    personalize,
    personalizeBytes,
  };
}
