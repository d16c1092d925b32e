export { createScheduler, waveStatus, type WaveStatus, type Scheduler, type SchedulerOptions, type EditionSender, type EditionSendReport, type NewsletterStatus, type SendLedgerCounts } from './scheduler.ts';
export type { RunLedger, Run, RunState, RunCounts } from './run-ledger.ts';
export { runCountsFromSends } from './run-counts-from-sends.ts';
export { runWithLedger } from './run-with-ledger.ts';
export { systemClock, ManualClock, MAX_TIMER_MS, type Clock, type TimerHandle } from './clock.ts';
export { addDays, formatLocal, formatUtc } from './format-times.ts';
export { createDeliverySender, localTimeDueAt, parsePinnedEdition, pinEdition, type DeliverySenderOptions } from './delivery-sender.ts';
