import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/index.ts';

describe('openDatabase', () => {
  const open: Db[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-db-'));
    dirs.push(dir);
    return join(dir, 'nested', 'daybreak.db');
  };

  it('creates the folder and the file, in WAL mode with synchronous=FULL and a busy timeout', () => {
    const db = openDatabase(fresh());
    open.push(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(10000);
  });

  it('caps the page cache at 2 MB a connection, not better-sqlite3\'s 16 MB (RSS must not grow with the list, issue 4)', () => {
    const db = openDatabase(fresh());
    open.push(db);
    expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
  });

  it('applies each migration once, however often the database is opened', () => {
    const file = fresh();
    openDatabase(file).close();
    const db = openDatabase(file);
    open.push(db);
    const ids = db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[];
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
