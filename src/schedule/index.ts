export { createScheduler, nextEditionAt, type Scheduler, type SchedulerOptions, type EditionSender, type EditionSendReport, type NewsletterStatus } from './scheduler.ts';
export { RunLedger, type Run, type RunState, type RunCounts } from './run-ledger.ts';
export { systemClock, ManualClock, MAX_TIMER_MS, type Clock, type TimerHandle } from './clock.ts';
export { sendLedgerCounts, expireDeferred, nextDeferredAttempt } from './send-ledger-view.ts';
export { addDays, formatLocal, formatUtc } from './format-times.ts';
