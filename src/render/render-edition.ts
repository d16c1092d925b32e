import type { Config, Edition } from '../content/index.ts';
import { buildEditionView } from './edition-view.ts';
import { fillSegments, htmlValues, segment } from './personalize.ts';
import { createPlaceholderReader, placeholderNonce, readerFieldValues, sampleReaders } from './reader-fields.ts';
import { getEditionTemplate } from './registry.ts';
import type { EditionView, Reader, ReaderField, RenderedEmail, Segmented, TemplateEngine } from './types.ts';

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
}

/**
 * Renders an edition ONCE with placeholder reader values and splits the result at the placeholders
 * (issue 2, "render once, personalize many"): a React render costs milliseconds, a substitution
 * microseconds. The copy `personalize(reader)` returns is byte-identical to a full render with that reader.
 *
 * @example
 * const rendered = await renderEdition(edition, config);
 * const { subject, html, text } = rendered.personalize({ email, firstName, unsubscribeUrl });
 */
export async function renderEdition(edition: Edition, config: Config, templateName?: string): Promise<PersonalizableEdition> {
  const template = getEditionTemplate(templateName ?? edition.newsletter.template);
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
  };
}
