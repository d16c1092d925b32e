/**
 * npm run bench:workers [-- --subscribers N --ledger N --pg URL] — sending with several processes.
 *
 * One run measures, to the same SMTP sink (its own process, accepting and discarding):
 *   - SQLite, one `daybreak send` process (the embedded default);
 *   - PostgreSQL with 1, 2 and 3 `daybreak send` processes on the same edition;
 *   - the ledger alone (claim and record, no SMTP) on each engine, and on PostgreSQL with two claimers.
 * Rates are copies over the sending window: from the earliest process's start of sending to the last
 * one's end (process start-up and rendering left out). PostgreSQL is the URL given (--pg or
 * DAYBREAK_BENCH_PG_URL), else a throwaway cluster started with fsync on (.ci/start-postgres).
 * Not a test: figures vary by machine; compare the ratios within one run.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { ensureBuild } from '../bin/build.js';
import type { Config } from '../src/content/index.ts';
import { openStore } from '../src/storage/index.ts';
import { testConfig, testEdition } from '../tests/render/fixtures.ts';
import { seedReaders } from './seed-readers.ts';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '20000' },
    ledger: { type: 'string', default: '20000' },
    pg: { type: 'string' },
    role: { type: 'string', default: 'main' },
  },
});

const SECRET = 'bench-secret-0123456789abcdef';
const DATE = '2026-11-30';
const ROOT = new URL('..', import.meta.url).pathname;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

if (args.role === 'sink') await runSink();
else await main();

async function runSink(): Promise<void> {
  let count = 0;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      stream.on('end', () => {
        count += 1;
        callback(null, 'OK discarded');
      });
      stream.resume();
    },
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

function benchConfig(): Config {
  return testConfig({
    publisher: { name: 'The Daybreak Post', postalAddress: '120 Harbor Street, Portland, ME 04101, USA', from: 'The Daybreak Post <briefing@daybreak.example>' },
    delivery: { maxConnections: 5 },
  });
}

/** A database URL for each PostgreSQL run: a fresh database on the server. */
async function freshPg(base: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

interface SendRun {
  sent: number;
  rate: number;
  perProcess: number[];
}

/** Runs `processes` × `daybreak send` on one edition at once; the rate over the sending window. */
async function sendWith(database: string, processes: number, dir: string, smtpUrl: string, n: number): Promise<SendRun> {
  const env = { ...process.env, SMTP_URL: smtpUrl, DAYBREAK_SECRET: SECRET, DATABASE_URL: '', DAYBREAK_DB: '', DAYBREAK_ALLOW_INSECURE_LINKS: '1', DAYBREAK_SPAM_CHECK: 'off' };
  const argv = ['send', '--db', database, '--config', join(dir, 'config.json'), '--data', join(dir, 'data'), '--date', DATE, '--json'];
  const runs = await Promise.all(
    Array.from({ length: processes }, () => new Promise<{ end: number; report: { sent: number; durationMs: number } }>((resolve, reject) => {
      const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/daybreak.js'), ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout!.on('data', (c: Buffer) => (out += c));
      child.stderr!.on('data', (c: Buffer) => (err += c));
      child.once('exit', (code) => {
        const end = performance.now();
        if (code !== 0) return reject(new Error(`daybreak send exited ${code}: ${err}`));
        resolve({ end, report: JSON.parse(out) as { sent: number; durationMs: number } });
      });
    })),
  );
  const start = Math.min(...runs.map((r) => r.end - r.report.durationMs));
  const end = Math.max(...runs.map((r) => r.end));
  const sent = runs.reduce((sum, r) => sum + r.report.sent, 0);
  if (sent !== n) throw new Error(`sent ${sent} of ${n}`);
  return { sent, rate: sent / ((end - start) / 1000), perProcess: runs.map((r) => r.report.sent) };
}

/** The ledger alone: queue n copies, then claim and record them (all `sent`) with `claimers` loops. */
async function ledgerAlone(database: string, n: number, claimers: number): Promise<number> {
  await seedReaders(database, n);
  const stores = await Promise.all(Array.from({ length: claimers }, () => openStore({ database })));
  try {
    const key = { newsletter: 'morning', date: DATE };
    await stores[0]!.sends.queueConfirmed(key, 1000);
    const started = performance.now();
    let done = 0;
    await Promise.all(stores.map(async (store, i) => {
      const worker = `bench-${i}`;
      for (;;) {
        const batch = await store.sends.claim(key, { worker, limit: 200, leaseSeconds: 60 });
        if (batch.copies.length === 0) {
          if (batch.waiting === 0) return;
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        // Outcomes in groups of 60, as the sender commits them.
        for (let g = 0; g < batch.copies.length; g += 60) {
          const group = batch.copies.slice(g, g + 60);
          await store.sends.record(key, worker, group.map((c) => ({ subscriberId: c.subscriberId, state: 'sent' as const, reply: '250 2.0.0 OK', messageId: `m${c.subscriberId}@bench` })));
          done += group.length;
        }
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    if (done !== n) throw new Error(`ledger recorded ${done} of ${n}`);
    return n / seconds;
  } finally {
    for (const s of stores) await s.close();
  }
}

function startPostgres(): { url: string; stop(): void } {
  const started = spawnSync(join(ROOT, '.ci/start-postgres'), { env: { ...process.env, PG_FSYNC: 'on' }, encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`could not start PostgreSQL: ${started.stderr}`);
  const url = started.stdout.trim();
  // The script says where the cluster lives: "PostgreSQL cluster in <dir> on port <port>".
  const dataDir = /cluster in (\S+) on port/.exec(started.stderr)?.[1];
  return {
    url,
    stop() {
      if (!dataDir) return;
      const bin = execFileSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], { encoding: 'utf8' }).trim();
      const command = `'${bin}/pg_ctl' -D '${dataDir}' -m fast stop`;
      if (process.getuid?.() === 0) spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { stdio: 'ignore' });
      else spawnSync('sh', ['-c', command], { stdio: 'ignore' });
    },
  };
}

async function main(): Promise<void> {
  const N = Number(args.subscribers);
  const L = Number(args.ledger);
  await ensureBuild();
  const sink = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--role', 'sink'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => sink.stdout!.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port)));
  const smtpUrl = `smtp://127.0.0.1:${port}`;
  const given = args.pg ?? process.env.DAYBREAK_BENCH_PG_URL;
  const cluster = given ? null : startPostgres();
  const pgBase = given ?? cluster!.url;
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-bench-workers-'));
  try {
    const config = benchConfig();
    mkdirSync(join(dir, 'data', 'articles'), { recursive: true });
    const edition = testEdition(25, config);
    writeFileSync(join(dir, 'data', 'articles', 'bench.json'), JSON.stringify([edition.lead, ...edition.items].map(({ file: _f, ...a }) => a)));
    const { file: _file, ...plain } = config as Config & { file?: unknown };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(plain));
    console.log(`bench:workers — ${fmt(N)} readers, 25-article edition, ${config.delivery.maxConnections} SMTP connections per process, sink pid ${sink.pid}`);
    console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; PostgreSQL: ${given ? 'given' : 'throwaway cluster, fsync on'}\n`);

    const sqliteFile = join(dir, 'send.db');
    await seedReaders(sqliteFile, N);
    const sqlite = await sendWith(sqliteFile, 1, dir, smtpUrl, N);
    console.log(`SQLite, 1 process:       ${fmt(sqlite.rate)} msg/s`);
    const pgRuns: Record<number, SendRun> = {};
    for (const k of [1, 2, 3]) {
      const url = await freshPg(pgBase, `bench_send_${k}`);
      await seedReaders(url, N);
      pgRuns[k] = await sendWith(url, k, dir, smtpUrl, N);
      console.log(`PostgreSQL, ${k} process${k > 1 ? 'es' : ''}: ${fmt(pgRuns[k]!.rate)} msg/s  (each sent ${pgRuns[k]!.perProcess.map(fmt).join(' / ')})`);
    }
    const ledgerSqlite = await ledgerAlone(join(dir, 'ledger.db'), L, 1);
    const ledgerPg = await ledgerAlone(await freshPg(pgBase, 'bench_ledger_1'), L, 1);
    const ledgerPg2 = await ledgerAlone(await freshPg(pgBase, 'bench_ledger_2'), L, 2);
    console.log(`\nledger alone (claim + record, no SMTP), ${fmt(L)} copies:`);
    console.log(`  SQLite:                 ${fmt(ledgerSqlite)} copies/s`);
    console.log(`  PostgreSQL, 1 claimer:  ${fmt(ledgerPg)} copies/s   (target ≥ 10,000: ${ledgerPg >= 10_000 ? 'met' : 'MISSED'})`);
    console.log(`  PostgreSQL, 2 claimers: ${fmt(ledgerPg2)} copies/s`);
    const ratio = pgRuns[2]!.rate / sqlite.rate;
    console.log(`\nPostgreSQL 2 processes / SQLite 1 process: ${ratio.toFixed(2)}   (target ≥ 0.80: ${ratio >= 0.8 ? 'met' : 'MISSED'})`);
    console.log(`PostgreSQL 3 / 1 processes: ${(pgRuns[3]!.rate / pgRuns[1]!.rate).toFixed(2)}`);
  } finally {
    sink.kill('SIGTERM');
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
