import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startInboundRetention, type InboundEvent } from '../../src/inbound/index.ts';
import { openStore, type Store } from '../../src/storage/index.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';

const DAY = 86_400_000;
const NOW = new Date('2027-03-31T12:00:00.000Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const policy = { softBounceLimit: 3, windowDays: 30 };

function event(kind: InboundEvent['kind'], subscriberId: number | null, receivedAt: Date, extra: Partial<InboundEvent> = {}): InboundEvent {
  return {
    receivedAt,
    source: 'smtp',
    eventId: null,
    envelopeFrom: '',
    recipient: 'bounces@bounces.news.example',
    kind,
    subscriberId,
    newsletter: 'morning',
    date: receivedAt.toISOString().slice(0, 10),
    status: kind === 'hard-bounce' ? '5.1.1' : kind === 'soft-bounce' ? '4.2.2' : null,
    diagnostic: null,
    reason: 'test',
    raw: Buffer.from(`Subject: ${kind} at ${receivedAt.toISOString()}\r\n\r\nbody\r\n`),
    ...extra,
  };
}

describe.each(enginesUnderTest())('deleting kept inbound messages past the retention ($name)', (engine) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const add = async (email: string) =>
    (await store.subscribers.add({ email, name: null, newsletters: ['morning', 'good-news'], confirmed: true, source: 'cli' }, daysAgo(400))).id;

  beforeEach(async () => {
    const db = await engine.create();
    store = await openStore({ database: db.database });
    cleanup = async () => {
      await store.close();
      await db.cleanup();
    };
  });
  afterEach(() => cleanup?.());

  it('removes messages received before the cutoff, keeps newer ones, and leaves the readers as the old messages left them', async () => {
    const bounced = await add('gone@example.com');
    const complained = await add('spam@example.com');
    const unsubscribed = await add('leaver@example.com');
    const active = await add('fine@example.com');

    const old = [
      await store.inbound.record(event('hard-bounce', bounced, daysAgo(120)), policy),
      await store.inbound.record(event('complaint', complained, daysAgo(100)), policy),
      await store.inbound.record(event('unsubscribe', unsubscribed, daysAgo(95), { newsletter: 'good-news' }), policy),
      await store.inbound.record(event('unknown', null, daysAgo(91)), policy),
    ];
    const kept = [
      await store.inbound.record(event('soft-bounce', active, daysAgo(89)), policy),
      await store.inbound.record(event('auto-reply', active, daysAgo(1)), policy),
    ];
    expect(old.map((r) => r.outcome)).toEqual([
      'reader marked bounced (test)',
      'complaint: unsubscribed from good-news, morning (test)',
      'unsubscribed from good-news (test)',
      'no change: unknown (test)',
    ]);
    const before = await Promise.all([bounced, complained, unsubscribed, active].map(async (id) => (await store.subscribers.list()).find((s) => s.id === id)));

    expect(await store.inbound.deleteReceivedBefore(daysAgo(90))).toBe(4);

    const left = await store.inbound.list({ limit: 100 });
    expect(left.map((m) => m.id).sort((a, b) => a - b)).toEqual(kept.map((r) => r.id));
    for (const r of old) expect(await store.inbound.raw(r.id!)).toBeUndefined();
    expect((await store.inbound.raw(kept[0]!.id!))!.toString('utf8')).toContain('soft-bounce');

    const after = await Promise.all([bounced, complained, unsubscribed, active].map(async (id) => (await store.subscribers.list()).find((s) => s.id === id)));
    expect(after).toEqual(before);
    expect(after[0]).toMatchObject({ status: 'bounced', bouncedAt: daysAgo(120).toISOString() });
    expect(after[1]).toMatchObject({ status: 'complained' });
    expect(after[1]!.subscriptions.map((s) => s.status)).toEqual(['unsubscribed', 'unsubscribed']);
    expect(after[2]!.subscriptions.map((s) => [s.newsletter, s.status])).toEqual([
      ['good-news', 'unsubscribed'],
      ['morning', 'confirmed'],
    ]);
    expect(after[3]).toMatchObject({ status: 'active' });

    // Nothing older is left: a second pass deletes nothing.
    expect(await store.inbound.deleteReceivedBefore(daysAgo(90))).toBe(0);
  });

  it('deletes a backlog larger than one batch completely', async () => {
    for (let i = 0; i < 501; i++) await store.inbound.record(event('auto-reply', null, new Date(daysAgo(200).getTime() + i * 1000)), policy);
    await store.inbound.record(event('auto-reply', null, daysAgo(2)), policy);
    expect(await store.inbound.deleteReceivedBefore(daysAgo(90))).toBe(501);
    expect(await store.inbound.list({ limit: 2000 })).toHaveLength(1);
  });

  it('at the shortest retention the soft bounces within the window still count toward the limit', async () => {
    const reader = await add('flaky@example.com');
    await store.inbound.record(event('soft-bounce', reader, daysAgo(70)), policy);
    await store.inbound.record(event('soft-bounce', reader, daysAgo(29)), policy);
    await store.inbound.record(event('soft-bounce', reader, daysAgo(10)), policy);
    const lines: string[] = [];
    const retention = startInboundRetention({ store: store.inbound, retentionDays: policy.windowDays, now: () => NOW, log: (l) => lines.push(l) });
    try {
      // The sweep at start has run (a second call joins or follows it).
      await retention.sweep();
    } finally {
      await retention.close();
    }
    expect(lines).toEqual(['inbound: deleted 1 kept message received more than 30 days ago (inbound.retentionDays); readers keep their bounced and unsubscribed states']);
    expect(await store.inbound.list({ limit: 10 })).toHaveLength(2);
    const third = await store.inbound.record(event('soft-bounce', reader, NOW), policy);
    expect(third.outcome).toBe('reader marked bounced: 3 soft bounces within 30 days (limit 3) (test)');
  });

  it('sweeps again on its interval while it runs, so messages that age past the retention later go too', async () => {
    const lines: string[] = [];
    let now = NOW;
    const retention = startInboundRetention({ store: store.inbound, retentionDays: 30, intervalMs: 20, now: () => now, log: (l) => lines.push(l) });
    try {
      await retention.sweep();
      const row = await store.inbound.record(event('auto-reply', null, daysAgo(10)), policy);
      // Time passes: the message is now 31 days old, and the next tick deletes it without a call.
      now = new Date(NOW.getTime() + 21 * DAY);
      for (let i = 0; i < 200 && (await store.inbound.raw(row.id!)); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await store.inbound.raw(row.id!)).toBeUndefined();
      expect(lines).toContain('inbound: deleted 1 kept message received more than 30 days ago (inbound.retentionDays); readers keep their bounced and unsubscribed states');
    } finally {
      await retention.close();
    }
  });

  it('logs a failed sweep as a warning instead of rejecting, and tries again at the next one', async () => {
    const lines: string[] = [];
    let fail = true;
    const retention = startInboundRetention({
      store: { deleteReceivedBefore: (cutoff) => (fail ? Promise.reject(new Error('database is locked')) : store.inbound.deleteReceivedBefore(cutoff)) },
      retentionDays: 30,
      now: () => NOW,
      log: (l) => lines.push(l),
    });
    try {
      await store.inbound.record(event('auto-reply', null, daysAgo(31)), policy);
      expect(await retention.sweep()).toBe(0);
      expect(lines).toContain('warning: inbound: could not delete messages older than 30 days: database is locked');
      fail = false;
      expect(await retention.sweep()).toBe(1);
    } finally {
      await retention.close();
    }
  });
});
