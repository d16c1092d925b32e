import { ALL_NEWSLETTERS, emailKey } from '../audience/index.ts';
import type {
  AddOutcome,
  Consent,
  OutboxKind,
  SignUpInput,
  SignUpOutcome,
  Subscriber,
  SubscriberStore,
  SubscriptionStatus,
} from '../audience/index.ts';
import { DaybreakError } from '../errors.ts';
import type { SqlClient, SqlRunner } from './sql-client.ts';
import { parseSections } from './stored-sections.ts';

interface SubscriberRow {
  id: number;
  email: string;
  name: string | null;
  created_at: string;
  bounced: number;
  bounced_at: string | null;
  complained_at: string | null;
  consent_at: string | null;
  consent_ip: string | null;
  consent_user_agent: string | null;
  consent_source: string | null;
  last_confirmation_sent_at: string | null;
  timezone: string | null;
}

type Sub = { newsletter: string; status: SubscriptionStatus; sections: string[] | null };
type SubRow = { newsletter: string; status: SubscriptionStatus; sections: string | null };


const toSub = (row: SubRow): Sub => ({ newsletter: row.newsletter, status: row.status, sections: parseSections(row.sections) });

const invalidToken = () => new DaybreakError('ETOKEN', 'This link is invalid or has expired.');

/**
 * Subscribers, subscriptions, used tokens and the outbox rows their changes cause, on either engine.
 *
 * @example
 * const subscribers = createSubscriberRepository(client);
 * await subscribers.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, new Date());
 */
