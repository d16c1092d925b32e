import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/content/index.ts';
import { createMailer } from '../../src/delivery/index.ts';
import { createDeliverySender } from '../../src/schedule/delivery-sender.ts';
import { createScheduler, ManualClock } from '../../src/schedule/index.ts';
import { startGatedSmtpSink } from '../helpers/gated-smtp-sink.ts';
import { hourlyContent, tempDb, tempDir } from './fixtures.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('graceful shutdown with an SMTP transaction in flight', () => {
  it('lets the transaction in flight finish, sends nothing new, and leaves the rest queued for the next start', async () => {
    const sink = await startGatedSmtpSink();
    const t = tempDb();
    const { dir: varDir, cleanup } = tempDir();
    const config = ConfigSchema.parse({
      newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
      // One connection, no in-run retries: exactly one SMTP transaction is in flight at a time.
      delivery: { maxConnections: 1, retries: 0, retryBaseMs: 10 },
    });
    const readers = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com'];
    const store = await t.store();
    for (const email of readers) await store.subscribers.add({ email, name: null, newsletters: ['morning'], confirmed: true, source: 'test' }, new Date());
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir });
    cleanups.push(async () => {
      await mailer.close();
      await sink.close();
      await t.cleanup();
      cleanup();
    });
    const content = hourlyContent('2026-11-28T00:00:00Z', 5);
    const makeSender = () =>
      createDeliverySender({
        sends: store.sends,
        config,
        transport: mailer,
        secret: 'a-test-secret-of-enough-length',
        unsubscribeUrlFor: (id, nl) => `http://localhost:3000/unsubscribe?token=${nl}-${id}`,
      });

    const clock = new ManualClock('2026-11-30T10:59:00Z');
    const scheduler = createScheduler({ runs: store.runs, config, loadContent: () => content, sender: makeSender(), clock, ledgerSince: new Date('2026-11-30T00:00:00Z') });
    await scheduler.start();
    const firing = clock.advanceTo('2026-11-30T11:00:00Z');
    await sink.waitForHeld(1); // the first copy's DATA is done; its 250 is being held back
    expect(sink.heldCount()).toBe(1);

    const stopping = scheduler.stop({ timeoutMs: 20_000 });
    // Shutdown has begun; now let the held answer through, as a slow server eventually would.
    setTimeout(() => sink.release(), 200);
    expect(await stopping).toEqual({ finished: true });
    await firing;

    // The copy on the wire finished; so did the one already handed to the SMTP client's queue before the
    // stop (sendEdition hands at most 2 × maxConnections copies to the SMTP client); nothing was handed over
    // after it.
    expect(sink.accepted[0]).toBe('a@example.com');
    expect(sink.accepted.length).toBeLessThanOrEqual(2);
    const states = t.db.prepare(`SELECT state, COUNT(*) AS n FROM sends GROUP BY state ORDER BY state`).all();
    const sent = t.db.prepare(`SELECT COUNT(*) AS n FROM sends WHERE state = 'sent'`).get() as { n: number };
    expect(sent.n, JSON.stringify(states)).toBe(sink.accepted.length);
    const run = t.db.prepare('SELECT state, holder, reason FROM runs').get() as { state: string; holder: string | null; reason: string };
    expect(run).toMatchObject({ state: 'running', holder: null });

    // The next start resumes through the send ledger: everyone else gets exactly one copy, nobody two.
    const next = createScheduler({ runs: store.runs, config, loadContent: () => content, sender: makeSender(), clock, ledgerSince: new Date('2026-11-30T00:00:00Z') });
    cleanups.push(async () => void (await next.stop({ timeoutMs: 1000 })));
    await next.start();
    await next.idle();
    expect([...sink.accepted].sort()).toEqual(readers);
    expect(t.db.prepare('SELECT state, sent, total FROM runs').get()).toEqual({ state: 'done', sent: 5, total: 5 });
  });
});
