import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DueAt, EditionKey } from '../../src/delivery/index.ts';
import { openClient, openStore, type SqlClient, type Store } from '../../src/storage/index.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';

const key: EditionKey = { newsletter: 'morning', date: '2026-03-08' };
const lease = { leaseSeconds: 60 };
const PAST = new Date('2000-01-01T06:00:00.000Z');
const FUTURE = new Date('2999-01-01T06:00:00.000Z');

describe.each(enginesUnderTest())('reader preferences and local-time waves in storage on $name', (engine) => {
  let store: Store;
  let sql: SqlClient;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const db = await engine.create();
    store = await openStore({ database: db.database });
    sql = openClient({ database: db.database });
    cleanup = async () => {
      await store.close();
      await sql.close();
      await db.cleanup();
    };
  });
  afterEach(() => cleanup());

  const add = (email: string, timezone: string | null = null, newsletters = ['morning']) =>
    store.subscribers.add({ email, name: null, newsletters, confirmed: true, source: 'test', timezone }, new Date());

  it('keeps a timezone given at add, sign-up and on the preference page, and lists it', async () => {
    const ann = await add('ann@example.com', 'Europe/London');
    const [bob] = await store.subscribers.signUpMany(
      [{ email: 'bob@example.com', name: null, newsletters: ['morning'], consent: { ip: null, userAgent: null, source: null }, timezone: 'Asia/Tokyo' }],
      new Date(),
      0,
    );
    expect((await store.subscribers.get(ann.id))!.timezone).toBe('Europe/London');
    expect((await store.subscribers.get(bob!.subscriberId))!.timezone).toBe('Asia/Tokyo');
    // A stranger signing up an existing address changes nothing of theirs, the zone included.
    await store.subscribers.signUpMany(
      [{ email: 'ann@example.com', name: null, newsletters: ['morning'], consent: { ip: null, userAgent: null, source: null }, timezone: 'Asia/Tokyo' }],
      new Date(),
      0,
    );
    expect((await store.subscribers.get(ann.id))!.timezone).toBe('Europe/London');
    // The operator's word wins on add.
    await add('ann@example.com', 'America/Chicago');
    expect((await store.subscribers.findByEmail('ann@example.com'))!.timezone).toBe('America/Chicago');
    const listed = await store.subscribers.list();
    expect(listed.map((p) => p.timezone)).toEqual(['America/Chicago', 'Asia/Tokyo']);
  });

  it('applies a preference change in one go: on without confirmation, off, sections, name and zone', async () => {
    const { id } = await add('cy@example.com', null, ['morning', 'weekly']);
    const now = new Date('2026-03-01T12:00:00Z');
    const outcome = await store.subscribers.updatePreferences(
      id,
      { subscribe: ['good-news'], unsubscribe: ['weekly'], sections: { morning: ['Science'] }, name: 'Cy', timezone: 'Pacific/Kiritimati' },
      now,
    );
    expect(outcome).toEqual({ subscribed: ['good-news'], unsubscribed: ['weekly'] });
    const cy = (await store.subscribers.get(id))!;
    expect(cy.name).toBe('Cy');
    expect(cy.timezone).toBe('Pacific/Kiritimati');
    expect(Object.fromEntries(cy.subscriptions.map((s) => [s.newsletter, [s.status, s.sections]]))).toEqual({
      morning: ['confirmed', ['Science']],
      weekly: ['unsubscribed', null],
      'good-news': ['confirmed', null],
    });
    // Back on: confirmed at once, no mail; a repeat changes nothing.
    expect(await store.subscribers.updatePreferences(id, { subscribe: ['weekly'], unsubscribe: [], sections: { morning: null } }, now)).toEqual({ subscribed: ['weekly'], unsubscribed: [] });
    expect(await store.subscribers.updatePreferences(id, { subscribe: ['weekly'], unsubscribe: [], sections: {} }, now)).toEqual({ subscribed: [], unsubscribed: [] });
    const again = (await store.subscribers.get(id))!;
    expect(again.subscriptions.find((s) => s.newsletter === 'morning')!.sections).toBeNull();
    expect(again.timezone).toBe('Pacific/Kiritimati');
    expect(await sql.all('SELECT kind FROM outbox')).toEqual([]);
  });

  it('queues one unsubscribed mail when the page turns everything off with notify, and answers undefined for a removed person', async () => {
    const { id } = await add('dee@example.com', null, ['morning', 'weekly']);
    const outcome = await store.subscribers.updatePreferences(id, { subscribe: [], unsubscribe: ['morning', 'weekly'], sections: {}, notify: true }, new Date());
    expect(outcome!.unsubscribed).toEqual(['morning', 'weekly']);
    const mails = await sql.all<{ kind: string; payload: string }>('SELECT kind, payload FROM outbox');
    expect(mails.map((m) => [m.kind, JSON.parse(m.payload)])).toEqual([['unsubscribed', { newsletters: ['morning', 'weekly'] }]]);
    await store.subscribers.remove('dee@example.com');
    expect(await store.subscribers.updatePreferences(id, { subscribe: ['morning'], unsubscribe: [], sections: {} }, new Date())).toBeUndefined();
  });

  it('lists the distinct zones of confirmed readers', async () => {
    await add('a@example.com', 'Europe/London');
    await add('b@example.com', 'Europe/London');
    await add('c@example.com', null);
    await store.subscribers.add({ email: 'p@example.com', name: null, newsletters: ['morning'], confirmed: false, source: 'test', timezone: 'Asia/Tokyo' }, new Date());
    const zones = await store.sends.readerZones('morning');
    expect([...zones].sort((x, y) => String(x).localeCompare(String(y)))).toEqual(['Europe/London', null]);
  });

  it('queues each copy with its reader\'s due time and claims only the copies whose time has come', async () => {
    const london = await add('london@example.com', 'Europe/London');
    const tokyo = await add('tokyo@example.com', 'Asia/Tokyo');
    const none = await add('none@example.com', null);
    const dueAt: DueAt = (zone) => (zone === 'Europe/London' ? PAST : FUTURE);
    expect(await store.sends.queueConfirmed(key, 2, { dueAt })).toBe(3);
    const rows = await sql.all<{ subscriber_id: number; due_at: string }>('SELECT subscriber_id, due_at FROM sends ORDER BY subscriber_id');
    expect(rows).toEqual([
      { subscriber_id: london.id, due_at: PAST.toISOString() },
      { subscriber_id: tokyo.id, due_at: FUTURE.toISOString() },
      { subscriber_id: none.id, due_at: FUTURE.toISOString() },
    ]);
    const batch = await store.sends.claim(key, { worker: 'w', limit: 10, ...lease });
    expect(batch.copies.map((c) => c.subscriberId)).toEqual([london.id]);
    // Copies waiting for a later wave are not "waiting" for this claim: the send loop may finish.
    expect(batch.waiting).toBe(0);
    expect(await store.sends.waiting(key)).toEqual({ count: 2, next: FUTURE });
  });

  it('re-times queued copies when a reader moves, and leaves sent ones alone', async () => {
    const mover = await add('mover@example.com', 'Asia/Tokyo');
    const stayer = await add('stayer@example.com', 'Europe/London');
    const dueAt: DueAt = (zone) => (zone === 'Europe/London' ? PAST : zone === 'America/Los_Angeles' ? new Date('2999-06-01T00:00:00Z') : FUTURE);
    await store.sends.queueConfirmed(key, 100, { dueAt });
    const first = await store.sends.claim(key, { worker: 'w', limit: 10, ...lease });
    await store.sends.record(key, 'w', first.copies.map((c) => ({ subscriberId: c.subscriberId, state: 'sent' as const, reply: '250 ok', messageId: 'm' })));
    await store.subscribers.updatePreferences(mover.id, { subscribe: [], unsubscribe: [], sections: {}, timezone: 'America/Los_Angeles' }, new Date());
    await store.subscribers.updatePreferences(stayer.id, { subscribe: [], unsubscribe: [], sections: {}, timezone: 'America/Los_Angeles' }, new Date());
    expect(await store.sends.reschedule(key, dueAt)).toBe(1);
    expect(await store.sends.reschedule(key, dueAt)).toBe(0);
    const rows = await sql.all<{ subscriber_id: number; state: string; due_at: string }>('SELECT subscriber_id, state, due_at FROM sends ORDER BY subscriber_id');
    expect(rows).toEqual([
      { subscriber_id: mover.id, state: 'queued', due_at: '2999-06-01T00:00:00.000Z' },
      { subscriber_id: stayer.id, state: 'sent', due_at: PAST.toISOString() },
    ]);
    // Moving to a zone whose time has passed makes the copy due at once.
    await store.subscribers.updatePreferences(mover.id, { subscribe: [], unsubscribe: [], sections: {}, timezone: 'Europe/London' }, new Date());
    await store.sends.reschedule(key, dueAt);
    expect((await store.sends.claim(key, { worker: 'w', limit: 10, ...lease })).copies.map((c) => c.subscriberId)).toEqual([mover.id]);
  });

  it('groups copies into waves with sent, waiting and missed counts, and expires missed waves only', async () => {
    await add('a@example.com', 'Europe/London');
    await add('b@example.com', 'Europe/London');
    await add('c@example.com', 'Asia/Tokyo');
    await add('d@example.com', null);
    const missed = new Date(Date.now() - 5 * 3600_000);
    const dueAt: DueAt = (zone) => (zone === 'Europe/London' ? PAST : zone === 'Asia/Tokyo' ? missed : FUTURE);
    await store.sends.queueConfirmed(key, 100, { dueAt });
    expect(await store.sends.expireMissed(key, new Date(Date.now() - 3600_000), 'missed: not running at its time')).toBe(3);
    const first = await store.sends.claim(key, { worker: 'w', limit: 10, ...lease });
    expect(first.copies).toEqual([]);
    const waves = await store.sends.waves(key);
    expect(waves).toEqual([
      { dueAt: PAST.toISOString(), total: 2, sent: 0, waiting: 0, due: 0, failed: 0, deferred: 0, skipped: 2 },
      { dueAt: missed.toISOString(), total: 1, sent: 0, waiting: 0, due: 0, failed: 0, deferred: 0, skipped: 1 },
      { dueAt: FUTURE.toISOString(), total: 1, sent: 0, waiting: 1, due: 0, failed: 0, deferred: 0, skipped: 0 },
    ]);
    expect((await sql.get<{ last_reply: string }>("SELECT last_reply FROM sends WHERE state = 'expired'"))!.last_reply).toMatch(/^missed/);
  });

  it('keeps an earlier edition\'s copies that are not due yet when the next edition starts', async () => {
    await add('a@example.com', 'Europe/London');
    await add('b@example.com', 'Etc/GMT+12');
    const dueAt: DueAt = (zone) => (zone === 'Europe/London' ? PAST : FUTURE);
    await store.sends.queueConfirmed(key, 100, { dueAt });
    expect(await store.sends.expireEarlierEditions({ newsletter: 'morning', date: '2026-03-09' })).toBe(1);
    const rows = await sql.all<{ state: string }>('SELECT state FROM sends ORDER BY subscriber_id');
    expect(rows.map((r) => r.state)).toEqual(['expired', 'queued']);
  });

  it('returns each claimed reader\'s section choice as it is at claim time', async () => {
    const a = await add('a@example.com');
    const b = await add('b@example.com');
    await store.sends.queueConfirmed(key, 100);
    await store.subscribers.updatePreferences(b.id, { subscribe: [], unsubscribe: [], sections: { morning: ['Science', 'Politics'] } }, new Date());
    const batch = await store.sends.claim(key, { worker: 'w', limit: 10, ...lease });
    expect(batch.copies.map((c) => (c.status === 'claimed' ? [c.subscriberId, c.sections] : null))).toEqual([
      [a.id, null],
      [b.id, ['Science', 'Politics']],
    ]);
  });

  it('pins the first edition stored for a day and hands that one back to every later caller', async () => {
    expect(await store.sends.pinned(key)).toBeNull();
    expect(await store.sends.pinEdition(key, '{"lead":"first"}')).toBe('{"lead":"first"}');
    const [x, y] = await Promise.all([store.sends.pinEdition(key, '{"lead":"second"}'), store.sends.pinEdition(key, '{"lead":"third"}')]);
    expect([x, y]).toEqual(['{"lead":"first"}', '{"lead":"first"}']);
    expect(await store.sends.pinned(key)).toBe('{"lead":"first"}');
    expect(await store.sends.pinEdition({ newsletter: 'morning', date: '2026-03-09' }, '{"lead":"next day"}')).toBe('{"lead":"next day"}');
  });
});
