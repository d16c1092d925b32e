import type { Newsletter } from '../content/index.ts';
import { nextEditionAt } from './edition-expiry.ts';

/** Bounds on the wait between two retries of an edition's deferred copies (defaults: 1 minute, 1 hour). */
export interface DeferredRetryBounds {
  minMs?: number | undefined;
  maxMs?: number | undefined;
}

/** When an edition's deferred copies are next due, by delivery's policy. */
export interface DeferredRetry {
  /** When to try them again: never later than the edition's expiry. */
  at: Date;
  /** The next edition has begun: expire the copies instead of retrying them (`at` is then the expiry). */
  expired: boolean;
}

const MINUTE = 60_000;

/**
 * The delivery's retry policy for an edition whose run finished with deferred copies (the copies a run
 * left after its own in-run retries, see afterFailure): they are tried again on a timer until the next
 * edition begins, then expire. The wait doubles with each retry of the edition (`attempt`, from 0),
 * from `minMs` up to `maxMs`, so a mail server that is down for hours is not hammered; it is never
 * earlier than the ledger's own next retry time (`recorded`), and never later than the expiry, when the
 * copies expire instead.
 *
 * @example
 * const next = deferredRetry({ newsletter, date, now, attempt: 2, recorded: await store.nextDeferredAttempt(key) });
 * setTimer(next.expired ? expire : retry, next.at.getTime() - now.getTime());
 */
export function deferredRetry(options: {
  newsletter: Pick<Newsletter, 'schedule'>;
  /** The edition's date. */
  date: string;
  now: Date;
  /** Retries of the edition's deferred copies so far. */
  attempt: number;
  /** When the ledger says the earliest deferred copy may be tried again, if it has a time. */
  recorded?: Date | null | undefined;
  bounds?: DeferredRetryBounds | undefined;
}): DeferredRetry {
  const { newsletter, date, now, attempt, recorded } = options;
  const expiry = nextEditionAt(newsletter, date);
  const minMs = options.bounds?.minMs ?? MINUTE;
  const maxMs = options.bounds?.maxMs ?? 60 * MINUTE;
  const backoff = Math.min(maxMs, minMs * 2 ** attempt);
  const at = Math.max(now.getTime() + backoff, recorded?.getTime() ?? 0);
  // Never wait past the next edition: at that moment the copies expire instead.
  return {
    at: new Date(expiry ? Math.min(at, expiry.getTime()) : at),
    expired: expiry !== null && now.getTime() >= expiry.getTime(),
  };
}
