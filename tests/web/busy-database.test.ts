/**
 * The web app while another process holds the database's write lock, and transactional mail through an
 * SMTP outage and a restart: reads answer, writes answer 503 with Retry-After after a bounded wait, what
 * was acknowledged is stored, and a queued confirmation is delivered once the mail server is back.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokens } from '../../src/audience/index.ts';
import { createMailer } from '../../src/delivery/index.ts';
import { openClient, openStore } from '../../src/storage/index.ts';
import { createApp, startServer } from '../../src/web/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';
import { json, SECRET, testConfig } from './setup.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('a sign-up while another process holds the write lock', () => {
  it('keeps answering reads, answers 503 with Retry-After to a write that waited too long, and stores what it acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-busy-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'daybreak.db');
    const store = await openStore({ database: file, busyTimeoutMs: 1500 });
    cleanups.push(() => store.close());
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const config = testConfig({ web: { signupRatePerMinute: 1000 } });
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir: dir });
    cleanups.push(() => mailer.close());
    const app = createApp({ config, store, mailer, tokens: await createTokens(SECRET), log: () => {} });
    cleanups.push(() => app.audience.close());
    const server = await startServer(app, { port: 0 });
    cleanups.push(() => server.close());

    // Another process takes the write lock and keeps it until the test lets go.
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    other.prepare(`INSERT INTO used_tokens (digest, used_at) VALUES ('other', 'x')`).run();
    let locked = true;
    const unlock = () => {
      if (!locked) return;
      locked = false;
      other.exec('COMMIT');
      other.close();
    };
    cleanups.push(unlock);

    // Reads answer while the lock is held.
    for (const path of ['/healthz', '/', '/archive']) {
      const res = await fetch(`${server.url}${path}`);
      expect(locked).toBe(true);
      expect(res.status, path).toBeLessThan(500);
    }
    expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({ ok: true, database: 'reachable' });

    // A write waits for the lock, then gives up with 503 and Retry-After: nothing stored, no hang, no 500.
    const refused = await fetch(`${server.url}/subscribe`, json({ email: 'late@example.com' }));
    expect(locked).toBe(true);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toEqual({ ok: false, error: expect.stringContaining('try again') });

    // A write that starts while locked and sees the lock go within its wait is stored and acknowledged.
    const pending = fetch(`${server.url}/subscribe`, json({ email: 'patient@example.com' }));
    setTimeout(unlock, 400);
    const accepted = await pending;
    expect(accepted.status).toBe(200);
    expect((await store.subscribers.list()).map((p) => p.email)).toEqual(['patient@example.com']);
    await app.audience.drain();
    expect(sink.messagesTo('patient@example.com')).toHaveLength(1);
    expect(sink.messagesTo('late@example.com')).toHaveLength(0);
  }, 30_000);
});

describe.each(enginesUnderTest())('the transactional outbox on $name', (engine) => {
  it('keeps a confirmation through an SMTP outage and a restart, and delivers it once when the server is back', async () => {
    const db = await engine.create();
    cleanups.push(() => db.cleanup());
    const config = testConfig();
    const tokens = await createTokens(SECRET);

    // First life: the mail server is down (nothing listens on the port).
    const down = await startSmtpSink();
    const deadUrl = down.url;
    await down.close();
    const store1 = await openStore({ database: db.database });
    const mailer1 = createMailer({ config, env: { SMTP_URL: deadUrl }, varDir: mkdtempSync(join(tmpdir(), 'daybreak-outbox-')) });
    const errors: string[] = [];
    const app1 = createApp({ config, store: store1, mailer: mailer1, tokens, log: (m) => errors.push(m) });
    const res = await app1.request('/subscribe', json({ email: 'ann@example.com' }));
    expect(res.status).toBe(200);
    await app1.audience.drain();
    // The attempt failed, was logged without the address, and the mail waits in the outbox.
    expect(errors.join('\n')).toMatch(/could not send the confirmation email to subscriber #\d+ \(attempt 1, will retry\)/);
    expect(errors.join('\n')).not.toContain('ann@example.com');
    const sql = openClient({ database: db.database });
    cleanups.push(() => sql.close());
    expect(await sql.get(`SELECT kind, state, attempts FROM outbox`)).toEqual({ kind: 'confirmation', state: 'queued', attempts: 1 });
    // The process dies (no graceful drain beyond this point).
    await app1.audience.close();
    await mailer1.close();
    await store1.close();

    // Second life, with the mail server back: the retry is due (made due now, as time passing would).
    await sql.run(`UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00.000Z'`);
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const store2 = await openStore({ database: db.database });
    cleanups.push(() => store2.close());
    const mailer2 = createMailer({ config, env: { SMTP_URL: sink.url }, varDir: mkdtempSync(join(tmpdir(), 'daybreak-outbox-')) });
    cleanups.push(() => mailer2.close());
    const app2 = createApp({ config, store: store2, mailer: mailer2, tokens, log: () => {} });
    cleanups.push(() => app2.audience.close());
    app2.audience.startMail();
    await sink.waitForMessages(1);
    await app2.audience.drain();
    expect(sink.messagesTo('ann@example.com')).toHaveLength(1);
    expect(await sql.get(`SELECT state, attempts FROM outbox`)).toEqual({ state: 'sent', attempts: 2 });
    // A sign-up again within 24 hours queues nothing more: the limit counted the mail that was queued.
    await app2.request('/subscribe', json({ email: 'ann@example.com' }));
    await app2.audience.drain();
    expect(await sql.get(`SELECT COUNT(*) AS n FROM outbox`)).toEqual({ n: 1 });
  }, 60_000);

  it('lets two processes drain one outbox without sending any mail twice', async () => {
    const db = await engine.create();
    cleanups.push(() => db.cleanup());
    const config = testConfig({ web: { signupRatePerMinute: 1000 } });
    const tokens = await createTokens(SECRET);
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const apps: ReturnType<typeof createApp>[] = [];
    for (let i = 0; i < 2; i++) {
      const store = await openStore({ database: db.database });
      cleanups.push(() => store.close());
      const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir: mkdtempSync(join(tmpdir(), 'daybreak-outbox-')) });
      cleanups.push(() => mailer.close());
      const app = createApp({ config, store, mailer, tokens, log: () => {}, outboxPollMs: 50 });
      cleanups.push(() => app.audience.close());
      apps.push(app);
    }
    const emails = Array.from({ length: 40 }, (_, i) => `p${i}@example.com`);
    await Promise.all(emails.map((email, i) => apps[i % 2]!.request('/subscribe', json({ email }))));
    for (const app of apps) app.audience.startMail();
    await sink.waitForMessages(40);
    await Promise.all(apps.map((a) => a.audience.drain()));
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages).toHaveLength(40);
    expect(new Set(sink.messages.map((m) => m.to[0])).size).toBe(40);
  }, 60_000);
});
