import type { DeliveryConfig } from '../content/index.ts';
import type { DeliveryError } from './delivery-error.ts';
import type { CopyOutcome } from './send-store.ts';

/** What happens to a copy the server refused: its ledger state, and how this run counts it. */
export interface FailedCopy {
  state: CopyOutcome['state'];
  /** `retry`: deferred with a time, tried again in this run by whichever sender claims it then. */
  final: 'failed' | 'deferred' | 'retry';
  bounce?: true;
  /** For a retry: seconds until the copy is due again (null: left for the next run). */
  retryInSeconds?: number | null;
  /** A policy refusal (5.7.x/4.7.x): counted towards pausing the run. */
  policy?: true;
}

/**
 * The delivery's retry policy for one refused copy: a 5.1.x bounce fails the copy and marks the reader
 * bounced; other 5xx fail it; a policy refusal defers (4xx) or fails (5xx) it and counts towards a pause;
 * anything transient is retried with exponential backoff (delivery.retryBaseMs doubling) up to
 * delivery.retries times in this run, then left deferred for the next run.
 *
 * @example
 * const next = afterFailure(classifySmtpError(error), copy.tries, config.delivery, paused);
 */
export function afterFailure(failure: Pick<DeliveryError, 'kind' | 'responseCode'>, tries: number, delivery: DeliveryConfig, paused: boolean): FailedCopy {
  if (failure.kind === 'policy') {
    const transient = (failure.responseCode ?? 500) < 500;
    return { state: transient ? 'deferred' : 'failed', final: transient ? 'deferred' : 'failed', policy: true };
  }
  if (failure.kind === 'bounce') return { state: 'failed', final: 'failed', bounce: true };
  if (failure.kind === 'permanent') return { state: 'failed', final: 'failed' };
  if (tries <= delivery.retries && !paused) {
    // Backoff on the database's clock; whichever process claims the copy next retries it.
    return { state: 'deferred', final: 'retry', retryInSeconds: (delivery.retryBaseMs * 2 ** (tries - 1)) / 1000 };
  }
  return { state: 'deferred', final: 'deferred', retryInSeconds: null };
}

/** The message a run pauses with after `count` policy refusals (delivery.maxPolicyErrors). */
export function pauseMessage(count: number, lastReply: string): string {
  return (
    `Paused after ${count} policy refusals (5.7.x/4.7.x, last: "${lastReply}"): the mail server is refusing ` +
    'this sender (authentication, reputation or rate). The subscribers are kept; fix the cause and run again.'
  );
}
