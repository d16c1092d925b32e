/** Shared set-up for the delivery tests: a temp SQLite file, seeded readers, a rendered edition. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { assembleEdition, isSkipped, loadConfig, loadContent, ConfigSchema, type Config } from '../../src/content/index.ts';
import { migratedSqlite, type Db } from '../helpers/test-store.ts';
import { renderEdition, type PersonalizableEdition } from '../../src/designs/index.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const SECRET = 'test-secret-0123456789abcdef';
export const DATE = '2026-11-30';

export function tempDir(prefix = 'daybreak-delivery-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openTempDb(dir: string): Db {
  return migratedSqlite(join(dir, 'daybreak.db'));
}

export interface SeedReader {
  email: string;
  name?: string | null;
  status?: 'pending' | 'confirmed' | 'unsubscribed';
  bounced?: boolean;
  newsletter?: string;
}

/** Inserts readers straight into the tables (faster than the store for large lists); returns their ids. */
export function seed(db: Db, readers: SeedReader[]): number[] {
  const now = new Date().toISOString();
  const person = db.prepare('INSERT INTO subscribers (email, name, created_at, bounced) VALUES (?, ?, ?, ?)');
  const sub = db.prepare(
    'INSERT INTO subscriptions (subscriber_id, newsletter, status, created_at, updated_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return db.transaction(() =>
    readers.map((r) => {
      const id = Number(person.run(r.email, r.name ?? null, now, r.bounced ? 1 : 0).lastInsertRowid);
      const status = r.status ?? 'confirmed';
      sub.run(id, r.newsletter ?? 'morning', status, now, now, status === 'confirmed' ? now : null);
      return id;
    }),
  )();
}

export function manyReaders(n: number, prefix = 'reader'): SeedReader[] {
  return Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i + 1}@example.com`, name: `Reader ${i + 1}` }));
}

export function testConfig(delivery: Partial<Config['delivery']> = {}, extra: Record<string, unknown> = {}): Config {
  const base = loadConfig({ file: join(REPO, 'daybreak.config.json') });
  const { file: _file, ...rest } = base as Config & { file?: unknown };
  return ConfigSchema.parse({
    ...rest,
    delivery: {
      ...rest.delivery,
      retries: 2,
      retryBaseMs: 5,
      connectionTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
      socketTimeoutMs: 2000,
      ...delivery,
    },
    ...extra,
  });
}

let renderedCache: Promise<PersonalizableEdition> | null = null;
/** The sample morning briefing of 2026-11-30, rendered once per test file. */
export function renderedEdition(config: Config = testConfig()): Promise<PersonalizableEdition> {
  renderedCache ??= (async () => {
    const content = loadContent(join(REPO, 'data'));
    const edition = assembleEdition({ config, content, newsletterId: 'morning', date: DATE });
    if (isSkipped(edition)) throw new Error('the sample data has no edition on 2026-11-30');
    return renderEdition(edition, config);
  })();
  return renderedCache;
}

export function ledger(db: Db, date = DATE): { subscriber_id: number; state: string; attempts: number; last_reply: string | null; message_id: string }[] {
  return db
    .prepare('SELECT subscriber_id, state, attempts, last_reply, message_id FROM sends WHERE newsletter = ? AND edition_date = ? ORDER BY subscriber_id')
    .all('morning', date) as never;
}

export function parse(raw: string): Promise<ParsedMail> {
  return simpleParser(raw);
}

/** Header names in the order they appear, lower-cased, top-level only. */
export function headerNames(raw: string): string[] {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  return head
    .split('\r\n')
    .filter((line) => !/^[ \t]/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
}
