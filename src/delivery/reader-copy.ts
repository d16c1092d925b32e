import { htmlValues, readerFieldValues } from '../render/index.ts';
import type { EditionMessage } from './edition-message.ts';

/**
 * One reader's complete copy from the compiled edition message: the same builder `send` uses for every
 * copy, for a test send (`send --to`), `daybreak build`'s .eml and `daybreak check`. The bytes are the
 * builder's own Buffer, so a copy it vouched for keeps its relaxed-body mark (relaxed-bodies.ts) and is
 * signed the way `send` signs it.
 *
 * @example
 * const raw = readerCopy(message, { address: 'ann@example.com', name: 'Ann', unsubscribeUrl, messageId }).toString('utf8');
 */
export function readerCopy(
  message: EditionMessage,
  reader: { address: string; name: string | null; unsubscribeUrl: string; messageId: string; unsubscribeMailto?: string; date?: Date },
): Buffer {
  const values = readerFieldValues({ email: reader.address, firstName: reader.name, unsubscribeUrl: reader.unsubscribeUrl });
  return message.buildBytes({
    to: { address: reader.address, name: reader.name },
    messageId: reader.messageId,
    unsubscribeUrl: values.unsubscribeUrl,
    ...(reader.unsubscribeMailto !== undefined ? { unsubscribeMailto: reader.unsubscribeMailto } : {}),
    ...(reader.date ? { date: reader.date } : {}),
    htmlValues: htmlValues(values),
    textValues: values,
  });
}
