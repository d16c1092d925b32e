/**
 * Several real `daybreak send` and `daybreak start` processes on one PostgreSQL database, sending to a
 * real SMTP server: the work is shared through the ledger's leases, nobody gets two copies, and when one
 * process is killed the others finish its part.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openClient, openStore } from '../../src/storage/index.ts';
import { startCountingSink, type CountingSink } from '../helpers/counting-sink.ts';
import { freshPostgresDatabase, PG_REQUIRED, PG_URL } from '../helpers/test-store.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/daybreak.js');
const DATE = '2026-11-30';

if (!PG_URL && PG_REQUIRED) throw new Error('DAYBREAK_TEST_PG_URL is not set but PostgreSQL tests are required (CI)');
if (!PG_URL) process.stderr.write('note: DAYBREAK_TEST_PG_URL is not set; the multi-process PostgreSQL tests are skipped\n');

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, out: () => out, exited };
}

/** A PostgreSQL database with `readers` confirmed readers of `morning`, a config, and the environment. */
async function fleet(readers: number, options: { cron?: string; leaseSeconds?: number } = {}) {
  const db = await freshPostgresDatabase();
  cleanups.push(() => db.drop());
  const store = await openStore({ database: db.url });
  await store.close();
  const sql = openClient({ database: db.url });
  await sql.exec(`
    INSERT INTO subscribers (id, email, email_key, created_at)
      SELECT g, 'r' || g || '@example.com', 'r' || g || '@example.com', '2026-11-01T00:00:00Z' FROM generate_series(1, ${readers}) g;
    INSERT INTO subscriptions (subscriber_id, newsletter, status, created_at, updated_at, confirmed_at)
      SELECT g, 'morning', 'confirmed', 'x', 'x', 'x' FROM generate_series(1, ${readers}) g;`);
  const sink = await startCountingSink();
  cleanups.push(() => sink.close());
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-fleet-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = JSON.parse(readFileSync(join(ROOT, 'daybreak.config.json'), 'utf8')) as Record<string, unknown>;
  config.delivery = { maxConnections: 2, retries: 0, leaseSeconds: options.leaseSeconds ?? 3 };
  // The config moves to a temp folder: its logo paths (relative to the config file) must follow.
  const brand = (config.publisher as { brand?: Record<string, string> }).brand;
  for (const key of ['logo', 'logoDark']) if (brand?.[key]) brand[key] = join(ROOT, brand[key]!);
  if (options.cron) {
    const newsletters = config.newsletters as { id: string; schedule: Record<string, unknown> }[];
    config.newsletters = newsletters.filter((n) => n.id === 'morning').map((n) => ({ ...n, schedule: { ...n.schedule, cron: options.cron, timezone: 'UTC' } }));
  }
  writeFileSync(join(dir, 'daybreak.config.json'), JSON.stringify(config));
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    DAYBREAK_CONFIG: join(dir, 'daybreak.config.json'),
    DAYBREAK_DATA: join(ROOT, 'data'),
    DAYBREAK_SECRET: 'a-fleet-test-secret-0123456789abcdef',
    SMTP_URL: sink.url,
    DAYBREAK_ALLOW_INSECURE_LINKS: '1',
    DAYBREAK_SPAM_CHECK: 'off',
    PORT: '0',
  };
  return { url: db.url, sql, sink, dir, env, close: () => sql.close() };
}

function everyoneOnce(sink: CountingSink, readers: number): { lost: number; duplicates: number } {
  let lost = 0;
  let duplicates = 0;
  for (let i = 1; i <= readers; i++) {
    const n = sink.copiesOf(`r${i}@example.com`);
    if (n === 0) lost += 1;
    if (n > 1) duplicates += n - 1;
  }
  return { lost, duplicates };
}

