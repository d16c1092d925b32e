import { emailKey } from '../audience/index.ts';
import type { InboundEvent, InboundMessage, InboundStore } from '../inbound/index.ts';
import type { SqlClient, SqlRunner } from './sql-client.ts';
import { plural } from '../plural.ts';

interface InboundRow {
  id: number;
  received_at: string;
  source: InboundMessage['source'];
  event_id: string | null;
  envelope_from: string | null;
  recipient: string | null;
  kind: InboundMessage['kind'];
  subscriber_id: number | null;
  email: string | null;
  newsletter: string | null;
  edition_date: string | null;
  status: string | null;
  diagnostic: string | null;
  outcome: string;
}

/** Raw bytes as TEXT: UTF-8 when they are valid UTF-8 without NUL (PostgreSQL TEXT refuses NUL), else base64. */
function encodeRaw(raw: Buffer): { text: string; encoding: 'utf8' | 'base64' } {
  const text = raw.toString('utf8');
  if (!text.includes('\0') && Buffer.from(text, 'utf8').equals(raw)) return { text, encoding: 'utf8' };
  return { text: raw.toString('base64'), encoding: 'base64' };
}

/**
 * Rows deleted per statement by `deleteReceivedBefore`: each batch is its own short write, so a first
 * purge of a large backlog never holds SQLite's write lock for long while sign-ups and sends wait.
 */
const DELETE_BATCH = 500;

/**
 * Received messages (`inbound_messages`) and their effect on readers, on either engine.
 *
 * @example
 * const inbound = createInboundRepository(client);
 * await inbound.record(event, { softBounceLimit: 3, windowDays: 30 });
 */
