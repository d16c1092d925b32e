/**
 * A long send on a small disk: the SQLite write-ahead log is checkpointed as the send goes, so it stays a
 * few megabytes instead of growing with the list.
 */
import { existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailer, sendEdition } from '../../src/delivery/index.ts';
import { openThreadedSendStore } from '../../src/storage/index.ts';
import { startCountingSink } from '../helpers/counting-sink.ts';
import { sqliteStore } from '../helpers/test-store.ts';
import { DATE, manyReaders, renderedEdition, SECRET, seed, testConfig } from '../delivery/fixtures.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('the SQLite write-ahead log during a send', () => {
  it('stays under 6 MB over a 6,000-copy send', async () => {
    const t = await sqliteStore();
    cleanups.push(t.cleanup);
    seed(t.db, manyReaders(6000));
    const sink = await startCountingSink();
    cleanups.push(() => sink.close());
    const config = testConfig({ maxConnections: 3 });
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url } });
    cleanups.push(() => mailer.close());
    const ledger = await openThreadedSendStore(t.file);
    cleanups.push(() => ledger.close());
    let largest = 0;
    const watch = setInterval(() => {
      if (existsSync(`${t.file}-wal`)) largest = Math.max(largest, statSync(`${t.file}-wal`).size);
    }, 20);
    cleanups.push(() => clearInterval(watch));
    const report = await sendEdition({
      store: ledger,
      transport: mailer,
      config,
      newsletter: config.newsletters.find((n) => n.id === 'morning')!,
      date: DATE,
      rendered: await renderedEdition(),
      secret: SECRET,
      unsubscribeUrlFor: (id, nl) => `https://news.example.com/unsubscribe?token=${nl}-${id}`,
    });
    expect(report.sent).toBe(6000);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(6 * 1024 * 1024);
  }, 120_000);
});
