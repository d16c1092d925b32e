import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migratedSqlite, type Db } from '../helpers/test-store.ts';
import { readMaildir } from '../../src/delivery/index.ts';
import { ConfigSchema, localDate, nextFiring, type Config } from '../../src/content/index.ts';
import { formatLocal } from '../../src/schedule/index.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { DATE, ledger, manyReaders, REPO, SECRET, seed, tempDir, type SeedReader } from './fixtures.ts';

const BIN = join(REPO, 'bin', 'daybreak.js');
let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

interface Setup {
  dir: string;
  db: Db;
  sink: SmtpSink;
  env: NodeJS.ProcessEnv;
  ids: number[];
}

async function setup(readers: SeedReader[], delivery: Record<string, unknown> = {}): Promise<Setup> {
  const tmp = tempDir('daybreak-send-cli-');
  cleanup.push(tmp.remove);
  const config = JSON.parse(readFileSync(join(REPO, 'daybreak.config.json'), 'utf8')) as Record<string, unknown>;
  config.delivery = { maxConnections: 2, retries: 0, retryBaseMs: 5, socketTimeoutMs: 3000, ...delivery };
  // Logo paths are relative to the config file's folder: the copy points at the repository's files.
  const brand = (config.publisher as { brand: Record<string, string> }).brand;
  for (const key of ['logo', 'logoDark']) brand[key] = join(REPO, brand[key]!);
  writeFileSync(join(tmp.dir, 'daybreak.config.json'), JSON.stringify(config));
  const db = migratedSqlite(join(tmp.dir, 'daybreak.db'));
  cleanup.push(() => db.close());
  const ids = seed(db, readers);
  const sink = await startSmtpSink();
  cleanup.push(() => sink.close());
  const env = {
    ...process.env,
    DAYBREAK_DB: join(tmp.dir, 'daybreak.db'),
    DAYBREAK_SECRET: SECRET,
    DAYBREAK_DATA: join(REPO, 'data'),
    DAYBREAK_CONFIG: join(tmp.dir, 'daybreak.config.json'),
    SMTP_URL: sink.url,
    // The sink stands in for a relay; baseUrl stays http://localhost and SpamAssassin has its own tests.
    DAYBREAK_ALLOW_INSECURE_LINKS: '1',
    DAYBREAK_SPAM_CHECK: 'off',
  };
  return { dir: tmp.dir, db, sink, env, ids };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function daybreak(s: Setup, args: string[], env: NodeJS.ProcessEnv = s.env, onSpawn?: (kill: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: s.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(() => child.kill('SIGKILL'));
  });
}

function copiesPerReader(sink: SmtpSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sink.messages) counts.set(m.to[0]!, (counts.get(m.to[0]!) ?? 0) + 1);
  return counts;
}

