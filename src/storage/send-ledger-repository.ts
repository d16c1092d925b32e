import type { ClaimBatch, ClaimResult, CopyOutcome, DueAt, SendState, SendStore, Wave } from '../delivery/index.ts';
import type { SqlClient, SqlRunner } from './sql-client.ts';
import { parseSections } from './stored-sections.ts';

const STATES: SendState[] = ['queued', 'sending', 'sent', 'deferred', 'failed', 'skipped', 'expired'];
/** SQLite binds at most 32,766 parameters per statement; PostgreSQL 65,535. Lists are cut well below. */
const IN_CHUNK = 500;

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');


/**
 * `CASE <column> WHEN ? THEN ? … ELSE ? END` mapping each stored timezone to its due time, with the
 * parameters: a set-based UPDATE/INSERT however many readers share a zone.
 */
function dueCase(column: string, zones: (string | null)[], dueAt: DueAt): { sql: string; params: string[] } {
  const named = zones.filter((z): z is string => z !== null);
  const params: string[] = [];
  let sql = 'CASE';
  for (const zone of named) {
    sql += ` WHEN ${column} = ? THEN ?`;
    params.push(zone, dueAt(zone).toISOString());
  }
  sql += ' ELSE ? END';
  params.push(dueAt(null).toISOString());
  return { sql: named.length === 0 ? '?' : sql, params: named.length === 0 ? [params[params.length - 1]!] : params };
}

