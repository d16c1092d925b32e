/**
 * Fixtures for the scheduler tests: a real SQLite file in a temp folder, a config with chosen schedules,
 * in-memory content with articles at chosen instants, and a recording EditionSender.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArticleSchema, ConfigSchema, type Config, type Content, type ArticleRecord } from '../../src/content/index.ts';
import { openStore, type Store } from '../../src/storage/index.ts';
import { migratedSqlite, type Db } from '../helpers/test-store.ts';
import type { EditionSender, EditionSendReport } from '../../src/schedule/index.ts';

export function tempDir(prefix = 'daybreak-schedule-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A migrated SQLite file in a temp folder: `db` is a raw connection for seeding and assertions, `store()`
 * the app's store on the same file (opened once, closed by cleanup).
 */
export function tempDb(): {
  db: Db;
  file: string;
  open: () => Db;
  store: () => Promise<Store>;
  /** The run ledger on a connection of its own (each call a new one, as another process would have). */
  runs: () => Promise<Store['runs']>;
  cleanup: () => Promise<void>;
} {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'daybreak.db');
  const opened: Db[] = [];
  const open = () => {
    const db = migratedSqlite(file);
    opened.push(db);
    return db;
  };
  const db = open();
  let store: Promise<Store> | null = null;
  const extra: Promise<Store>[] = [];
  return {
    db,
    file,
    open,
    store: () => (store ??= openStore({ database: file })),
    runs: async () => {
      const opened = openStore({ database: file });
      extra.push(opened);
      return (await opened).runs;
    },
    cleanup: async () => {
      if (store) await (await store).close().catch(() => {});
      for (const o of extra) await (await o).close().catch(() => {});
      for (const d of opened) if (d.open) d.close();
      cleanup();
    },
  };
}

export function configWith(
  newsletters: { id: string; cron: string; timezone: string; graceMinutes?: number; include?: { tags: string[] } }[],
): Config {
  return ConfigSchema.parse({
    newsletters: newsletters.map((n) => ({
      id: n.id,
      name: `The ${n.id} letter`,
      schedule: { cron: n.cron, timezone: n.timezone, ...(n.graceMinutes !== undefined ? { graceMinutes: n.graceMinutes } : {}) },
      ...(n.include ? { include: n.include } : {}),
    })),
  });
}

/** One article published at each given instant (so every window that contains one is non-empty). */
export function contentAt(instants: string[], tags: string[] = []): Content {
  const articles: ArticleRecord[] = instants.map((at, i) => ({
    ...ArticleSchema.parse({
      id: `a${i}`,
      kicker: 'Speed read',
      headline: `Headline ${i}`,
      dek: `Dek ${i}.`,
      url: `https://news.example.com/${i}`,
      publishedAt: at,
      tags,
    }),
    file: `fixture-${i}.json`,
  }));
  return { articles, byId: new Map(articles.map((a) => [a.id, a])), editions: new Map() };
}

/** Articles every hour over the given days, so every daily and weekly window has some. */
export function hourlyContent(fromIso: string, days: number, tags: string[] = []): Content {
  const start = Date.parse(fromIso);
  const instants = Array.from({ length: days * 24 }, (_, h) => new Date(start + h * 3_600_000).toISOString());
  return contentAt(instants, tags);
}

export interface SendCall {
  newsletterId: string;
  date: string;
  sendAt: string;
  /** The clock's time when the scheduler called send. */
  at: string;
  retry: boolean;
}

/**
 * A sender that records its calls and answers with a report from `answer` (default: 3 sent). It stands
 * in for sendEdition in the scheduler's own tests; the end-to-end tests use the real one.
 */
export function recordingSender(
  now: () => Date,
  answer: (call: SendCall, signal: AbortSignal) => EditionSendReport | Promise<EditionSendReport> = () => ({
    total: 3, sent: 3, failed: 0, deferred: 0, skipped: 0,
  }),
): EditionSender & { calls: SendCall[]; expired: string[] } {
  const calls: SendCall[] = [];
  const expired: string[] = [];
  return {
    calls,
    expired,
    async send({ newsletterId, date, edition, signal, retry }) {
      const call = { newsletterId, date, sendAt: edition.sendAt.toISOString(), at: now().toISOString(), retry };
      calls.push(call);
      return answer(call, signal);
    },
    expireDeferred(newsletterId, date) {
      expired.push(`${newsletterId}/${date}`);
      return 2;
    },
  };
}
