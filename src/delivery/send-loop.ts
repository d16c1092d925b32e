import { choiceMessages } from './choice-messages.ts';
import { createCopyClaimer } from './copy-claimer.ts';
import { createCopyDispatcher } from './copy-dispatcher.ts';
import type { EditionMessage } from './edition-message.ts';
import { createOutcomeRecorder } from './outcome-recorder.ts';
import { createSendControl } from './send-control.ts';
import type { SendEditionOptions } from './send-edition-options.ts';
import { createSendLoopState, type SendStats } from './send-loop-state.ts';
import type { EditionKey } from './send-store.ts';
import { sendWindow } from './send-window.ts';

/**
 * The send loop: claim due copies, dispatch them to SMTP, record their outcomes, until the edition is
 * drained or the run stops. Returns the pause message, if the run paused.
 *
 * Each turn of the loop: start ready copies while the window (`maxInFlight`) and the SMTP hand-off allow
 * and the pause control does not say stop; claim more in the background when there is room and it is
 * time; end when nothing is in flight, claimed or waiting for its commit and the run is stopping or the
 * ledger is drained; otherwise wait for the next event (an answer, a commit, a claim, the stop signal, or
 * the time to claim again). Transient failures go back to the ledger `deferred` with a retry time, where
 * any process may claim them. Copies in flight always settle before the loop returns, even after a fatal
 * error, so no outcome is lost; claimed copies never started are handed back for anyone to send.
 *
 * @example
 * const { paused, stats } = await runSendLoop({ options, key, worker, leaseSeconds, message, progress: (s) => console.log(s.sent) });
 */
export async function runSendLoop(run: {
  options: SendEditionOptions;
  key: EditionKey;
  worker: string;
  leaseSeconds: number;
  /** The edition's compiled message (for readers with no section choice). */
  message: EditionMessage;
  /** Called as copies finish, with this run's counts so far. */
  progress(stats: SendStats): void;
}): Promise<{ paused: string | undefined; stats: SendStats }> {
  const { options, key, worker } = run;
  const { store, config, newsletter } = options;
  const delivery = config.delivery;
  const { window, handoff, group, claimBatch } = sendWindow(delivery, options.maxInFlight);

  const state = createSendLoopState();
  const progress = () => run.progress(state.stats);
  const control = createSendControl({ maxPolicyErrors: delivery.maxPolicyErrors, limit: options.limit ?? Infinity, signal: options.signal, onStop: state.notify });
  const recorder = createOutcomeRecorder({ store, key, worker, state, group, groupWaitMs: options.groupWaitMs ?? 10, progress });
  const dispatcher = createCopyDispatcher({ options, key, state, recorder, control, handoff, delivery });
  const claimer = createCopyClaimer({
    store, key, worker, leaseSeconds: run.leaseSeconds, claimBatch, pollMs: options.pollMs ?? 1000,
    ratePerSecond: delivery.ratePerSecond,
    dueBy: options.dueAt ? (options.now ?? (() => new Date())) : undefined,
    newsletter,
    messageFor: choiceMessages({ config, newsletter, message: run.message, renderChoice: options.renderChoice }),
    state, recorder, control, progress,
  });

  try {
    for (;;) {
      state.resetSignal();
      if (state.fatal) break;
      const stopping = control.stopping(state.dispatched);
      // Dispatch: start ready copies while the window and the SMTP hand-off have room.
      while (state.ready.length && state.inFlight < window && state.onTransport < handoff && !stopping) dispatcher.start(state.ready.shift()!);
      // Claim: fetch the next batch in the background, so the wire never waits for a claim commit.
      if (!stopping && claimer.wanted(window)) claimer.claim();
      // Done: nothing of ours in flight, being claimed or waiting for its commit, and nothing left to start.
      const settled = state.inFlight === 0 && !claimer.claiming && recorder.pending === 0;
      if (settled && (stopping || (state.ready.length === 0 && claimer.drained))) break;
      if (state.signalled) continue;
      // Wait for an answer, a commit, a claim, the stop signal, or the time to claim again.
      const wait = claimer.claimAgainAt - Date.now();
      await state.nextEvent(!stopping && wait > 0 ? wait + 1 : undefined);
    }
    // Let in-flight copies settle before reporting, even after a fatal error, so no outcome is lost.
    while (state.inFlight > 0 || claimer.claiming || recorder.pending > 0 || recorder.committing) {
      if (!recorder.committing && recorder.pending > 0) void recorder.flush();
      await state.nextEvent(50);
    }
  } finally {
    control.close();
  }
  // Claimed but never started (a pause, a stop, --limit): hand them back at once for anyone to send.
  if (state.ready.length > 0) {
    await store.release(key, worker, state.ready.map((c) => c.subscriberId)).catch(() => {});
  }
  if (state.fatal) throw state.fatal;
  return { paused: control.paused, stats: state.stats };
}