describe('daybreak send', () => {
  it('sends one copy to every confirmed reader, prints the JSON report, and sends nothing when run again', async () => {
    const s = await setup([...manyReaders(5), { email: 'pending@example.com', status: 'pending' }]);
    const first = await daybreak(s, ['send', '--date', DATE, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['newsletter', 'date', 'total', 'sent', 'failed', 'deferred', 'skipped', 'alreadySent', 'durationMs']);
    expect(report).toMatchObject({ newsletter: 'morning', date: DATE, total: 5, sent: 5, failed: 0, deferred: 0, skipped: 0, alreadySent: 0 });
    expect([...copiesPerReader(s.sink).values()]).toEqual([1, 1, 1, 1, 1]);
    // The archive's web copy was kept as the edition went out, with no reader's address in it.
    const kept = s.db.prepare('SELECT subject, html FROM archived_editions WHERE newsletter = ? AND edition_date = ?').get('morning', DATE) as { subject: string; html: string };
    expect(kept.html).toContain('You are reading the web edition of');
    expect(kept.html).not.toMatch(/reader\d+@example\.com/);

    const again = await daybreak(s, ['send', '--date', DATE]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already sent: 5 copies went out before; nothing to send/);
    expect(again.stdout).toContain(`Mail went to smtp://127.0.0.1:${s.sink.port}`);
    expect(s.sink.messages).toHaveLength(5);
  }, 120_000);

  it('exits 75 when copies are deferred, and 0 once a later run has sent them', async () => {
    const s = await setup([{ email: 'ana@example.com' }, { email: 'busy@example.com' }]);
    const clear = s.sink.fault({ phase: 'rcpt', match: 'busy@example.com', code: 451, message: '4.2.2 Mailbox busy' });
    const first = await daybreak(s, ['send', '--date', DATE]);
    expect(first.code, first.stderr).toBe(75);
    expect(first.stdout).toMatch(/sent 1, failed 0, deferred 1/);
    expect(first.stdout).toContain('1 copy is deferred; run the same command again to retry it.\n');
    clear();
    const second = await daybreak(s, ['send', '--date', DATE, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ sent: 1, alreadySent: 1, deferred: 0 });
  }, 120_000);

  it('exits 0 and queues nothing on a day without an edition', async () => {
    const s = await setup(manyReaders(2));
    const run = await daybreak(s, ['send', '--date', '2026-10-01']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/no articles .* nothing queued/);
    expect(ledger(s.db, '2026-10-01')).toEqual([]);
    expect(s.sink.messages).toHaveLength(0);
  }, 120_000);

  it('renders and counts with --dry-run without sending or writing the ledger', async () => {
    const s = await setup([...manyReaders(3), { email: 'gone@example.com', status: 'unsubscribed' }]);
    const run = await daybreak(s, ['send', '--date', DATE, '--dry-run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 3, sent: 0, dryRun: true });
    expect(s.sink.messages).toHaveLength(0);
    expect(ledger(s.db)).toEqual([]);
  }, 120_000);

  it('sends one test copy with --to outside the ledger', async () => {
    const s = await setup(manyReaders(2));
    const run = await daybreak(s, ['send', '--date', DATE, '--to', 'editor@example.com']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Sent a test copy of morning 2026-11-30 to editor@example.com/);
    expect(s.sink.messages.map((m) => m.to)).toEqual([['editor@example.com']]);
    expect(s.sink.messages[0]!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    // Marked as a test, as the preview's test send is.
    expect(s.sink.messages[0]!.raw).toMatch(/^Subject: \[Test\] /m);
    expect(ledger(s.db)).toEqual([]);
  }, 120_000);

  it('delivers to the local mail server and its Maildir when SMTP_URL is not set, and says so', async () => {
    const s = await setup(manyReaders(2));
    const { SMTP_URL: _unused, ...env } = s.env;
    const run = await daybreak(s, ['send', '--date', DATE], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Mail went to Maildir var/mail (local mail server).');
    const mail = await readMaildir(join(s.dir, 'var', 'mail'));
    expect(mail.map((m) => m.to).sort()).toEqual(['"Reader 1" <reader1@example.com>', '"Reader 2" <reader2@example.com>'].sort());
    expect(existsSync(join(s.dir, 'var', 'mail', 'tmp'))).toBe(true);
  }, 120_000);

  it('warns that an edition sent before its window closes leaves out what is published until then', async () => {
    const s = await setup(manyReaders(1));
    // The edition whose window holds this moment: its window closes at the next firing, in the future.
    const config = JSON.parse(readFileSync(join(REPO, 'daybreak.config.json'), 'utf8')) as Config;
    const morning = ConfigSchema.parse(config).newsletters[0]!;
    const closes = nextFiring(morning, new Date())!;
    const date = localDate(closes, morning.schedule.timezone);
    const data = join(s.dir, 'data');
    cpSync(join(REPO, 'data'), data, { recursive: true });
    const articles = JSON.parse(readFileSync(join(data, 'articles', '2026-11-30-briefing.json'), 'utf8')) as Record<string, unknown>[];
    const fresh = articles.map((a, i) => ({ ...a, id: `fresh-${i}`, publishedAt: new Date(Date.now() - 1000).toISOString() }));
    writeFileSync(join(data, 'articles', 'fresh.json'), JSON.stringify(fresh));
    const run = await daybreak(s, ['send', '--date', date], { ...s.env, DAYBREAK_DATA: data });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: morning ${date} is sent early: its window is open until ${formatLocal(closes, morning.schedule.timezone)}, so an article published before then will go out in no edition`);
    // A past edition, whose window has closed, goes out without it.
    const past = await daybreak(s, ['send', '--date', DATE]);
    expect(past.code, past.stderr).toBe(0);
    expect(past.stderr).not.toContain('sent early');
  }, 120_000);

  it('warns on stderr, naming the newer edition that went out and when, before sending an older one, and still sends it', async () => {
    const s = await setup(manyReaders(2));
    const newest = await daybreak(s, ['send', '--date', DATE]);
    expect(newest.code, newest.stderr).toBe(0);
    expect(newest.stderr).not.toContain('newer edition');
    // It went out when its web copy was kept or its first copy was sent, whichever came first.
    const sentAt = s.db
      .prepare("SELECT MIN(at) AS at FROM (SELECT sent_at AS at FROM archived_editions WHERE edition_date = ? UNION ALL SELECT sent_at FROM sends WHERE edition_date = ? AND state = 'sent')")
      .get(DATE, DATE) as { at: string };
    const when = formatLocal(new Date(sentAt.at), 'America/New_York');

    const dry = await daybreak(s, ['send', '--date', '2026-11-29', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`warning: morning ${DATE}, a newer edition, already went out on ${when}; 2026-11-29 would reach readers after it.\n`);

    const older = await daybreak(s, ['send', '--date', '2026-11-29', '--json']);
    expect(older.code, older.stderr).toBe(0);
    expect(older.stderr).toContain(`warning: morning ${DATE}, a newer edition, already went out on ${when}; 2026-11-29 will reach readers after it.\n`);
    // The report on stdout is still the JSON alone.
    expect(JSON.parse(older.stdout)).toMatchObject({ newsletter: 'morning', date: '2026-11-29', total: 2, sent: 2 });
    expect(ledger(s.db, '2026-11-29').map((r) => r.state)).toEqual(['sent', 'sent']);

    // A test copy is outside the ledger and names no order, so it says nothing; neither does the newest edition sent again.
    const test = await daybreak(s, ['send', '--date', '2026-11-29', '--to', 'editor@example.com']);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stderr).not.toContain('newer edition');
    const again = await daybreak(s, ['send', '--date', DATE]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('newer edition');
    expect(s.sink.messages).toHaveLength(5);

    // Once every copy of the older edition went out, sending it again mails nobody: no warning then.
    const resend = await daybreak(s, ['send', '--date', '2026-11-29']);
    expect(resend.code, resend.stderr).toBe(0);
    expect(resend.stdout).toContain('morning 2026-11-29 was already sent: 2 copies went out before; nothing to send.');
    expect(resend.stderr).not.toContain('newer edition');
    const dryAgain = await daybreak(s, ['send', '--date', '2026-11-29', '--dry-run']);
    expect(dryAgain.code, dryAgain.stderr).toBe(0);
    expect(dryAgain.stderr).not.toContain('newer edition');
    // A reader who confirmed since would get it, so the warning is back.
    seed(s.db, [{ email: 'late@example.com' }]);
    const late = await daybreak(s, ['send', '--date', '2026-11-29']);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stderr).toContain(`warning: morning ${DATE}, a newer edition, already went out on ${when}; 2026-11-29 will reach readers after it.\n`);
    expect(s.sink.messages.slice(5).map((m) => m.to[0])).toEqual(['late@example.com']);
  }, 120_000);

  it('rejects bad flags with exit 2', async () => {
    const s = await setup([]);
    const run = await daybreak(s, ['send', '--date', DATE, '--limit', 'lots']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--limit: Expected a whole number/);
    const to = await daybreak(s, ['send', '--date', DATE, '--to', 'foo']);
    expect(to.code).toBe(2);
    expect(to.stderr).toBe('daybreak: --to: "foo" is missing an @. Enter an address like name@example.com.\n');
    expect(s.sink.messages).toHaveLength(0);
  }, 120_000);
});

describe('daybreak send under crashes and concurrency', () => {
  it('after SIGKILL at several points, a re-run loses no reader and duplicates at most the in-flight copies', async () => {
    const readers = manyReaders(240);
    // 2 connections: at most 16 copies are between `sending` and their outcome commit (8 × maxConnections).
    const s = await setup(readers, { maxConnections: 2, ratePerSecond: 120 });
    const window = 16;
    const kills: number[] = [];
    let killed = 0;
    for (const after of [1, 60, 150]) {
      const before = s.sink.messages.length;
      const target = Math.min(before + after, readers.length);
      const run = await daybreak(s, ['send', '--date', DATE], s.env, (kill) => {
        s.sink.waitForMessages(target, 90_000).then(kill, kill);
      });
      kills.push(s.sink.messages.length);
      if (run.signal === 'SIGKILL') killed += 1;
      expect(run.signal === 'SIGKILL' || run.code === 0, run.stderr).toBe(true);
    }
    expect(killed).toBeGreaterThan(0);
    expect(s.sink.messages.length).toBeLessThan(240 + kills.length * window);
    const final = await daybreak(s, ['send', '--date', DATE, '--json']);
    expect(final.code, final.stderr).toBe(0);
    expect(JSON.parse(final.stdout)).toMatchObject({ total: 240, deferred: 0, failed: 0 });

    const counts = copiesPerReader(s.sink);
    expect(counts.size).toBe(240); // no reader lost
    const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(duplicates).toBeLessThanOrEqual(kills.length * window);
    // A duplicate is recognizable: both copies carry the same Message-ID.
    const ids = new Map<string, Set<string>>();
    for (const m of s.sink.messages) {
      const id = /^Message-ID: (<[^>]+>)/m.exec(m.raw)?.[1] ?? '';
      ids.set(m.to[0]!, (ids.get(m.to[0]!) ?? new Set()).add(id));
    }
    expect([...ids.values()].every((set) => set.size === 1)).toBe(true);
    expect(ledger(s.db).every((r) => r.state === 'sent')).toBe(true);
  }, 300_000);

  it('two concurrent sends of the same edition give every reader exactly one copy', async () => {
    const s = await setup(manyReaders(80), { maxConnections: 2, ratePerSecond: 100 });
    const [a, b] = await Promise.all([daybreak(s, ['send', '--date', DATE, '--json']), daybreak(s, ['send', '--date', DATE, '--json'])]);
    for (const run of [a, b]) {
      if (run.code !== 0) {
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/Another send of morning 2026-11-30 is running/);
      }
    }
    expect([a.code, b.code]).toContain(0);
    const counts = copiesPerReader(s.sink);
    expect(counts.size).toBe(80);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  }, 300_000);
});
