/**
 * A real `daybreak start` interrupted in the middle of a scheduled send, with a server that holds its
 * answers: killed with SIGKILL, stopped at once by a second Ctrl-C, or stopped when --shutdown-timeout
 * runs out. The next start joins the run at once, takes the dead process's copies over when their lease
 * runs out, then takes over the run itself and finishes it through the send ledger. Nobody is lost;
 * duplicates are at most the copies that were in flight.
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

  /**
   * A gated sink (it holds every answer until released) and a temp folder whose send starts two seconds
   * after the child is up. `interrupted()` starts a child and resolves once a copy is on the wire with its
   * answer held; `resume()` releases the sink, lets a second start finish the run and stops it.
   */
  async function world(prefix: string, readers: string[]) {
    const sink = await startGatedSmtpSink();
    sinks.push(sink);
    const t = tempDir(prefix);
    cleanups.push(t.cleanup);
    const { dbFile, env } = await scheduledSendSoon(t.dir, readers, sink.url);
    const start = async (args: string[] = []) => {
      const child = await startChild(t.dir, env, args);
      children.push(child);
      return child;
    };
    return {
      sink,
      /** The ledger's rows and the run's state, read from the database file. */
      ledger() {
        const db = new Database(dbFile, { readonly: true });
        try {
          return {
            run: (db.prepare('SELECT state FROM runs').get() as { state: string }).state,
            states: (db.prepare('SELECT state FROM sends').all() as { state: string }[]).map((row) => row.state),
          };
        } finally {
          db.close();
        }
      },
      async interrupted(args: string[] = []) {
        const child = await start(args);
        await sink.waitForHeld(1);
        return child;
      },
      async resume() {
        sink.release(); // the server accepts what it had (the client never learns: the at-least-once case)
        const second = await start();
        const lastRun = await waitForRunDone(second);
        expect(await stopChild(second)).toBe(0);
        return { lastRun, output: second.output() };
      },
    };
  }

  /** Nobody left out: every reader's address is among what the server accepted. */
  const servedEveryone = (sink: GatedSmtpSink, readers: string[]) => expect([...new Set(sink.accepted)].sort()).toEqual([...readers].sort());

  /**
   * After a stop that did not wait for the held answer: nothing was marked sent or failed without an
   * answer (the ledger still owes every copy), and the next start sends them all.
   */
  async function stillOwedThenSent(w: Awaited<ReturnType<typeof world>>, readers: string[]) {
    const { states } = w.ledger();
    expect(states).toHaveLength(readers.length);
    expect(states.some((state) => state === 'sent' || state === 'failed')).toBe(false);
    expect(await w.resume()).toMatchObject({ lastRun: { state: 'done', total: readers.length } });
    servedEveryone(w.sink, readers);
  }

  it('resumes the interrupted run at the next start: every reader served, duplicates only from the copies in flight', async () => {
    const maxConnections = 1; // scheduledSendSoon's
    const readers = Array.from({ length: 8 }, (_, i) => `reader${i}@example.com`);
    const w = await world('daybreak-crash-e2e-', readers);
    const first = await w.interrupted();
    first.process.kill('SIGKILL');
    await first.exited;
    expect(w.ledger().run).toBe('running');

    const { lastRun, output } = await w.resume();
    expect(output).toContain('resuming a run interrupted mid-send');
    expect(lastRun).toMatchObject({ state: 'done', sent: readers.length, total: readers.length });
    servedEveryone(w.sink, readers);
    // The sink held every answer until the kill, so the copies between `sending` and their outcome were
    // only those handed to SMTP: at most 2 × maxConnections.
    expect(w.sink.accepted.length - readers.length).toBeLessThanOrEqual(2 * maxConnections);
  }, 180_000);

  it('stops at once with exit 130 while a send is stuck, and the next start sends every copy', async () => {
    const readers = ['ann@example.com', 'bob@example.com', 'cleo@example.com'];
    const w = await world('daybreak-start-force-', readers);
    const first = await w.interrupted(); // the graceful stop must wait for the held answer
    first.process.kill('SIGINT');
    while (!first.output().includes('SIGINT: stopping')) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the one second that counts as one Ctrl-C
    first.process.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.output()).toContain('Stopping at once; unsent copies stay queued for the next start.');
    expect(first.output()).not.toContain('Stopped.');
    await stillOwedThenSent(w, readers);
  }, 120_000);

  it('gives up waiting after --shutdown-timeout, exits 0 and says so, and the next start sends every copy', async () => {
    const readers = ['ann@example.com', 'bob@example.com', 'cleo@example.com'];
    const w = await world('daybreak-start-timeout-', readers);
    const first = await w.interrupted(['--shutdown-timeout', '1']);
    first.process.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('SIGINT: stopping; no new sends, mail in flight finishes (up to 1 s)');
    expect(first.output()).toContain('Stopped after the timeout with SMTP transactions still open; those copies are re-sent at the next start.');
    await stillOwedThenSent(w, readers);
  }, 120_000);
});
