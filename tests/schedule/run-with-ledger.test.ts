import { describe, expect, it } from 'vitest';
import { runWithLedger } from '../../src/schedule/index.ts';

const row = { state: 'done' as const, total: 5, sent: 4, failed: 0, deferred: 0, skipped: 1 };

describe('a run shown with its send ledger', () => {
  it('takes a running run\'s counts from the ledger, and keeps a finished run\'s own', () => {
    const ledger = { total: 6, sent: 3, failed: 1, deferred: 1, skipped: 1, expired: 0 };
    expect(runWithLedger({ ...row, state: 'running' as const }, ledger)).toEqual({ state: 'running', total: 6, sent: 3, failed: 1, deferred: 1, skipped: 1, expired: 0 });
    expect(runWithLedger(row, ledger)).toEqual({ ...row, expired: 0 });
  });

  it('counts expired copies among the skipped ones, never more than them, and none without a ledger', () => {
    expect(runWithLedger({ ...row, skipped: 3 }, { total: 5, sent: 2, failed: 0, deferred: 0, skipped: 3, expired: 2 }).expired).toBe(2);
    // Copies that expired after the run ended are in the ledger but not in the run's skipped.
    expect(runWithLedger(row, { total: 5, sent: 2, failed: 0, deferred: 0, skipped: 3, expired: 3 }).expired).toBe(1);
    expect(runWithLedger(row, null).expired).toBe(0);
  });
});