describe.skipIf(!PG_URL)('many senders on one PostgreSQL database', () => {
  it('shares one edition of 20,000 readers between three `daybreak send` processes: one copy each, a fair part each, counts that add up', async () => {
    const readers = 20_000;
    const f = await fleet(readers);
    cleanups.push(f.close);
    const procs = [0, 1, 2].map(() => run(['send', '--newsletter', 'morning', '--date', DATE, '--json'], f.env, f.dir));
    const codes = await Promise.all(procs.map((p) => p.exited));
    expect(codes, procs.map((p) => p.out()).join('\n---\n')).toEqual([0, 0, 0]);
    const reports = procs.map((p) => JSON.parse(p.out().slice(p.out().indexOf('{'))) as { sent: number; total: number; deferred: number });
    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(readers);
    for (const r of reports) {
      expect(r.total).toBe(readers);
      expect(r.deferred).toBe(0);
      expect(r.sent).toBeGreaterThan(readers * 0.1);
    }
    expect(f.sink.accepted).toBe(readers);
    expect(everyoneOnce(f.sink, readers)).toEqual({ lost: 0, duplicates: 0 });
    expect(await f.sql.all(`SELECT state, COUNT(*) AS n FROM sends GROUP BY state`)).toEqual([{ state: 'sent', n: readers }]);
  }, 240_000);

  it('finishes the edition when one of three senders is killed mid-send: nobody lost, duplicates within its in-flight window', async () => {
    const readers = 20_000;
    const f = await fleet(readers, { leaseSeconds: 3 });
    cleanups.push(f.close);
    const procs = [0, 1, 2].map(() => run(['send', '--newsletter', 'morning', '--date', DATE, '--json'], f.env, f.dir));
    await f.sink.waitForAccepted(4000);
    procs[0]!.child.kill('SIGKILL');
    const codes = await Promise.all(procs.map((p) => p.exited));
    expect(codes.slice(1), procs.map((p) => p.out()).join('\n---\n')).toEqual([0, 0]);
    const { lost, duplicates } = everyoneOnce(f.sink, readers);
    expect(lost).toBe(0);
    // The killed process could have sent at most its in-flight window (8 × maxConnections) without recording it.
    expect(duplicates).toBeLessThanOrEqual(8 * 2);
    expect(await f.sql.all(`SELECT state, COUNT(*) AS n FROM sends GROUP BY state`)).toEqual([{ state: 'sent', n: readers }]);
  }, 240_000);

  it('lets a `daybreak worker` on another machine join the edition a `daybreak start` fires, sharing its copies', async () => {
    const readers = 3000;
    const fire = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000);
    const cron = `${fire.getUTCSeconds()} ${fire.getUTCMinutes()} ${fire.getUTCHours()} * * *`;
    const f = await fleet(readers, { cron });
    cleanups.push(f.close);
    const data = join(f.dir, 'data');
    mkdirSync(join(data, 'articles'), { recursive: true });
    writeFileSync(join(data, 'articles', 'a.json'), JSON.stringify([{
      id: 'story-1', kicker: 'Speed read', headline: 'Story 1', dek: 'What happened.',
      url: 'https://news.example.com/1', publishedAt: new Date(Date.now() - 3_600_000).toISOString(),
    }]));
    const env = { ...f.env, DAYBREAK_DATA: data };
    const start = run(['start', '--no-preview'], env, f.dir);
    const worker = run(['worker', '--poll', '0.5'], env, f.dir);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const row = await f.sql.get<{ state: string }>(`SELECT state FROM runs`);
      if (row?.state === 'done' && /joined: this instance sent \d+/.test(worker.out())) break;
      if (Date.now() > deadline) throw new Error(`the run did not finish:\n${start.out()}\n---\n${worker.out()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    start.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    await start.exited;
    const workerSent = Number(/joined: this instance sent (\d+)/.exec(worker.out())![1]);
    expect(workerSent).toBeGreaterThan(0);
    expect(workerSent).toBeLessThan(readers);
    expect(worker.out()).not.toContain(': sending (');
    expect(everyoneOnce(f.sink, readers)).toEqual({ lost: 0, duplicates: 0 });
  }, 180_000);

  it('fires a scheduled edition once with two `daybreak start` on one database; both send, every reader gets one copy', async () => {
    const readers = 400;
    const fire = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000);
    const cron = `${fire.getUTCSeconds()} ${fire.getUTCMinutes()} ${fire.getUTCHours()} * * *`;
    const f = await fleet(readers, { cron });
    cleanups.push(f.close);
    // Articles inside the window of today's firing.
    const data = join(f.dir, 'data');
    mkdirSync(join(data, 'articles'), { recursive: true });
    writeFileSync(join(data, 'articles', 'a.json'), JSON.stringify([1, 2, 3].map((i) => ({
      id: `story-${i}`, kicker: 'Speed read', headline: `Story ${i}`, dek: `What happened in ${i}.`,
      url: `https://news.example.com/${i}`, publishedAt: new Date(Date.now() - i * 3_600_000).toISOString(),
    }))));
    const env = { ...f.env, DAYBREAK_DATA: data };
    const starts = [run(['start', '--no-preview'], env, f.dir), run(['start', '--no-preview'], env, f.dir)];
    const deadline = Date.now() + 90_000;
    for (;;) {
      const row = await f.sql.get<{ state: string }>(`SELECT state FROM runs`);
      if (row?.state === 'done' && f.sink.accepted >= readers) break;
      if (Date.now() > deadline) throw new Error(`the run did not finish:\n${starts.map((s) => s.out()).join('\n---\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const s of starts) s.child.kill('SIGTERM');
    await Promise.all(starts.map((s) => s.exited));
    expect(await f.sql.all(`SELECT newsletter, state, sent, total FROM runs`)).toEqual([{ newsletter: 'morning', state: 'done', sent: readers, total: readers }]);
    expect(everyoneOnce(f.sink, readers)).toEqual({ lost: 0, duplicates: 0 });
    const logs = starts.map((s) => s.out());
    // Exactly one of them fired it.
    expect(logs.map((l) => (l.match(/: sending \(/g) ?? []).length).sort()).toEqual([0, 1]);
  }, 180_000);
});
