import type { ClaimBatch } from './send-store.ts';

/** What a claim tells the loop about claiming again. */
export interface ClaimPace {
  /** Nothing claimable now and nothing held elsewhere: the edition is done. */
  drained: boolean;
  /** When to claim again (epoch ms; 0: as soon as there is room). */
  claimAgainAt: number;
}

/**
 * When to claim again after a claim. An empty claim waits for the ledger's `retryInMs` (a deferred copy's
 * time, another process's lease running out, the fleet's rate), never longer than `pollMs` and never
 * shorter than 10 ms; with nothing left anywhere it checks once more after 50 ms. Only a claim made while
 * `quiet` (nothing of ours in flight, queued for commit or ready) can say the edition is drained: a copy
 * still on the wire may yet come back as a retry. A short claim (fewer rows than asked for) waits the
 * same way before asking again.
 *
 * @example
 * claimPace({ copies: [], waiting: 3, retryInMs: 250 }, { room: 64, quiet: true, pollMs: 1000, now: 0 });
 * // { drained: false, claimAgainAt: 250 }
 */
export function claimPace(batch: Pick<ClaimBatch, 'waiting' | 'retryInMs'> & { copies: readonly unknown[] }, at: { room: number; quiet: boolean; pollMs: number; now: number }): ClaimPace {
  const { room, quiet, pollMs, now } = at;
  if (batch.copies.length === 0) {
    const nothingLeft = batch.waiting === 0 || batch.retryInMs === null;
    return { drained: nothingLeft && quiet, claimAgainAt: now + (nothingLeft ? 50 : Math.min(pollMs, Math.max(10, batch.retryInMs!))) };
  }
  return {
    drained: false,
    claimAgainAt: batch.copies.length < room && batch.retryInMs !== null ? now + Math.min(pollMs, Math.max(10, batch.retryInMs)) : 0,
  };
}
