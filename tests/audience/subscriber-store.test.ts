import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIRMATION_INTERVAL_MS, type SignUpInput, type SubscriberStore } from '../../src/audience/index.ts';
import { isDaybreakError } from '../../src/errors.ts';
import { openClient, openStore, type SqlClient, type Store } from '../../src/storage/index.ts';
import { sqliteMigrations } from '../../src/storage/migrations.ts';
import { migrate } from '../../src/storage/index.ts';
import { enginesUnderTest, sqliteStore } from '../helpers/test-store.ts';

const t0 = new Date('2026-11-30T12:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const consent = { ip: '203.0.113.7', userAgent: 'Firefox', source: 'https://news.example.com/' };
const input = (email: string, newsletters = ['morning']): SignUpInput => ({ email, name: 'Ann', newsletters, consent });

describe.each(enginesUnderTest())('subscriber store on $name', (engine) => {
  let store: SubscriberStore;
  let opened: Store;
  /** A plain connection beside the store, for setting up and checking rows. */
  let sql: SqlClient;
  let cleanup: () => Promise<void>;
  const signUp = async (i: SignUpInput, at: Date, interval: number) => (await store.signUpMany([i], at, interval))[0]!;

  beforeEach(async () => {
    const db = await engine.create();
    opened = await openStore({ database: db.database });
    store = opened.subscribers;
    sql = openClient({ database: db.database });
    cleanup = async () => {
      await opened.close();
      await sql.close();
      await db.cleanup();
    };
  });
  afterEach(() => cleanup());

  it('records a new sign-up as pending with its consent record, and queues a confirmation mail in the same transaction', async () => {
    const outcome = await signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    expect(outcome).toMatchObject({ pending: ['morning'], sendConfirmation: true });
    const ann = (await store.findByEmail('ann@example.com'))!;
    expect(ann).toMatchObject({ name: 'Ann', status: 'active', subscriptions: [{ newsletter: 'morning', status: 'pending' }] });
    expect(ann.consent).toEqual({ at: t0.toISOString(), ip: '203.0.113.7', userAgent: 'Firefox', source: 'https://news.example.com/' });
    expect(await sql.all(`SELECT kind, subscriber_id, payload, state FROM outbox`)).toEqual([
      { kind: 'confirmation', subscriber_id: ann.id, payload: JSON.stringify({ newsletters: ['morning'] }), state: 'queued' },
    ]);
  });

  it('keeps one row per address and never lets a second sign-up change the name or consent', async () => {
    await signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    await signUp({ ...input('ann@example.com', ['good-news']), name: 'Mallory', consent: { ip: '198.51.100.1', userAgent: 'bot', source: null } }, later(1000), CONFIRMATION_INTERVAL_MS);
    const all = await store.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ name: 'Ann', consent: { ip: '203.0.113.7' } });
    expect(all[0]!.subscriptions.map((s) => s.newsletter).sort()).toEqual(['good-news', 'morning']);
  });

  it('allows one confirmation mail per address per 24 hours, counting the one queued', async () => {
    expect((await signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS)).sendConfirmation).toBe(true);
    expect((await signUp(input('ann@example.com'), later(60_000), CONFIRMATION_INTERVAL_MS)).sendConfirmation).toBe(false);
    expect((await signUp(input('ann@example.com'), later(CONFIRMATION_INTERVAL_MS - 1), CONFIRMATION_INTERVAL_MS)).sendConfirmation).toBe(false);
    expect((await signUp(input('ann@example.com'), later(CONFIRMATION_INTERVAL_MS), CONFIRMATION_INTERVAL_MS)).sendConfirmation).toBe(true);
    expect(await sql.get(`SELECT COUNT(*) AS n FROM outbox`)).toEqual({ n: 2 });
  });

  it('sends no confirmation for an address already confirmed, or one that bounced', async () => {
    const { subscriberId } = await signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    await store.confirm(subscriberId, ['morning'], 'digest-1', t0);
    expect(await signUp(input('ann@example.com'), later(CONFIRMATION_INTERVAL_MS * 2), CONFIRMATION_INTERVAL_MS)).toMatchObject({ pending: [], sendConfirmation: false });
    const b = await signUp(input('bob@example.com'), t0, 0);
    await sql.run('UPDATE subscribers SET bounced = 1 WHERE id = ?', [b.subscriberId]);
    expect((await signUp(input('bob@example.com'), later(1), 0)).sendConfirmation).toBe(false);
    expect((await store.findByEmail('bob@example.com'))!.status).toBe('bounced');
  });

  it('keys people case-insensitively: case variants share one row and one confirmation per 24 hours, even in one batch', async () => {
    expect((await signUp(input('Ann@example.com'), t0, CONFIRMATION_INTERVAL_MS)).sendConfirmation).toBe(true);
    expect((await signUp(input('ann@example.com'), later(1), CONFIRMATION_INTERVAL_MS)).sendConfirmation).toBe(false);
    const batch = await store.signUpMany([input('bob@example.com'), input('BOB@example.com'), input('Bob@Example.com')], later(2), CONFIRMATION_INTERVAL_MS);
    expect(batch.map((o) => o.sendConfirmation)).toEqual([true, false, false]);
    expect(new Set(batch.map((o) => o.subscriberId)).size).toBe(1);
    expect((await store.list()).map((p) => p.email)).toEqual(['Ann@example.com', 'bob@example.com']);
    expect((await store.findByEmail('aNN@EXAMPLE.com'))!.email).toBe('Ann@example.com');
    expect(await store.add({ email: 'ANN@example.com', name: 'Ann B.', newsletters: ['morning'], confirmed: true, source: 'cli' }, t0)).toMatchObject({ created: false, renamed: true });
    expect(await store.list()).toHaveLength(2);
  });

  it('commits a batch of sign-ups together', async () => {
    const outcomes = await store.signUpMany([input('a@example.com'), input('b@example.com'), input('a@example.com')], t0, CONFIRMATION_INTERVAL_MS);
    expect(outcomes.map((o) => o.sendConfirmation)).toEqual([true, true, false]);
    expect(await store.list()).toHaveLength(2);
  });

  it('gives concurrent sign-ups of different people different ids, all stored', async () => {
    const people = Array.from({ length: 30 }, (_, i) => `p${i}@example.com`);
    const outcomes = await Promise.all(people.map((p) => signUp(input(p), t0, CONFIRMATION_INTERVAL_MS)));
    expect(new Set(outcomes.map((o) => o.subscriberId)).size).toBe(30);
    expect(await store.list()).toHaveLength(30);
  });

  it('confirms once per token digest, refuses the same digest again, and queues one welcome mail', async () => {
    const { subscriberId } = await signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    expect(await store.confirm(subscriberId, ['morning'], 'd1', t0)).toEqual(['morning']);
    await expect(store.confirm(subscriberId, ['morning'], 'd1', t0)).rejects.toSatisfy((e) => isDaybreakError(e, 'ETOKEN'));
    expect(await store.isTokenUsed('d1')).toBe(true);
    expect(await sql.all(`SELECT kind FROM outbox ORDER BY id`)).toEqual([{ kind: 'confirmation' }, { kind: 'welcome' }]);
  });

  it('unsubscribes idempotently, from one newsletter or from everything, queueing a notice only for a change', async () => {
    const { subscriberId } = await signUp(input('ann@example.com', ['morning', 'good-news']), t0, CONFIRMATION_INTERVAL_MS);
    await store.confirm(subscriberId, ['morning', 'good-news'], 'd', t0);
    expect(await store.unsubscribe(subscriberId, ['morning'], t0, { notify: true })).toEqual(['morning']);
    expect(await store.unsubscribe(subscriberId, ['morning'], t0, { notify: true })).toEqual([]);
    expect(await store.unsubscribe(subscriberId, ['*'], t0)).toEqual(['good-news']);
    expect(await store.unsubscribe(999, ['*'], t0)).toEqual([]);
    expect(await sql.all(`SELECT kind, payload FROM outbox WHERE kind = 'unsubscribed'`)).toEqual([
      { kind: 'unsubscribed', payload: JSON.stringify({ newsletters: ['morning'] }) },
    ]);
  });

  it('removes a person with their subscriptions, send rows and queued mail, and never reuses their id', async () => {
    const { subscriberId } = await signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    await sql.run(`INSERT INTO sends (newsletter, edition_date, subscriber_id, state, message_id, queued_at, updated_at) VALUES ('morning', '2026-11-30', ?, 'sent', 'm', 'x', 'x')`, [subscriberId]);
    expect(await store.remove('ann@example.com')).toBe(true);
    expect(await store.remove('ann@example.com')).toBe(false);
    expect(await sql.get('SELECT COUNT(*) AS n FROM subscriptions')).toEqual({ n: 0 });
    expect(await sql.get('SELECT COUNT(*) AS n FROM sends')).toEqual({ n: 0 });
    expect(await sql.get('SELECT COUNT(*) AS n FROM outbox')).toEqual({ n: 0 });
    const again = await signUp(input('bob@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    expect(again.subscriberId).toBeGreaterThan(subscriberId);
  });

  it('adds from the CLI without resurrecting an unsubscribed subscription, idempotently', async () => {
    const first = await store.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, t0);
    expect(first).toMatchObject({ created: true, changed: ['morning'] });
    expect(await store.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, t0)).toMatchObject({ created: false, changed: [] });
    await store.unsubscribe(first.id, ['morning'], t0);
    expect(await store.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, t0)).toMatchObject({ changed: [], keptUnsubscribed: ['morning'] });
  });

  it('filters the list by person status or subscription status', async () => {
    await store.add({ email: 'a@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'cli' }, t0);
    await store.add({ email: 'b@example.com', name: null, newsletters: ['morning'], confirmed: false, source: 'cli' }, t0);
    await sql.run("UPDATE subscribers SET bounced = 1 WHERE email = 'b@example.com'");
    expect((await store.list({ status: 'confirmed' })).map((p) => p.email)).toEqual(['a@example.com']);
    expect((await store.list({ status: 'pending' })).map((p) => p.email)).toEqual(['b@example.com']);
    expect((await store.list({ status: 'bounced' })).map((p) => p.email)).toEqual(['b@example.com']);
    expect((await store.list({ status: 'active' })).map((p) => p.email)).toEqual(['a@example.com']);
  });
});

