import { describe, expect, it } from 'vitest';
import { claimPace } from '../../src/delivery/claim-pacing.ts';
import { createSendControl } from '../../src/delivery/send-control.ts';
import { createSendLoopState } from '../../src/delivery/send-loop-state.ts';
import { MAX_CLAIM_BATCH, sendWindow } from '../../src/delivery/send-window.ts';

describe('the send window', () => {
  it('keeps 8 copies per connection in flight by default, two of them on the wire', () => {
    expect(sendWindow({ maxConnections: 5, maxInFlight: undefined })).toEqual({ window: 40, handoff: 10, group: 15, claimBatch: 80 });
  });

  it('lets the caller’s maxInFlight win over the config’s', () => {
    expect(sendWindow({ maxConnections: 5, maxInFlight: 100 }, 12).window).toBe(12);
    expect(sendWindow({ maxConnections: 5, maxInFlight: 100 }).window).toBe(100);
  });

  it('sends one copy at a time with a window of 1, committing each outcome alone', () => {
    expect(sendWindow({ maxConnections: 5, maxInFlight: 1 })).toEqual({ window: 1, handoff: 1, group: 1, claimBatch: 32 });
  });

  it('claims two windows at a time, at least 32 rows and never more than the cap', () => {
    expect(sendWindow({ maxConnections: 1, maxInFlight: 4 }).claimBatch).toBe(32);
    expect(sendWindow({ maxConnections: 10, maxInFlight: 300 }).claimBatch).toBe(600);
    expect(sendWindow({ maxConnections: 10, maxInFlight: 5000 }).claimBatch).toBe(MAX_CLAIM_BATCH);
  });
});

describe('claim pacing', () => {
  const at = { room: 64, quiet: true, pollMs: 1000, now: 10_000 };

  it('says the edition is drained when an empty claim finds nothing left and nothing of ours is in flight', () => {
    expect(claimPace({ copies: [], waiting: 0, retryInMs: null }, at)).toEqual({ drained: true, claimAgainAt: 10_050 });
  });

  it('does not call the edition drained while a copy of ours may still come back as a retry', () => {
    expect(claimPace({ copies: [], waiting: 0, retryInMs: null }, { ...at, quiet: false })).toEqual({ drained: false, claimAgainAt: 10_050 });
  });

  it('waits for the ledger’s next claimable row, between 10 ms and pollMs', () => {
    expect(claimPace({ copies: [], waiting: 3, retryInMs: 250 }, at)).toEqual({ drained: false, claimAgainAt: 10_250 });
    expect(claimPace({ copies: [], waiting: 3, retryInMs: 60_000 }, at).claimAgainAt).toBe(11_000);
    expect(claimPace({ copies: [], waiting: 3, retryInMs: 0 }, at).claimAgainAt).toBe(10_010);
  });

  it('claims again at once after a full claim, and waits after a short one while rows are held elsewhere', () => {
    expect(claimPace({ copies: new Array(64), waiting: 5, retryInMs: 300 }, at)).toEqual({ drained: false, claimAgainAt: 0 });
    expect(claimPace({ copies: new Array(10), waiting: 5, retryInMs: 300 }, at)).toEqual({ drained: false, claimAgainAt: 10_300 });
    expect(claimPace({ copies: new Array(10), waiting: 0, retryInMs: null }, at)).toEqual({ drained: false, claimAgainAt: 0 });
  });
});

describe('the pause control', () => {
  it('pauses the run at the maxPolicyErrors-th policy refusal, naming the last reply', () => {
    const control = createSendControl({ maxPolicyErrors: 3, limit: Infinity, onStop: () => {} });
    control.policyRefusal('421 4.7.0 try later');
    control.policyRefusal('421 4.7.0 try later');
    expect(control.paused).toBeUndefined();
    expect(control.stopping(0)).toBe(false);
    control.policyRefusal('554 5.7.1 relay denied');
    expect(control.paused).toMatch(/^Paused after 3 policy refusals .*"554 5\.7\.1 relay denied"/);
    expect(control.stopping(0)).toBe(true);
    control.policyRefusal('554 5.7.1 another');
    expect(control.paused).toMatch(/"554 5\.7\.1 relay denied"/);
  });

  it('stops starting copies once limit copies have started, and leaves room only for the rest', () => {
    const control = createSendControl({ maxPolicyErrors: 10, limit: 5, onStop: () => {} });
    expect(control.room(2, 1)).toBe(2);
    expect(control.stopping(4)).toBe(false);
    expect(control.stopping(5)).toBe(true);
  });

  it('stops on the signal and wakes the loop, and no longer listens once closed', () => {
    const abort = new AbortController();
    let woken = 0;
    const control = createSendControl({ maxPolicyErrors: 10, limit: Infinity, signal: abort.signal, onStop: () => (woken += 1) });
    expect(control.stopping(0)).toBe(false);
    abort.abort();
    expect(control.stopping(0)).toBe(true);
    expect(woken).toBe(1);

    const later = new AbortController();
    const closed = createSendControl({ maxPolicyErrors: 10, limit: Infinity, signal: later.signal, onStop: () => (woken += 1) });
    closed.close();
    later.abort();
    expect(woken).toBe(1);
  });
});

describe('the send loop state', () => {
  it('remembers a notification made before the loop waits, and wakes a waiting loop at the next one', async () => {
    const state = createSendLoopState();
    state.notify();
    expect(state.signalled).toBe(true);
    state.resetSignal();
    expect(state.signalled).toBe(false);
    let woke = false;
    const waiting = state.nextEvent().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    state.notify();
    await waiting;
    expect(woke).toBe(true);
  });

  it('gives up waiting after the timeout when nothing happens', async () => {
    const state = createSendLoopState();
    await state.nextEvent(5);
    expect(state.signalled).toBe(false);
  });
});
