import type { OutboxItem, OutboxKind, OutboxStore } from '../audience/index.ts';
import type { SqlClient } from './sql-client.ts';

interface OutboxRow {
  id: number;
  kind: OutboxKind;
  subscriber_id: number;
  payload: string;
  attempts: number;
  created_at: string;
}

/**
 * The transactional outbox on either engine: rows are claimed with a lease on the database's clock
 * (`SKIP LOCKED` on PostgreSQL), so any process serving the web may drain it and none sends a row twice
 * while its lease holds.
 *
 * @example
 * const outbox = createOutboxRepository(client);
 * for (const item of await outbox.claimDue('host:1', 10, 60)) await outbox.markSent(item.id, 'host:1');
 */
export function createOutboxRepository(client: SqlClient): OutboxStore {
  return {
    claimDue(worker, limit, leaseSeconds) {
      return client.transaction(async (tx) => {
        const rows = await tx.all<OutboxRow>(
          `SELECT id, kind, subscriber_id, payload, attempts, created_at FROM outbox
           WHERE (state = 'queued' AND next_attempt_at <= ${client.now()})
              OR (state = 'sending' AND lease_until < ${client.now()})
           ORDER BY id LIMIT ? ${client.skipLocked}`,
          [limit],
        );
        if (rows.length === 0) return [];
        await tx.run(
          `UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_by = ?, lease_until = ${client.nowPlusSeconds()}
           WHERE id IN (${rows.map(() => '?').join(', ')})`,
          [worker, leaseSeconds, ...rows.map((r) => r.id)],
        );
        return rows.map((r): OutboxItem => ({
          id: Number(r.id),
          kind: r.kind,
          subscriberId: r.subscriber_id,
          newsletters: (JSON.parse(r.payload) as { newsletters: string[] }).newsletters,
          attempts: r.attempts + 1,
          createdAt: r.created_at,
        }));
      });
    },
    async markSent(id, worker) {
      await client.transaction((tx) =>
        tx.run(
          `UPDATE outbox SET state = 'sent', sent_at = ${client.now()}, lease_until = NULL, last_error = NULL
           WHERE id = ? AND claimed_by = ? AND state = 'sending'`,
          [id, worker],
        ),
      );
    },
    async markFailed(id, worker, error, retryInSeconds) {
      await client.transaction((tx) =>
        retryInSeconds === null
          ? tx.run(
              `UPDATE outbox SET state = 'failed', last_error = ?, lease_until = NULL WHERE id = ? AND claimed_by = ? AND state = 'sending'`,
              [error.slice(0, 1000), id, worker],
            )
          : tx.run(
              `UPDATE outbox SET state = 'queued', last_error = ?, lease_until = NULL, next_attempt_at = ${client.nowPlusSeconds()}
               WHERE id = ? AND claimed_by = ? AND state = 'sending'`,
              [error.slice(0, 1000), retryInSeconds, id, worker],
            ),
      );
    },
    async pendingCount() {
      const row = await client.get<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE state IN ('queued', 'sending')`);
      return Number(row?.n ?? 0);
    },
    async nextDueInSeconds() {
      const row = await client.get<{ at: string | null; now: string }>(
        `SELECT MIN(next_attempt_at) AS at, ${client.now()} AS now FROM outbox WHERE state = 'queued'`,
      );
      if (!row?.at) return null;
      return Math.max(0, (Date.parse(row.at) - Date.parse(row.now)) / 1000);
    },
  };
}
