import { createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { processAlive } from '../db/index.ts';
import type { Config, Newsletter } from '../content/index.ts';
import { DaybreakError } from '../errors.ts';
import { htmlValues, readerFieldValues, type Segmented } from '../render/index.ts';
import { classifySmtpError } from './delivery-error.ts';
import { compileEditionMessage, editionMessageOptions, type EditionMessage } from './edition-message.ts';
import type { ClaimedCopy, CopyOutcome, EditionKey, SendStore } from './send-store.ts';

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
  /** Copies in the ledger for this edition: alreadySent + sent + failed + skipped + deferred. */
  total: number;
  /** Sent by this run. */
  sent: number;
  failed: number;
  /** Copies left for a later run (deferred after their retries, or not reached: --limit, a pause). */
  deferred: number;
  skipped: number;
  /** Copies that had gone out before this run started. */
  alreadySent: number;
  durationMs: number;
  /** Set when the run stopped early on policy errors (delivery.maxPolicyErrors). */
  paused?: string;
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
  /** The reader's signed unsubscribe URL (H-readers' tokens.unsubscribeUrl). */
  unsubscribeUrlFor(subscriberId: number, newsletterId: string): string;
  /** Send at most this many copies in this run; the rest stay queued (deferred in the report). */
  limit?: number;
  onProgress?(progress: SendProgress): void;
  /** How long to wait for another process's lock before ELOCKED (default 0: refuse at once). */
  lockWaitMs?: number;
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
  /** Lock lifetime; renewed every third of it while the run is alive (default 30 s). */
  lockTtlMs?: number;
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
  const { maxInFlight, groupWaitMs, limit, lockWaitMs, lockTtlMs } = options;
  if (maxInFlight !== undefined && !(Number.isInteger(maxInFlight) && maxInFlight >= 1)) {
    throw new TypeError(`Expected \`maxInFlight\` to be a positive integer, got ${maxInFlight}`);
  }
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new TypeError(`Expected \`limit\` to be a non-negative integer, got ${limit}`);
  }
  for (const [name, value] of [['groupWaitMs', groupWaitMs], ['lockWaitMs', lockWaitMs], ['lockTtlMs', lockTtlMs]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new TypeError(`Expected \`${name}\` to be a non-negative number, got ${value}`);
    }
  }
}

/** A lock holder on this machine whose process is gone can be replaced at once (a kill -9 before). */
function holderIsDead(holder: string): boolean {
  const [host, pid] = holder.split(':');
  return host === hostname() && Number.isInteger(Number(pid)) && !processAlive(Number(pid));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function takeLock(store: SendStore, key: EditionKey, holder: string, ttlMs: number, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const result = await store.acquireLock(key, holder, ttlMs);
    if (result.acquired) return;
    if (holderIsDead(result.holder) && (await store.stealLock(key, holder, result.holder, ttlMs))) return;
    if (Date.now() >= deadline) {
      const [host, pid] = result.holder.split(':');
      throw new DaybreakError(
        'ELOCKED',
        `Another send of ${key.newsletter} ${key.date} is running (process ${pid} on ${host}, lock held until ${result.expiresAt}); ` +
          'no reader gets two copies: wait for it to finish, then run again to see what is left',
      );
    }
    await sleep(Math.min(250, Math.max(10, deadline - Date.now())));
  }
}

/**
 * Sends one edition to every confirmed reader through the send ledger (issue 4):
 * queue a row per confirmed, non-bounced subscriber → for each pending row (queued, sending left by a
 * crash, deferred by an earlier run), re-check the reader and commit `sending` → build the copy (the
 * edition's MIME is built once, only the reader's values are encoded) → SMTP → commit `sent` / `deferred`
 * / `failed`. A per-edition lock keeps a second process out; a crash re-sends only what was in flight.
 *
 * At most `maxInFlight` (delivery.maxInFlight, default 8 × delivery.maxConnections) copies are between
 * their `sending` commit and the commit of their outcome at any time, which bounds the duplicates a crash
 * can cause. Outcomes are committed in groups (one fsync for up to 1.5 × maxConnections answers by
 * default), so the ledger costs little per copy.
 *
 * @example
 * const report = await sendEdition({ store, transport: mailer, config, newsletter, date, rendered, secret,
 *   unsubscribeUrlFor: (id, nl) => tokens.unsubscribeUrl(config.baseUrl, id, nl) });
 */
