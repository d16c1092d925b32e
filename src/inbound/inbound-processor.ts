import type { InboundAddresses, InboundClaims } from './inbound-address.ts';
import { classifyMessage, type InboundMessageKind } from './classify-message.ts';
import type { InboundPolicy, InboundSource, InboundStore, RecordResult } from './inbound-store.ts';

/** Local parts every mail domain must accept (RFC 5321 §4.5.1, RFC 2142): complaints may come to them. */
const ROLE_ADDRESSES = ['postmaster', 'abuse'];

export interface ReceivedMail {
  raw: Buffer;
  /** MAIL FROM; '' for the null reverse-path `<>` that bounces use (RFC 5321 §4.5.5). */
  envelopeFrom: string | null;
  recipients: string[];
  source: Extract<InboundSource, 'smtp' | 'imap'>;
  /**
   * What names this message where it came from, when anything does (a mailbox's UIDVALIDITY and the
   * message's UID): the same message read again is kept once. SMTP mail has none and is always kept.
   */
  eventId?: string;
  receivedAt?: Date;
}

/** A sending service's event, already read and checked by its webhook. */
export interface ProviderEvent {
  source: Exclude<InboundSource, 'smtp' | 'imap'>;
  /** The provider's id for the event: a replay with the same id changes nothing. */
  eventId: string;
  kind: InboundMessageKind;
  /** The reader's address the event is about. */
  email: string | null;
  /** The Message-ID of the copy (without brackets), when the event carries it. */
  messageId?: string | null;
  status: string | null;
  diagnostic: string | null;
  reason: string;
  raw: Buffer;
  receivedAt?: Date;
}

export interface InboundResult extends RecordResult {
  kind: InboundMessageKind;
  subscriberId: number | null;
}

export interface InboundProcessor {
  /** Whether the listener takes mail for this address (checked at RCPT TO, before any data). */
  accepts(address: string): Promise<boolean>;
  receiveMail(mail: ReceivedMail): Promise<InboundResult>;
  receiveEvent(event: ProviderEvent): Promise<InboundResult>;
}

/**
 * The one path every bounce, complaint and unsubscribe takes, whether it came by SMTP, IMAP or a
 * provider webhook: classify, find the copy it is about (the signed address it came to, else the
 * original message's envelope sender, List-Unsubscribe or Message-ID, else the address a provider
 * names), then keep it and apply its effect in one transaction.
 *
 * @example
 * const processor = createInboundProcessor({ store: store.inbound, addresses, policy: { softBounceLimit: 3, windowDays: 30 } });
 * await processor.receiveMail({ raw, envelopeFrom: '', recipients: ['bounces+…@bounces.news.example'], source: 'smtp' });
 */
export function createInboundProcessor(options: {
  store: InboundStore;
  /** Null when no inbound domain is configured (webhooks only). */
  addresses: InboundAddresses | null;
  policy: InboundPolicy;
  log?: (line: string) => void;
}): InboundProcessor {
  const { store, addresses, policy } = options;
  const log = options.log ?? (() => {});

  const isRole = (address: string) => {
    if (!addresses) return false;
    const lower = address.toLowerCase();
    return ROLE_ADDRESSES.some((local) => lower === `${local}@${addresses.domain}`);
  };

  const claimsOf = async (list: string[]): Promise<InboundClaims | null> => {
    if (!addresses) return null;
    for (const address of list) {
      const claims = await addresses.parse(address);
      if (claims) return claims;
    }
    return null;
  };

  const report = (result: InboundResult, source: InboundSource) => {
    log(`inbound (${source}): ${result.kind}${result.subscriberId !== null ? ` for subscriber ${result.subscriberId}` : ''}: ${result.outcome}`);
    return result;
  };

  return {
    async accepts(address) {
      return isRole(address) || (await claimsOf([address])) !== null;
    },

    async receiveMail(mail) {
      const direct = await claimsOf(mail.recipients);
      const classification = classifyMessage(mail.raw.toString('utf8'), {
        toUnsubscribe: direct?.kind === 'unsubscribe',
        envelopeFrom: mail.envelopeFrom,
      });
      let claims = direct;
      let copy: { subscriberId: number; newsletter: string; date: string | null } | null = direct;
      if (!copy) {
        claims = await claimsOf(classification.hints.addresses);
        copy = claims;
      }
      if (!copy) {
        for (const id of classification.hints.messageIds) {
          const found = await store.findCopy(id);
          if (found) {
            copy = found;
            break;
          }
        }
      }
      // A bare unsubscribe mail names its newsletter only through the address it came to.
      const kind = classification.kind === 'unsubscribe' && claims?.kind !== 'unsubscribe' ? 'unknown' : classification.kind;
      const result = await store.record(
        {
          receivedAt: mail.receivedAt ?? new Date(),
          source: mail.source,
          eventId: mail.eventId ?? null,
          envelopeFrom: mail.envelopeFrom,
          recipient: mail.recipients.join(', ') || null,
          kind,
          subscriberId: copy?.subscriberId ?? null,
          newsletter: copy?.newsletter ?? null,
          date: copy?.date ?? null,
          status: classification.status,
          diagnostic: classification.diagnostic,
          reason: classification.reason,
          raw: mail.raw,
        },
        policy,
      );
      return report({ ...result, kind, subscriberId: copy?.subscriberId ?? null }, mail.source);
    },

    async receiveEvent(event) {
      const copy = event.messageId ? await store.findCopy(event.messageId) : undefined;
      const subscriberId = copy?.subscriberId ?? (event.email ? ((await store.findSubscriberId(event.email)) ?? null) : null);
      const result = await store.record(
        {
          receivedAt: event.receivedAt ?? new Date(),
          source: event.source,
          eventId: `${event.source}:${event.eventId}`,
          envelopeFrom: null,
          recipient: event.email,
          kind: event.kind,
          subscriberId,
          newsletter: copy?.newsletter ?? null,
          date: copy?.date ?? null,
          status: event.status,
          diagnostic: event.diagnostic,
          reason: event.reason,
          raw: event.raw,
        },
        policy,
      );
      return report({ ...result, kind: event.kind, subscriberId }, event.source);
    },
  };
}
