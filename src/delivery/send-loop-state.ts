import type { EditionMessage } from './edition-message.ts';
import type { ClaimedCopy } from './send-store.ts';

/** A claimed copy with the compiled message of its reader's section choice. */
export type ReadyCopy = ClaimedCopy & { message: EditionMessage };

/** What this run did with the copies it finished with. */
export interface SendStats {
  sent: number;
  failed: number;
  deferred: number;
  skipped: number;
}

/**
 * The state the send loop's units share, in one place: where copies are between claim and ledger commit,
 * what this run counted, and the loop's wake-up. Each unit changes only its own part (the claimer
 * `ready`, the dispatcher `dispatched` and `onTransport`, the outcome recorder `inFlight` and `stats`);
 * any of them may set `fatal` and call `notify`.
 */
export interface SendLoopState {
  /** Claimed copies not yet started, oldest first. */
  readonly ready: ReadyCopy[];
  /** Copies between their `sending` commit and the commit of their outcome. */
  inFlight: number;
  /** Copies handed to the transport and not answered yet. */
  onTransport: number;
  /** Copies started in this run (handed to the transport, or failed while being built). */
  dispatched: number;
  readonly stats: SendStats;
  /** The first error that ends the run (a claim or a ledger commit failed); reported after the rest settle. */
  fatal: unknown;
  /** Wakes the loop: something it may be waiting for happened (an answer, a commit, a claim, a stop). */
  notify(): void;
  /** Whether `notify` was called since the last `nextEvent` or `resetSignal`. */
  readonly signalled: boolean;
  /** Forgets earlier notifications, at the top of a loop turn. */
  resetSignal(): void;
  /** Resolves at the next `notify`, or after `timeoutMs` when given. */
  nextEvent(timeoutMs?: number): Promise<void>;
}

/**
 * A fresh shared state for one run of the send loop.
 *
 * @example
 * const state = createSendLoopState();
 * state.inFlight += 1;
 * state.notify();
 */
export function createSendLoopState(): SendLoopState {
  let wake: (() => void) | null = null;
  let signalled = false;
  return {
    ready: [],
    inFlight: 0,
    onTransport: 0,
    dispatched: 0,
    stats: { sent: 0, failed: 0, deferred: 0, skipped: 0 },
    fatal: null,
    notify() {
      signalled = true;
      const w = wake;
      wake = null;
      w?.();
    },
    get signalled() {
      return signalled;
    },
    resetSignal() {
      signalled = false;
    },
    nextEvent(timeoutMs) {
      return new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => {
            wake = null;
            resolve();
          }, timeoutMs);
        }
      });
    },
  };
}