export async function sendEdition(options: SendEditionOptions): Promise<SendReport> {
  checkOptions(options);
  const started = Date.now();
  const { store, transport, config, newsletter, rendered } = options;
  const delivery = config.delivery;
  const key: EditionKey = { newsletter: newsletter.id, date: options.date };
  const message: EditionMessage = compileEditionMessage(editionMessageOptions(config, newsletter, rendered));
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const ttlMs = options.lockTtlMs ?? 30_000;
  await takeLock(store, key, holder, ttlMs, options.lockWaitMs ?? 0);

  let lockLost = false;
  let heartbeatBusy = false;
  const heartbeat = setInterval(() => {
    if (heartbeatBusy) return;
    heartbeatBusy = true;
    store.renewLock(key, holder, ttlMs).then(
      (ok) => { if (!ok) lockLost = true; },
      () => {},
    ).finally(() => { heartbeatBusy = false; });
  }, Math.max(50, Math.floor(ttlMs / 3)));
  heartbeat.unref();

  try {
    await store.expireEarlierEditions(key);
    const before = await store.counts(key);
    const alreadySent = before.sent;
    await store.queueConfirmed(key, (id) => editionMessageId(options.secret, key, id, message.domain), 1000);
    const atStart = await store.counts(key);
    const pendingAtStart = atStart.queued + atStart.sending + atStart.deferred;
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

    const paused = await pump({
      store, key, transport, message, delivery, options, newsletter, stats, progress, isLockLost: () => lockLost,
    });
    if (lockLost) {
      throw new DaybreakError('ELOCKED', `Lost the lock of ${key.newsletter} ${key.date} to another process; stopped sending`);
    }

    const after = await store.counts(key);
    return {
      newsletter: key.newsletter,
      date: key.date,
      total: after.sent + after.failed + after.skipped + after.queued + after.sending + after.deferred,
      sent: after.sent - alreadySent,
      failed: after.failed,
      deferred: after.queued + after.sending + after.deferred,
      skipped: after.skipped,
      alreadySent,
      durationMs: Date.now() - started,
      ...(paused ? { paused } : {}),
    };
  } finally {
    clearInterval(heartbeat);
    await store.releaseLock(key, holder).catch(() => {});
  }
}

interface PumpContext {
  store: SendStore;
  key: EditionKey;
  transport: Transport;
  message: EditionMessage;
  delivery: Config['delivery'];
  options: SendEditionOptions;
  newsletter: Newsletter;
  stats: { sent: number; failed: number; deferred: number; skipped: number };
  progress(): void;
  isLockLost(): boolean;
}

/**
 * The send loop. Claims pending rows a few at a time, hands at most `handoff` copies to the transport,
 * keeps at most `window` copies between their `sending` and outcome commits, commits outcomes in groups,
 * and schedules in-run retries with exponential backoff. Returns the pause message, if any.
 *
 * Why groups: every commit is an fsync plus a round trip to the ledger thread, about 2.5 ms and 100 µs
 * of CPU here, while a copy's SMTP transaction takes well under a millisecond of CPU. Committing each
 * answer alone made the ledger the bottleneck (the loop waited on commits for most of a run, issue 4's
 * bench). A group is committed when it has `group` outcomes, when nothing else is on the wire, or
 * `groupWaitMs` after its first outcome; the window leaves room for the next group to gather while one
 * is being committed, so the connections never wait for the disk.
 */
