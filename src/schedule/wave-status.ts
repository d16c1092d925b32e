import type { Wave } from '../delivery/index.ts';
import { formatUtc } from './format-times.ts';
import type { WaveStatus } from './scheduler-types.ts';

/**
 * A ledger wave as /healthz and `daybreak runs` show it.
 *
 * @example
 * (await store.sends.waves(key)).map(waveStatus); // [{ dueAt: '2026-03-08T06:00:00.000Z', dueUtc: '2026-03-08 06:00 UTC', … }]
 */
export function waveStatus(w: Wave): WaveStatus {
  return {
    dueAt: w.dueAt,
    dueUtc: w.dueAt ? formatUtc(new Date(w.dueAt)) : null,
    total: w.total,
    sent: w.sent,
    waiting: w.waiting,
    failed: w.failed,
    deferred: w.deferred,
    skipped: w.skipped,
  };
}
