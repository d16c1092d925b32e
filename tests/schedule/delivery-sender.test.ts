import { afterEach, describe, expect, it } from 'vitest';
import { createSubscriberStore } from '../../src/audience/index.ts';
import { ConfigSchema } from '../../src/content/index.ts';
import { createMailer, createThreadedSendStore } from '../../src/delivery/index.ts';
import { createDeliverySender } from '../../src/schedule/delivery-sender.ts';
import { createScheduler, ManualClock } from '../../src/schedule/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { hourlyContent, tempDb, tempDir } from './fixtures.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the scheduler with the real sender', () => {
  it('retries a deferred copy on its timer, and a retry mails no reader who confirmed after the send', async () => {
    const sink = await startSmtpSink();
    // A 451 at RCPT for one reader, twice: the scheduled send and the first retry defer it.
    sink.fault({ phase: 'rcpt', match: 'slow@example.com', code: 451, message: '4.3.0 Mailbox busy, try later', times: 2 });
    const t = tempDb();
    const { dir: varDir, cleanup } = tempDir();
    const config = ConfigSchema.parse({
      newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
      delivery: { maxConnections: 2, retries: 0 },
    });
    const store = createSubscriberStore(t.db);
    for (const email of ['ann@example.com', 'slow@example.com']) {
      store.add({ email, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    }
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir });
    const clock = new ManualClock('2026-11-30T10:59:00Z');
    const scheduler = createScheduler({
      db: t.db,
      config,
      loadContent: () => hourlyContent('2026-11-28T00:00:00Z', 5),
      sender: createDeliverySender({
        db: t.db, config, transport: mailer, secret: 'a-test-secret-of-enough-length',
        unsubscribeUrlFor: (id, nl) => `http://localhost:3000/unsubscribe?token=${nl}-${id}`,
      }),
      clock,
      ledgerSince: new Date('2026-11-30T00:00:00Z'),
    });
    cleanups.push(async () => {
      await scheduler.stop({ timeoutMs: 2000 });
      await mailer.close();
      await sink.close();
      t.cleanup();
      cleanup();
    });
    const run = () => t.db.prepare('SELECT state, sent, deferred, total FROM runs').get();

    await scheduler.start();
    await clock.advanceTo('2026-11-30T11:00:00Z');
    expect(run()).toEqual({ state: 'done', sent: 1, deferred: 1, total: 2 });
    expect(sink.messages.map((m) => m.to[0])).toEqual(['ann@example.com']);

    // A reader who confirms after the send is for the next edition, not for this one's retries.
    store.add({ email: 'late@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());

    await clock.advanceTo('2026-11-30T11:01:00Z'); // first retry: deferred again
    expect(run()).toEqual({ state: 'done', sent: 1, deferred: 1, total: 2 });
    await clock.advanceTo('2026-11-30T11:03:00Z'); // second retry, two minutes later: delivered
    expect(run()).toEqual({ state: 'done', sent: 2, deferred: 0, total: 2 });
    expect(sink.messages.map((m) => m.to[0]).sort()).toEqual(['ann@example.com', 'slow@example.com']);

    // The next edition goes to everyone confirmed by then, the late reader included.
    await clock.advanceTo('2026-12-01T11:00:00Z');
    expect(sink.messagesTo('late@example.com')).toHaveLength(1);
    expect(sink.messagesTo('ann@example.com')).toHaveLength(2);
  });

  it('expires a copy still deferred when the next edition begins, and says so on the run', async () => {
    const sink = await startSmtpSink();
    sink.fault({ phase: 'rcpt', match: 'never@example.com', code: 451, message: '4.2.2 Mailbox full' });
    const t = tempDb();
    const { dir: varDir, cleanup } = tempDir();
    const config = ConfigSchema.parse({
      newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
      delivery: { maxConnections: 1, retries: 0 },
    });
    createSubscriberStore(t.db).add({ email: 'never@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir });
    const clock = new ManualClock('2026-11-30T10:59:00Z');
    const scheduler = createScheduler({
      db: t.db, config, loadContent: () => hourlyContent('2026-11-28T00:00:00Z', 5), clock, ledgerSince: new Date('2026-11-30T00:00:00Z'),
      sender: createDeliverySender({ db: t.db, config, transport: mailer, secret: 'a-test-secret-of-enough-length', unsubscribeUrlFor: () => 'http://localhost:3000/u' }),
    });
    cleanups.push(async () => {
      await scheduler.stop({ timeoutMs: 2000 });
      await mailer.close();
      await sink.close();
      t.cleanup();
      cleanup();
    });
    await scheduler.start();
    await clock.advanceTo('2026-12-01T10:59:00Z');
    const copy = () => t.db.prepare(`SELECT state, attempts FROM sends WHERE edition_date = '2026-11-30'`).get() as { state: string; attempts: number };
    expect(copy().state).toBe('deferred');
    expect(copy().attempts).toBeGreaterThan(5); // retried on the timer through the day

    await clock.advanceTo('2026-12-01T11:00:00Z');
    expect(copy().state).toBe('expired');
    const run = t.db.prepare(`SELECT deferred, skipped, reason FROM runs WHERE edition_date = '2026-11-30'`).get() as { deferred: number; skipped: number; reason: string };
    expect(run).toMatchObject({ deferred: 0, skipped: 1 });
    expect(run.reason).toBe('1 deferred copies expired when the next edition began');
  });

  it('opens the ledger given by openStore for each send (the threaded store in daybreak start) and closes it after', async () => {
    const sink = await startSmtpSink();
    sink.fault({ phase: 'rcpt', match: 'slow@example.com', code: 451, message: '4.3.0 Mailbox busy, try later', times: 1 });
    const t = tempDb();
    const { dir: varDir, cleanup } = tempDir();
    const config = ConfigSchema.parse({
      newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
      delivery: { maxConnections: 2, retries: 0 },
    });
    const readers = createSubscriberStore(t.db);
    for (let i = 0; i < 12; i++) readers.add({ email: `r${i}@example.com`, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    readers.add({ email: 'slow@example.com', name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir });
    let opened = 0;
    let closed = 0;
    const clock = new ManualClock('2026-11-30T10:59:00Z');
    const scheduler = createScheduler({
      db: t.db, config, loadContent: () => hourlyContent('2026-11-28T00:00:00Z', 5), clock, ledgerSince: new Date('2026-11-30T00:00:00Z'),
      sender: createDeliverySender({
        db: t.db, config, transport: mailer, secret: 'a-test-secret-of-enough-length', unsubscribeUrlFor: () => 'http://localhost:3000/u',
        async openStore() {
          opened += 1;
          const store = await createThreadedSendStore(t.file);
          return { ...store, close: async () => { closed += 1; await store.close(); } };
        },
      }),
    });
    cleanups.push(async () => {
      await scheduler.stop({ timeoutMs: 2000 });
      await mailer.close();
      await sink.close();
      t.cleanup();
      cleanup();
    });
    await scheduler.start();
    await clock.advanceTo('2026-11-30T11:00:00Z');
    expect(t.db.prepare('SELECT state, sent, deferred, total FROM runs').get()).toEqual({ state: 'done', sent: 12, deferred: 1, total: 13 });
    expect({ opened, closed }).toEqual({ opened: 1, closed: 1 });
    await clock.advanceTo('2026-11-30T11:01:00Z'); // the deferred copy's retry: one more send, its own ledger
    expect(t.db.prepare('SELECT state, sent, deferred, total FROM runs').get()).toEqual({ state: 'done', sent: 13, deferred: 0, total: 13 });
    expect({ opened, closed }).toEqual({ opened: 2, closed: 2 });
    expect(new Set(sink.messages.map((m) => m.to[0])).size).toBe(13);
    expect(sink.messages).toHaveLength(13);
  });
});
