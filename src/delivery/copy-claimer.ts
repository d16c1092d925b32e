import { effectiveChoice, type Newsletter } from '../content/index.ts';
import { claimPace } from './claim-pacing.ts';
import type { EditionMessage } from './edition-message.ts';
import type { OutcomeRecorder } from './outcome-recorder.ts';
import type { SendControl } from './send-control.ts';
import type { SendLoopState } from './send-loop-state.ts';
import type { ClaimedCopy, EditionKey, SendStore } from './send-store.ts';

export interface CopyClaimer {
  /** Whether a claim is under way. */
  readonly claiming: boolean;
  /** Whether the loop should claim now: room for more, nothing under way, and it is time. */
  wanted(window: number): boolean;
  /** Claims the next batch in the background; the loop is notified when it is in `state.ready`. */
  claim(): void;
  /** When the loop should look again if nothing else wakes it (epoch ms; 0: any time). */
  readonly claimAgainAt: number;
  /** Nothing claimable and nothing held elsewhere, as of the last claim made while quiet. */
  readonly drained: boolean;
}

/**
 * Claims the edition's due copies from the send ledger through the SendStore port: a batch at a time
 * (`claimBatch`, see sendWindow), each row leased to `worker` for `leaseSeconds` on the database's clock
 * and metered by the fleet's rate (delivery.ratePerSecond). Readers who left since their copy was
 * queued come back `skipped` and are counted; the rest get the message of their section choice and join
 * `state.ready`. Claims run in the background while earlier copies are sent, so the pipeline never waits
 * for a claim commit; claimPace says when to ask again when the ledger had nothing (or too little) to
 * give, and when the edition is drained.
 *
 * @example
 * const claimer = createCopyClaimer({ store, key, worker, leaseSeconds: 60, claimBatch: 64, pollMs: 1000,
 *   newsletter, messageFor, state, recorder, control, progress });
 * if (claimer.wanted(window)) claimer.claim();
 */
export function createCopyClaimer(deps: {
  store: SendStore;
  key: EditionKey;
  worker: string;
  leaseSeconds: number;
  claimBatch: number;
  pollMs: number;
  ratePerSecond?: number | undefined;
  /** Local-time delivery: the clock copies' due times are compared with. */
  dueBy?: (() => Date) | undefined;
  newsletter: Newsletter;
  messageFor(choice: string[] | null): Promise<EditionMessage>;
  state: SendLoopState;
  recorder: OutcomeRecorder;
  control: SendControl;
  progress(): void;
}): CopyClaimer {
  const { store, key, worker, leaseSeconds, claimBatch, state, recorder, control } = deps;
  let claiming: Promise<void> | null = null;
  let drained = false;
  let claimAgainAt = 0;

  const claimBatchNow = async (): Promise<void> => {
    const { ready } = state;
    const quiet = state.inFlight === 0 && recorder.pending === 0 && ready.length === 0;
    try {
      const room = Math.min(claimBatch, control.room(state.dispatched, ready.length));
      if (room <= 0) return;
      const batch = await store.claim(key, {
        worker,
        limit: room,
        leaseSeconds,
        ...(deps.ratePerSecond ? { ratePerSecond: deps.ratePerSecond } : {}),
        ...(deps.dueBy ? { dueBy: deps.dueBy() } : {}),
      });
      let skipped = 0;
      const claimed: ClaimedCopy[] = [];
      for (const result of batch.copies) {
        if (result.status === 'claimed') claimed.push(result);
        else skipped += 1;
      }
      try {
        for (const copy of claimed) ready.push({ ...copy, message: await deps.messageFor(effectiveChoice(deps.newsletter, copy.sections)) });
      } catch (error) {
        // A choice that cannot be rendered: hand its copies back for anyone (a fixed template sends them).
        const started = new Set(ready.map((c) => c.subscriberId));
        await store.release(key, worker, claimed.filter((c) => !started.has(c.subscriberId)).map((c) => c.subscriberId)).catch(() => {});
        throw error;
      }
      if (skipped) {
        state.stats.skipped += skipped;
        deps.progress();
      }
      ({ drained, claimAgainAt } = claimPace(batch, { room, quiet, pollMs: deps.pollMs, now: Date.now() }));
    } catch (error) {
      state.fatal = error;
    } finally {
      claiming = null;
      state.notify();
    }
  };

  return {
    get claiming() {
      return claiming !== null;
    },
    wanted(window) {
      const idle = state.inFlight === 0 && state.ready.length === 0;
      return (
        claiming === null &&
        state.ready.length <= window &&
        control.room(state.dispatched, state.ready.length) > 0 &&
        !(drained && idle) &&
        Date.now() >= claimAgainAt
      );
    },
    claim() {
      claiming = claimBatchNow();
    },
    get claimAgainAt() {
      return claimAgainAt;
    },
    get drained() {
      return drained;
    },
  };
}
