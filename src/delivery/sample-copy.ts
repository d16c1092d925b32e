import type { Config, Newsletter } from '../content/index.ts';
import { sampleReaders, type Segmented } from '../render/index.ts';
import { compileEditionMessage, editionMessageOptions } from './edition-message.ts';
import { readerCopy } from './reader-copy.ts';
import { editionMessageId } from './edition-message-id.ts';

/**
 * The sample reader's copy of an edition exactly as `send` builds a copy (the same compiled message and
 * builder): what `daybreak build` writes as .eml, `daybreak check` inspects and the preview's Headers tab
 * shows. Its addresses are placeholders, never signed tokens: a sample mailed around can act on nobody.
 *
 * @example
 * const { raw, envelopeFrom } = sampleCopy({ config, newsletter, date, rendered, now: edition.sendAt });
 * // `bytes`: the same copy as the builder's Buffer, as `send` hands it to the signer
 */
export function sampleCopy(options: {
  config: Pick<Config, 'publisher' | 'baseUrl' | 'inbound'>;
  newsletter: Pick<Newsletter, 'id' | 'name'>;
  date: string;
  rendered: { subject: string; html: Segmented; text: Segmented };
  /** The Date header (default now). */
  now?: Date;
}): { raw: string; bytes: Buffer; envelopeFrom: string; to: string; messageId: string } {
  const { config, newsletter, date } = options;
  const message = compileEditionMessage(editionMessageOptions(config, newsletter, options.rendered));
  const reader = sampleReaders(config.baseUrl).sample;
  // The same Message-ID scheme as every copy; keyed with a fixed text since a sample has no reader.
  const messageId = editionMessageId('sample', { newsletter: newsletter.id, date }, 0, message.domain);
  const domain = config.inbound?.domain;
  const bytes = readerCopy(message, {
    address: reader.email,
    name: reader.firstName ?? null,
    unsubscribeUrl: reader.unsubscribeUrl,
    messageId,
    ...(domain ? { unsubscribeMailto: `unsubscribe+sample@${domain}` } : {}),
    ...(options.now ? { date: options.now } : {}),
  });
  return { raw: bytes.toString('utf8'), bytes, envelopeFrom: domain ? `bounces+sample@${domain}` : message.envelopeFrom, to: reader.email, messageId };
}
