import { pauseMessage } from './retry-policy.ts';

export interface SendControl {
  /** Why the run paused (delivery.maxPolicyErrors policy refusals), or undefined while it goes on. */
  readonly paused: string | undefined;
  /** Whether to start no more copies: paused, `limit` copies started, or stopped by the signal. */
  stopping(dispatched: number): boolean;
  /** Copies that may still be claimed under `limit`, with `dispatched` started and `ready` waiting. */
  room(dispatched: number, ready: number): number;
  /** Counts a policy refusal (5.7.x/4.7.x) with the server's reply; pauses the run at the threshold. */
  policyRefusal(reply: string): void;
  /** Stops listening to the signal. */
  close(): void;
}

/**
 * The send loop's brakes: a pause after delivery.maxPolicyErrors policy refusals (the server refuses
 * this sender; going on would only hurt its reputation), `--limit` (at most this many copies in the
 * run), and the stop signal (shutdown). None of them interrupts a copy already handed to SMTP; they stop
 * new ones from starting. The sending rate (delivery.ratePerSecond) is the fleet's and is metered by the
 * ledger's claims, not here.
 *
 * @example
 * const control = createSendControl({ maxPolicyErrors: 10, limit: Infinity, signal, onStop: state.notify });
 * if (!control.stopping(state.dispatched)) dispatcher.start(copy);
 */
export function createSendControl(options: {
  maxPolicyErrors: number;
  limit: number;
  signal?: AbortSignal | undefined;
  /** Called when the signal aborts, so a waiting loop notices at once. */
  onStop(): void;
}): SendControl {
  const { maxPolicyErrors, limit, signal } = options;
  let policyErrors = 0;
  let paused: string | undefined;
  const onAbort = () => options.onStop();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    get paused() {
      return paused;
    },
    stopping(dispatched) {
      return Boolean(paused) || dispatched >= limit || signal?.aborted === true;
    },
    room(dispatched, ready) {
      return limit - dispatched - ready;
    },
    policyRefusal(reply) {
      policyErrors += 1;
      if (policyErrors >= maxPolicyErrors && !paused) paused = pauseMessage(policyErrors, reply);
    },
    close() {
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