export function createInboundRepository(client: SqlClient): InboundStore {
  const markBounced = async (tx: SqlRunner, id: number, at: string) =>
    (await tx.run('UPDATE subscribers SET bounced = 1, bounced_at = ? WHERE id = ? AND bounced = 0', [at, id])) === 1;

  const unsubscribe = async (tx: SqlRunner, id: number, newsletter: string | null, at: string): Promise<string[]> => {
    const rows = await tx.all<{ newsletter: string }>(
      `SELECT newsletter FROM subscriptions WHERE subscriber_id = ? AND status <> 'unsubscribed'${newsletter ? ' AND newsletter = ?' : ''} ORDER BY newsletter`,
      newsletter ? [id, newsletter] : [id],
    );
    for (const { newsletter: nl } of rows) {
      await tx.run(
        `UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?, unsubscribed_at = ? WHERE subscriber_id = ? AND newsletter = ?`,
        [at, at, id, nl],
      );
    }
    return rows.map((r) => r.newsletter);
  };

  /** Applies the event's effect; returns it in words. */
  const apply = async (tx: SqlRunner, event: InboundEvent, policy: { softBounceLimit: number; windowDays: number }, at: string): Promise<string> => {
    const id = event.subscriberId;
    if (id === null) {
      return ['hard-bounce', 'soft-bounce', 'complaint', 'unsubscribe'].includes(event.kind) ? 'no change: no reader identified' : `no change: ${event.kind}`;
    }
    if (!(await tx.get('SELECT id FROM subscribers WHERE id = ?', [id]))) return 'no change: the reader has been removed';
    switch (event.kind) {
      case 'hard-bounce':
        return (await markBounced(tx, id, at)) ? 'reader marked bounced' : 'no change: already bounced';
      case 'soft-bounce': {
        const since = new Date(Date.parse(at) - policy.windowDays * 86_400_000).toISOString();
        // Distinct editions: a relay's repeated notices about one copy count once.
        const row = await tx.get<{ n: number | string }>(
          `SELECT COUNT(*) AS n FROM (SELECT DISTINCT COALESCE(newsletter, ''), COALESCE(edition_date, received_at) FROM inbound_messages
             WHERE subscriber_id = ? AND kind = 'soft-bounce' AND received_at >= ?) AS editions`,
          [id, since],
        );
        const n = Number(row?.n ?? 0);
        if (n >= policy.softBounceLimit) {
          return (await markBounced(tx, id, at))
            ? `reader marked bounced: ${plural(n, 'soft bounce')} within ${policy.windowDays} days (limit ${policy.softBounceLimit})`
            : 'no change: already bounced';
        }
        return `soft bounce ${n} of ${policy.softBounceLimit} within ${policy.windowDays} days: no change yet`;
      }
      case 'complaint': {
        const left = await unsubscribe(tx, id, null, at);
        await tx.run('UPDATE subscribers SET complained_at = COALESCE(complained_at, ?) WHERE id = ?', [at, id]);
        return left.length ? `complaint: unsubscribed from ${left.join(', ')}` : 'complaint recorded; no subscription was active';
      }
      case 'unsubscribe': {
        const left = await unsubscribe(tx, id, event.newsletter, at);
        return left.length ? `unsubscribed from ${left.join(', ')}` : `no change: already unsubscribed from ${event.newsletter}`;
      }
      default:
        return `no change: ${event.kind}`;
    }
  };

  return {
    record(event, policy) {
      const at = event.receivedAt.toISOString();
      const raw = encodeRaw(event.raw);
      return client.transaction(async (tx) => {
        if (event.eventId !== null && (await tx.get('SELECT id FROM inbound_messages WHERE event_id = ?', [event.eventId]))) {
          return { id: null, duplicate: true, outcome: 'no change: this event was already received' };
        }
        // The row goes in first so a soft bounce counts itself.
        const inserted = await tx.get<{ id: number }>(
          `INSERT INTO inbound_messages (received_at, source, event_id, envelope_from, recipient, kind, subscriber_id, newsletter, edition_date, status, diagnostic, outcome, raw, raw_encoding)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?) RETURNING id`,
          [at, event.source, event.eventId, event.envelopeFrom, event.recipient, event.kind, event.subscriberId, event.newsletter, event.date, event.status, event.diagnostic, raw.text, raw.encoding],
        );
        const id = Number(inserted!.id);
        const effect = await apply(tx, event, policy, at);
        const outcome = `${effect} (${event.reason})`;
        await tx.run('UPDATE inbound_messages SET outcome = ? WHERE id = ?', [outcome, id]);
        return { id, duplicate: false, outcome };
      });
    },

    async list(options = {}) {
      const rows = await client.all<InboundRow>(
        `SELECT m.id, m.received_at, m.source, m.event_id, m.envelope_from, m.recipient, m.kind, m.subscriber_id, s.email, m.newsletter,
                m.edition_date, m.status, m.diagnostic, m.outcome
           FROM inbound_messages m LEFT JOIN subscribers s ON s.id = m.subscriber_id
          ${options.kind ? 'WHERE m.kind = ?' : ''}
          ORDER BY m.id DESC LIMIT ?`,
        [...(options.kind ? [options.kind] : []), options.limit ?? 100],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        receivedAt: r.received_at,
        source: r.source,
        eventId: r.event_id,
        envelopeFrom: r.envelope_from,
        recipient: r.recipient,
        kind: r.kind,
        subscriberId: r.subscriber_id === null ? null : Number(r.subscriber_id),
        email: r.email,
        newsletter: r.newsletter,
        date: r.edition_date,
        status: r.status,
        diagnostic: r.diagnostic,
        outcome: r.outcome,
      }));
    },

    async raw(id) {
      const row = await client.get<{ raw: string; raw_encoding: 'utf8' | 'base64' }>('SELECT raw, raw_encoding FROM inbound_messages WHERE id = ?', [id]);
      return row ? Buffer.from(row.raw, row.raw_encoding) : undefined;
    },

    async findCopy(messageId) {
      // Edition Message-IDs are `<newsletter>.<date>.<mac>@<domain>`: the edition narrows the search to
      // its rows of the ledger (an indexed prefix) instead of every copy ever sent.
      const m = /^([a-z0-9][a-z0-9-]*)\.(\d{4}-\d{2}-\d{2})\.[A-Za-z0-9_-]+@/.exec(messageId);
      if (!m) return undefined;
      const row = await client.get<{ subscriber_id: number; newsletter: string; edition_date: string }>(
        'SELECT subscriber_id, newsletter, edition_date FROM sends WHERE newsletter = ? AND edition_date = ? AND message_id = ? LIMIT 1',
        [m[1], m[2], messageId],
      );
      return row ? { subscriberId: Number(row.subscriber_id), newsletter: row.newsletter, date: row.edition_date } : undefined;
    },

    async findSubscriberId(email) {
      const row = await client.get<{ id: number }>('SELECT id FROM subscribers WHERE email_key = ?', [emailKey(email)]);
      return row ? Number(row.id) : undefined;
    },

    async deleteReceivedBefore(cutoff) {
      // received_at is ISO 8601 UTC text stamped by the application's clock (as `record` writes it), so the
      // cutoff comes from that clock too and compares as text on both engines (inbound_by_time serves it).
      const before = cutoff.toISOString();
      let total = 0;
      for (;;) {
        const n = await client.run(
          `DELETE FROM inbound_messages WHERE id IN (SELECT id FROM inbound_messages WHERE received_at < ? ORDER BY id LIMIT ${DELETE_BATCH})`,
          [before],
        );
        total += n;
        if (n < DELETE_BATCH) return total;
      }
    },
  };
}
