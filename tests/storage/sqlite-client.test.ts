import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isDaybreakError } from '../../src/errors.ts';
import { migrate, openClient, openStore, pendingMigrations } from '../../src/storage/index.ts';

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-sqlite-'));
  dirs.push(dir);
  return join(dir, 'nested', 'daybreak.db');
};

/** Another process's connection holding the write lock (BEGIN IMMEDIATE) until released. */
function holdWriteLock(file: string): () => void {
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  other.prepare(`INSERT INTO used_tokens (digest, used_at) VALUES ('held', 'x')`).run();
  return () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  };
}

describe('the SQLite engine', () => {
  it('creates the folder and the file, in WAL mode with synchronous=FULL and a 2 MB page cache', async () => {
    const file = fresh();
    const store = await openStore({ database: file });
    closers.push(() => store.close());
    const db = new Database(file);
    closers.push(() => db.close());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const client = openClient({ database: file });
    closers.push(() => client.close());
    expect(await client.get('PRAGMA synchronous')).toEqual({ synchronous: 2 }); // FULL
    expect(await client.get('PRAGMA cache_size')).toEqual({ cache_size: -2000 });
  });

  it('applies each migration once, however often the database is opened, and lists none as pending after', async () => {
    const file = fresh();
    const client = openClient({ database: file });
    closers.push(() => client.close());
    expect((await pendingMigrations(client)).length).toBeGreaterThan(0);
    const applied = await migrate(client);
    expect(applied).toContain('070-shared-ledger');
    expect(await migrate(client)).toEqual([]);
    expect(await pendingMigrations(client)).toEqual([]);
    const ids = (await client.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers reads at once while another process holds the write lock, and gives up on a write with EBUSY naming the file', async () => {
    const file = fresh();
    const store = await openStore({ database: file, busyTimeoutMs: 600 });
    closers.push(() => store.close());
    const release = holdWriteLock(file);
    closers.push(release);
    // The event loop stays free while the write waits: a timer fires on time meanwhile.
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 20);
    const started = Date.now();
    const write = store.subscribers.add({ email: 'ann@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    const readStarted = Date.now();
    await store.ping();
    expect(await store.subscribers.list()).toEqual([]);
    const readMs = Date.now() - readStarted;
    const error = await write.catch((e: unknown) => e);
    clearInterval(timer);
    expect(readMs).toBeLessThan(500);
    expect(isDaybreakError(error, 'EBUSY')).toBe(true);
    expect((error as Error).message).toContain(file);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(ticks).toBeGreaterThanOrEqual(10);
    release();
    // Nothing was half-written, and the same write goes through once the lock is gone.
    expect(await store.subscribers.list()).toEqual([]);
    await store.subscribers.add({ email: 'ann@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    expect((await store.subscribers.list()).map((p) => p.email)).toEqual(['ann@example.com']);
  });

  it('waits for a lock held briefly and then commits, instead of failing', async () => {
    const file = fresh();
    const store = await openStore({ database: file, busyTimeoutMs: 5000 });
    closers.push(() => store.close());
    const release = holdWriteLock(file);
    setTimeout(release, 300);
    await store.subscribers.add({ email: 'bob@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    expect((await store.subscribers.list()).map((p) => p.email)).toEqual(['bob@example.com']);
  });

  it('names the file and says what to do when it is not a database or cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-sqlite-'));
    dirs.push(dir);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, just text that is long enough to look like a header '.repeat(20));
    const error = await openStore({ database: junk }).catch((e: unknown) => e);
    expect(isDaybreakError(error, 'ESTORAGE')).toBe(true);
    expect((error as Error).message).toContain(junk);
    expect((error as Error).message).toMatch(/not a SQLite database/);
    expect((error as Error).stack ?? '').not.toBe('');

    if (process.getuid?.() !== 0) {
      // Root ignores file modes; elsewhere a read-only file is reported by name with what to do.
      const file = fresh();
      await (await openStore({ database: file })).close();
      chmodSync(file, 0o444);
      const store = await openStore({ database: file, migrate: false });
      closers.push(() => store.close());
      const denied = await store.subscribers.add({ email: 'x@example.com', name: null, newsletters: ['m'], confirmed: true, source: 't' }, new Date()).catch((e: unknown) => e);
      expect((denied as Error).message).toContain(file);
    }
  });
});
