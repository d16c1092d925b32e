import { createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { choiceKey, effectiveChoice, type Config, type Newsletter } from '../content/index.ts';
import { DaybreakError } from '../errors.ts';
import { htmlValues, readerFieldValues, type Segmented } from '../render/index.ts';
import { classifySmtpError } from './delivery-error.ts';
import { afterFailure, pauseMessage } from './retry-policy.ts';
import { compileEditionMessage, editionMessageOptions, type EditionMessage } from './edition-message.ts';
import type { ClaimedCopy, CopyOutcome, DueAt, EditionKey, SendStore } from './send-store.ts';

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

/** The most rows one claim takes from the ledger. */
const MAX_CLAIM_BATCH = 1000;

/** The Message-ID of one copy, without angle brackets: HMAC(secret, newsletter, date, subscriber). */
export function editionMessageId(secret: string, key: EditionKey, subscriberId: number, domain: string): string {
  const mac = createHmac('sha256', secret).update(`message-id\0${key.newsletter}\0${key.date}\0${subscriberId}`).digest('base64url').slice(0, 27);
  return `${key.newsletter}.${key.date}.${mac}@${domain}`;
}


/** Rejects numeric options that would stall the loop (a window of 0 never sends) or make no sense. */
function checkOptions(options: SendEditionOptions): void {
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

/**
 * Sends one edition to every confirmed reader through the send ledger:
 * queue a row per confirmed, non-bounced subscriber → claim due rows with a lease (re-checking each
 * reader) → build the copy (the edition's MIME is built once, only the reader's values are encoded) →
 * SMTP → commit `sent` / `deferred` / `failed`. Any number of processes may run this for the same edition
 * at once: each claims different rows, and each keeps going until no copy of the edition is left, taking
 * over the copies of a process whose leases ran out (it died). A crash re-sends only what was in flight.
 *
 * At most `maxInFlight` (delivery.maxInFlight, default 8 × delivery.maxConnections) copies are between
 * their `sending` commit and the commit of their outcome at any time, which bounds the duplicates a crash
 * can cause. Outcomes are committed in groups, so the ledger costs little per copy.
 *
 * @example
 * const report = await sendEdition({ store, transport: mailer, config, newsletter, date, rendered, secret,
 *   unsubscribeUrlFor: (id, nl) => tokens.unsubscribeUrl(config.baseUrl, id, nl) });
 */
export async function sendEdition(options: SendEditionOptions): Promise<SendReport> {
  checkOptions(options);
  const started = Date.now();
  const { store, config, newsletter, rendered } = options;
  const key: EditionKey = { newsletter: newsletter.id, date: options.date };
  const message: EditionMessage = compileEditionMessage(editionMessageOptions(config, newsletter, rendered));
  const worker = options.worker ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const leaseSeconds = options.leaseSeconds ?? config.delivery.leaseSeconds;

  // Leases are renewed while this process lives; if it dies they run out and others take its copies.
  let renewing = false;
  const renew = setInterval(() => {
    if (renewing) return;
    renewing = true;
    store.renewLeases(key, worker, leaseSeconds).catch(() => {}).finally(() => {
      renewing = false;
    });
  }, Math.max(50, Math.floor((leaseSeconds * 1000) / 3)));
  renew.unref();

  try {
    const clockNow = options.now ?? (() => new Date());
    await store.expireEarlierEditions(key, clockNow());
    const before = await store.counts(key);
    const alreadySent = before.sent;
    await store.queueConfirmed(key, 1000, options.dueAt ? { dueAt: options.dueAt } : {});
    if (options.dueAt) await store.reschedule(key, options.dueAt);
    if (options.dueAt && options.missed) await store.expireMissed(key, options.missed.before, options.missed.reason);
    await store.reopenDeferred(key);
    const atStart = await store.counts(key);
    const laterAtStart = options.dueAt ? (await store.waiting(key, clockNow())).count : 0;
    const pendingAtStart = atStart.queued + atStart.sending + atStart.deferred - laterAtStart;
    const totalAtStart = pendingAtStart + atStart.sent + atStart.failed + atStart.skipped;

    const stats = { sent: 0, failed: 0, deferred: 0, skipped: 0 };
    const progress = () => {
      const done = stats.sent + stats.failed + stats.deferred + stats.skipped;
      options.onProgress?.({
        total: totalAtStart,
        done,
        remaining: Math.max(0, pendingAtStart - done),
        ...stats,
        alreadySent,
        elapsedMs: Date.now() - started,
      });
    };
    progress();

    const paused = await pump({ store, key, worker, leaseSeconds, message, options, stats, progress });

    const after = await store.counts(key);
    const later = options.dueAt ? await store.waiting(key, clockNow()) : null;
    const waiting = later?.count ?? 0;
    return {
      newsletter: key.newsletter,
      date: key.date,
      total: after.sent + after.failed + after.skipped + after.queued + after.sending + after.deferred,
      sent: stats.sent,
      failed: stats.failed,
      deferred: after.queued + after.sending + after.deferred - waiting,
      skipped: stats.skipped,
      alreadySent,
      durationMs: Date.now() - started,
      ...(paused ? { paused } : {}),
      ...(later ? { waiting, nextWaveAt: later.next ? later.next.toISOString() : null } : {}),
    };
  } finally {
    clearInterval(renew);
  }
}

/** A claimed copy with the compiled message of its reader's section choice. */
type ReadyCopy = ClaimedCopy & { message: EditionMessage };

interface PumpContext {
  store: SendStore;
  key: EditionKey;
  worker: string;
  leaseSeconds: number;
  message: EditionMessage;
  options: SendEditionOptions;
  stats: { sent: number; failed: number; deferred: number; skipped: number };
  progress(): void;
}

/** Copies recorded between two passive WAL checkpoints, so the log stays small on a small disk. */
const CHECKPOINT_EVERY = 2000;

/**
 * The send loop. Claims due rows a batch at a time, hands at most `handoff` copies to the transport,
 * keeps at most `window` copies between their `sending` and outcome commits, commits outcomes in groups,
 * and leaves transient failures to the ledger (`deferred` with a retry time, claimable by any process).
 * Returns the pause message, if any.
 *
 * Why groups: every commit is an fsync (SQLite) or a round trip (PostgreSQL), while a copy's SMTP
 * transaction takes well under a millisecond of CPU; committing each answer alone makes the ledger the
 * bottleneck. A group is committed when it has `group` outcomes, when nothing else is on the wire, or
 * `groupWaitMs` after its first outcome; the window leaves room for the next group to gather while one is
 * being committed, so the connections never wait for the disk.
 */
async function pump(ctx: PumpContext): Promise<string | undefined> {
  const { store, key, worker, leaseSeconds, message, options, stats } = ctx;
  const delivery = options.config.delivery;
  const window = options.maxInFlight ?? delivery.maxInFlight ?? delivery.maxConnections * 8;
  const handoff = Math.min(window, delivery.maxConnections * 2);
  const group = Math.max(1, Math.floor((window - handoff) / 2));
  const groupWaitMs = options.groupWaitMs ?? 10;
  const pollMs = options.pollMs ?? 1000;
  // Small enough that several processes on one edition each get a fair share; capped so a very large
  // delivery.maxInFlight cannot make one process hold a big part of the list at once.
  const claimBatch = Math.min(Math.max(window * 2, 32), MAX_CLAIM_BATCH);
  const limit = options.limit ?? Infinity;
  const ready: ReadyCopy[] = [];
  const { newsletter, config } = options;
  // One compiled message per distinct section choice, rendered when the first reader with it is claimed.
  const messages = new Map<string, Promise<EditionMessage>>([['*', Promise.resolve(message)]]);
  const messageFor = (choice: string[] | null): Promise<EditionMessage> => {
    const k = choiceKey(choice);
    let found = messages.get(k);
    if (!found) {
      found = options.renderChoice && choice !== null
        ? options.renderChoice(choice).then((rendered) => compileEditionMessage(editionMessageOptions(config, newsletter, rendered)))
        : Promise.resolve(message);
      messages.set(k, found);
      found.catch(() => messages.delete(k));
    }
    return found;
  };
  // Buffers of copies that were accepted, reused for the next copies (at most `handoff` of them). Only an
  // accepted copy's buffer comes back: the server answers the final dot after every byte before it has
  // arrived, so the client and the socket are done with it. A failed copy's buffer is left to the GC.
  const spare: Buffer[] = [];
  const outcomes: { outcome: CopyOutcome; final: 'sent' | 'failed' | 'deferred' | 'retry' }[] = [];
  /** Nothing claimable now and nothing held elsewhere: the edition is done. */
  let drained = false;
  /** When to claim again while nothing was claimable (other processes' copies, retry times). */
  let claimAgainAt = 0;
  let inFlight = 0;
  let onTransport = 0;
  let groupTimer: NodeJS.Timeout | null = null;
  let dispatched = 0;
  let sinceCheckpoint = 0;
  let policyErrors = 0;
  let paused: string | undefined;
  let flushing = false;
  let flushScheduled = false;
  let wake: (() => void) | null = null;
  let fatal: unknown = null;

  let signalled = false;
  const notify = () => {
    signalled = true;
    const w = wake;
    wake = null;
    w?.();
  };

  const flush = async () => {
    flushScheduled = false;
    if (flushing || outcomes.length === 0) return;
    flushing = true;
    if (groupTimer) clearTimeout(groupTimer);
    groupTimer = null;
    const batch = outcomes.splice(0, outcomes.length);
    try {
      await store.record(key, worker, batch.map((b) => b.outcome));
      for (const b of batch) {
        inFlight -= 1;
        if (b.final === 'sent') stats.sent += 1;
        else if (b.final === 'failed') stats.failed += 1;
        else if (b.final === 'deferred') stats.deferred += 1;
      }
      ctx.progress();
      sinceCheckpoint += batch.length;
      if (sinceCheckpoint >= CHECKPOINT_EVERY && store.checkpoint) {
        sinceCheckpoint = 0;
        await store.checkpoint().catch(() => {});
      }
    } catch (error) {
      inFlight -= batch.length; // the outcomes are lost to the ledger: those rows stay `sending` (re-sent after their lease)
      fatal = error;
    } finally {
      flushing = false;
      if (outcomes.length > 0) scheduleFlush();
      notify();
    }
  };
  const scheduleFlush = () => {
    if (flushScheduled || flushing || outcomes.length === 0) return;
    if (outcomes.length >= group || onTransport === 0) {
      flushScheduled = true;
      // setImmediate, not now: answers that arrived in the same turn join this group.
      setImmediate(() => void flush());
    } else {
      groupTimer ??= setTimeout(() => {
        groupTimer = null;
        void flush();
      }, groupWaitMs);
    }
  };

  const complete = (outcome: CopyOutcome, final: 'sent' | 'failed' | 'deferred' | 'retry') => {
    outcomes.push({ outcome, final });
    scheduleFlush();
    notify();
  };

  const dispatch = (copy: ReadyCopy) => {
    const message = copy.message;
    inFlight += 1;
    dispatched += 1;
    const messageId = editionMessageId(options.secret, key, copy.subscriberId, message.domain);
    let raw: Buffer;
    let slab: Buffer;
    let envelopeFrom = message.envelopeFrom;
    try {
      if (options.returnPathFor) envelopeFrom = options.returnPathFor(copy.subscriberId, key.newsletter, key.date);
      const mailto = options.unsubscribeMailtoFor?.(copy.subscriberId, key.newsletter);
      const values = readerFieldValues({
        email: copy.email,
        firstName: copy.name,
        unsubscribeUrl: options.unsubscribeUrlFor(copy.subscriberId, key.newsletter),
        ...(options.manageUrlFor ? { manageUrl: options.manageUrlFor(copy.subscriberId) } : {}),
      });
      raw = message.buildBytes({
        to: { address: copy.email, name: copy.name },
        messageId,
        unsubscribeUrl: values.unsubscribeUrl,
        ...(mailto !== undefined ? { unsubscribeMailto: mailto } : {}),
        htmlValues: htmlValues(values),
        textValues: values,
      }, spare.pop());
      slab = Buffer.from(raw.buffer, raw.byteOffset, raw.buffer.byteLength - raw.byteOffset);
    } catch (error) {
      // A copy that cannot be built safely (an address that would break a header) is never sent.
      complete({ subscriberId: copy.subscriberId, state: 'failed', reply: (error as Error).message, messageId }, 'failed');
      return;
    }
    onTransport += 1;
    options.transport.sendRaw({ from: envelopeFrom, to: copy.email, raw, messageId }).then(
      (info) => {
        onTransport -= 1;
        if (spare.length < handoff) spare.push(slab);
        complete({ subscriberId: copy.subscriberId, state: 'sent', reply: info.response, messageId }, 'sent');
      },
      (error: unknown) => {
        onTransport -= 1;
        const failure = classifySmtpError(error);
        const next = afterFailure(failure, copy.tries, delivery, Boolean(paused));
        if (next.policy) {
          policyErrors += 1;
          if (policyErrors >= delivery.maxPolicyErrors && !paused) paused = pauseMessage(policyErrors, failure.response);
        }
        complete({
          subscriberId: copy.subscriberId,
          reply: failure.response,
          messageId,
          state: next.state,
          ...(next.bounce ? { bounce: true } : {}),
          ...(next.retryInSeconds !== undefined ? { retryInSeconds: next.retryInSeconds } : {}),
        }, next.final);
      },
    );
  };

  const aborted = () => options.signal?.aborted === true;
  const onAbort = () => notify();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let refilling: Promise<void> | null = null;
  // Claims the next rows in the background while the current ones are sent, so the pipeline never waits
  // for a claim commit.
  const refill = async () => {
    const quiet = inFlight === 0 && outcomes.length === 0 && ready.length === 0;
    try {
      const room = Math.min(claimBatch, limit - dispatched - ready.length);
      if (room <= 0) return;
      const batch = await store.claim(key, {
        worker,
        limit: room,
        leaseSeconds,
        ...(delivery.ratePerSecond ? { ratePerSecond: delivery.ratePerSecond } : {}),
        ...(options.dueAt ? { dueBy: (options.now ?? (() => new Date()))() } : {}),
      });
      let skipped = 0;
      const claimed: ClaimedCopy[] = [];
      for (const result of batch.copies) {
        if (result.status === 'claimed') claimed.push(result);
        else skipped += 1;
      }
      try {
        for (const copy of claimed) ready.push({ ...copy, message: await messageFor(effectiveChoice(newsletter, copy.sections)) });
      } catch (error) {
        // A choice that cannot be rendered: hand its copies back for anyone (a fixed template sends them).
        const started = new Set(ready.map((c) => c.subscriberId));
        await store.release(key, worker, claimed.filter((c) => !started.has(c.subscriberId)).map((c) => c.subscriberId)).catch(() => {});
        throw error;
      }
      if (skipped) {
        stats.skipped += skipped;
        ctx.progress();
      }
      if (batch.copies.length === 0) {
        const nothingLeft = batch.waiting === 0 || batch.retryInMs === null;
        // Only a claim made with nothing of ours in flight can tell the edition is done: a copy still on
        // the wire may yet come back as a retry.
        drained = nothingLeft && quiet;
        claimAgainAt = Date.now() + (nothingLeft ? 50 : Math.min(pollMs, Math.max(10, batch.retryInMs!)));
      } else {
        drained = false;
        claimAgainAt = batch.copies.length < room && batch.retryInMs !== null ? Date.now() + Math.min(pollMs, Math.max(10, batch.retryInMs)) : 0;
      }
    } catch (error) {
      fatal = error;
    } finally {
      refilling = null;
      notify();
    }
  };

  for (;;) {
    signalled = false;
    if (fatal) break;
    const stopping = Boolean(paused) || dispatched >= limit || aborted();
    while (ready.length && inFlight < window && onTransport < handoff && !stopping) dispatch(ready.shift()!);
    const idle = inFlight === 0 && ready.length === 0;
    if (!stopping && !refilling && ready.length <= window && dispatched + ready.length < limit && !(drained && idle) && Date.now() >= claimAgainAt) {
      refilling = refill();
    }
    if (inFlight === 0 && !refilling && outcomes.length === 0 && (stopping || (ready.length === 0 && drained))) break;
    if (signalled) continue;
    let timer: NodeJS.Timeout | undefined;
    if (!stopping && claimAgainAt > Date.now()) timer = setTimeout(notify, claimAgainAt - Date.now() + 1);
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    clearTimeout(timer);
  }
  // Let in-flight copies settle before reporting, even after a fatal error, so no outcome is lost.
  while (inFlight > 0 || refilling || outcomes.length > 0 || flushing) {
    if (!flushing && outcomes.length > 0) void flush();
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 50);
    });
  }
  options.signal?.removeEventListener('abort', onAbort);
  // Claimed but never started (a pause, a stop, --limit): hand them back at once for anyone to send.
  if (ready.length > 0) {
    await store.release(key, worker, ready.map((c) => c.subscriberId)).catch(() => {});
  }
  if (fatal) throw fatal;
  return paused;
}
