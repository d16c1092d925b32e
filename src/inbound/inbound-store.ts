import type { InboundMessageKind } from './classify-message.ts';

/** Where a message or event came in. */
export type InboundSource = 'smtp' | 'imap' | 'ses' | 'postmark' | 'mailgun' | 'sendgrid';

/** One received message or provider event, classified, with the copy it was found to be about. */
export interface InboundEvent {
  receivedAt: Date;
  source: InboundSource;
  /**
   * A provider's event id, or an IMAP message's mailbox and UID: what is received again under the same id
   * is recognised and changes nothing. Null for SMTP mail, which is always kept.
   */
  eventId: string | null;
  envelopeFrom: string | null;
  /** The envelope recipient (our address), or the reader's address a provider event names. */
  recipient: string | null;
  kind: InboundMessageKind;
  subscriberId: number | null;
  newsletter: string | null;
  date: string | null;
  status: string | null;
  diagnostic: string | null;
  /** Why it was classified so. */
  reason: string;
  /** The message or request body exactly as received. */
  raw: Buffer;
}

/** A kept message as `daybreak bounces` shows it. */
export interface InboundMessage {
  id: number;
  receivedAt: string;
  source: InboundSource;
  eventId: string | null;
  envelopeFrom: string | null;
  recipient: string | null;
  kind: InboundMessageKind;
  subscriberId: number | null;
  /** The reader's address today (null once they are removed, or when no reader was identified). */
  email: string | null;
  newsletter: string | null;
  date: string | null;
  status: string | null;
  diagnostic: string | null;
  /** What it changed and why, in words. */
  outcome: string;
}

export interface InboundPolicy {
  /** Soft bounces of different editions within the window after which the reader counts as bounced. */
  softBounceLimit: number;
  windowDays: number;
}

export interface RecordResult {
  /** The kept row, or null when the event was a replay (nothing stored, nothing changed). */
  id: number | null;
  duplicate: boolean;
  outcome: string;
}

/**
 * The storage the inbound side needs, declared here; src/storage implements it on both engines.
 * `record` keeps the message and applies its effect on the reader in ONE transaction, so a crash can
 * neither drop a reader without the message that explains it nor keep a message whose effect was lost.
 */
export interface InboundStore {
  record(event: InboundEvent, policy: InboundPolicy): Promise<RecordResult>;
  /** Newest first. */
  list(options?: { limit?: number; kind?: InboundMessageKind }): Promise<InboundMessage[]>;
  /** The raw message of one kept row. */
  raw(id: number): Promise<Buffer | undefined>;
  /** The copy an edition Message-ID (without brackets) belongs to, from the send ledger. */
  findCopy(messageId: string): Promise<{ subscriberId: number; newsletter: string; date: string } | undefined>;
  /** A reader by address, case-insensitively (provider events name the address). */
  findSubscriberId(email: string): Promise<number | undefined>;
  /**
   * Deletes the kept messages received before `cutoff` (raw mail and its record) and returns how many
   * went. What they did to the readers (bounced, complained, unsubscribed) stays: that lives on the
   * readers, not here.
   */
  deleteReceivedBefore(cutoff: Date): Promise<number>;
}
