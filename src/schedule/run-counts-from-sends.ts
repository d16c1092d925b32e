import type { SendState } from '../delivery/index.ts';
import type { RunCounts } from './run-ledger.ts';

/**
 * A run's counts from its edition's send ledger (copies by state), or null when the ledger has no rows
 * for it yet. Expired copies (a local-time reader's wave missed past its grace window, or an earlier
 * edition's deferred copies given up) count as skipped, as they do when the run ends.
 *
 * @example
 * runCountsFromSends(await store.sends.counts({ newsletter: 'morning', date: '2026-03-08' }));
 * // { total: 6, sent: 3, failed: 0, deferred: 1, skipped: 0 }
 */
export function runCountsFromSends(counts: Record<SendState, number>): RunCounts | null {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  return { total, sent: counts.sent, failed: counts.failed, deferred: counts.deferred, skipped: counts.skipped + counts.expired };
}
