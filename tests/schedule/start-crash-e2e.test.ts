/**
 * A real `daybreak start` killed with SIGKILL in the middle of a scheduled send: the next start finds the
 * run `running` under a holder whose process is gone, takes it over at once and finishes it through the
 * send ledger. Nobody is lost; duplicates are at most the copies that were in flight at the kill.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSubscriberStore } from '../../src/audience/index.ts';
import { openDatabase } from '../../src/db/index.ts';
import { startGatedSmtpSink, type GatedSmtpSink } from '../helpers/gated-smtp-sink.ts';
import { startChild, stopChild, waitForRunDone, type Child } from './daybreak-child.ts';
import { tempDir } from './fixtures.ts';

describe('daybreak start killed mid-send', () => {
  let sink: GatedSmtpSink | undefined;
  let cleanup: (() => void) | undefined;
  const children: Child[] = [];
  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    await sink?.close();
    cleanup?.();
  });

  it('resumes the interrupted run at the next start: every reader served, duplicates only from the copies in flight', async () => {
    sink = await startGatedSmtpSink();
    const t = tempDir('daybreak-crash-e2e-');
    cleanup = t.cleanup;
    const dir = t.dir;
    const dbFile = join(dir, 'daybreak.db');
    const configFile = join(dir, 'daybreak.config.json');
    const dataDir = join(dir, 'data');
    mkdirSync(join(dataDir, 'articles'), { recursive: true });
    writeFileSync(join(dataDir, 'articles', 'a.json'), JSON.stringify({
      id: 'only-story', kicker: 'Speed read', headline: 'The only story', dek: 'It happened.',
      url: 'https://news.example.com/only', publishedAt: new Date(Date.now() - 3_600_000).toISOString(),
    }));
    const fire = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000);
    const maxConnections = 1;
    writeFileSync(configFile, JSON.stringify({
      newsletters: [{ id: 'morning', name: 'The Morning Briefing',
        schedule: { cron: `${fire.getUTCSeconds()} ${fire.getUTCMinutes()} ${fire.getUTCHours()} * * *`, timezone: 'UTC' } }],
      delivery: { maxConnections, retries: 0 },
    }));
    const readers = Array.from({ length: 8 }, (_, i) => `reader${i}@example.com`);
    const seed = openDatabase(dbFile);
    const store = createSubscriberStore(seed);
    for (const email of readers) store.add({ email, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    seed.close();
    const env = {
      ...process.env,
      DAYBREAK_DB: dbFile, DAYBREAK_CONFIG: configFile, DAYBREAK_DATA: dataDir,
      DAYBREAK_SECRET: 'a-crash-test-secret-0123456789', SMTP_URL: sink.url, PORT: '0',
    };

    const first = await startChild(dir, env);
    children.push(first);
    await sink.waitForHeld(1); // a copy is on the wire, its 250 held back
    first.process.kill('SIGKILL');
    await first.exited;
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('SELECT state FROM runs').get()).toEqual({ state: 'running' });
    db.close();

    sink.release(); // the server accepts what it had (the client never learns: the at-least-once case)
    const second = await startChild(dir, env);
    children.push(second);
    const lastRun = await waitForRunDone(second);
    expect(second.output()).toContain('resuming a run interrupted mid-send');
    expect(await stopChild(second)).toBe(0);

    expect(lastRun).toMatchObject({ state: 'done', sent: readers.length, total: readers.length });
    const copies = new Map<string, number>();
    for (const to of sink.accepted) copies.set(to, (copies.get(to) ?? 0) + 1);
    expect([...copies.keys()].sort()).toEqual([...readers].sort());
    const duplicates = sink.accepted.length - readers.length;
    // The sink held every answer until the kill, so the copies between `sending` and their outcome were
    // only those handed to SMTP: at most 2 × maxConnections.
    expect(duplicates).toBeLessThanOrEqual(2 * maxConnections);
  }, 180_000);
});
