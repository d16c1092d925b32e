import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/content/index.ts';
import { deferredRetry, editionExpired, nextEditionAt } from '../../src/delivery/index.ts';

function newsletter(cron: string) {
  return ConfigSchema.parse({ newsletters: [{ id: 'morning', name: 'Morning', schedule: { cron, timezone: 'America/New_York' } }] }).newsletters[0]!;
}
const daily = newsletter('0 6 * * *');
const weekly = newsletter('0 6 * * 0');
const at = (iso: string) => new Date(iso);

describe('when an edition expires', () => {
  it('expires at the first firing of the next edition, in the newsletter’s timezone', () => {
    expect(nextEditionAt(daily, '2026-11-30')).toEqual(at('2026-12-01T11:00:00Z'));
    expect(nextEditionAt(daily, '2026-03-07')).toEqual(at('2026-03-08T10:00:00Z')); // EDT from 2026-03-08
  });

  it('skips the days without an edition: a weekly letter’s edition lasts the week', () => {
    expect(nextEditionAt(weekly, '2026-11-29')).toEqual(at('2026-12-06T11:00:00Z'));
    expect(editionExpired(weekly, '2026-11-29', at('2026-12-05T12:00:00Z'))).toBe(false);
    expect(editionExpired(weekly, '2026-11-29', at('2026-12-06T11:00:00Z'))).toBe(true);
  });
});

describe('when deferred copies are retried', () => {
  const now = at('2026-11-30T12:00:00Z');

  it('waits a minute before the first retry and doubles the wait with each retry, up to an hour', () => {
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now, attempt: 0 })).toEqual({ at: at('2026-11-30T12:01:00Z'), expired: false });
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now, attempt: 1 }).at).toEqual(at('2026-11-30T12:02:00Z'));
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now, attempt: 5 }).at).toEqual(at('2026-11-30T12:32:00Z'));
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now, attempt: 12 }).at).toEqual(at('2026-11-30T13:00:00Z'));
  });

  it('takes the scheduler’s bounds instead of the defaults', () => {
    const bounds = { minMs: 1000, maxMs: 5000 };
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now, attempt: 1, bounds }).at).toEqual(at('2026-11-30T12:00:02Z'));
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now, attempt: 9, bounds }).at).toEqual(at('2026-11-30T12:00:05Z'));
  });

  it('never retries before the ledger’s own next retry time', () => {
    const recorded = at('2026-11-30T12:20:00Z');
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now, attempt: 0, recorded }).at).toEqual(recorded);
  });

  it('never waits past the next edition, and says the copies have expired once it has begun', () => {
    const late = at('2026-12-01T10:30:00Z');
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now: late, attempt: 6 })).toEqual({ at: at('2026-12-01T11:00:00Z'), expired: false });
    const after = at('2026-12-01T11:00:00Z');
    expect(deferredRetry({ newsletter: daily, date: '2026-11-30', now: after, attempt: 0 })).toEqual({ at: after, expired: true });
  });
});
