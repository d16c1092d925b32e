import { describe, expect, it } from 'vitest';
import { DeliverySchema } from '../../src/content/config-schema.ts';
import { afterFailure, pauseMessage } from '../../src/delivery/index.ts';

const delivery = DeliverySchema.parse({ retries: 2, retryBaseMs: 500 });

describe('the retry policy for a refused copy', () => {
  it('retries a transient failure with doubling backoff, then leaves it for the next run', () => {
    expect(afterFailure({ kind: 'transient', responseCode: 451 }, 1, delivery, false)).toEqual({ state: 'deferred', final: 'retry', retryInSeconds: 0.5 });
    expect(afterFailure({ kind: 'transient', responseCode: 451 }, 2, delivery, false)).toEqual({ state: 'deferred', final: 'retry', retryInSeconds: 1 });
    expect(afterFailure({ kind: 'transient', responseCode: 451 }, 3, delivery, false)).toEqual({ state: 'deferred', final: 'deferred', retryInSeconds: null });
  });

  it('does not retry in a paused run', () => {
    expect(afterFailure({ kind: 'transient', responseCode: undefined }, 1, delivery, true)).toEqual({ state: 'deferred', final: 'deferred', retryInSeconds: null });
  });

  it('fails a bounce (marking the reader) and any other permanent refusal at once', () => {
    expect(afterFailure({ kind: 'bounce', responseCode: 550 }, 1, delivery, false)).toEqual({ state: 'failed', final: 'failed', bounce: true });
    expect(afterFailure({ kind: 'permanent', responseCode: 554 }, 1, delivery, false)).toEqual({ state: 'failed', final: 'failed' });
  });

  it('counts a policy refusal towards a pause: deferred when 4xx, failed when 5xx, never retried in the run', () => {
    expect(afterFailure({ kind: 'policy', responseCode: 421 }, 1, delivery, false)).toEqual({ state: 'deferred', final: 'deferred', policy: true });
    expect(afterFailure({ kind: 'policy', responseCode: 554 }, 1, delivery, false)).toEqual({ state: 'failed', final: 'failed', policy: true });
    expect(pauseMessage(10, '554 5.7.1 relay denied')).toMatch(/^Paused after 10 policy refusals .*"554 5.7.1 relay denied"/);
  });
});
