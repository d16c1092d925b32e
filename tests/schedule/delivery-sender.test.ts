import { afterEach, describe, expect, it } from 'vitest';
import { assembleEdition, ConfigSchema, isSkipped } from '../../src/content/index.ts';
import { createMailer } from '../../src/delivery/index.ts';
import { createDeliverySender } from '../../src/schedule/delivery-sender.ts';
import { createScheduler, ManualClock } from '../../src/schedule/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { hourlyContent, tempDb, tempDir } from './fixtures.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * A scheduler with the real sender, mailer and SQLite ledger, sending to an SMTP sink, on a manual clock at
 * 2026-11-30 10:59 UTC (the morning briefing is due at 11:00 UTC), with `readers` confirmed.
 */
async function scheduledWorld(options: {
  readers: string[];
  maxConnections: number;
  fault?: Parameters<Awaited<ReturnType<typeof startSmtpSink>>['fault']>[0];
  /** The scheduler's start (default 10:59 UTC, before the 11:00 firing). */
  start?: string;
  /** An edition sent by hand (as `daybreak send` does, through the same ledger) before the scheduler starts. */
  sentByHand?: string;
}) {
  const sink = await startSmtpSink();
  if (options.fault) sink.fault(options.fault);
  const t = tempDb();
  const { dir: varDir, cleanup } = tempDir();
  const config = ConfigSchema.parse({
    newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
    delivery: { maxConnections: options.maxConnections, retries: 0 },
  });
  const store = await t.store();
  const addReader = (email: string) => store.subscribers.add({ email, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
  for (const reader of options.readers) await addReader(reader);
  const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir });
  const clock = new ManualClock(options.start ?? '2026-11-30T10:59:00Z');
  const content = hourlyContent('2026-11-28T00:00:00Z', 5);
  const sender = createDeliverySender({
    sends: store.sends, config, transport: mailer, secret: 'a-test-secret-of-enough-length',
    unsubscribeUrlFor: (id, nl) => `http://localhost:3000/unsubscribe?token=${nl}-${id}`,
  });
  if (options.sentByHand) {
    const edition = assembleEdition({ config, content, newsletterId: 'morning', date: options.sentByHand });
    if (isSkipped(edition)) throw new Error('the fixture edition has no articles');
    await sender.send({ newsletterId: 'morning', date: options.sentByHand, edition, signal: new AbortController().signal, retry: false });
  }
  const log: string[] = [];
  const scheduler = createScheduler({
    runs: store.runs,
    config,
    loadContent: () => content,
    sender,
    clock,
    ledgerSince: new Date('2026-11-30T00:00:00Z'),
    log: (line) => log.push(line),
  });
  cleanups.push(async () => {
    await scheduler.stop({ timeoutMs: 2000 });
    await mailer.close();
    await sink.close();
    await t.cleanup();
    cleanup();
  });
  await scheduler.start();
  await scheduler.idle();
  return { sink, t, clock, log, addReader, run: () => t.db.prepare('SELECT state, sent, deferred, total, reason FROM runs').get() };
}

describe('the scheduler with the real sender', () => {
  it('retries a deferred copy on its timer, and a retry mails no reader who confirmed after the send', async () => {
    // A 451 at RCPT for one reader, twice: the scheduled send and the first retry defer it.
    const { sink, clock, addReader, run } = await scheduledWorld({
      readers: ['ann@example.com', 'slow@example.com'],
      maxConnections: 2,
      fault: { phase: 'rcpt', match: 'slow@example.com', code: 451, message: '4.3.0 Mailbox busy, try later', times: 2 },
    });
    await clock.advanceTo('2026-11-30T11:00:00Z');
    expect(run()).toMatchObject({ state: 'done', sent: 1, deferred: 1, total: 2 });
    expect(sink.messages.map((m) => m.to[0])).toEqual(['ann@example.com']);

    // A reader who confirms after the send is for the next edition, not for this one's retries.
    await addReader('late@example.com');

    await clock.advanceTo('2026-11-30T11:01:00Z'); // first retry: deferred again
    expect(run()).toMatchObject({ state: 'done', sent: 1, deferred: 1, total: 2 });
    await clock.advanceTo('2026-11-30T11:03:00Z'); // second retry, two minutes later: delivered
    expect(run()).toMatchObject({ state: 'done', sent: 2, deferred: 0, total: 2 });
    expect(sink.messages.map((m) => m.to[0]).sort()).toEqual(['ann@example.com', 'slow@example.com']);

    // The next edition goes to everyone confirmed by then, the late reader included.
    await clock.advanceTo('2026-12-01T11:00:00Z');
    expect(sink.messagesTo('late@example.com')).toHaveLength(1);
    expect(sink.messagesTo('ann@example.com')).toHaveLength(2);
  });

  it('expires a copy still deferred when the next edition begins, and says so on the run', async () => {
    const { t, clock } = await scheduledWorld({
      readers: ['never@example.com'],
      maxConnections: 1,
      fault: { phase: 'rcpt', match: 'never@example.com', code: 451, message: '4.2.2 Mailbox full' },
    });
    await clock.advanceTo('2026-12-01T10:59:00Z');
    const copy = () => t.db.prepare(`SELECT state, attempts FROM sends WHERE edition_date = '2026-11-30'`).get() as { state: string; attempts: number };
    expect(copy().state).toBe('deferred');
    expect(copy().attempts).toBeGreaterThan(5); // retried on the timer through the day

    await clock.advanceTo('2026-12-01T11:00:00Z');
    expect(copy().state).toBe('expired');
    const run = t.db.prepare(`SELECT deferred, skipped, reason FROM runs WHERE edition_date = '2026-11-30'`).get() as { deferred: number; skipped: number; reason: string };
    expect(run).toMatchObject({ deferred: 0, skipped: 1 });
    expect(run.reason).toBe('1 deferred copy expired when the next edition began');
  });

  it('says an edition sent by hand before its catch-up was already sent, sends nothing again, and keeps the run\'s counts true', async () => {
    const readers = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com'];
    // Sent by hand at 11:10; the scheduler comes back at 11:30, inside the grace window, and catches up.
    const { sink, log, run } = await scheduledWorld({ readers, maxConnections: 2, start: '2026-11-30T11:30:00Z', sentByHand: '2026-11-30' });
    expect(sink.messages).toHaveLength(5);
    expect(log).toContain('morning 2026-11-30: already sent by an earlier run: 5 of 5; nothing to send');
    expect(log.filter((l) => l.includes(': done,'))).toEqual([]);
    expect(run()).toMatchObject({ state: 'done', sent: 5, total: 5, reason: 'already sent by an earlier run (5 of 5 copies); nothing was sent again' });
  });
});
