import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIRMATION_INTERVAL_MS, createSubscriberStore, type SignUpInput } from '../../src/audience/index.ts';
import { migrations, openDatabase, type Db } from '../../src/db/index.ts';
import { isDaybreakError } from '../../src/errors.ts';

let dir: string;
let db: Db;
let store: ReturnType<typeof createSubscriberStore>;
const t0 = new Date('2026-11-30T12:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const consent = { ip: '203.0.113.7', userAgent: 'Firefox', source: 'https://news.example.com/' };
const input = (email: string, newsletters = ['morning']): SignUpInput => ({ email, name: 'Ann', newsletters, consent });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daybreak-store-'));
  db = openDatabase(join(dir, 'db.sqlite'));
  store = createSubscriberStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('subscriber store', () => {
  it('records a new sign-up as pending with its consent record, and asks for a confirmation mail', () => {
    const outcome = store.signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    expect(outcome).toMatchObject({ pending: ['morning'], sendConfirmation: true, previousConfirmationSentAt: null });
    const ann = store.findByEmail('ann@example.com')!;
    expect(ann).toMatchObject({ name: 'Ann', status: 'active', subscriptions: [{ newsletter: 'morning', status: 'pending' }] });
    expect(ann.consent).toEqual({ at: t0.toISOString(), ip: '203.0.113.7', userAgent: 'Firefox', source: 'https://news.example.com/' });
  });

  it('keeps one row per address and never lets a second sign-up change the name or consent', () => {
    store.signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    store.signUp({ ...input('ann@example.com', ['good-news']), name: 'Mallory', consent: { ip: '198.51.100.1', userAgent: 'bot', source: null } }, later(1000), CONFIRMATION_INTERVAL_MS);
    const all = store.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ name: 'Ann', consent: { ip: '203.0.113.7' } });
    expect(all[0]!.subscriptions.map((s) => s.newsletter).sort()).toEqual(['good-news', 'morning']);
  });

  it('allows one confirmation mail per address per 24 hours', () => {
    expect(store.signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS).sendConfirmation).toBe(true);
    expect(store.signUp(input('ann@example.com'), later(60_000), CONFIRMATION_INTERVAL_MS).sendConfirmation).toBe(false);
    expect(store.signUp(input('ann@example.com'), later(CONFIRMATION_INTERVAL_MS - 1), CONFIRMATION_INTERVAL_MS).sendConfirmation).toBe(false);
    expect(store.signUp(input('ann@example.com'), later(CONFIRMATION_INTERVAL_MS), CONFIRMATION_INTERVAL_MS).sendConfirmation).toBe(true);
  });

  it('sends no confirmation for an address already confirmed, or one that bounced', () => {
    const { subscriberId } = store.signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    store.confirm(subscriberId, ['morning'], 'digest-1', t0);
    expect(store.signUp(input('ann@example.com'), later(CONFIRMATION_INTERVAL_MS * 2), CONFIRMATION_INTERVAL_MS)).toMatchObject({ pending: [], sendConfirmation: false });
    const b = store.signUp(input('bob@example.com'), t0, 0);
    db.prepare('UPDATE subscribers SET bounced = 1 WHERE id = ?').run(b.subscriberId);
    expect(store.signUp(input('bob@example.com'), later(1), 0).sendConfirmation).toBe(false);
    expect(store.findByEmail('bob@example.com')!.status).toBe('bounced');
  });

  it('keys people case-insensitively: case variants share one row and one confirmation per 24 hours, even in one batch', () => {
    expect(store.signUp(input('Ann@example.com'), t0, CONFIRMATION_INTERVAL_MS).sendConfirmation).toBe(true);
    expect(store.signUp(input('ann@example.com'), later(1), CONFIRMATION_INTERVAL_MS).sendConfirmation).toBe(false);
    const batch = store.signUpMany([input('bob@example.com'), input('BOB@example.com'), input('Bob@Example.com')], later(2), CONFIRMATION_INTERVAL_MS);
    expect(batch.map((o) => o.sendConfirmation)).toEqual([true, false, false]);
    expect(new Set(batch.map((o) => o.subscriberId)).size).toBe(1);
    expect(store.list().map((p) => p.email)).toEqual(['Ann@example.com', 'bob@example.com']);
    expect(store.findByEmail('aNN@EXAMPLE.com')!.email).toBe('Ann@example.com');
    expect(store.add({ email: 'ANN@example.com', name: 'Ann B.', newsletters: ['morning'], confirmed: true, source: 'cli' }, t0)).toMatchObject({ created: false, renamed: true });
    expect(store.list()).toHaveLength(2);
  });

  it('refuses a second row for a case variant even from SQL that does not know the key column', () => {
    store.signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    const insert = db.prepare("INSERT INTO subscribers (email, created_at) VALUES (?, '2026-11-30T00:00:00Z')");
    expect(() => insert.run('ANN@example.com')).toThrow(/UNIQUE/);
    insert.run('zed@example.com');
    expect(store.findByEmail('Zed@example.com')!.email).toBe('zed@example.com');
  });

  it('migration 011 keys the oldest of rows that differ only in case, keeps the later ones unkeyed, and remove deletes them all', () => {
    const file = join(dir, 'old.sqlite');
    const old = openDatabase(file, { migrations: migrations.filter((m) => m.id !== '011-audience-email-key') });
    const add = old.prepare("INSERT INTO subscribers (id, email, created_at) VALUES (?, ?, '2026-11-01T00:00:00Z')");
    add.run(1, 'Ann@example.com');
    add.run(2, 'bob@example.com');
    add.run(3, 'ann@example.com');
    old.prepare("INSERT INTO subscriptions (subscriber_id, newsletter, status, created_at, updated_at) VALUES (3, 'morning', 'confirmed', 'x', 'x')").run();
    old.close();
    const upgraded = openDatabase(file);
    try {
      expect(upgraded.prepare('SELECT id, email_key FROM subscribers ORDER BY id').all()).toEqual([
        { id: 1, email_key: 'ann@example.com' },
        { id: 2, email_key: 'bob@example.com' },
        { id: 3, email_key: null },
      ]);
      const s = createSubscriberStore(upgraded);
      // Nothing merged or lost: the later row keeps its subscription (and its links keep working by id).
      expect(s.get(3)!.subscriptions).toEqual([{ newsletter: 'morning', status: 'confirmed' }]);
      expect(s.findByEmail('ANN@example.com')!.id).toBe(1);
      expect(s.signUp(input('aNn@example.com'), t0, CONFIRMATION_INTERVAL_MS).subscriberId).toBe(1);
      expect(s.remove('ann@example.com')).toBe(true);
      expect(s.list().map((p) => p.email)).toEqual(['bob@example.com']);
    } finally {
      upgraded.close();
    }
  });

  it('commits a batch of sign-ups together', () => {
    const outcomes = store.signUpMany([input('a@example.com'), input('b@example.com'), input('a@example.com')], t0, CONFIRMATION_INTERVAL_MS);
    expect(outcomes.map((o) => o.sendConfirmation)).toEqual([true, true, false]);
    expect(store.list()).toHaveLength(2);
  });

  it('confirms once per token digest and refuses the same digest again', () => {
    const { subscriberId } = store.signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    expect(store.confirm(subscriberId, ['morning'], 'd1', t0)).toEqual(['morning']);
    let caught: unknown;
    try {
      store.confirm(subscriberId, ['morning'], 'd1', t0);
    } catch (error) {
      caught = error;
    }
    expect(isDaybreakError(caught, 'ETOKEN')).toBe(true);
    expect(store.isTokenUsed('d1')).toBe(true);
  });

  it('unsubscribes idempotently, from one newsletter or from everything', () => {
    const { subscriberId } = store.signUp(input('ann@example.com', ['morning', 'good-news']), t0, CONFIRMATION_INTERVAL_MS);
    store.confirm(subscriberId, ['morning', 'good-news'], 'd', t0);
    expect(store.unsubscribe(subscriberId, ['morning'], t0)).toEqual(['morning']);
    expect(store.unsubscribe(subscriberId, ['morning'], t0)).toEqual([]);
    expect(store.unsubscribe(subscriberId, ['*'], t0)).toEqual(['good-news']);
    expect(store.unsubscribe(999, ['*'], t0)).toEqual([]);
  });

  it('removes a person with their subscriptions and send rows, and never reuses their id', () => {
    const { subscriberId } = store.signUp(input('ann@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    db.prepare(`INSERT INTO sends (newsletter, edition_date, subscriber_id, state, message_id, queued_at, updated_at) VALUES ('morning', '2026-11-30', ?, 'sent', 'm', 'x', 'x')`).run(subscriberId);
    expect(store.remove('ann@example.com')).toBe(true);
    expect(store.remove('ann@example.com')).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS n FROM subscriptions').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM sends').get()).toEqual({ n: 0 });
    const again = store.signUp(input('bob@example.com'), t0, CONFIRMATION_INTERVAL_MS);
    expect(again.subscriberId).toBeGreaterThan(subscriberId);
  });

  it('adds from the CLI without resurrecting an unsubscribed subscription, idempotently', () => {
    const first = store.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, t0);
    expect(first).toMatchObject({ created: true, changed: ['morning'] });
    expect(store.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, t0)).toMatchObject({ created: false, changed: [] });
    store.unsubscribe(first.id, ['morning'], t0);
    expect(store.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, t0)).toMatchObject({ changed: [], keptUnsubscribed: ['morning'] });
  });

  it('filters the list by person status or subscription status', () => {
    store.add({ email: 'a@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'cli' }, t0);
    store.add({ email: 'b@example.com', name: null, newsletters: ['morning'], confirmed: false, source: 'cli' }, t0);
    db.prepare("UPDATE subscribers SET bounced = 1 WHERE email = 'b@example.com'").run();
    expect(store.list({ status: 'confirmed' }).map((p) => p.email)).toEqual(['a@example.com']);
    expect(store.list({ status: 'pending' }).map((p) => p.email)).toEqual(['b@example.com']);
    expect(store.list({ status: 'bounced' }).map((p) => p.email)).toEqual(['b@example.com']);
    expect(store.list({ status: 'active' }).map((p) => p.email)).toEqual(['a@example.com']);
  });
});