function chunks<T>(list: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * The send ledger (table `sends`) on either engine. A copy is claimable when it is `queued`, `deferred`
 * with its retry time come, or `sending` under a lease that ran out (its process died). Claims take rows
 * in subscriber order; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass each other's
 * rows instead of waiting, on SQLite the write lock serializes claims. Leases and retry times use the
 * database's clock, never a process's own.
 *
 * @example
 * const ledger = createSendLedgerRepository(client);
 * const { copies } = await ledger.claim({ newsletter: 'morning', date: '2026-12-07' }, { worker, limit: 100, leaseSeconds: 60 });
 */
export function createSendLedgerRepository(client: SqlClient & { checkpoint?(): Promise<void> }): SendStore {
  const NOW = client.now();
  // A copy's due time is the app's (a reader's local 06:00), so it is compared with the caller's clock
  // when one is given (COALESCE(?, now)); leases and retry times stay on the database's.
  const BY = `COALESCE(CAST(? AS TEXT), ${NOW})`;
  /** Rows due besides the queued ones: deferred copies whose time has come, and leases that ran out. */
  const OTHER_DUE = `((state = 'deferred' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ${NOW})
      OR (state = 'sending' AND (lease_until IS NULL OR lease_until < ${NOW})))`;
  const zonesOfQueued = (db: SqlRunner, key: { newsletter: string; date: string }) =>
    db.all<{ timezone: string | null }>(
      `SELECT DISTINCT s.timezone FROM sends x JOIN subscribers s ON s.id = x.subscriber_id
       WHERE x.newsletter = ? AND x.edition_date = ? AND x.state = 'queued'`,
      [key.newsletter, key.date],
    );

  /** Meters the fleet's claims: how many copies may start now, and when more may. */
  async function meter(tx: SqlRunner, wanted: number, ratePerSecond: number): Promise<{ allowed: number; retryInMs: number }> {
    const windowMs = ratePerSecond >= 1 ? 1000 : 1000 / ratePerSecond;
    const capacity = ratePerSecond >= 1 ? Math.floor(ratePerSecond) : 1;
    const clock = await tx.get<{ now: string }>(`SELECT ${NOW} AS now`);
    const nowMs = Date.parse(clock!.now);
    const window = String(Math.floor(nowMs / windowMs));
    const row = await tx.get<{ second: string; used: number }>(
      `SELECT second, used FROM send_rate WHERE bucket = 'fleet' ${client.dialect === 'postgres' ? 'FOR UPDATE' : ''}`,
    );
    const used = row && row.second === window ? row.used : 0;
    const allowed = Math.max(0, Math.min(wanted, capacity - used));
    if (allowed > 0) {
      await tx.run(
        `INSERT INTO send_rate (bucket, second, used) VALUES ('fleet', ?, ?)
         ON CONFLICT (bucket) DO UPDATE SET second = excluded.second, used = excluded.used`,
        [window, used + allowed],
      );
    }
    const retryInMs = Math.max(1, (Number(window) + 1) * windowMs - nowMs);
    return { allowed, retryInMs };
  }

  async function waitingInfo(tx: SqlRunner, key: { newsletter: string; date: string }, worker: string, dueBy: string | null): Promise<{ waiting: number; retryInMs: number | null }> {
    const row = await tx.get<{ n: number; at: string | null; now: string }>(
      `SELECT COUNT(*) AS n,
         MIN(CASE WHEN state = 'deferred' THEN next_attempt_at WHEN state = 'sending' THEN lease_until ELSE ${NOW} END) AS at,
         ${NOW} AS now
       FROM sends
       WHERE newsletter = ? AND edition_date = ?
         AND ((state = 'queued' AND (due_at IS NULL OR due_at <= ${BY})) OR (state = 'deferred' AND next_attempt_at IS NOT NULL)
              OR (state = 'sending' AND (claimed_by IS NULL OR claimed_by <> ?)))`,
      [key.newsletter, key.date, dueBy, worker],
    );
    const n = Number(row?.n ?? 0);
    if (n === 0 || !row?.at) return { waiting: n, retryInMs: null };
    return { waiting: n, retryInMs: Math.max(0, Date.parse(row.at) - Date.parse(row.now)) };
  }

  /**
   * Claims up to `limit` due rows for `options.worker`: queued rows first (in subscriber order, straight
   * off the index), then deferred rows whose time has come and rows whose lease ran out. Each row is
   * leased as `sending` in the same statement that picks it; then each reader is re-checked, and a row
   * whose reader left, bounced or was removed becomes `skipped`.
   */
  async function claimIn(
    db: SqlRunner,
    key: { newsletter: string; date: string },
    options: { worker: string; leaseSeconds: number; dueBy?: Date | undefined },
    limit: number,
    rateRetry: number | null,
  ): Promise<ClaimBatch> {
    type Picked = { subscriber_id: number; attempts: number; tries: number; email: string | null; name: string | null; bounced: number | null; status: string | null; sections: string | null };
    const now = new Date().toISOString();
    const dueBy = options.dueBy ? options.dueBy.toISOString() : null;
    const rows: Picked[] = [];
    // Queued rows whose wave is due (a reader's local time, on the caller's clock); their parameter.
    const QUEUED = `state = 'queued' AND (due_at IS NULL OR due_at <= ${BY})`;
    for (const [due, dueParams] of [[QUEUED, [dueBy]], [OTHER_DUE, []]] as const) {
      const want = limit - rows.length;
      if (want <= 0) break;
      if (client.dialect === 'postgres') {
        rows.push(...(await db.all<Picked>(
          `WITH picked AS (
             SELECT ctid FROM sends WHERE newsletter = ? AND edition_date = ? AND (${due})
             ORDER BY subscriber_id LIMIT ? FOR UPDATE SKIP LOCKED
           ), leased AS (
             -- The rows just locked, by their physical address (a TID scan): no other plan to go wrong.
             UPDATE sends s SET state = 'sending', attempts = s.attempts + 1, tries = s.tries + 1, claimed_by = ?,
               lease_until = ${client.nowPlusSeconds()}, updated_at = ?, next_attempt_at = NULL
             WHERE s.ctid = ANY (ARRAY(SELECT ctid FROM picked))
             RETURNING s.subscriber_id, s.attempts, s.tries
           )
           -- Each reader looked up by key (a few index probes), whatever the table statistics say.
           SELECT leased.subscriber_id, leased.attempts, leased.tries, p.email, p.name, p.bounced, sub.status, sub.sections
           FROM leased
           LEFT JOIN LATERAL (SELECT email, name, bounced FROM subscribers WHERE id = leased.subscriber_id) p ON true
           LEFT JOIN LATERAL (SELECT status, sections FROM subscriptions WHERE subscriber_id = leased.subscriber_id AND newsletter = ?) sub ON true
           ORDER BY leased.subscriber_id`,
          [key.newsletter, key.date, ...dueParams, want, options.worker, options.leaseSeconds, now, key.newsletter],
        )));
      } else {
        const picked = await db.all<{ subscriber_id: number; attempts: number; tries: number }>(
          `SELECT subscriber_id, attempts, tries FROM sends WHERE newsletter = ? AND edition_date = ? AND (${due})
           ORDER BY subscriber_id LIMIT ?`,
          [key.newsletter, key.date, ...dueParams, want],
        );
        if (picked.length === 0) continue;
        const readers = new Map<number, { email: string; name: string | null; bounced: number; status: string | null; sections: string | null }>();
        for (const part of chunks(picked.map((r) => r.subscriber_id))) {
          await db.run(
            `UPDATE sends SET state = 'sending', attempts = attempts + 1, tries = tries + 1, claimed_by = ?,
               lease_until = ${client.nowPlusSeconds()}, updated_at = ?, next_attempt_at = NULL
             WHERE newsletter = ? AND edition_date = ? AND subscriber_id IN (${placeholders(part.length)})`,
            [options.worker, options.leaseSeconds, now, key.newsletter, key.date, ...part],
          );
          const found = await db.all<{ id: number; email: string; name: string | null; bounced: number; status: string | null; sections: string | null }>(
            `SELECT s.id, s.email, s.name, s.bounced, sub.status, sub.sections FROM subscribers s
             LEFT JOIN subscriptions sub ON sub.subscriber_id = s.id AND sub.newsletter = ?
             WHERE s.id IN (${placeholders(part.length)})`,
            [key.newsletter, ...part],
          );
          for (const r of found) readers.set(r.id, r);
        }
        for (const r of picked) {
          const reader = readers.get(r.subscriber_id);
          rows.push({ subscriber_id: r.subscriber_id, attempts: r.attempts + 1, tries: r.tries + 1, email: reader?.email ?? null, name: reader?.name ?? null, bounced: reader?.bounced ?? null, status: reader?.status ?? null, sections: reader?.sections ?? null });
        }
      }
    }
    const copies: ClaimResult[] = [];
    const skipped: { id: number; reason: string }[] = [];
    for (const row of rows) {
      const reason = row.email === null
        ? 'subscriber deleted'
        : row.bounced
          ? 'subscriber bounced'
          : row.status !== 'confirmed'
            ? `subscription ${row.status ?? 'removed'}`
            : null;
      if (reason) {
        skipped.push({ id: row.subscriber_id, reason });
        copies.push({ status: 'skipped', subscriberId: row.subscriber_id, reason });
      } else {
        copies.push({ status: 'claimed', subscriberId: row.subscriber_id, email: row.email!, name: row.name, attempts: row.attempts, tries: row.tries, sections: parseSections(row.sections) });
      }
    }
    // A crash before this leaves those rows leased: whoever takes them over re-checks and skips them.
    for (const s of skipped) {
      await db.run(
        `UPDATE sends SET state = 'skipped', last_reply = ?, updated_at = ?, next_attempt_at = NULL, lease_until = NULL
         WHERE newsletter = ? AND edition_date = ? AND subscriber_id = ? AND claimed_by = ?`,
        [s.reason, now, key.newsletter, key.date, s.id, options.worker],
      );
    }
    if (rows.length >= limit && rows.length > 0) return { copies, waiting: 0, retryInMs: 0 };
    const info = await waitingInfo(db, key, options.worker, dueBy);
    const retryInMs = info.retryInMs === null ? null : rows.length >= limit && rateRetry !== null ? Math.max(info.retryInMs, rateRetry) : info.retryInMs;
    return { copies, waiting: info.waiting, retryInMs };
  }

  return {
    async expireEarlierEditions(key, at = new Date()) {
      // A local-time copy (one with a due time) expires when its reader's copy of this edition is due, or
      // a day after its own time for a reader with none: the next edition has begun for that reader, not
      // when the earliest zone's wave of it went out while later zones still wait for yesterday's.
      const now = at.toISOString();
      const dayAgo = new Date(at.getTime() - 24 * 3600_000).toISOString();
      return client.transaction((tx) =>
        tx.run(
          `UPDATE sends SET state = 'expired', updated_at = ?, next_attempt_at = NULL, lease_until = NULL
           WHERE newsletter = ? AND edition_date < ? AND state IN ('queued', 'sending', 'deferred')
             AND (due_at IS NULL OR (due_at <= ? AND (due_at <= ? OR EXISTS (
               SELECT 1 FROM sends n WHERE n.newsletter = sends.newsletter AND n.edition_date = ?
                 AND n.subscriber_id = sends.subscriber_id AND n.due_at IS NOT NULL AND n.due_at <= ?))))`,
          [new Date().toISOString(), key.newsletter, key.date, now, dayAgo, key.date, now],
        ),
      );
    },

    async queueConfirmed(key, batchSize, options = {}) {
      const { dueAt } = options;
      let after = 0;
      let added = 0;
      for (;;) {
        const ids = await client.all<{ id: number }>(
          `SELECT sub.subscriber_id AS id FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
           WHERE sub.newsletter = ? AND sub.status = 'confirmed' AND s.bounced = 0 AND sub.subscriber_id > ?
           ORDER BY sub.subscriber_id LIMIT ?`,
          [key.newsletter, after, batchSize],
        );
        if (ids.length === 0) break;
        const last = ids[ids.length - 1]!.id;
        const now = new Date().toISOString();
        added += await client.transaction(async (tx) => {
          // The due time is written with the row, in the same transaction: a copy is never claimable
          // before its reader's time, whoever else is claiming.
          let due: { sql: string; params: unknown[] } = { sql: 'NULL', params: [] };
          if (dueAt) {
            const zones = await tx.all<{ timezone: string | null }>(
              `SELECT DISTINCT s.timezone FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
               WHERE sub.newsletter = ? AND sub.status = 'confirmed' AND s.bounced = 0 AND sub.subscriber_id > ? AND sub.subscriber_id <= ?`,
              [key.newsletter, after, last],
            );
            due = dueCase('s.timezone', zones.map((z) => z.timezone), dueAt);
          }
          return tx.run(
            `INSERT INTO sends (newsletter, edition_date, subscriber_id, state, attempts, message_id, queued_at, updated_at, due_at)
             SELECT ?, ?, sub.subscriber_id, 'queued', 0, '', ?, ?, ${due.sql}
             FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
             WHERE sub.newsletter = ? AND sub.status = 'confirmed' AND s.bounced = 0
               AND sub.subscriber_id > ? AND sub.subscriber_id <= ?
             ON CONFLICT (newsletter, edition_date, subscriber_id) DO NOTHING`,
            [key.newsletter, key.date, now, now, ...due.params, key.newsletter, after, last],
          );
        });
        after = last;
        // Let timers (lease renewal, the web) run between batches of a long list.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return added;
    },

    async countConfirmed(newsletter) {
      const row = await client.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
         WHERE sub.newsletter = ? AND sub.status = 'confirmed' AND s.bounced = 0`,
        [newsletter],
      );
      return Number(row?.n ?? 0);
    },

    async reopenDeferred(key) {
      return client.transaction((tx) =>
        tx.run(
          `UPDATE sends SET next_attempt_at = ${NOW}, tries = 0
           WHERE newsletter = ? AND edition_date = ? AND state = 'deferred' AND next_attempt_at IS NULL`,
          [key.newsletter, key.date],
        ),
      );
    },

    async claim(key, options): Promise<ClaimBatch> {
      const dueBy = options.dueBy ? options.dueBy.toISOString() : null;
      // PostgreSQL without a rate: one statement per kind of due row, atomic on its own, so a claim is
      // one round trip. Everything else runs in one transaction (SQLite's write lock, or the rate row).
      if (client.dialect === 'postgres' && !options.ratePerSecond) return claimIn(client, key, options, options.limit, null);
      return client.transaction(async (tx) => {
        let limit = options.limit;
        let rateRetry: number | null = null;
        if (options.ratePerSecond) {
          const metered = await meter(tx, limit, options.ratePerSecond);
          limit = metered.allowed;
          rateRetry = metered.retryInMs;
          if (limit === 0) {
            const info = await waitingInfo(tx, key, options.worker, dueBy);
            return { copies: [], waiting: info.waiting, retryInMs: info.waiting > 0 ? rateRetry : null };
          }
        }
        return claimIn(tx, key, options, limit, rateRetry);
      });
    },

    reschedule(key, dueAt) {
      return client.transaction(async (tx) => {
        const zones = (await zonesOfQueued(tx, key)).map((z) => z.timezone);
        if (zones.length === 0) return 0;
        const due = dueCase('(SELECT s.timezone FROM subscribers s WHERE s.id = sends.subscriber_id)', zones, dueAt);
        // Twice the same expression: set it where it differs, so the count is of copies that moved.
        return tx.run(
          `UPDATE sends SET due_at = ${due.sql}
           WHERE newsletter = ? AND edition_date = ? AND state = 'queued' AND (due_at IS NULL OR due_at <> ${due.sql})`,
          [...due.params, key.newsletter, key.date, ...due.params],
        );
      });
    },

    async readerZones(newsletter) {
      const rows = await client.all<{ timezone: string | null }>(
        `SELECT DISTINCT s.timezone FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
         WHERE sub.newsletter = ? AND sub.status = 'confirmed' AND s.bounced = 0`,
        [newsletter],
      );
      return rows.map((r) => r.timezone);
    },

    async waiting(key, at) {
      const row = await client.get<{ n: number; next: string | null }>(
        `SELECT COUNT(*) AS n, MIN(due_at) AS next FROM sends
         WHERE newsletter = ? AND edition_date = ? AND state = 'queued' AND due_at IS NOT NULL AND due_at > ${BY}`,
        [key.newsletter, key.date, at ? at.toISOString() : null],
      );
      return { count: Number(row?.n ?? 0), next: row?.next ? new Date(row.next) : null };
    },

    async waves(key, at) {
      const by = at ? at.toISOString() : null;
      const rows = await client.all<{ due_at: string | null; state: SendState; later: number; n: number }>(
        `SELECT due_at, state, CASE WHEN due_at IS NOT NULL AND due_at > ${BY} THEN 1 ELSE 0 END AS later, COUNT(*) AS n
         FROM sends WHERE newsletter = ? AND edition_date = ?
         GROUP BY due_at, state, 3`,
        [by, key.newsletter, key.date],
      );
      const byDue = new Map<string | null, Wave>();
      for (const r of rows) {
        const wave = byDue.get(r.due_at) ?? { dueAt: r.due_at, total: 0, sent: 0, waiting: 0, due: 0, failed: 0, deferred: 0, skipped: 0 };
        const n = Number(r.n);
        wave.total += n;
        if (r.state === 'sent') wave.sent += n;
        else if (r.state === 'failed') wave.failed += n;
        else if (r.state === 'deferred') wave.deferred += n;
        else if (r.state === 'skipped' || r.state === 'expired') wave.skipped += n;
        else if (r.state === 'queued' && Number(r.later) === 1) wave.waiting += n;
        else wave.due += n;
        byDue.set(r.due_at, wave);
      }
      return [...byDue.values()].sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''));
    },

    expireMissed(key, before, reason) {
      return client.transaction((tx) =>
        tx.run(
          `UPDATE sends SET state = 'expired', last_reply = ?, updated_at = ?, next_attempt_at = NULL
           WHERE newsletter = ? AND edition_date = ? AND state = 'queued' AND due_at IS NOT NULL AND due_at < ?`,
          [reason.slice(0, 1000), new Date().toISOString(), key.newsletter, key.date, before.toISOString()],
        ),
      );
    },

    async pinEdition(key, edition) {
      return client.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO edition_pins (newsletter, edition_date, edition, pinned_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (newsletter, edition_date) DO NOTHING`,
          [key.newsletter, key.date, edition, new Date().toISOString()],
        );
        const row = await tx.get<{ edition: string }>('SELECT edition FROM edition_pins WHERE newsletter = ? AND edition_date = ?', [key.newsletter, key.date]);
        return row!.edition;
      });
    },

    async pinned(key) {
      const row = await client.get<{ edition: string }>('SELECT edition FROM edition_pins WHERE newsletter = ? AND edition_date = ?', [key.newsletter, key.date]);
      return row?.edition ?? null;
    },

    renewLeases(key, worker, leaseSeconds) {
      if (client.dialect === 'postgres') {
        // Rows locked right now are this process's outcomes being recorded: they need no renewal, and
        // waiting for them (while the record waits for ours) would be a deadlock.
        return client.run(
          `UPDATE sends SET lease_until = ${client.nowPlusSeconds()}
           WHERE ctid = ANY (ARRAY(SELECT ctid FROM sends WHERE newsletter = ? AND edition_date = ? AND claimed_by = ? AND state = 'sending'
                                   FOR UPDATE SKIP LOCKED))`,
          [leaseSeconds, key.newsletter, key.date, worker],
        );
      }
      return client.transaction((tx) =>
        tx.run(
          `UPDATE sends SET lease_until = ${client.nowPlusSeconds()}
           WHERE newsletter = ? AND edition_date = ? AND claimed_by = ? AND state = 'sending'`,
          [leaseSeconds, key.newsletter, key.date, worker],
        ),
      );
    },

    async release(key, worker, subscriberIds) {
      if (subscriberIds.length === 0) return;
      await client.transaction(async (tx) => {
        for (const part of chunks(subscriberIds)) {
          await tx.run(
            `UPDATE sends SET state = 'queued', claimed_by = NULL, lease_until = NULL, attempts = attempts - 1, tries = tries - 1
             WHERE newsletter = ? AND edition_date = ? AND claimed_by = ? AND state = 'sending'
               AND subscriber_id IN (${placeholders(part.length)})`,
            [key.newsletter, key.date, worker, ...part],
          );
        }
      });
    },

    async record(key, worker, outcomes: CopyOutcome[]) {
      if (outcomes.length === 0) return;
      const now = new Date().toISOString();
      const bounced = outcomes.filter((o) => o.bounce).map((o) => o.subscriberId);
      const write = async (db: SqlRunner) => {
        if (client.dialect === 'postgres') {
          // One statement for the whole group, its values as arrays: a round trip per copy would make the
          // network the limit.
          await db.run(
            `UPDATE sends AS s SET state = v.state, last_reply = v.reply, message_id = v.mid, updated_at = ?, lease_until = NULL,
               next_attempt_at = CASE WHEN v.retry IS NULL THEN NULL
                 ELSE to_char((clock_timestamp() + v.retry * interval '1 second') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
               sent_at = CASE WHEN v.state = 'sent' THEN ? ELSE s.sent_at END
             FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::float8[]) AS v(id, state, reply, mid, retry)
             WHERE s.newsletter = ? AND s.edition_date = ? AND s.subscriber_id = v.id AND s.state = 'sending' AND s.claimed_by = ?`,
            [
              now, now,
              outcomes.map((o) => o.subscriberId),
              outcomes.map((o) => o.state),
              outcomes.map((o) => o.reply.slice(0, 1000)),
              outcomes.map((o) => o.messageId),
              outcomes.map((o) => (o.state === 'deferred' ? (o.retryInSeconds ?? null) : null)),
              key.newsletter, key.date, worker,
            ],
          );
        } else {
          for (const o of outcomes) {
            const retry = o.state === 'deferred' && o.retryInSeconds != null;
            await db.run(
              `UPDATE sends SET state = ?, last_reply = ?, message_id = ?, updated_at = ?, lease_until = NULL,
                 next_attempt_at = ${retry ? client.nowPlusSeconds() : 'NULL'},
                 sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
               WHERE newsletter = ? AND edition_date = ? AND subscriber_id = ? AND state = 'sending' AND claimed_by = ?`,
              [
                o.state, o.reply.slice(0, 1000), o.messageId, now,
                ...(retry ? [o.retryInSeconds] : []),
                o.state, now, key.newsletter, key.date, o.subscriberId, worker,
              ],
            );
          }
        }
        for (const part of chunks(bounced)) {
          await db.run(`UPDATE subscribers SET bounced = 1, bounced_at = ? WHERE bounced = 0 AND id IN (${placeholders(part.length)})`, [now, ...part]);
        }
      };
      // On PostgreSQL one statement is its own transaction; a bounce adds a second, so both go together.
      if (client.dialect === 'postgres' && bounced.length === 0) await write(client);
      else await client.transaction(write);
    },

    async counts(key) {
      const out = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<SendState, number>;
      const rows = await client.all<{ state: SendState; n: number }>(
        'SELECT state, COUNT(*) AS n FROM sends WHERE newsletter = ? AND edition_date = ? GROUP BY state',
        [key.newsletter, key.date],
      );
      for (const row of rows) out[row.state] = Number(row.n);
      return out;
    },

    async nextDeferredAttempt(key) {
      const row = await client.get<{ at: string | null }>(
        `SELECT MIN(next_attempt_at) AS at FROM sends WHERE newsletter = ? AND edition_date = ? AND state = 'deferred'`,
        [key.newsletter, key.date],
      );
      return row?.at ? new Date(row.at) : null;
    },

    expireDeferred(key) {
      return client.transaction((tx) =>
        tx.run(
          `UPDATE sends SET state = 'expired', updated_at = ?, next_attempt_at = NULL
           WHERE newsletter = ? AND edition_date = ? AND state = 'deferred'`,
          [new Date().toISOString(), key.newsletter, key.date],
        ),
      );
    },

    ...(client.checkpoint ? { checkpoint: () => client.checkpoint!() } : {}),
  };
}
