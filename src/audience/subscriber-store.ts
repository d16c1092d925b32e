import { writeTransaction, type Db } from '../db/index.ts';
import { DaybreakError } from '../errors.ts';
import { emailKey } from './email-address.ts';
import { ALL_NEWSLETTERS } from './tokens.ts';

export type SubscriptionStatus = 'pending' | 'confirmed' | 'unsubscribed';
/** The person's own status: `bounced` once the sender saw a permanent failure for the address. */
export type PersonStatus = 'active' | 'bounced';

export interface Consent {
  ip: string | null;
  userAgent: string | null;
  /** The page the sign-up came from (the form's `source` field, else Origin/Referer), or `cli`, `import:FILE`. */
  source: string | null;
}

export interface Subscriber {
  id: number;
  email: string;
  name: string | null;
  createdAt: string;
  status: PersonStatus;
  bouncedAt: string | null;
  consent: Consent & { at: string | null };
  lastConfirmationSentAt: string | null;
  subscriptions: { newsletter: string; status: SubscriptionStatus }[];
}

export interface SignUpInput {
  /** Already normalized (EmailSchema). */
  email: string;
  name: string | null;
  newsletters: string[];
  consent: Consent;
}

export interface SignUpOutcome {
  subscriberId: number;
  /** Every newsletter of this person still awaiting confirmation (the confirmation mail covers them all). */
  pending: string[];
  /** True when a confirmation mail is due: something is pending, the address has not bounced, and none went out in the interval. */
  sendConfirmation: boolean;
  /** The previous last_confirmation_sent_at, to put back if the mail then fails to go out. */
  previousConfirmationSentAt: string | null;
}

export interface AddInput {
  email: string;
  name: string | null;
  newsletters: string[];
  confirmed: boolean;
  source: string;
}

/** `renamed`: an existing person's name was replaced by the one given (the operator's word wins; none given keeps it). */
export type AddOutcome = { id: number; created: boolean; changed: string[]; keptUnsubscribed: string[]; renamed: boolean };

interface SubscriberRow {
  id: number;
  email: string;
  name: string | null;
  created_at: string;
  bounced: number;
  bounced_at: string | null;
  consent_at: string | null;
  consent_ip: string | null;
  consent_user_agent: string | null;
  consent_source: string | null;
  last_confirmation_sent_at: string | null;
}

export type SubscriberStore = ReturnType<typeof createSubscriberStore>;

/**
 * The subscriber store over the SQLite tables of src/db (subscribers, subscriptions, used_tokens).
 * Every write runs in an IMMEDIATE transaction; a caller hears back only after the commit.
 *
 * @example
 * const store = createSubscriberStore(openDatabase('var/daybreak.db'));
 * store.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, new Date());
 */
