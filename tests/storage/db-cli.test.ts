import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokens, openKeyring } from '../../src/audience/index.ts';
import { resolveDatabase } from '../../src/cli/context.ts';
import { openClient, openStore } from '../../src/storage/index.ts';
import { freshPostgresDatabase, PG_REQUIRED, PG_URL } from '../helpers/test-store.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/daybreak.js');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function daybreak(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) {
  const out = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, DATABASE_URL: '', DAYBREAK_DB: '', ...env }, encoding: 'utf8' });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-db-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('which database a command uses', () => {
  const config = { database: 'var/mine.db', file: '/srv/news/daybreak.config.json' };
  it('takes --db, else DATABASE_URL, else DAYBREAK_DB, else the config (relative to its file), else var/daybreak.db', () => {
    expect(resolveDatabase({ db: 'flag.db' }, { DATABASE_URL: 'postgres://h/db', DAYBREAK_DB: 'env.db' }, config)).toBe('flag.db');
    expect(resolveDatabase({}, { DATABASE_URL: 'postgres://h/db', DAYBREAK_DB: 'env.db' }, config)).toBe('postgres://h/db');
    expect(resolveDatabase({}, { DAYBREAK_DB: 'env.db' }, config)).toBe('env.db');
    expect(resolveDatabase({}, {}, config)).toBe('/srv/news/var/mine.db');
    expect(resolveDatabase({}, {}, { database: 'postgres://h/news', file: '/srv/news/daybreak.config.json' })).toBe('postgres://h/news');
    expect(resolveDatabase({}, {}, { file: null })).toBe('var/daybreak.db');
  });

  it('uses the config\'s database for every command run with that config', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'daybreak.config.json'), JSON.stringify({ database: 'state/news.db' }));
    const add = daybreak(['subscribers', 'add', 'ann@example.com', '--confirmed', '--config', join(dir, 'daybreak.config.json')]);
    expect(add.code, add.stderr).toBe(0);
    const store = await openStore({ database: join(dir, 'state', 'news.db') });
    cleanups.push(() => store.close());
    expect((await store.subscribers.list()).map((p) => p.email)).toEqual(['ann@example.com']);
  });
});