describe('subscriber store on an existing SQLite file', () => {
  it('refuses a second row for a case variant even from SQL that does not know the key column', async () => {
    const t = await sqliteStore();
    try {
      await t.store.subscribers.signUpMany([input('ann@example.com')], t0, CONFIRMATION_INTERVAL_MS);
      const insert = t.db.prepare("INSERT INTO subscribers (email, created_at) VALUES (?, '2026-11-30T00:00:00Z')");
      expect(() => insert.run('ANN@example.com')).toThrow(/UNIQUE/);
      insert.run('zed@example.com');
      expect((await t.store.subscribers.findByEmail('Zed@example.com'))!.email).toBe('zed@example.com');
    } finally {
      await t.cleanup();
    }
  });

  it('keys the oldest of rows that differ only in case on upgrade, keeps the later ones unkeyed, and remove deletes them all', async () => {
    const t = await sqliteStore();
    await t.cleanup();
    const file = join(t.dir.replace(/$/, ''), 'old.sqlite');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(t.dir, { recursive: true });
    const before = openClient({ database: file });
    await migrate(before, sqliteMigrations.filter((m) => m.id !== '011-audience-email-key' && m.id !== '070-shared-ledger'));
    await before.run("INSERT INTO subscribers (id, email, created_at) VALUES (1, 'Ann@example.com', '2026-11-01T00:00:00Z')");
    await before.run("INSERT INTO subscribers (id, email, created_at) VALUES (2, 'bob@example.com', '2026-11-01T00:00:00Z')");
    await before.run("INSERT INTO subscribers (id, email, created_at) VALUES (3, 'ann@example.com', '2026-11-01T00:00:00Z')");
    await before.run("INSERT INTO subscriptions (subscriber_id, newsletter, status, created_at, updated_at) VALUES (3, 'morning', 'confirmed', 'x', 'x')");
    await before.close();
    const upgraded = await openStore({ database: file });
    const raw = openClient({ database: file });
    try {
      expect(await raw.all('SELECT id, email_key FROM subscribers ORDER BY id')).toEqual([
        { id: 1, email_key: 'ann@example.com' },
        { id: 2, email_key: 'bob@example.com' },
        { id: 3, email_key: null },
      ]);
      const s = upgraded.subscribers;
      // Nothing merged or lost: the later row keeps its subscription (and its links keep working by id).
      expect((await s.get(3))!.subscriptions).toEqual([{ newsletter: 'morning', status: 'confirmed', sections: null }]);
      expect((await s.findByEmail('ANN@example.com'))!.id).toBe(1);
      expect((await s.signUpMany([input('aNn@example.com')], t0, CONFIRMATION_INTERVAL_MS))[0]!.subscriberId).toBe(1);
      expect(await s.remove('ann@example.com')).toBe(true);
      expect((await s.list()).map((p) => p.email)).toEqual(['bob@example.com']);
    } finally {
      await upgraded.close();
      await raw.close();
      const { rmSync } = await import('node:fs');
      rmSync(t.dir, { recursive: true, force: true });
    }
  });
});
