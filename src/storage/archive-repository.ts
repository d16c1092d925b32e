import type { ArchiveIndex, SentEdition } from '../web/index.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * The archive's view of the ledgers: which editions went out, and when.
 *
 * @example
 * const sent = await createArchiveRepository(client).listSent({ newsletter: 'morning', limit: 60 });
 */
export function createArchiveRepository(client: SqlClient): ArchiveIndex {
  return {
    async listSent(options = {}) {
      const rows = await client.all<{ newsletter: string; date: string; sentat: string; sentAt?: string }>(
        `SELECT newsletter, edition_date AS date, MIN(sent_at) AS sentat FROM (
           SELECT newsletter, edition_date, sent_at FROM archived_editions
           UNION ALL
           SELECT newsletter, edition_date, COALESCE(scheduled_at, started_at) AS sent_at FROM runs WHERE state = 'done'
           UNION ALL
           SELECT newsletter, edition_date, MIN(sent_at) FROM sends WHERE state = 'sent' GROUP BY newsletter, edition_date
         ) AS sent
         WHERE (CAST(? AS TEXT) IS NULL OR newsletter = ?)
         GROUP BY newsletter, edition_date
         ORDER BY edition_date DESC, newsletter
         LIMIT ?`,
        [options.newsletter ?? null, options.newsletter ?? null, options.limit ?? 1000],
      );
      return rows.map((r): SentEdition => ({ newsletter: r.newsletter, date: r.date, sentAt: r.sentat }));
    },
    async keep(copy) {
      await client.run(
        `INSERT INTO archived_editions (newsletter, edition_date, subject, html, sent_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (newsletter, edition_date) DO NOTHING`,
        [copy.newsletter, copy.date, copy.subject, copy.html, copy.sentAt],
      );
    },
    async kept(newsletter, date) {
      const row = await client.get<{ subject: string; html: string; sent_at: string }>(
        'SELECT subject, html, sent_at FROM archived_editions WHERE newsletter = ? AND edition_date = ?',
        [newsletter, date],
      );
      return row ? { newsletter, date, subject: row.subject, html: row.html, sentAt: row.sent_at } : null;
    },
    async isPublished(newsletter, date) {
      if (await client.get(`SELECT 1 AS ok FROM archived_editions WHERE newsletter = ? AND edition_date = ?`, [newsletter, date])) return true;
      const run = await client.get(`SELECT 1 AS ok FROM runs WHERE newsletter = ? AND edition_date = ? AND state IN ('done', 'running')`, [newsletter, date]);
      if (run) return true;
      return Boolean(await client.get(`SELECT 1 AS ok FROM sends WHERE newsletter = ? AND edition_date = ? AND state = 'sent' LIMIT 1`, [newsletter, date]));
    },
  };
}
