/**
 * `daybreak start` and Ctrl-C: one keypress under `npm start` reaches the process twice (the terminal
 * signals the whole process group, and npm forwards its own copy), and that must still be a graceful stop;
 * a second Ctrl-C later on, while a send is stuck, stops at once and loses nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubscriberStore } from '../../src/audience/index.ts';
import { openDatabase } from '../../src/db/index.ts';
import { startGatedSmtpSink, type GatedSmtpSink } from '../helpers/gated-smtp-sink.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { ROOT, startChild, stopChild, waitForRunDone, type Child } from './daybreak-child.ts';
import { tempDir } from './fixtures.ts';

describe('daybreak start on SIGINT', () => {
  let sink: SmtpSink;
  let dir: string;
  let cleanup: () => void;
  let child: Child | undefined;

  beforeAll(async () => {
    sink = await startSmtpSink();
    ({ dir, cleanup } = tempDir('daybreak-start-signals-'));
  });
  afterAll(async () => {
    if (child && child.process.exitCode === null) child.process.kill('SIGKILL');
    await sink?.close();
    cleanup?.();
  });

  it('treats two SIGINTs in quick succession as one Ctrl-C: a graceful stop, exit 0', async () => {
    child = await startChild(dir, {
      ...process.env,
      DAYBREAK_DB: join(dir, 'daybreak.db'),
      DAYBREAK_CONFIG: join(ROOT, 'daybreak.config.json'),
      DAYBREAK_DATA: join(ROOT, 'data'),
      DAYBREAK_SECRET: 'a-signal-test-secret-0123456789abcdef',
      SMTP_URL: sink.url,
      PORT: '0',
    });
    child.process.kill('SIGINT');
    // The second copy arrives while the stop is under way, as npm's forwarded one does.
    while (!child.output().includes('SIGINT: stopping')) await new Promise((resolve) => setTimeout(resolve, 1));
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('SIGINT: stopping');
    expect(child.output()).toContain('Stopped. Anything not sent is queued');
    expect(child.output()).not.toContain('Stopping at once');
  }, 60_000);
});

describe('daybreak start on a second SIGINT more than a second later', () => {
  let sink: GatedSmtpSink | undefined;
  let cleanup: (() => void) | undefined;
  const children: Child[] = [];
  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    await sink?.close();
    cleanup?.();
  });

  it('stops at once with exit 130 while a send is stuck, and the next start sends every copy', async () => {
    sink = await startGatedSmtpSink();
    const t = tempDir('daybreak-start-force-');
    cleanup = t.cleanup;
    const dbFile = join(t.dir, 'daybreak.db');
    const configFile = join(t.dir, 'daybreak.config.json');
    const dataDir = join(t.dir, 'data');
    mkdirSync(join(dataDir, 'articles'), { recursive: true });
    writeFileSync(join(dataDir, 'articles', 'a.json'), JSON.stringify({
      id: 'only-story', kicker: 'Speed read', headline: 'The only story', dek: 'It happened.',
      url: 'https://news.example.com/only', publishedAt: new Date(Date.now() - 3_600_000).toISOString(),
    }));
    // A firing two seconds after the start, so the send is under way when the signals come.
    const fire = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000);
    writeFileSync(configFile, JSON.stringify({
      newsletters: [{ id: 'morning', name: 'The Morning Briefing',
        schedule: { cron: `${fire.getUTCSeconds()} ${fire.getUTCMinutes()} ${fire.getUTCHours()} * * *`, timezone: 'UTC' } }],
      delivery: { maxConnections: 1, retries: 0 },
    }));
    const readers = ['ann@example.com', 'bob@example.com', 'cleo@example.com'];
    const seed = openDatabase(dbFile);
    const store = createSubscriberStore(seed);
    for (const email of readers) store.add({ email, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    seed.close();
    const env = {
      ...process.env,
      DAYBREAK_DB: dbFile, DAYBREAK_CONFIG: configFile, DAYBREAK_DATA: dataDir,
      DAYBREAK_SECRET: 'a-force-stop-test-secret-0123456789', SMTP_URL: sink.url, PORT: '0',
    };

    const first = await startChild(t.dir, env);
    children.push(first);
    await sink.waitForHeld(1); // a copy is on the wire and its answer held back: the graceful stop must wait
    first.process.kill('SIGINT');
    while (!first.output().includes('SIGINT: stopping')) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the one second that counts as one Ctrl-C
    first.process.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.output()).toContain('Stopping at once; unsent copies stay queued for the next start.');
    expect(first.output()).not.toContain('Stopped.');
    // Nothing was marked sent or failed without an answer: the ledger still owes every copy.
    const db = new Database(dbFile, { readonly: true });
    const states = db.prepare('SELECT state FROM sends').all() as { state: string }[];
    db.close();
    expect(states.some((row) => row.state === 'sent' || row.state === 'failed')).toBe(false);

    sink.release(); // the held copy is accepted now (the client never learns: the at-least-once case)
    const second = await startChild(t.dir, env);
    children.push(second);
    expect(await waitForRunDone(second)).toMatchObject({ state: 'done', total: readers.length });
    expect(await stopChild(second)).toBe(0);
    expect([...new Set(sink.accepted)].sort()).toEqual([...readers].sort());
  }, 120_000);
});
