import type { Run, RunCounts } from './run-ledger.ts';

/**
 * A run as people are shown it (`daybreak runs`, `/healthz`), with its edition's send ledger: a running
 * run's counts are the ledger's as they are now (the run row gets its counts only when the run ends),
 * and `expired` says how many of its skipped copies expired unsent (a wave's time passed, or the next
 * edition began), at most `skipped`, which counts them too.
 *
 * @example
 * runWithLedger(run, { total: 6, sent: 3, failed: 0, deferred: 1, skipped: 2, expired: 2 });
 * // a running run: { ...run, total: 6, sent: 3, failed: 0, deferred: 1, skipped: 2, expired: 2 }
 */
export function runWithLedger<R extends Pick<Run, 'state'> & RunCounts>(run: R, ledger: (RunCounts & { expired: number }) | null): R & { expired: number } {
  const counts = run.state === 'running' && ledger
    ? { total: ledger.total, sent: ledger.sent, failed: ledger.failed, deferred: ledger.deferred, skipped: ledger.skipped }
    : {};
  const shown = { ...run, ...counts };
  return { ...shown, expired: Math.min(ledger?.expired ?? 0, shown.skipped) };
}
