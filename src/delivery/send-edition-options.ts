import type { Config, Newsletter } from '../content/index.ts';
import type { Segmented } from '../render/index.ts';
import type { DueAt, SendStore } from './send-store.ts';

/** How the sender hands a finished message to SMTP (the Mailer implements it). */
export interface Transport {
  /**
   * Sends one prebuilt message to one recipient; rejects with an SMTP-style error on failure.
   * `messageId` is the Message-ID already in `raw`, without angle brackets (so the transport need not
   * invent one).
   */
  sendRaw(message: { from: string; to: string; raw: string | Buffer; messageId?: string }): Promise<{ response: string }>;
}

/** The rendered edition, as renderEdition returns it (only what the sender needs). */
export interface RenderedEditionParts {
  subject: string;
  html: Segmented;
  text: Segmented;
}

export interface SendReport {
  newsletter: string;
  date: string;
  /** Copies in the ledger for this edition, whoever sends them. */
  total: number;
  /** Sent by this process (with several senders on one edition, theirs add up to the edition's). */
  sent: number;
  /** Failed for good in this process. */
  failed: number;
  /** Copies of the edition left for later (deferred after their retries, or not reached: --limit, a pause). */
  deferred: number;
  /** Skipped by this process (the reader left, bounced or was removed since the copy was queued). */
  skipped: number;
  /** Copies that had gone out before this run started. */
  alreadySent: number;
  durationMs: number;
  /** Set when the run stopped early on policy errors (delivery.maxPolicyErrors). */
  paused?: string;
  /**
   * Local-time delivery: copies queued for a later wave (their reader's time has not come), not counted
   * in `deferred`.
   */
  waiting?: number;
  /** When the next of those is due. */
  nextWaveAt?: string | null;
}

export interface SendProgress {
  total: number;
  /** Copies this run has finished with (sent, failed, deferred for good, skipped). */
  done: number;
  /** Copies this run still has to handle (an estimate while queueing). */
  remaining: number;
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
  alreadySent: number;
  elapsedMs: number;
}

/**
 * What `sendEdition` is given. The send loop's units each read the part they need: the claimer the
 * ledger and lease options, the dispatcher the transport and the per-reader URLs, the pause control
 * `limit` and `signal`.
 */
export interface SendEditionOptions {
  store: SendStore;
  transport: Transport;
  config: Config;
  newsletter: Newsletter;
  date: string;
  rendered: RenderedEditionParts;
  /** The HMAC key (loadSecret): Message-IDs are HMACs, deterministic per copy and unguessable. */
  secret: string;
  /** The reader's signed unsubscribe URL (tokens.unsubscribeUrl). */
  unsubscribeUrlFor(subscriberId: number, newsletterId: string): string;
  /** The reader's signed preference-page URL (tokens.manageUrl); default: the unsubscribe URL's twin. */
  manageUrlFor?(subscriberId: number): string;
  /**
   * The edition for readers who chose some sections only (newsletter.readerChoices), rendered once per
   * distinct choice met in the ledger, when first met; `rendered` serves everyone else.
   */
  renderChoice?(choice: string[]): Promise<RenderedEditionParts>;
  /**
   * Local-time delivery: each copy's due time by its reader's timezone. Copies are queued with it, the
   * queued ones are re-timed from the readers' zones as they are now, and only due copies are sent; the
   * rest wait in the ledger for a later call.
   */
  dueAt?: DueAt;
  /**
   * With `dueAt`: queued copies due before `before` are not sent but recorded `expired` with `reason`
   * (a wave the scheduler missed past its grace window). A send by hand passes none: it sends all that is due.
   */
  missed?: { before: Date; reason: string };
  /** With `dueAt`: the clock due times are compared with (default the system clock). */
  now?: () => Date;
  /**
   * The copy's envelope sender (`bounces+<token>@<inbound domain>`), so a bounce that comes back later
   * names the copy; default the From address.
   */
  returnPathFor?(subscriberId: number, newsletterId: string, date: string): string;
  /** The reader's own List-Unsubscribe mailto address; default publisher.unsubscribeMailbox, if any. */
  unsubscribeMailtoFor?(subscriberId: number, newsletterId: string): string;
  /** Send at most this many copies in this run; the rest stay queued (deferred in the report). */
  limit?: number;
  onProgress?(progress: SendProgress): void;
  /**
   * Copies allowed between their `sending` commit and the commit of their outcome (default
   * delivery.maxInFlight, else 8 × delivery.maxConnections: up to 2 × maxConnections handed to the SMTP
   * client, one on each connection and one queued behind it, and the rest answered and waiting for their
   * group's ledger commit). A crash can duplicate at most this many copies.
   */
  maxInFlight?: number;
  /**
   * How long an answered copy may wait for the rest of its group before its outcome is committed alone
   * (default 10 ms). Outcomes are committed in groups of up to (maxInFlight − 2 × maxConnections) / 2.
   */
  groupWaitMs?: number;
  /**
   * Stops the run early (shutdown): no new copy is claimed or started; copies already handed to SMTP
   * finish and are recorded; claimed copies not yet started stay `sending` and go out on the next run.
   */
  signal?: AbortSignal;
  /** How long a claimed copy stays ours; renewed every third of it (default delivery.leaseSeconds). */
  leaseSeconds?: number;
  /** This process's name in the ledger's leases (default host:pid:random). */
  worker?: string;
  /**
   * The longest wait between two claims while other processes still hold copies of the edition (their
   * copies come back when a lease runs out). Default 1,000 ms.
   */
  pollMs?: number;
}

/**
 * Rejects numeric options that would stall the loop (a window of 0 never sends) or make no sense.
 *
 * @example
 * checkSendOptions({ ...options, maxInFlight: 0 }); // throws TypeError: Expected `maxInFlight` to be a positive integer, got 0
 */
export function checkSendOptions(options: Pick<SendEditionOptions, 'maxInFlight' | 'groupWaitMs' | 'limit' | 'leaseSeconds' | 'pollMs'>): void {
  const { maxInFlight, groupWaitMs, limit, leaseSeconds, pollMs } = options;
  if (maxInFlight !== undefined && !(Number.isInteger(maxInFlight) && maxInFlight >= 1)) {
    throw new TypeError(`Expected \`maxInFlight\` to be a positive integer, got ${maxInFlight}`);
  }
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new TypeError(`Expected \`limit\` to be a non-negative integer, got ${limit}`);
  }
  if (leaseSeconds !== undefined && !(Number.isFinite(leaseSeconds) && leaseSeconds > 0)) {
    throw new TypeError(`Expected \`leaseSeconds\` to be a positive number, got ${leaseSeconds}`);
  }
  for (const [name, value] of [['groupWaitMs', groupWaitMs], ['pollMs', pollMs]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new TypeError(`Expected \`${name}\` to be a non-negative number, got ${value}`);
    }
  }
}