export function createSubscriberStore(db: Db) {
  const q = {
    // By key (migration 011): case variants of one address are one person.
    byKey: db.prepare<[string], SubscriberRow>('SELECT * FROM subscribers WHERE email_key = ?'),
    // Every row of an address: the keyed one and any unkeyed duplicates left by migration 011's backfill.
    allOfAddress: db.prepare<[string, string], { id: number }>(
      'SELECT id FROM subscribers WHERE email_key = ? OR (email_key IS NULL AND lower(email) = ?) ORDER BY id',
    ),
    byId: db.prepare<[number], SubscriberRow>('SELECT * FROM subscribers WHERE id = ?'),
    nextId: db.prepare<[], { id: number }>(
      'SELECT MAX(COALESCE((SELECT MAX(id) FROM subscribers), 0), COALESCE((SELECT MAX(id) FROM subscriber_id_floor), 0)) + 1 AS id',
    ),
    insert: db.prepare(
      `INSERT INTO subscribers (id, email, email_key, name, created_at, consent_at, consent_ip, consent_user_agent, consent_source, last_signup_at)
       VALUES (@id, @email, @key, @name, @now, @now, @ip, @userAgent, @source, @now)`,
    ),
    touch: db.prepare<[string, number]>('UPDATE subscribers SET last_signup_at = ? WHERE id = ?'),
    setName: db.prepare<[string, number]>('UPDATE subscribers SET name = ? WHERE id = ?'),
    setConfirmationSent: db.prepare<[string | null, number]>('UPDATE subscribers SET last_confirmation_sent_at = ? WHERE id = ?'),
    subs: db.prepare<[number], { newsletter: string; status: SubscriptionStatus }>(
      'SELECT newsletter, status FROM subscriptions WHERE subscriber_id = ? ORDER BY created_at, newsletter',
    ),
    insertSub: db.prepare(
      `INSERT INTO subscriptions (subscriber_id, newsletter, status, created_at, updated_at, confirmed_at)
       VALUES (@id, @newsletter, @status, @now, @now, CASE WHEN @status = 'confirmed' THEN @now END)`,
    ),
    setStatus: db.prepare(
      `UPDATE subscriptions SET status = @status, updated_at = @now,
         confirmed_at = CASE WHEN @status = 'confirmed' THEN @now ELSE confirmed_at END,
         unsubscribed_at = CASE WHEN @status = 'unsubscribed' THEN @now ELSE unsubscribed_at END
       WHERE subscriber_id = @id AND newsletter = @newsletter`,
    ),
    tokenUsed: db.prepare<[string], { digest: string }>('SELECT digest FROM used_tokens WHERE digest = ?'),
    useToken: db.prepare<[string, string]>('INSERT INTO used_tokens (digest, used_at) VALUES (?, ?)'),
    all: db.prepare<[], SubscriberRow>('SELECT * FROM subscribers ORDER BY id'),
    allSubs: db.prepare<[], { subscriber_id: number; newsletter: string; status: SubscriptionStatus }>(
      'SELECT subscriber_id, newsletter, status FROM subscriptions ORDER BY subscriber_id, created_at, newsletter',
    ),
    remove: db.prepare<[number]>('DELETE FROM subscribers WHERE id = ?'),
    removeSends: db.prepare<[number]>('DELETE FROM sends WHERE subscriber_id = ?'),
    raiseFloor: db.prepare<[number]>('INSERT INTO subscriber_id_floor (id) VALUES (?)'),
    trimFloor: db.prepare<[number]>('DELETE FROM subscriber_id_floor WHERE id < ?'),
  };

  const toSubscriber = (row: SubscriberRow, subscriptions = q.subs.all(row.id)): Subscriber => ({
    id: row.id,
    email: row.email,
    name: row.name,
    createdAt: row.created_at,
    status: row.bounced ? 'bounced' : 'active',
    bouncedAt: row.bounced_at,
    consent: { at: row.consent_at, ip: row.consent_ip, userAgent: row.consent_user_agent, source: row.consent_source },
    lastConfirmationSentAt: row.last_confirmation_sent_at,
    subscriptions,
  });

  const insertPerson = (email: string, name: string | null, consent: Consent, now: string): number => {
    const id = q.nextId.get()!.id;
    q.insert.run({ id, email, key: emailKey(email), name, now, ip: consent.ip, userAgent: consent.userAgent, source: consent.source });
    return id;
  };

  /**
   * The sign-up write, meant to run inside a write transaction (see signUp / signUpMany). Always writes
   * (a new row, or last_signup_at), so every address costs the same commit: no timing oracle.
   * A stranger can't change an existing person's name or consent record; only their pending set grows.
   */
  const signUpInTransaction = (input: SignUpInput, now: Date, confirmationIntervalMs: number): SignUpOutcome => {
    const at = now.toISOString();
    const row = q.byKey.get(emailKey(input.email));
    const id = row ? row.id : insertPerson(input.email, input.name, input.consent, at);
    if (row) q.touch.run(at, id);
    const existing = new Map(q.subs.all(id).map((s) => [s.newsletter, s.status]));
    for (const newsletter of input.newsletters) {
      const status = existing.get(newsletter);
      if (status === undefined) q.insertSub.run({ id, newsletter, status: 'pending', now: at });
      // Signing up again after leaving needs a fresh confirmation; until then nothing is sent.
      else if (status === 'unsubscribed') q.setStatus.run({ id, newsletter, status: 'pending', now: at });
    }
    const pending = q.subs.all(id).filter((s) => s.status === 'pending').map((s) => s.newsletter);
    const previous = row?.last_confirmation_sent_at ?? null;
    const due = previous === null || now.getTime() - Date.parse(previous) >= confirmationIntervalMs;
    const sendConfirmation = pending.length > 0 && !row?.bounced && due;
    if (sendConfirmation) q.setConfirmationSent.run(at, id);
    return { subscriberId: id, pending, sendConfirmation, previousConfirmationSentAt: previous };
  };

  return {
    get(id: number): Subscriber | undefined {
      const row = q.byId.get(id);
      return row && toSubscriber(row);
    },

    /** Case-insensitive: `Ann@example.com` and `ann@EXAMPLE.com` find the same person. */
    findByEmail(email: string): Subscriber | undefined {
      const row = q.byKey.get(emailKey(email));
      return row && toSubscriber(row);
    },

    signUp(input: SignUpInput, now: Date, confirmationIntervalMs: number): SignUpOutcome {
      return writeTransaction(db, () => signUpInTransaction(input, now, confirmationIntervalMs));
    },

    /**
     * Group commit: several sign-ups in one IMMEDIATE transaction, so a burst costs one fsync instead of
     * one each. All or nothing: the caller acknowledges none of them unless this returns.
     */
    signUpMany(inputs: SignUpInput[], now: Date, confirmationIntervalMs: number): SignUpOutcome[] {
      return writeTransaction(db, () => inputs.map((input) => signUpInTransaction(input, now, confirmationIntervalMs)));
    },

    /** Puts back the confirmation time when the mail could not be sent, so the person may try again. */
    restoreConfirmationSentAt(id: number, previous: string | null, ifCurrently: string): void {
      writeTransaction(db, () => {
        if (q.byId.get(id)?.last_confirmation_sent_at === ifCurrently) q.setConfirmationSent.run(previous, id);
      });
    },

    /** The CLI's add/import: never resurrects an unsubscribed subscription (an opt-out wins over an old list). */
    add(input: AddInput, now: Date): AddOutcome {
      const at = now.toISOString();
      return writeTransaction(db, () => {
        const row = q.byKey.get(emailKey(input.email));
        const id = row ? row.id : insertPerson(input.email, input.name, { ip: null, userAgent: null, source: input.source }, at);
        const renamed = !!row && input.name !== null && input.name !== row.name;
        if (renamed) q.setName.run(input.name!, id);
        const existing = new Map(q.subs.all(id).map((s) => [s.newsletter, s.status]));
        const changed: string[] = [];
        const keptUnsubscribed: string[] = [];
        const target: SubscriptionStatus = input.confirmed ? 'confirmed' : 'pending';
        for (const newsletter of input.newsletters) {
          const status = existing.get(newsletter);
          if (status === undefined) {
            q.insertSub.run({ id, newsletter, status: target, now: at });
            changed.push(newsletter);
          } else if (status === 'unsubscribed') {
            keptUnsubscribed.push(newsletter);
          } else if (status === 'pending' && target === 'confirmed') {
            q.setStatus.run({ id, newsletter, status: 'confirmed', now: at });
            changed.push(newsletter);
          }
        }
        return { id, created: !row, changed, keptUnsubscribed, renamed };
      });
    },

    isTokenUsed(digest: string): boolean {
      return q.tokenUsed.get(digest) !== undefined;
    },

    /**
     * Confirms the named subscriptions and burns the token in the same transaction, so it works once.
     * Returns the newsletters that changed to confirmed.
     */
    confirm(subscriberId: number, newsletters: string[], tokenDigest: string, now: Date): string[] {
      const at = now.toISOString();
      return writeTransaction(db, () => {
        if (q.tokenUsed.get(tokenDigest)) throw new DaybreakError('ETOKEN', 'This link is invalid or has expired.');
        if (!q.byId.get(subscriberId)) throw new DaybreakError('ETOKEN', 'This link is invalid or has expired.');
        q.useToken.run(tokenDigest, at);
        const existing = new Map(q.subs.all(subscriberId).map((s) => [s.newsletter, s.status]));
        const changed: string[] = [];
        for (const newsletter of newsletters) {
          const status = existing.get(newsletter);
          if (status === 'confirmed') continue;
          if (status === undefined) q.insertSub.run({ id: subscriberId, newsletter, status: 'confirmed', now: at });
          else q.setStatus.run({ id: subscriberId, newsletter, status: 'confirmed', now: at });
          changed.push(newsletter);
        }
        return changed;
      });
    },

    /** Idempotent: unsubscribing twice, or a person since removed, changes nothing and is no error. */
    unsubscribe(subscriberId: number, newsletters: string[], now: Date): string[] {
      const at = now.toISOString();
      return writeTransaction(db, () => {
        const subs = q.subs.all(subscriberId);
        const all = newsletters.includes(ALL_NEWSLETTERS);
        const changed: string[] = [];
        for (const s of subs) {
          if ((all || newsletters.includes(s.newsletter)) && s.status !== 'unsubscribed') {
            q.setStatus.run({ id: subscriberId, newsletter: s.newsletter, status: 'unsubscribed', now: at });
            changed.push(s.newsletter);
          }
        }
        return changed;
      });
    },

    /**
     * Everyone with their subscriptions. `status` filters on the person (`active`, `bounced`) or on having
     * a subscription in that state (`pending`, `confirmed`, `unsubscribed`).
     */
    list(filter: { status?: PersonStatus | SubscriptionStatus } = {}): Subscriber[] {
      const byPerson = new Map<number, { newsletter: string; status: SubscriptionStatus }[]>();
      for (const s of q.allSubs.all()) {
        const list = byPerson.get(s.subscriber_id) ?? [];
        list.push({ newsletter: s.newsletter, status: s.status });
        byPerson.set(s.subscriber_id, list);
      }
      const people = q.all.all().map((row) => toSubscriber(row, byPerson.get(row.id) ?? []));
      const status = filter.status;
      if (!status) return people;
      if (status === 'active' || status === 'bounced') return people.filter((p) => p.status === status);
      return people.filter((p) => p.subscriptions.some((s) => s.status === status));
    },

    /**
     * Deletes the person, whatever the case of the address: their row (and any unkeyed duplicate left by
     * migration 011), subscriptions (cascade) and send-ledger rows. Their ids are never reused.
     */
    remove(email: string): boolean {
      return writeTransaction(db, () => {
        const key = emailKey(email);
        const rows = q.allOfAddress.all(key, key);
        if (rows.length === 0) return false;
        for (const { id } of rows) {
          q.removeSends.run(id);
          q.remove.run(id);
        }
        const highest = rows[rows.length - 1]!.id;
        q.raiseFloor.run(highest);
        q.trimFloor.run(highest);
        return true;
      });
    },
  };
}
