import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EditionKey } from '../../src/delivery/index.ts';
import { openClient, openStore, type SqlClient, type Store } from '../../src/storage/index.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';

const key: EditionKey = { newsletter: 'morning', date: '2026-11-30' };
const lease = { leaseSeconds: 60 };

describe.each(enginesUnderTest())('the send ledger on $name', (engine) => {
  let store: Store;
  let sql: SqlClient;
  let cleanup: () => Promise<void>;
  let db: { database: string; cleanup(): Promise<void> };

  beforeEach(async () => {
    db = await engine.create();
    store = await openStore({ database: db.database });
    sql = openClient({ database: db.database });
    cleanup = async () => {
      await store.close();
      await sql.close();
      await db.cleanup();
    };
  });
  afterEach(() => cleanup());

  async function readers(n: number, status: 'confirmed' | 'pending' = 'confirmed'): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 1; i <= n; i++) {
      const out = await store.subscribers.add({ email: `r${i}@example.com`, name: i % 2 ? `R${i}` : null, newsletters: ['morning'], confirmed: status === 'confirmed', source: 'test' }, new Date());
      ids.push(out.id);
    }
    return ids;
  }
  const rows = () => sql.all<{ subscriber_id: number; state: string; attempts: number; claimed_by: string | null }>(
    `SELECT subscriber_id, state, attempts, claimed_by FROM sends ORDER BY subscriber_id`,
  );

  it('queues each confirmed reader once, however often or concurrently it is asked', async () => {
    await readers(7);
    await store.subscribers.add({ email: 'pending@example.com', name: null, newsletters: ['morning'], confirmed: false, source: 'test' }, new Date());
    const added = await Promise.all([store.sends.queueConfirmed(key, 3), store.sends.queueConfirmed(key, 2)]);
    expect(added[0]! + added[1]!).toBe(7);
    expect(await store.sends.queueConfirmed(key, 100)).toBe(0);
    expect((await store.sends.counts(key)).queued).toBe(7);
    expect(await store.sends.countConfirmed('morning')).toBe(7);
  });

  it('gives two claimers disjoint copies, each leased to its claimer, until none is left', async () => {
    await readers(10);
    await store.sends.queueConfirmed(key, 100);
    const [a, b] = await Promise.all([
      store.sends.claim(key, { worker: 'a', limit: 6, ...lease }),
      store.sends.claim(key, { worker: 'b', limit: 6, ...lease }),
    ]);
    const ids = (batch: typeof a) => batch.copies.map((c) => c.subscriberId);
    expect(new Set([...ids(a), ...ids(b)]).size).toBe(ids(a).length + ids(b).length);
    expect(ids(a).length + ids(b).length).toBe(10);
    expect(a.copies[0]).toMatchObject({ status: 'claimed', email: expect.stringMatching(/@example\.com$/), attempts: 1, tries: 1 });
    const third = await store.sends.claim(key, { worker: 'c', limit: 6, ...lease });
    expect(third.copies).toEqual([]);
    // Everything left is leased to someone else: c is told to wait, not that the edition is done.
    expect(third.waiting).toBe(10);
    expect(third.retryInMs).toBeGreaterThan(50_000);
    expect((await rows()).every((r) => r.state === 'sending' && (r.claimed_by === 'a' || r.claimed_by === 'b'))).toBe(true);
  });

  it('records only the outcomes of copies the worker still holds, with their Message-ID, and marks a bounce', async () => {
    const [one, two, three] = await readers(3);
    await store.sends.queueConfirmed(key, 100);
    await store.sends.claim(key, { worker: 'a', limit: 10, ...lease });
    await store.sends.record(key, 'a', [
      { subscriberId: one!, state: 'sent', reply: '250 ok', messageId: 'm1@x' },
      { subscriberId: two!, state: 'failed', reply: '550 5.1.1 gone', messageId: 'm2@x', bounce: true },
    ]);
    // Another worker's outcome for a copy it does not hold changes nothing.
    await store.sends.record(key, 'intruder', [{ subscriberId: three!, state: 'sent', reply: '250', messageId: 'm3@x' }]);
    expect(await sql.all(`SELECT subscriber_id, state, message_id, last_reply FROM sends ORDER BY subscriber_id`)).toEqual([
      { subscriber_id: one, state: 'sent', message_id: 'm1@x', last_reply: '250 ok' },
      { subscriber_id: two, state: 'failed', message_id: 'm2@x', last_reply: '550 5.1.1 gone' },
      { subscriber_id: three, state: 'sending', message_id: '', last_reply: null },
    ]);
    expect((await store.subscribers.get(two!))!.status).toBe('bounced');
  });

  it('takes over copies whose lease ran out, and retries a deferred copy only once its time has come', async () => {
    const [one, two] = await readers(2);
    await store.sends.queueConfirmed(key, 100);
    await store.sends.claim(key, { worker: 'dead', limit: 1, leaseSeconds: 0.2 });
    const live = await store.sends.claim(key, { worker: 'a', limit: 5, ...lease });
    expect(live.copies.map((c) => c.subscriberId)).toEqual([two]);
    await store.sends.record(key, 'a', [{ subscriberId: two!, state: 'deferred', reply: '451 later', messageId: 'm', retryInSeconds: 0.3 }]);
    await new Promise((r) => setTimeout(r, 350));
    const again = await store.sends.claim(key, { worker: 'a', limit: 5, ...lease });
    expect(again.copies.map((c) => [c.subscriberId, c.status === 'claimed' && c.attempts, c.status === 'claimed' && c.tries]).sort()).toEqual([[one, 2, 2], [two, 2, 2]]);
  });

  it('leaves a deferred copy without a time to the next run, which reopens it with a fresh retry budget', async () => {
    const [one] = await readers(1);
    await store.sends.queueConfirmed(key, 100);
    await store.sends.claim(key, { worker: 'a', limit: 5, ...lease });
    await store.sends.record(key, 'a', [{ subscriberId: one!, state: 'deferred', reply: '451', messageId: 'm', retryInSeconds: null }]);
    const none = await store.sends.claim(key, { worker: 'a', limit: 5, ...lease });
    expect(none).toEqual({ copies: [], waiting: 0, retryInMs: null });
    expect(await store.sends.reopenDeferred(key)).toBe(1);
    const reopened = await store.sends.claim(key, { worker: 'b', limit: 5, ...lease });
    expect(reopened.copies).toEqual([expect.objectContaining({ subscriberId: one, attempts: 2, tries: 1 })]);
  });

  it('skips a reader who left since the copy was queued, at claim time', async () => {
    const [one, two] = await readers(2);
    await store.sends.queueConfirmed(key, 100);
    await store.subscribers.unsubscribe(one!, ['morning'], new Date());
    const batch = await store.sends.claim(key, { worker: 'a', limit: 5, ...lease });
    expect(batch.copies).toEqual([
      { status: 'skipped', subscriberId: one, reason: 'subscription unsubscribed' },
      expect.objectContaining({ status: 'claimed', subscriberId: two }),
    ]);
    expect((await store.sends.counts(key)).skipped).toBe(1);
  });

  it('hands back claimed copies as queued for anyone, with their attempt uncounted', async () => {
    const ids = await readers(3);
    await store.sends.queueConfirmed(key, 100);
    await store.sends.claim(key, { worker: 'a', limit: 5, ...lease });
    await store.sends.release(key, 'a', ids.slice(0, 2));
    expect((await rows()).map((r) => [r.state, r.attempts, r.claimed_by])).toEqual([['queued', 0, null], ['queued', 0, null], ['sending', 1, 'a']]);
    expect((await store.sends.claim(key, { worker: 'b', limit: 5, ...lease })).copies).toHaveLength(2);
  });

  it('meters the whole fleet to delivery.ratePerSecond on the database clock', async () => {
    await readers(40);
    await store.sends.queueConfirmed(key, 100);
    // Two claimers asking as fast as they can for 1.5 s share one allowance of 5 a second.
    const started = Date.now();
    let granted = 0;
    let waits = 0;
    for (let i = 0; Date.now() - started < 1500; i++) {
      const batch = await store.sends.claim(key, { worker: i % 2 ? 'a' : 'b', limit: 10, ...lease, ratePerSecond: 5 });
      granted += batch.copies.length;
      if (batch.copies.length === 0) {
        waits += 1;
        expect(batch.retryInMs).toBeGreaterThan(0);
        expect(batch.retryInMs).toBeLessThanOrEqual(1000);
      }
    }
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(granted).toBeGreaterThanOrEqual(5);
    expect(granted).toBeLessThanOrEqual(5 * (seconds + 1));
    expect(waits).toBeGreaterThan(0);
  });

  it('renews only the leases it can take at once, never waiting on a row being recorded (no deadlock with its own record)', async () => {
    await readers(3);
    await store.sends.queueConfirmed(key, 100);
    await store.sends.claim(key, { worker: 'a', limit: 3, ...lease });
    if (engine.name !== 'postgres') {
      expect(await store.sends.renewLeases(key, 'a', 60)).toBe(3);
      return;
    }
    // Another transaction holds one of the rows, as a record of the same worker would.
    const holder = openClient({ database: db.database });
    await holder.transaction(async (tx) => {
      await tx.get(`SELECT subscriber_id FROM sends ORDER BY subscriber_id LIMIT 1 FOR UPDATE`);
      expect(await store.sends.renewLeases(key, 'a', 60)).toBe(2);
    });
    await holder.close();
    expect(await store.sends.renewLeases(key, 'a', 60)).toBe(3);
  });

  it('expires unfinished copies of earlier editions when a later one starts', async () => {
    await readers(2);
    await store.sends.queueConfirmed(key, 100);
    expect(await store.sends.expireEarlierEditions({ newsletter: 'morning', date: '2026-12-01' })).toBe(2);
    expect((await store.sends.counts(key)).expired).toBe(2);
  });
});
