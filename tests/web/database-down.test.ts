/**
 * The web app when its PostgreSQL server goes away (a restart, a failover, the network): a write answers
 * 503 with Retry-After and saves nothing, the error a person reads names no stack, and the outbox's
 * failed read is logged as what it is. The database is cut off by closing a real TCP proxy in front of it.
 */
import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokens } from '../../src/audience/index.ts';
import { createMailer } from '../../src/delivery/index.ts';
import { openStore } from '../../src/storage/index.ts';
import { createApp } from '../../src/web/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { freshPostgresDatabase, PG_REQUIRED, PG_URL } from '../helpers/test-store.ts';
import { json, SECRET, testConfig } from './setup.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A TCP proxy to `target`; cut() closes it and every connection through it. */
async function proxyTo(target: URL): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the web app when PostgreSQL goes away', () => {
  it.skipIf(!PG_URL && !PG_REQUIRED)('answers a sign-up 503 with Retry-After, saying nothing was saved, and logs the outbox read that failed as such', async () => {
    if (!PG_URL) throw new Error('DAYBREAK_TEST_PG_URL is not set');
    const db = await freshPostgresDatabase();
    cleanups.push(() => db.drop());
    const proxy = await proxyTo(new URL(db.url));
    const through = new URL(db.url);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const store = await openStore({ database: through.toString() });
    cleanups.push(() => store.close().catch(() => {}));
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const config = testConfig({ web: { signupRatePerMinute: 1000 } });
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url } });
    cleanups.push(() => mailer.close());
    const lines: string[] = [];
    const app = createApp({ config, store, mailer, tokens: await createTokens(SECRET), log: (message, error) => lines.push(`${message}${error ? ` ${String(error)}` : ''}`), outboxPollMs: 100 });
    cleanups.push(() => app.audience.close());

    const before = await app.request('/subscribe', json({ email: 'ann@example.com', newsletters: ['morning'] }));
    expect(before.status).toBe(200);

    await proxy.cut();
    const during = await app.request('/subscribe', json({ email: 'bob@example.com', newsletters: ['morning'] }));
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('30');
    expect(await during.json()).toEqual({ ok: false, error: 'We cannot save anything right now and nothing was saved. Please try again in a minute.' });
    expect(lines.some((l) => /^POST \/subscribe: Cannot reach the database/.test(l)), lines.join('\n')).toBe(true);

    // The outbox poll fails too: logged as the outbox, never as a mail to a subscriber #0.
    app.audience.startMail();
    await expect.poll(() => lines.some((l) => l.startsWith('could not read the outbox')), { timeout: 5000 }).toBe(true);
    expect(lines.filter((l) => l.includes('subscriber #0'))).toEqual([]);
  }, 30_000);
});
