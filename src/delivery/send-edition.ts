import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { compileEditionMessage, editionMessageOptions } from './edition-message.ts';
import { keepLeases } from './lease-keeper.ts';
import { queueEdition } from './queue-edition.ts';
import { checkSendOptions, type SendEditionOptions, type SendReport } from './send-edition-options.ts';
import { runSendLoop } from './send-loop.ts';
import type { SendStats } from './send-loop-state.ts';
import type { EditionKey } from './send-store.ts';

export { editionMessageId } from './edition-message-id.ts';
export type { SendEditionOptions, SendReport, SendProgress, Transport, RenderedEditionParts } from './send-edition-options.ts';

/**
 * Sends one edition to every confirmed reader through the send ledger:
 * queue a row per confirmed, non-bounced subscriber (queueEdition) → claim due rows with a lease,
 * re-checking each reader (the claimer) → build each copy, the edition's MIME built once and only the
 * reader's values encoded, and hand it to SMTP (the dispatcher) → commit `sent` / `deferred` / `failed`
 * in groups (the outcome recorder), with the retry policy deciding what a refusal becomes and the pause
 * control stopping the run on repeated policy refusals, `limit` or the stop signal (see runSendLoop).
 *
 * Any number of processes may run this for the same edition at once: each claims different rows, and
 * each keeps going until no copy of the edition is left, taking over the copies of a process whose leases
 * ran out (it died). A crash re-sends only what was in flight: at most `maxInFlight` (delivery.maxInFlight,
 * default 8 × delivery.maxConnections) copies are between their `sending` commit and the commit of their
 * outcome at any time.
 *
 * @example
 * const report = await sendEdition({ store, transport: mailer, config, newsletter, date, rendered, secret,
 *   unsubscribeUrlFor: (id, nl) => tokens.unsubscribeUrl(config.baseUrl, id, nl) });
 */
export async function sendEdition(options: SendEditionOptions): Promise<SendReport> {
  checkSendOptions(options);
  const started = Date.now();
  const { store, config, newsletter, rendered } = options;
  const key: EditionKey = { newsletter: newsletter.id, date: options.date };
  const message = compileEditionMessage(editionMessageOptions(config, newsletter, rendered));
  const worker = options.worker ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const leaseSeconds = options.leaseSeconds ?? config.delivery.leaseSeconds;
  const now = options.now ?? (() => new Date());

  const stopRenewing = keepLeases({ store, key, worker, leaseSeconds });
  try {
    const { alreadySent, pending, total } = await queueEdition({ store, key, now, dueAt: options.dueAt, missed: options.missed });
    const progress = (stats: SendStats) => {
      const done = stats.sent + stats.failed + stats.deferred + stats.skipped;
      options.onProgress?.({ total, done, remaining: Math.max(0, pending - done), ...stats, alreadySent, elapsedMs: Date.now() - started });
    };
    progress({ sent: 0, failed: 0, deferred: 0, skipped: 0 });

    const { paused, stats } = await runSendLoop({ options, key, worker, leaseSeconds, message, progress });

    const after = await store.counts(key);
    const later = options.dueAt ? await store.waiting(key, now()) : null;
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
    stopRenewing();
  }
}
