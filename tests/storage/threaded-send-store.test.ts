import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isDaybreakError } from '../../src/errors.ts';
import { openThreadedSendStore } from '../../src/storage/index.ts';
import { sqliteStore } from '../helpers/test-store.ts';

const key = { newsletter: 'morning', date: '2026-11-30' };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('the SQLite send ledger on its own thread', () => {
  it('claims and records like the store itself, with concurrent records committed together', async () => {
    const t = await sqliteStore();
    cleanups.push(t.cleanup);
    for (let i = 1; i <= 30; i++) await t.store.subscribers.add({ email: `r${i}@example.com`, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    const ledger = await openThreadedSendStore(t.file);
    cleanups.push(() => ledger.close());
    expect(await ledger.queueConfirmed(key, 7)).toBe(30);
    const batch = await ledger.claim(key, { worker: 'w', limit: 30, leaseSeconds: 60 });
    expect(batch.copies).toHaveLength(30);
    await Promise.all(batch.copies.map((c) => ledger.record(key, 'w', [{ subscriberId: c.subscriberId, state: 'sent', reply: '250', messageId: `m${c.subscriberId}` }])));
    expect(await ledger.counts(key)).toMatchObject({ sent: 30, sending: 0 });
    expect(t.db.prepare(`SELECT COUNT(DISTINCT message_id) AS n FROM sends WHERE state = 'sent'`).get()).toEqual({ n: 30 });
  });

  it('passes a locked database back as EBUSY naming the file', async () => {
    const t = await sqliteStore();
    cleanups.push(t.cleanup);
    const ledger = await openThreadedSendStore(t.file, { busyTimeoutMs: 300 });
    cleanups.push(() => ledger.close());
    const other = new Database(t.file);
    other.exec('BEGIN IMMEDIATE');
    cleanups.push(() => other.close());
    cleanups.push(() => other.exec('ROLLBACK'));
    const error = await ledger.expireEarlierEditions(key).catch((e: unknown) => e);
    expect(isDaybreakError(error, 'EBUSY')).toBe(true);
    expect((error as Error).message).toContain(t.file);
  });
});