async function pump(ctx: PumpContext): Promise<string | undefined> {
  const { store, key, transport, message, delivery, options, stats } = ctx;
  // 8 ×, not 4 ×: groups of 1.5 × maxConnections instead of 0.5 ×. Measured with the bench's 5
  // connections (20,000 copies, six alternating pairs): the ledger thread's CPU fell from about 155 to
  // 105 µs a copy, and each commit is also a wake-up of that thread and of this one, which on a 2-core
  // machine competes with the SMTP client and the server (issue 4's b/a).
  const window = options.maxInFlight ?? delivery.maxInFlight ?? delivery.maxConnections * 8;
  const handoff = Math.min(window, delivery.maxConnections * 2);
  const group = Math.max(1, Math.floor((window - handoff) / 2));
  const groupWaitMs = options.groupWaitMs ?? 10;
  // Capped, so a very large delivery.maxInFlight cannot make the run hold a big part of the list at once.
  const claimBatch = Math.min(Math.max(window * 4, 32), MAX_CLAIM_BATCH);
  const limit = options.limit ?? Infinity;
  const triesThisRun = new Map<number, number>();
  const retries: { at: number; subscriberId: number }[] = [];
  const ready: ClaimedCopy[] = [];
  // Buffers of copies that were accepted, reused for the next copies (at most `handoff` of them). Only an
  // accepted copy's buffer comes back: the server answers the final dot after every byte before it has
  // arrived, so nodemailer and the socket are done with it. A failed copy's buffer is left to the GC, as
  // the client may still hold it.
  const spare: Buffer[] = [];
  const outcomes: { outcome: CopyOutcome; final: 'sent' | 'failed' | 'deferred' | 'retry' }[] = [];
  let cursor = 0;
  let exhausted = false;
  /** Copies between their `sending` commit and their outcome commit (bounded by `window`). */
  let inFlight = 0;
  /** Copies handed to the transport and not yet answered (bounded by `handoff`). */
  let onTransport = 0;
  let groupTimer: NodeJS.Timeout | null = null;
  let dispatched = 0;
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
      await store.record(key, batch.map((b) => b.outcome));
      for (const b of batch) {
        inFlight -= 1;
        if (b.final === 'sent') stats.sent += 1;
        else if (b.final === 'failed') stats.failed += 1;
        else if (b.final === 'deferred') stats.deferred += 1;
      }
      ctx.progress();
    } catch (error) {
      inFlight -= batch.length; // the outcomes are lost to the ledger: those rows stay `sending` (re-sent next run)
      fatal = error;
    } finally {
      flushing = false;
      if (outcomes.length > 0) scheduleFlush();
      notify();
    }
  };
  // Called with each new outcome and after each commit: commits now if the group is full or nothing
  // else is on the wire, or else within groupWaitMs.
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
    notify(); // the transport has room: the loop can hand over the next copy
  };

  const dispatch = (copy: ClaimedCopy) => {
    inFlight += 1;
    dispatched += 1;
    // Only copies waiting for a retry are in the map, so it stays small on a list of any size.
    const tries = (triesThisRun.get(copy.subscriberId) ?? 0) + 1;
    triesThisRun.delete(copy.subscriberId);
    let raw: Buffer;
    let slab: Buffer;
    try {
      const values = readerFieldValues({
        email: copy.email,
        firstName: copy.name,
        unsubscribeUrl: options.unsubscribeUrlFor(copy.subscriberId, key.newsletter),
      });
      raw = message.buildBytes({
        to: { address: copy.email, name: copy.name },
        messageId: copy.messageId,
        unsubscribeUrl: values.unsubscribeUrl,
        htmlValues: htmlValues(values),
        textValues: values,
      }, spare.pop());
      slab = Buffer.from(raw.buffer, raw.byteOffset, raw.buffer.byteLength - raw.byteOffset);
    } catch (error) {
      // A copy that cannot be built safely (an address that would break a header) is never sent.
      complete({ subscriberId: copy.subscriberId, state: 'failed', reply: (error as Error).message }, 'failed');
      return;
    }
    onTransport += 1;
    transport.sendRaw({ from: message.envelopeFrom, to: copy.email, raw, messageId: copy.messageId }).then(
      (info) => {
        onTransport -= 1;
        if (spare.length < handoff) spare.push(slab);
        complete({ subscriberId: copy.subscriberId, state: 'sent', reply: info.response }, 'sent');
      },
      (error: unknown) => {
        onTransport -= 1;
        const failure = classifySmtpError(error);
        const reply = failure.response;
        if (failure.kind === 'policy') {
          policyErrors += 1;
          if (policyErrors >= delivery.maxPolicyErrors && !paused) {
            paused =
              `Paused after ${policyErrors} policy refusals (5.7.x/4.7.x, last: "${reply}"): the mail server is refusing ` +
              'this sender (authentication, reputation or rate). The subscribers are kept; fix the cause and run again.';
          }
          const transient = (failure.responseCode ?? 500) < 500;
          complete({ subscriberId: copy.subscriberId, state: transient ? 'deferred' : 'failed', reply }, transient ? 'deferred' : 'failed');
        } else if (failure.kind === 'bounce') {
          complete({ subscriberId: copy.subscriberId, state: 'failed', reply, bounce: true }, 'failed');
        } else if (failure.kind === 'permanent') {
          complete({ subscriberId: copy.subscriberId, state: 'failed', reply }, 'failed');
        } else if (tries <= delivery.retries && !paused) {
          const delay = delivery.retryBaseMs * 2 ** (tries - 1);
          const at = Date.now() + delay;
          retries.push({ at, subscriberId: copy.subscriberId });
          triesThisRun.set(copy.subscriberId, tries);
          complete({ subscriberId: copy.subscriberId, state: 'deferred', reply, nextAttemptAt: new Date(at).toISOString() }, 'retry');
        } else {
          complete({ subscriberId: copy.subscriberId, state: 'deferred', reply, nextAttemptAt: null }, 'deferred');
        }
      },
    );
  };

  const hasDueRetry = () => retries.some((r) => r.at <= Date.now());
  const aborted = () => options.signal?.aborted === true;
  // Removed when this run ends: the scheduler passes one signal to every send of a long-lived process.
  const onAbort = () => notify();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let refilling: Promise<void> | null = null;
  // Claims the next rows in the background while the current ones are sent, so the pipeline never waits
  // for a claim commit; at most `window + claimBatch` rows are `sending` without being on the wire.
  const refill = async () => {
    try {
      retries.sort((a, b) => a.at - b.at);
      const room = Math.min(claimBatch, limit - dispatched - ready.length);
      const ids: number[] = [];
      const now = Date.now();
      while (retries.length && retries[0]!.at <= now && ids.length < room) ids.push(retries.shift()!.subscriberId);
      if (ids.length < room && !exhausted) {
        const more = await store.pendingAfter(key, cursor, room - ids.length);
        if (more.length < room - ids.length) exhausted = true;
        if (more.length) cursor = more[more.length - 1]!;
        ids.push(...more);
      }
      if (ids.length) {
        let skipped = 0;
        for (const result of await store.claim(key, ids)) {
          if (result.status === 'claimed') ready.push(result);
          else if (result.status === 'skipped') skipped += 1;
        }
        if (skipped) {
          stats.skipped += skipped;
          ctx.progress();
        }
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
    const stopping = Boolean(paused) || ctx.isLockLost() || dispatched >= limit || aborted();
    if (!stopping && !refilling && ready.length <= window && dispatched + ready.length < limit && (!exhausted || hasDueRetry())) {
      refilling = refill();
    }
    while (ready.length && inFlight < window && onTransport < handoff && !stopping) dispatch(ready.shift()!);
    if (inFlight === 0 && !refilling && (stopping || (ready.length === 0 && exhausted && retries.length === 0))) break;
    if (signalled) continue;
    let timer: NodeJS.Timeout | undefined;
    if (!stopping && retries.length > 0) {
      // Wake for the next backed-off retry (timers may fire a millisecond early, so recompute here).
      const next = Math.min(...retries.map((r) => r.at));
      timer = setTimeout(notify, Math.max(1, next - Date.now() + 1));
    }
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
  if (fatal) throw fatal;
  // Claimed but never dispatched (a pause or a lost lock): they stay `sending` and are sent by the next
  // run, which is safe because nothing left for the server yet.
  return paused;
}