describe('daybreak db migrate', () => {
  it('applies pending migrations once and says so, with --dry-run listing them first', () => {
    const file = join(tempDir(), 'fresh.db');
    const dry = daybreak(['db', 'migrate', '--db', file, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ database: file, applied: [], pending: expect.arrayContaining(['001-core', '070-shared-ledger']) });
    const first = daybreak(['db', 'migrate', '--db', file]);
    expect(first.stdout).toContain(`${file}: applied 001-core`);
    const again = daybreak(['db', 'migrate', '--db', file]);
    expect(again.stdout).toBe(`${file}: already up to date\n`);
  });

  it('says which database is locked, without a stack trace, and exits 75', () => {
    const file = join(tempDir(), 'locked.db');
    expect(daybreak(['db', 'migrate', '--db', file]).code).toBe(0);
    // Another process holds the write lock for longer than the command waits.
    const holder = spawnSync(process.execPath, ['-e', `
      const Database = require(${JSON.stringify(join(ROOT, 'node_modules/better-sqlite3'))});
      const db = new Database(${JSON.stringify(file)});
      db.exec('BEGIN IMMEDIATE');
      db.exec("INSERT INTO used_tokens (digest, used_at) VALUES ('x', 'y')");
      process.stdout.write('locked\\n');
      const { spawnSync } = require('node:child_process');
      const r = spawnSync(process.execPath, ${JSON.stringify([BIN, 'subscribers', 'add', 'ann@example.com', '--db', file])}, { env: { ...process.env, DAYBREAK_LOCK_WAIT: '1' }, encoding: 'utf8' });
      process.stdout.write(JSON.stringify({ code: r.status, stderr: r.stderr }));
    `], { encoding: 'utf8' });
    const result = JSON.parse(holder.stdout.slice(holder.stdout.indexOf('{'))) as { code: number; stderr: string };
    expect(result.code).toBe(75);
    expect(result.stderr).toContain(`daybreak: The database ${file} is locked by another process`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!PG_URL)('daybreak db copy', () => {
  it('copies every row of a SQLite install into an empty PostgreSQL database and verifies the counts', async () => {
    const file = join(tempDir(), 'old.db');
    const source = await openStore({ database: file });
    const at = new Date();
    for (const email of ['ann@example.com', 'bob@example.com', 'cleo@example.com']) {
      await source.subscribers.add({ email, name: email[0]!.toUpperCase(), newsletters: ['morning'], confirmed: true, source: 'test' }, at);
    }
    await source.subscribers.signUpMany([{ email: 'dan@example.com', name: null, newsletters: ['morning'], consent: { ip: null, userAgent: null, source: null } }], at, 0);
    await source.subscribers.remove('cleo@example.com');
    const key = { newsletter: 'morning', date: '2026-11-30' };
    await source.sends.queueConfirmed(key, 10);
    const claimed = await source.sends.claim(key, { worker: 'w', limit: 1, leaseSeconds: 60 });
    await source.sends.record(key, 'w', [{ subscriberId: claimed.copies[0]!.subscriberId, state: 'sent', reply: '250', messageId: 'm@x' }]);
    await source.runs.claim({ newsletter: 'morning', date: '2026-11-30', scheduledAt: at, holder: 'h', now: at });
    await source.sends.pinEdition(key, '{"lead":"pinned"}');
    // A bounce kept with its raw message (not valid UTF-8, so stored as base64) and the complaint it caused.
    await source.inbound.record(
      { receivedAt: at, source: 'smtp', eventId: null, envelopeFrom: '', recipient: 'bounces+x@b.example', kind: 'complaint', subscriberId: 2, newsletter: 'morning', date: '2026-11-30', status: null, diagnostic: null, reason: 'test', raw: Buffer.from([0x46, 0x72, 0xff, 0x0d, 0x0a]) },
      { softBounceLimit: 3, windowDays: 30 },
    );
    await source.close();
    // A link mailed before the move, signed with the key file beside the SQLite database.
    const before = await createTokens(openKeyring({ env: {}, dbFile: file, create: true }));
    const mailedLink = before.unsubscribeToken(1, 'morning');

    const target = await freshPostgresDatabase();
    cleanups.push(() => target.drop());
    const copy = daybreak(['db', 'copy', '--db', file, '--to', target.url, '--json']);
    expect(copy.code, copy.stderr).toBe(0);
    const report = JSON.parse(copy.stdout) as { tables: Record<string, number> };
    expect(report.tables).toEqual({ subscribers: 3, subscriptions: 3, used_tokens: 0, subscriber_id_floor: 1, sends: 2, runs: 1, outbox: 1, secret_keys: 1, edition_pins: 1, inbound_messages: 1, archived_editions: 0 });

    // The copy works as the database: the same people, the ledger where it was, and new ids above the old.
    const store = await openStore({ database: target.url });
    expect(await store.sends.pinned(key)).toBe('{"lead":"pinned"}');
    cleanups.push(() => store.close());
    // The keys moved with the data: the link mailed before still works, now checked against the database.
    const after = await createTokens(openKeyring({ env: {}, dbFile: target.url, create: false, store }));
    expect((await after.verify(mailedLink, 'unsubscribe')).subscriberId).toBe(1);
    expect((await store.subscribers.list()).map((p) => [p.email, p.status])).toEqual([['ann@example.com', 'active'], ['bob@example.com', 'complained'], ['dan@example.com', 'active']]);
    const [kept] = await store.inbound.list();
    expect(kept).toMatchObject({ kind: 'complaint', email: 'bob@example.com' });
    expect(await store.inbound.raw(kept!.id)).toEqual(Buffer.from([0x46, 0x72, 0xff, 0x0d, 0x0a]));
    expect(await store.sends.counts(key)).toMatchObject({ sent: 1, queued: 1 });
    const next = await store.subscribers.add({ email: 'eve@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, at);
    expect(next.id).toBeGreaterThan(4);
    const sql = openClient({ database: target.url });
    cleanups.push(() => sql.close());
    // Mail queued after the copy gets an id after the copied ones.
    await store.subscribers.signUpMany([{ email: 'fay@example.com', name: null, newsletters: ['morning'], consent: { ip: null, userAgent: null, source: null } }], at, 0);
    expect(await sql.all('SELECT id FROM outbox ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);

    // A second copy into the same database is refused, and changes nothing.
    const twice = daybreak(['db', 'copy', '--db', file, '--to', target.url]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already has rows in `subscribers`; copy into an empty database');
    expect(twice.stderr).not.toContain(new URL(PG_URL!).password || 'no-password-in-url');
  });
});

if (!PG_URL && PG_REQUIRED) throw new Error('DAYBREAK_TEST_PG_URL is not set but PostgreSQL tests are required (CI)');