export function createSubscriberRepository(client: SqlClient): SubscriberStore {
  const subsOf = async (db: SqlRunner, id: number) =>
    (await db.all<SubRow>('SELECT newsletter, status, sections FROM subscriptions WHERE subscriber_id = ? ORDER BY created_at, newsletter', [id])).map(toSub);

  const toSubscriber = (row: SubscriberRow, subscriptions: Sub[]): Subscriber => ({
    id: row.id,
    email: row.email,
    name: row.name,
    createdAt: row.created_at,
    // A complaint outranks a bounce: it is the reader's own word.
    status: row.complained_at ? 'complained' : row.bounced ? 'bounced' : 'active',
    bouncedAt: row.bounced_at,
    consent: { at: row.consent_at, ip: row.consent_ip, userAgent: row.consent_user_agent, source: row.consent_source },
    lastConfirmationSentAt: row.last_confirmation_sent_at,
    timezone: row.timezone,
    subscriptions,
  });

  // New ids are assigned here (never reused after a removal). On PostgreSQL two transactions could pick
  // the same one, so writers that insert people take one transaction-scoped lock first; on SQLite the
  // IMMEDIATE write lock already serializes them.
  const lockPeople = async (tx: SqlRunner) => {
    if (client.dialect === 'postgres') await tx.run('SELECT pg_advisory_xact_lock(7283402)');
  };

  const insertPerson = async (tx: SqlRunner, email: string, name: string | null, consent: Consent, now: string, timezone: string | null): Promise<number> => {
    const row = await tx.get<{ id: number }>(
      `SELECT MAX(COALESCE((SELECT MAX(id) FROM subscribers), 0), COALESCE((SELECT MAX(id) FROM subscriber_id_floor), 0)) + 1 AS id`
        .replace('MAX(COALESCE', client.dialect === 'postgres' ? 'GREATEST(COALESCE' : 'MAX(COALESCE'),
    );
    const id = Number(row!.id);
    await tx.run(
      `INSERT INTO subscribers (id, email, email_key, name, created_at, consent_at, consent_ip, consent_user_agent, consent_source, last_signup_at, timezone)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, email, emailKey(email), name, now, now, consent.ip, consent.userAgent, consent.source, now, timezone],
    );
    return id;
  };

  const insertSub = (tx: SqlRunner, id: number, newsletter: string, status: SubscriptionStatus, now: string) =>
    tx.run(
      `INSERT INTO subscriptions (subscriber_id, newsletter, status, created_at, updated_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [id, newsletter, status, now, now, status === 'confirmed' ? now : null],
    );

  const setStatus = (tx: SqlRunner, id: number, newsletter: string, status: SubscriptionStatus, now: string) =>
    tx.run(
      `UPDATE subscriptions SET status = ?, updated_at = ?,
         confirmed_at = CASE WHEN ? = 'confirmed' THEN ? ELSE confirmed_at END,
         unsubscribed_at = CASE WHEN ? = 'unsubscribed' THEN ? ELSE unsubscribed_at END
       WHERE subscriber_id = ? AND newsletter = ?`,
      [status, now, status, now, status, now, id, newsletter],
    );

  const queueMail = (tx: SqlRunner, kind: OutboxKind, subscriberId: number, newsletters: string[], now: string) =>
    tx.run(
      `INSERT INTO outbox (kind, subscriber_id, payload, state, attempts, created_at, next_attempt_at) VALUES (?, ?, ?, 'queued', 0, ?, ?)`,
      [kind, subscriberId, JSON.stringify({ newsletters }), now, now],
    );

  const byKey = (db: SqlRunner, email: string) => db.get<SubscriberRow>('SELECT * FROM subscribers WHERE email_key = ?', [emailKey(email)]);
  const byId = (db: SqlRunner, id: number) => db.get<SubscriberRow>('SELECT * FROM subscribers WHERE id = ?', [id]);

  const signUpOne = async (tx: SqlRunner, input: SignUpInput, now: Date, intervalMs: number): Promise<SignUpOutcome> => {
    const at = now.toISOString();
    const row = await byKey(tx, input.email);
    const id = row ? row.id : await insertPerson(tx, input.email, input.name, input.consent, at, input.timezone ?? null);
    if (row) await tx.run('UPDATE subscribers SET last_signup_at = ? WHERE id = ?', [at, id]);
    const existing = new Map((await subsOf(tx, id)).map((s) => [s.newsletter, s.status]));
    for (const newsletter of input.newsletters) {
      const status = existing.get(newsletter);
      if (status === undefined) await insertSub(tx, id, newsletter, 'pending', at);
      // Signing up again after leaving needs a fresh confirmation; until then nothing is sent.
      else if (status === 'unsubscribed') await setStatus(tx, id, newsletter, 'pending', at);
    }
    const pending = (await subsOf(tx, id)).filter((s) => s.status === 'pending').map((s) => s.newsletter);
    const previous = row?.last_confirmation_sent_at ?? null;
    const due = previous === null || now.getTime() - Date.parse(previous) >= intervalMs;
    const sendConfirmation = pending.length > 0 && !row?.bounced && due;
    if (sendConfirmation) {
      // The limit counts the queued mail: the outbox makes sure it goes.
      await tx.run('UPDATE subscribers SET last_confirmation_sent_at = ? WHERE id = ?', [at, id]);
      await queueMail(tx, 'confirmation', id, pending, at);
    }
    return { subscriberId: id, pending, sendConfirmation };
  };

  return {
    async get(id) {
      const row = await byId(client, id);
      return row && toSubscriber(row, await subsOf(client, row.id));
    },

    async findByEmail(email) {
      const row = await byKey(client, email);
      return row && toSubscriber(row, await subsOf(client, row.id));
    },

    signUpMany(inputs, now, intervalMs) {
      return client.transaction(async (tx) => {
        await lockPeople(tx);
        const out: SignUpOutcome[] = [];
        for (const input of inputs) out.push(await signUpOne(tx, input, now, intervalMs));
        return out;
      });
    },

    add(input, now): Promise<AddOutcome> {
      const at = now.toISOString();
      return client.transaction(async (tx) => {
        await lockPeople(tx);
        const row = await byKey(tx, input.email);
        const id = row ? row.id : await insertPerson(tx, input.email, input.name, { ip: null, userAgent: null, source: input.source }, at, input.timezone ?? null);
        const renamed = !!row && input.name !== null && input.name !== row.name;
        if (renamed) await tx.run('UPDATE subscribers SET name = ? WHERE id = ?', [input.name, id]);
        if (row && input.timezone != null && input.timezone !== row.timezone) await tx.run('UPDATE subscribers SET timezone = ? WHERE id = ?', [input.timezone, id]);
        const existing = new Map((await subsOf(tx, id)).map((s) => [s.newsletter, s.status]));
        const changed: string[] = [];
        const keptUnsubscribed: string[] = [];
        const target: SubscriptionStatus = input.confirmed ? 'confirmed' : 'pending';
        for (const newsletter of input.newsletters) {
          const status = existing.get(newsletter);
          if (status === undefined) {
            await insertSub(tx, id, newsletter, target, at);
            changed.push(newsletter);
          } else if (status === 'unsubscribed') {
            keptUnsubscribed.push(newsletter);
          } else if (status === 'pending' && target === 'confirmed') {
            await setStatus(tx, id, newsletter, 'confirmed', at);
            changed.push(newsletter);
          }
        }
        return { id, created: !row, changed, keptUnsubscribed, renamed };
      });
    },

    async isTokenUsed(digest) {
      return (await client.get('SELECT digest FROM used_tokens WHERE digest = ?', [digest])) !== undefined;
    },

    confirm(subscriberId, newsletters, tokenDigest, now) {
      const at = now.toISOString();
      return client.transaction(async (tx) => {
        if (await tx.get('SELECT digest FROM used_tokens WHERE digest = ?', [tokenDigest])) throw invalidToken();
        const person = await byId(tx, subscriberId);
        if (!person) throw invalidToken();
        await tx.run('INSERT INTO used_tokens (digest, used_at) VALUES (?, ?)', [tokenDigest, at]);
        const existing = new Map((await subsOf(tx, subscriberId)).map((s) => [s.newsletter, s.status]));
        const changed: string[] = [];
        for (const newsletter of newsletters) {
          const status = existing.get(newsletter);
          if (status === 'confirmed') continue;
          if (status === undefined) await insertSub(tx, subscriberId, newsletter, 'confirmed', at);
          else await setStatus(tx, subscriberId, newsletter, 'confirmed', at);
          changed.push(newsletter);
        }
        if (changed.length > 0 && !person.bounced) await queueMail(tx, 'welcome', subscriberId, changed, at);
        return changed;
      });
    },

    unsubscribe(subscriberId, newsletters, now, options = {}) {
      const at = now.toISOString();
      return client.transaction(async (tx) => {
        const subs = await subsOf(tx, subscriberId);
        const all = newsletters.includes(ALL_NEWSLETTERS);
        const changed: string[] = [];
        for (const s of subs) {
          if ((all || newsletters.includes(s.newsletter)) && s.status !== 'unsubscribed') {
            await setStatus(tx, subscriberId, s.newsletter, 'unsubscribed', at);
            changed.push(s.newsletter);
          }
        }
        if (options.notify && changed.length > 0) {
          const person = await byId(tx, subscriberId);
          if (person && !person.bounced) await queueMail(tx, 'unsubscribed', subscriberId, changed, at);
        }
        return changed;
      });
    },

    async list(filter = {}) {
      const byPerson = new Map<number, Sub[]>();
      const subs = await client.all<SubRow & { subscriber_id: number }>(
        'SELECT subscriber_id, newsletter, status, sections FROM subscriptions ORDER BY subscriber_id, created_at, newsletter',
      );
      for (const s of subs) {
        const list = byPerson.get(s.subscriber_id) ?? [];
        list.push(toSub(s));
        byPerson.set(s.subscriber_id, list);
      }
      const rows = await client.all<SubscriberRow>('SELECT * FROM subscribers ORDER BY id');
      const people = rows.map((row) => toSubscriber(row, byPerson.get(row.id) ?? []));
      const status = filter.status;
      if (!status) return people;
      if (status === 'active' || status === 'bounced' || status === 'complained') return people.filter((p) => p.status === status);
      return people.filter((p) => p.subscriptions.some((s) => s.status === status));
    },

    remove(email) {
      return client.transaction(async (tx) => {
        await lockPeople(tx);
        const key = emailKey(email);
        const rows = await tx.all<{ id: number }>(
          'SELECT id FROM subscribers WHERE email_key = ? OR (email_key IS NULL AND lower(email) = ?) ORDER BY id',
          [key, key],
        );
        if (rows.length === 0) return false;
        for (const { id } of rows) {
          await tx.run('DELETE FROM sends WHERE subscriber_id = ?', [id]);
          await tx.run('DELETE FROM outbox WHERE subscriber_id = ?', [id]);
          await tx.run('DELETE FROM subscribers WHERE id = ?', [id]);
        }
        const highest = rows[rows.length - 1]!.id;
        await tx.run('INSERT INTO subscriber_id_floor (id) VALUES (?)', [highest]);
        await tx.run('DELETE FROM subscriber_id_floor WHERE id < ?', [highest]);
        return true;
      });
    },

    updatePreferences(subscriberId, change, now) {
      const at = now.toISOString();
      return client.transaction(async (tx) => {
        const person = await byId(tx, subscriberId);
        if (!person) return undefined;
        const existing = new Map((await subsOf(tx, subscriberId)).map((s) => [s.newsletter, s.status]));
        const subscribed: string[] = [];
        const unsubscribed: string[] = [];
        for (const newsletter of change.subscribe) {
          const status = existing.get(newsletter);
          if (status === 'confirmed') continue;
          if (status === undefined) await insertSub(tx, subscriberId, newsletter, 'confirmed', at);
          else await setStatus(tx, subscriberId, newsletter, 'confirmed', at);
          existing.set(newsletter, 'confirmed');
          subscribed.push(newsletter);
        }
        for (const newsletter of change.unsubscribe) {
          const status = existing.get(newsletter);
          if (status === undefined || status === 'unsubscribed') continue;
          await setStatus(tx, subscriberId, newsletter, 'unsubscribed', at);
          unsubscribed.push(newsletter);
        }
        for (const [newsletter, sections] of Object.entries(change.sections)) {
          // Only a subscription that exists carries a choice; there is nothing to filter otherwise.
          if (!existing.has(newsletter)) continue;
          await tx.run('UPDATE subscriptions SET sections = ?, updated_at = ? WHERE subscriber_id = ? AND newsletter = ?', [
            sections === null ? null : JSON.stringify(sections), at, subscriberId, newsletter,
          ]);
        }
        if (change.name !== undefined) await tx.run('UPDATE subscribers SET name = ? WHERE id = ?', [change.name, subscriberId]);
        if (change.timezone !== undefined) await tx.run('UPDATE subscribers SET timezone = ? WHERE id = ?', [change.timezone, subscriberId]);
        if (change.notify && unsubscribed.length > 0 && !person.bounced) await queueMail(tx, 'unsubscribed', subscriberId, unsubscribed, at);
        return { subscribed, unsubscribed };
      });
    },
  };
}
