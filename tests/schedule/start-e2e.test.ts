/**
 * End to end: the real `node bin/daybreak.js start` child process, a loopback SMTP sink (SMTP_URL), a
 * temp folder for the database, var/ and the data, PORT=0 (the port is read from the child's banner).
 *
 * 1. First start (a schedule that does not fire today): a reader signs up over HTTP and confirms through
 *    the link in the confirmation email; others are already confirmed, pending or unsubscribed.
 * 2. Two processes started at once on the same database, with a seconds-level cron that fires a few
 *    seconds later: each confirmed reader gets exactly one briefing (on time, or as a catch-up if a child
 *    took longer than that to boot), sent by one of the two.
 * 3. Third start (a restart): nothing is sent again.
 *
 * The child runs in the temp folder, so everything it writes (var/, the database) stays there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import Database from 'better-sqlite3';
import { openStore } from '../../src/storage/index.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { startChild, stopChild, type Child } from './daybreak-child.ts';
import { tempDir } from './fixtures.ts';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

describe('daybreak start, end to end', () => {
  let sink: SmtpSink;
  let dir: string;
  let cleanup: () => void;
  const children: Child[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    ({ dir, cleanup } = tempDir('daybreak-start-e2e-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
    await sink?.close();
    cleanup?.();
  });

  it('sends each confirmed reader exactly one briefing at the firing, and nothing again after a restart', async () => {
    const dbFile = join(dir, 'var', 'daybreak.db');
    const configFile = join(dir, 'daybreak.config.json');
    const dataDir = join(dir, 'data');
    mkdirSync(join(dataDir, 'articles'), { recursive: true });
    const now = Date.now();
    // Articles published in the last hours: inside the window of a firing in the next minutes.
    writeFileSync(
      join(dataDir, 'articles', 'today.json'),
      JSON.stringify([1, 2, 3].map((i) => ({
        id: `story-${i}`,
        kicker: 'Speed read',
        headline: `Story number ${i}`,
        dek: `What happened in story ${i}.`,
        url: `https://news.example.com/story-${i}`,
        publishedAt: new Date(now - i * 3_600_000).toISOString(),
        priority: 3 - i,
      }))),
    );
    const writeConfig = (cron: string) =>
      writeFileSync(configFile, JSON.stringify({
        baseUrl: 'http://localhost:3000',
        newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron, timezone: 'UTC' } }],
        delivery: { maxConnections: 2, retries: 0 },
      }));
    const env = {
      ...process.env,
      DAYBREAK_DB: dbFile,
      DAYBREAK_CONFIG: configFile,
      DAYBREAK_DATA: dataDir,
      DAYBREAK_SECRET: 'an-end-to-end-test-secret-0123456789',
      SMTP_URL: sink.url,
      DAYBREAK_ALLOW_INSECURE_LINKS: '1',
      DAYBREAK_SPAM_CHECK: 'off',
      PORT: '0',
    };

    // Readers already in the database: two confirmed, one pending, one unsubscribed.
    const seed = await openStore({ database: dbFile });
    const store = seed.subscribers;
    const at = new Date();
    await store.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'test' }, at);
    await store.add({ email: 'bob@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, at);
    await store.add({ email: 'pending@example.com', name: null, newsletters: ['morning'], confirmed: false, source: 'test' }, at);
    const gone = await store.add({ email: 'gone@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, at);
    await store.unsubscribe(gone.id, ['morning'], at);
    await seed.close();

    // 1. A schedule that does not fire today (Feb 29 only); a new reader signs up and confirms over HTTP.
    writeConfig('0 0 6 29 2 *');
    const first = await startChild(dir, env);
    children.push(first);
    expect(first.output()).toContain(`Mail goes to ${sink.url}`);
    // The banner gives the next send in the newsletter's timezone and in UTC.
    expect(first.output()).toContain('morning  Tue 2028-02-29 06:00 UTC (UTC) = 2028-02-29 06:00 UTC');
    const signUp = await fetch(`${first.base}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cleo@example.com', name: 'Cleo', newsletters: ['morning'] }),
    });
    expect(signUp.status).toBe(200);
    await sink.waitForMessages(1);
    const confirmation = await simpleParser(sink.messagesTo('cleo@example.com')[0]!.raw);
    const link = /https?:\/\/[^\s"<>]+\/confirm\?token=[^\s"<>]+/.exec(confirmation.text ?? '')![0];
    const token = new URL(link).searchParams.get('token')!;
    const confirmed = await fetch(`${first.base}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(confirmed.status).toBe(200);
    expect(await stopChild(first)).toBe(0);
    const beforeBriefing = sink.messages.length; // the confirmation and the welcome

    // 2. A cron that fires 6 seconds from now (croner's seconds field), in UTC.
    const fire = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000);
    writeConfig(`${fire.getUTCSeconds()} ${fire.getUTCMinutes()} ${fire.getUTCHours()} * * *`);
    const date = `${fire.getUTCFullYear()}-${pad(fire.getUTCMonth() + 1)}-${pad(fire.getUTCDate())}`;
    // Two processes on the same database at once: only one of them may send the edition.
    const [second, twin] = await Promise.all([startChild(dir, env), startChild(dir, env)]);
    children.push(second, twin);
    // It fired while the child ran (on time) or just before it was up (a catch-up, well inside the grace).
    await sink.waitForMessages(beforeBriefing + 3, 60_000);
    const senders = [second, twin].filter((c) => /morning \d{4}-\d{2}-\d{2}: sending \((on time|catch-up)\) "The Morning Briefing: Story number 1"/.test(c.output()));
    expect(senders).toHaveLength(1);
    // Wait for the run to be recorded, then look at the ledger as the health check shows it.
    let health: { newsletters: { id: string; lastRun: { date: string; state: string; sent: number; total: number } | null }[] };
    for (;;) {
      health = await (await fetch(`${second.base}/healthz`)).json();
      if (health.newsletters[0]!.lastRun?.state === 'done') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health.newsletters[0]!.lastRun).toMatchObject({ date, state: 'done', sent: 3, total: 3 });
    const archive = await fetch(`${second.base}/archive/morning/${date}`);
    expect(archive.status).toBe(200);
    const page = await archive.text();
    expect(page).toContain('Story number 1');
    for (const email of ['ann@example.com', 'bob@example.com', 'cleo@example.com']) expect(page).not.toContain(email);
    expect(await stopChild(second)).toBe(0);
    expect(await stopChild(twin)).toBe(0);

    // 3. A restart finds the edition done and sends nothing.
    const third = await startChild(dir, env);
    children.push(third);
    const runsAfterRestart = (await (await fetch(`${third.base}/healthz`)).json()) as typeof health;
    expect(runsAfterRestart.newsletters[0]!.lastRun).toMatchObject({ date, state: 'done', sent: 3 });
    expect(await stopChild(third)).toBe(0);

    const briefings = sink.messages.slice(beforeBriefing);
    const subjects = await Promise.all(briefings.map(async (m) => (await simpleParser(m.raw)).subject));
    expect(subjects.every((s) => s === 'The Morning Briefing: Story number 1')).toBe(true);
    expect(briefings.map((m) => m.to[0]).sort()).toEqual(['ann@example.com', 'bob@example.com', 'cleo@example.com']);
    expect(sink.messages.slice(beforeBriefing)).toHaveLength(3);

    const db = new Database(dbFile, { readonly: true });
    const runs = db.prepare('SELECT newsletter, edition_date, state, sent, total FROM runs').all();
    db.close();
    expect(runs).toEqual([{ newsletter: 'morning', edition_date: date, state: 'done', sent: 3, total: 3 }]);
  }, 180_000);
});
