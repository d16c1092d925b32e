import { writeTransaction, type Db } from '../db/index.ts';
import type { ClaimResult, LockResult, SendState, SendStore } from './send-store.ts';

const STATES: SendState[] = ['queued', 'sending', 'sent', 'deferred', 'failed', 'skipped', 'expired'];

/**
 * The send ledger over better-sqlite3 (tables `sends`, `send_locks`, `subscribers`, `subscriptions` of
 * migration 001-core). Every write is one IMMEDIATE transaction (writeTransaction), short, and never
 * spans network I/O: the sender awaits SMTP between calls, never inside one.
 *
 * @example
 * const store = createSqliteSendStore(openDatabase(process.env.DAYBREAK_DB ?? 'var/daybreak.db'));
 */
export function createSqliteSendStore(db: Db): SendStore {
  const q = {
    lockRead: db.prepare<[string, string], { holder: string; expires_at: string }>(
      'SELECT holder, expires_at FROM send_locks WHERE newsletter = ? AND edition_date = ?',
    ),
    lockUpsert: db.prepare(
      `INSERT INTO send_locks (newsletter, edition_date, holder, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (newsletter, edition_date) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`,
    ),
    lockSteal: db.prepare('UPDATE send_locks SET holder = ?, expires_at = ? WHERE newsletter = ? AND edition_date = ? AND holder = ?'),
    lockRenew: db.prepare('UPDATE send_locks SET expires_at = ? WHERE newsletter = ? AND edition_date = ? AND holder = ?'),
    lockRelease: db.prepare('DELETE FROM send_locks WHERE newsletter = ? AND edition_date = ? AND holder = ?'),
    expire: db.prepare(
      `UPDATE sends SET state = 'expired', updated_at = ?, next_attempt_at = NULL
       WHERE newsletter = ? AND edition_date < ? AND state IN ('queued', 'sending', 'deferred')`,
    ),
    confirmedAfter: db.prepare<[string, number, number], { id: number }>(
      `SELECT sub.subscriber_id AS id FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
       WHERE sub.newsletter = ? AND sub.status = 'confirmed' AND s.bounced = 0 AND sub.subscriber_id > ?
       ORDER BY sub.subscriber_id LIMIT ?`,
    ),
    countConfirmed: db.prepare<[string], { n: number }>(
      `SELECT count(*) AS n FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
       WHERE sub.newsletter = ? AND sub.status = 'confirmed' AND s.bounced = 0`,
    ),
    insert: db.prepare(
      `INSERT OR IGNORE INTO sends (newsletter, edition_date, subscriber_id, state, attempts, message_id, queued_at, updated_at)
       VALUES (?, ?, ?, 'queued', 0, ?, ?, ?)`,
    ),
    pendingAfter: db.prepare<[string, string, number, number], { id: number }>(
      `SELECT subscriber_id AS id FROM sends
       WHERE newsletter = ? AND edition_date = ? AND state IN ('queued', 'sending', 'deferred') AND subscriber_id > ?
       ORDER BY subscriber_id LIMIT ?`,
    ),
    claimRead: db.prepare<[string, string, number], {
      state: SendState; attempts: number; message_id: string; email: string | null; name: string | null; bounced: number | null; status: string | null;
    }>(
      `SELECT se.state, se.attempts, se.message_id, s.email, s.name, s.bounced, sub.status
       FROM sends se
       LEFT JOIN subscribers s ON s.id = se.subscriber_id
       LEFT JOIN subscriptions sub ON sub.subscriber_id = se.subscriber_id AND sub.newsletter = se.newsletter
       WHERE se.newsletter = ? AND se.edition_date = ? AND se.subscriber_id = ?`,
    ),
    markSending: db.prepare(
      `UPDATE sends SET state = 'sending', attempts = attempts + 1, updated_at = ?, next_attempt_at = NULL
       WHERE newsletter = ? AND edition_date = ? AND subscriber_id = ?`,
    ),
    markSkipped: db.prepare(
      `UPDATE sends SET state = 'skipped', last_reply = ?, updated_at = ?, next_attempt_at = NULL
       WHERE newsletter = ? AND edition_date = ? AND subscriber_id = ?`,
    ),
    record: db.prepare(
      `UPDATE sends SET state = ?, last_reply = ?, updated_at = ?, next_attempt_at = ?,
         sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
       WHERE newsletter = ? AND edition_date = ? AND subscriber_id = ? AND state = 'sending'`,
    ),
    bounce: db.prepare('UPDATE subscribers SET bounced = 1, bounced_at = ? WHERE id = ? AND bounced = 0'),
    counts: db.prepare<[string, string], { state: SendState; n: number }>(
      'SELECT state, count(*) AS n FROM sends WHERE newsletter = ? AND edition_date = ? GROUP BY state',
    ),
  };

  const expiry = (ttlMs: number) => new Date(Date.now() + ttlMs).toISOString();

  return {
    async acquireLock(key, holder, ttlMs): Promise<LockResult> {
      return writeTransaction(db, () => {
        const now = new Date().toISOString();
        const current = q.lockRead.get(key.newsletter, key.date);
        if (current && current.holder !== holder && current.expires_at > now) {
          return { acquired: false, holder: current.holder, expiresAt: current.expires_at };
        }
        q.lockUpsert.run(key.newsletter, key.date, holder, expiry(ttlMs));
        return { acquired: true };
      });
    },
    async stealLock(key, holder, fromHolder, ttlMs) {
      return writeTransaction(db, () => q.lockSteal.run(holder, expiry(ttlMs), key.newsletter, key.date, fromHolder).changes === 1);
    },
    async renewLock(key, holder, ttlMs) {
      return writeTransaction(db, () => q.lockRenew.run(expiry(ttlMs), key.newsletter, key.date, holder).changes === 1);
    },
    async releaseLock(key, holder) {
      writeTransaction(db, () => q.lockRelease.run(key.newsletter, key.date, holder));
    },
    async expireEarlierEditions(key) {
      return writeTransaction(db, () => q.expire.run(new Date().toISOString(), key.newsletter, key.date).changes);
    },
    async queueConfirmed(key, messageIdFor, batchSize) {
      let after = 0;
      let added = 0;
      for (;;) {
        const ids = q.confirmedAfter.all(key.newsletter, after, batchSize).map((r) => r.id);
        if (ids.length === 0) break;
        const now = new Date().toISOString();
        added += writeTransaction(db, () => {
          let n = 0;
          for (const id of ids) n += q.insert.run(key.newsletter, key.date, id, messageIdFor(id), now, now).changes;
          return n;
        });
        after = ids[ids.length - 1]!;
        // Let timers (the lock heartbeat) and I/O run between batches of a long list.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return added;
    },
    async countConfirmed(newsletter) {
      return q.countConfirmed.get(newsletter)?.n ?? 0;
    },
    async pendingAfter(key, afterSubscriberId, limit) {
      return q.pendingAfter.all(key.newsletter, key.date, afterSubscriberId, limit).map((r) => r.id);
    },
    async claim(key, subscriberIds) {
      return writeTransaction(db, () => {
        const now = new Date().toISOString();
        return subscriberIds.map((subscriberId): ClaimResult => {
          const row = q.claimRead.get(key.newsletter, key.date, subscriberId);
          if (!row || !(row.state === 'queued' || row.state === 'sending' || row.state === 'deferred')) {
            return { status: 'gone', subscriberId };
          }
          const reason = row.email === null
            ? 'subscriber deleted'
            : row.bounced
              ? 'subscriber bounced'
              : row.status !== 'confirmed'
                ? `subscription ${row.status ?? 'removed'}`
                : null;
          if (reason) {
            q.markSkipped.run(reason, now, key.newsletter, key.date, subscriberId);
            return { status: 'skipped', subscriberId, reason };
          }
          q.markSending.run(now, key.newsletter, key.date, subscriberId);
          return {
            status: 'claimed',
            subscriberId,
            email: row.email!,
            name: row.name,
            messageId: row.message_id,
            attempts: row.attempts + 1,
          };
        });
      });
    },
    async record(key, outcomes) {
      if (outcomes.length === 0) return;
      writeTransaction(db, () => {
        const now = new Date().toISOString();
        for (const o of outcomes) {
          q.record.run(o.state, o.reply.slice(0, 1000), now, o.nextAttemptAt ?? null, o.state, now, key.newsletter, key.date, o.subscriberId);
          if (o.bounce) q.bounce.run(now, o.subscriberId);
        }
      });
    },
    async counts(key) {
      const out = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<SendState, number>;
      for (const row of q.counts.all(key.newsletter, key.date)) out[row.state] = row.n;
      return out;
    },
  };
}
