import type { SendLoopState } from './send-loop-state.ts';
import type { CopyOutcome, EditionKey, SendStore } from './send-store.ts';

/** Copies recorded between two passive WAL checkpoints, so the log stays small on a small disk. */
const CHECKPOINT_EVERY = 2000;

/** How this run counts a copy once its outcome is committed (`retry`: deferred and claimable again in this run). */
export type OutcomeCount = 'sent' | 'failed' | 'deferred' | 'retry';

export interface OutcomeRecorder {
  /** Queues a copy's outcome for the next group commit. */
  add(outcome: CopyOutcome, count: OutcomeCount): void;
  /** Commits what is queued now (the loop calls this while it drains). */
  flush(): Promise<void>;
  /** Outcomes queued and not committed yet. */
  readonly pending: number;
  /** Whether a group commit is under way. */
  readonly committing: boolean;
}

/**
 * Commits copies' outcomes (`sent`, `failed`, `deferred` with a retry time) to the send ledger in groups.
 *
 * Why groups: every commit is an fsync (SQLite) or a round trip (PostgreSQL), while a copy's SMTP
 * transaction takes well under a millisecond of CPU; committing each answer alone makes the ledger the
 * bottleneck. A group is committed when it has `group` outcomes, when nothing else is on the wire, or
 * `groupWaitMs` after its first outcome. A copy leaves `state.inFlight` only when its outcome is
 * committed (or lost with a failed commit: its row stays `sending` and is re-sent after its lease), and
 * is counted in `state.stats` then.
 *
 * @example
 * const recorder = createOutcomeRecorder({ store, key, worker, state, group: 12, groupWaitMs: 10, progress });
 * recorder.add({ subscriberId: 7, state: 'sent', reply: '250 OK', messageId }, 'sent');
 */
export function createOutcomeRecorder(options: {
  store: SendStore;
  key: EditionKey;
  worker: string;
  state: SendLoopState;
  group: number;
  groupWaitMs: number;
  progress(): void;
}): OutcomeRecorder {
  const { store, key, worker, state, group, groupWaitMs } = options;
  const outcomes: { outcome: CopyOutcome; count: OutcomeCount }[] = [];
  let groupTimer: NodeJS.Timeout | null = null;
  let committing = false;
  let commitScheduled = false;
  let sinceCheckpoint = 0;

  const flush = async (): Promise<void> => {
    commitScheduled = false;
    if (committing || outcomes.length === 0) return;
    committing = true;
    if (groupTimer) clearTimeout(groupTimer);
    groupTimer = null;
    const batch = outcomes.splice(0, outcomes.length);
    try {
      await store.record(key, worker, batch.map((b) => b.outcome));
      for (const b of batch) {
        state.inFlight -= 1;
        if (b.count === 'sent') state.stats.sent += 1;
        else if (b.count === 'failed') state.stats.failed += 1;
        else if (b.count === 'deferred') state.stats.deferred += 1;
      }
      options.progress();
      sinceCheckpoint += batch.length;
      if (sinceCheckpoint >= CHECKPOINT_EVERY && store.checkpoint) {
        sinceCheckpoint = 0;
        await store.checkpoint().catch(() => {});
      }
    } catch (error) {
      state.inFlight -= batch.length; // the outcomes are lost to the ledger: those rows stay `sending` (re-sent after their lease)
      state.fatal = error;
    } finally {
      committing = false;
      if (outcomes.length > 0) schedule();
      state.notify();
    }
  };

  const schedule = (): void => {
    if (commitScheduled || committing || outcomes.length === 0) return;
    if (outcomes.length >= group || state.onTransport === 0) {
      commitScheduled = true;
      // setImmediate, not now: answers that arrived in the same turn join this group.
      setImmediate(() => void flush());
    } else {
      groupTimer ??= setTimeout(() => {
        groupTimer = null;
        void flush();
      }, groupWaitMs);
    }
  };

  return {
    add(outcome, count) {
      outcomes.push({ outcome, count });
      schedule();
      state.notify();
    },
    flush,
    get pending() {
      return outcomes.length;
    },
    get committing() {
      return committing;
    },
  };
}
