/**
 * A real `daybreak start` interrupted in the middle of a scheduled send, with a server that holds its
 * answers: killed with SIGKILL, or stopped at once by a second Ctrl-C. The next start finds the run
 * `running` under a holder whose process is gone, takes it over at once and finishes it through the send
 * ledger. Nobody is lost; duplicates are at most the copies that were in flight.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startGatedSmtpSink, type GatedSmtpSink } from '../helpers/gated-smtp-sink.ts';
import { scheduledSendSoon, startChild, stopChild, waitForRunDone, type Child } from './daybreak-child.ts';
import { tempDir } from './fixtures.ts';

describe('daybreak start interrupted mid-send', () => {
  const sinks: GatedSmtpSink[] = [];
  const cleanups: (() => void)[] = [];
  const children: Child[] = [];
  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    for (const sink of sinks) await sink.close();
    for (const cleanup of cleanups) cleanup();
  });

  /** A gated sink and a temp folder whose send starts two seconds after the child is up. */
  async function world(prefix: string, readers: string[]) {
    const sink = await startGatedSmtpSink();
    sinks.push(sink);
    const t = tempDir(prefix);
    cleanups.push(t.cleanup);
    return { sink, dir: t.dir, ...scheduledSendSoon(t.dir, readers, sink.url) };
  }

  it('resumes the interrupted run at the next start: every reader served, duplicates only from the copies in flight', async () => {
    const maxConnections = 1; // scheduledSendSoon's
    const readers = Array.from({ length: 8 }, (_, i) => `reader${i}@example.com`);
    const { sink, dir, dbFile, env } = await world('daybreak-crash-e2e-', readers);

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

  it('stops at once with exit 130 while a send is stuck, and the next start sends every copy', async () => {
    // The send starts two seconds after the child is up, so it is under way when the signals come.
    const readers = ['ann@example.com', 'bob@example.com', 'cleo@example.com'];
    const { sink, dir, dbFile, env } = await world('daybreak-start-force-', readers);

    const first = await startChild(dir, env);
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
    expect(states).toHaveLength(readers.length);
    expect(states.some((row) => row.state === 'sent' || row.state === 'failed')).toBe(false);

    sink.release(); // the held copy is accepted now (the client never learns: the at-least-once case)
    const second = await startChild(dir, env);
    children.push(second);
    expect(await waitForRunDone(second)).toMatchObject({ state: 'done', total: readers.length });
    expect(await stopChild(second)).toBe(0);
    expect([...new Set(sink.accepted)].sort()).toEqual([...readers].sort());
  }, 120_000);
});
