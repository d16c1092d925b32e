import { generateKeyPairSync } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/content/index.ts';
import { openStore, type Store } from '../../src/storage/index.ts';
import type { Db } from '../helpers/test-store.ts';
import {
  createMailer,
  editionMessageId,
  sendEdition,
  type Mailer,
  type SendEditionOptions,
  type Transport,
} from '../../src/delivery/index.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { DATE, headerNames, ledger, manyReaders, openTempDb, parse, renderedEdition, SECRET, seed, tempDir, testConfig, type SeedReader } from './fixtures.ts';

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

interface World {
  db: Db;
  store: Store;
  sink: SmtpSink;
  mailer: Mailer;
  config: Config;
  ids: number[];
  send(extra?: Partial<SendEditionOptions>): ReturnType<typeof sendEdition>;
}

async function world(readers: SeedReader[], delivery: Partial<Config['delivery']> = {}, extra: Record<string, unknown> = {}): Promise<World> {
  const tmp = tempDir();
  cleanup.push(tmp.remove);
  const db = openTempDb(tmp.dir);
  cleanup.push(() => db.close());
  const sink = await startSmtpSink();
  cleanup.push(() => sink.close());
  const config = testConfig(delivery, extra);
  const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir: tmp.dir });
  cleanup.push(() => mailer.close());
  const store = await openStore({ database: join(tmp.dir, 'daybreak.db') });
  cleanup.push(() => store.close());
  const ids = seed(db, readers);
  const rendered = await renderedEdition();
  const newsletter = config.newsletters.find((n) => n.id === 'morning')!;
  const send = (more: Partial<SendEditionOptions> = {}) =>
    sendEdition({
      store: store.sends,
      transport: mailer,
      config,
      newsletter,
      date: DATE,
      rendered,
      secret: SECRET,
      unsubscribeUrlFor: (id, nl) => `https://news.example.com/unsubscribe?token=${nl}-${id}`,
      ...more,
    });
  return { db, store, sink, mailer, config, ids, send };
}

const states = (db: Db) => ledger(db).map((r) => r.state);

describe('sendEdition: who gets a copy', () => {
  it('sends exactly one copy to each confirmed reader and none to pending, unsubscribed or bounced ones', async () => {
    const w = await world([
      { email: 'ana@example.com', name: 'Ana' },
      { email: 'bob@example.com' },
      { email: 'pending@example.com', status: 'pending' },
      { email: 'gone@example.com', status: 'unsubscribed' },
      { email: 'bounced@example.com', bounced: true },
      { email: 'other@example.com', newsletter: 'good-news' },
    ]);
    const report = await w.send();
    expect(report).toMatchObject({ newsletter: 'morning', date: DATE, total: 2, sent: 2, failed: 0, deferred: 0, skipped: 0, alreadySent: 0 });
    expect(w.sink.messages.map((m) => m.to).sort()).toEqual([['ana@example.com'], ['bob@example.com']]);
    expect(ledger(w.db).map((r) => [r.subscriber_id, r.state, r.attempts])).toEqual([[w.ids[0], 'sent', 1], [w.ids[1], 'sent', 1]]);
    expect(ledger(w.db)[0]!.last_reply).toMatch(/^250 /);
  });

  it('sends nothing when the finished edition is sent again, and reports the copies as already sent', async () => {
    const w = await world(manyReaders(3));
    await w.send();
    const again = await w.send();
    expect(again).toMatchObject({ total: 3, sent: 0, alreadySent: 3, deferred: 0, failed: 0 });
    expect(w.sink.messages).toHaveLength(3);
  });

  it('honours an unsubscribe that happens while the run is going', async () => {
    const readers = manyReaders(60);
    const w = await world(readers, { maxConnections: 1 });
    const last = w.ids[w.ids.length - 1]!;
    let first = true;
    const transport: Transport = {
      async sendRaw(message) {
        if (first) {
          first = false;
          w.db.prepare("UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?").run(last);
        }
        return w.mailer.sendRaw(message);
      },
    };
    const report = await w.send({ transport });
    expect(report).toMatchObject({ sent: 59, skipped: 1 });
    expect(w.sink.messagesTo('reader60@example.com')).toHaveLength(0);
    expect(ledger(w.db).find((r) => r.subscriber_id === last)).toMatchObject({ state: 'skipped', last_reply: 'subscription unsubscribed' });
  });

  it('stops at --limit and leaves the rest queued for the next run', async () => {
    const w = await world(manyReaders(10));
    const first = await w.send({ limit: 4 });
    expect(first).toMatchObject({ sent: 4, deferred: 6, total: 10 });
    const second = await w.send();
    expect(second).toMatchObject({ sent: 6, alreadySent: 4, deferred: 0 });
    expect(new Set(w.sink.messages.map((m) => m.to[0])).size).toBe(10);
    expect(w.sink.messages).toHaveLength(10);
  });
});

describe('sendEdition: stopping early', () => {
  it('leaves no listener on its signal once a run is over, however many runs share it', async () => {
    const w = await world(manyReaders(2));
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) await w.send({ signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(w.sink.messages).toHaveLength(2);
  });

  it('stops claiming when its signal aborts, and the next run sends exactly the rest', async () => {
    const w = await world(manyReaders(30), { maxConnections: 1 });
    const controller = new AbortController();
    let n = 0;
    const transport: Transport = {
      sendRaw(message) {
        n += 1;
        if (n === 3) controller.abort();
        return w.mailer.sendRaw(message);
      },
    };
    const first = await w.send({ transport, signal: controller.signal });
    expect(first.sent).toBeGreaterThanOrEqual(3);
    expect(first.sent).toBeLessThan(30);
    expect(first.sent + first.deferred).toBe(30);
    const second = await w.send();
    expect(second).toMatchObject({ sent: 30 - first.sent, alreadySent: first.sent, deferred: 0 });
    expect(w.sink.messages).toHaveLength(30);
    expect(new Set(w.sink.messages.map((m) => m.to[0])).size).toBe(30);
  });
});

describe('sendEdition: the in-flight window and grouped ledger commits', () => {
  /**
   * A transport that holds every answer of the real mailer until the test releases it, and a store that
   * counts its outcome commits (each taking `commitMs`), so the test decides when answers arrive.
   */
  function held(w: World, commitMs = 0) {
    const waiting: (() => void)[] = [];
    const commits: number[] = [];
    let handed = 0;
    let committed = 0;
    let onTransport = 0;
    let maxOnTransport = 0;
    let maxUncommitted = 0;
    const transport: Transport = {
      async sendRaw(message) {
        handed += 1;
        // Copies handed over whose outcome is not yet committed, counted at every hand-over.
        maxUncommitted = Math.max(maxUncommitted, handed - committed);
        onTransport += 1;
        maxOnTransport = Math.max(maxOnTransport, onTransport);
        const info = await w.mailer.sendRaw(message);
        await new Promise<void>((resolve) => waiting.push(resolve));
        onTransport -= 1;
        return info;
      },
    };
    const inner = w.store.sends;
    const store = {
      ...inner,
      async record(key: Parameters<typeof inner.record>[0], worker: string, outcomes: Parameters<typeof inner.record>[2]) {
        if (commitMs) await new Promise((resolve) => setTimeout(resolve, commitMs));
        await inner.record(key, worker, outcomes);
        committed += outcomes.length;
        commits.push(outcomes.length);
      },
    };
    return {
      transport,
      store,
      commits,
      releaseOne: () => waiting.shift()?.(),
      waitingCount: () => waiting.length,
      stats: () => ({ maxOnTransport, maxUncommitted }),
    };
  }

  /** Calls `answer` (which releases held answers), then awaits `tick`, until `run` settles; returns it. */
  async function answerUntilDone<T>(run: Promise<T>, answer: () => void, tick: () => Promise<unknown>): Promise<T> {
    let done = false;
    run.then(() => (done = true), () => (done = true));
    while (!done) {
      answer();
      await tick();
    }
    return run;
  }
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  const ms = (n: number) => () => new Promise((resolve) => setTimeout(resolve, n));

  it('commits answers that come one after another in groups of 1.5 × maxConnections, not one fsync each', async () => {
    const w = await world(manyReaders(40), { maxConnections: 4 });
    const h = held(w);
    // A long group wait, so only a full group (6) or an empty wire commits: the count is exact.
    const run = w.send({ transport: h.transport, store: h.store, groupWaitMs: 60_000 });
    const report = await answerUntilDone(run, h.releaseOne, nextTurn); // one answer per turn of the event loop
    expect(report).toMatchObject({ sent: 40, deferred: 0 });
    expect(h.commits.reduce((a, b) => a + b, 0)).toBe(40);
    expect(h.commits.length).toBeLessThanOrEqual(8);
    expect(Math.max(...h.commits)).toBeGreaterThanOrEqual(6);
    expect(states(w.db).every((state) => state === 'sent')).toBe(true);
  });

  /** Sends with slow commits (15 ms), so answered copies pile up behind them: only the window stops more. */
  async function slowCommits(w: World, copies: number) {
    const h = held(w, 15);
    const run = w.send({ transport: h.transport, store: h.store });
    // Answers in bursts of varying size, as a real server's do.
    const burst = () => {
      for (let i = 0; i < 1 + (h.waitingCount() % 4); i++) h.releaseOne();
    };
    expect(await answerUntilDone(run, burst, ms(1))).toMatchObject({ sent: copies, deferred: 0 });
    expect(w.sink.messages).toHaveLength(copies);
    return h.stats();
  }

  it('hands at most 2 × maxConnections copies to the transport and keeps at most delivery.maxInFlight uncommitted', async () => {
    const stats = await slowCommits(await world(manyReaders(60), { maxConnections: 3, maxInFlight: 9 }), 60);
    expect(stats.maxOnTransport).toBeLessThanOrEqual(6);
    expect(stats.maxOnTransport).toBeGreaterThanOrEqual(3);
    expect(stats.maxUncommitted).toBeLessThanOrEqual(9);
  });

  it('keeps at most 8 × maxConnections uncommitted when delivery.maxInFlight is not set', async () => {
    const stats = await slowCommits(await world(manyReaders(60), { maxConnections: 2 }), 60);
    expect(stats.maxOnTransport).toBeLessThanOrEqual(4);
    expect(stats.maxUncommitted).toBeLessThanOrEqual(16);
    // More than the old 4 × window: the default really is the larger one.
    expect(stats.maxUncommitted).toBeGreaterThan(8);
  });

  it('claims at most 1,000 rows at a time, however large delivery.maxInFlight is', async () => {
    const w = await world(manyReaders(1200), { maxConnections: 2, maxInFlight: 100_000 });
    const inner = w.store.sends;
    const claims: number[] = [];
    const store = {
      ...inner,
      claim: async (key: Parameters<typeof inner.claim>[0], options: Parameters<typeof inner.claim>[1]) => {
        const batch = await inner.claim(key, options);
        claims.push(batch.copies.length);
        return batch;
      },
    };
    expect(await w.send({ store })).toMatchObject({ sent: 1200 });
    expect(Math.max(...claims)).toBe(1000);
    expect(claims.reduce((a, b) => a + b, 0)).toBe(1200);
  });

  it('with delivery.maxInFlight 1, sends one copy at a time and commits each outcome alone', async () => {
    const w = await world(manyReaders(6), { maxConnections: 3, maxInFlight: 1 });
    const h = held(w);
    const run = w.send({ transport: h.transport, store: h.store });
    expect(await answerUntilDone(run, h.releaseOne, ms(1))).toMatchObject({ sent: 6 });
    expect(h.stats()).toEqual({ maxOnTransport: 1, maxUncommitted: 1 });
    expect(h.commits).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('rejects a window, limit or wait that would stall or make no sense, naming the option', async () => {
    const w = await world(manyReaders(2));
    await expect(w.send({ maxInFlight: 0 })).rejects.toThrow('Expected `maxInFlight` to be a positive integer, got 0');
    await expect(w.send({ maxInFlight: 2.5 })).rejects.toThrow('Expected `maxInFlight` to be a positive integer, got 2.5');
    await expect(w.send({ limit: -1 })).rejects.toThrow('Expected `limit` to be a non-negative integer, got -1');
    await expect(w.send({ groupWaitMs: Number.NaN })).rejects.toThrow('Expected `groupWaitMs` to be a non-negative number, got NaN');
    await expect(w.send({ leaseSeconds: -5 })).rejects.toThrow('Expected `leaseSeconds` to be a positive number, got -5');
    await expect(w.send({ pollMs: -1 })).rejects.toThrow('Expected `pollMs` to be a non-negative number, got -1');
    // Nothing was queued or sent by the refused calls.
    expect(ledger(w.db)).toHaveLength(0);
    expect(w.sink.messages).toHaveLength(0);
  });

  it('commits a lone answer after groupWaitMs instead of waiting for a slow server to answer the rest', async () => {
    const w = await world(manyReaders(6), { maxConnections: 3 });
    const h = held(w);
    const run = w.send({ transport: h.transport, store: h.store, groupWaitMs: 20 });
    while (h.waitingCount() < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    h.releaseOne();
    // The other copies on the wire are still unanswered; the answered one is committed on its own.
    const deadline = Date.now() + 5000;
    while (h.commits.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(h.commits).toEqual([1]);
    expect(states(w.db).filter((state) => state === 'sent')).toHaveLength(1);
    const releaseAll = () => {
      while (h.waitingCount() > 0) h.releaseOne();
    };
    expect(await answerUntilDone(run, releaseAll, ms(5))).toMatchObject({ sent: 6 });
  });
});

describe('sendEdition: the message on the wire', () => {
  it('carries every list header, a deterministic HMAC Message-ID and the exact personalized HTML and text', async () => {
    const w = await world([{ email: 'ana@example.com', name: 'Ana' }]);
    await w.send();
    const raw = w.sink.messages[0]!.raw;
    const mail = await parse(raw);
    const rendered = await renderedEdition();
    const unsubscribeUrl = `https://news.example.com/unsubscribe?token=morning-${w.ids[0]}`;
    const expected = rendered.personalize({ email: 'ana@example.com', firstName: 'Ana', unsubscribeUrl });

    expect(mail.from?.value).toEqual([{ name: 'The Daybreak Post', address: 'briefing@daybreak.example' }]);
    expect(mail.replyTo?.value).toEqual([{ name: 'The Daybreak Post newsroom', address: 'newsroom@daybreak.example' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ name: 'Ana', address: 'ana@example.com' }]);
    expect(mail.subject).toBe(rendered.subject);
    expect(mail.date).toBeInstanceOf(Date);
    expect(mail.messageId).toBe(`<${editionMessageId(SECRET, { newsletter: 'morning', date: DATE }, w.ids[0]!, 'daybreak.example')}>`);
    expect(mail.messageId).not.toContain(String(w.ids[0]) + '@');
    expect(raw).toMatch(/^List-Id: "The Morning Briefing" <morning\.daybreak\.example>\r$/m);
    expect(raw).toContain(`List-Unsubscribe: <${unsubscribeUrl}>,\r\n <mailto:unsubscribe@daybreak.example?subject=unsubscribe>\r\n`);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(headerNames(raw)).toEqual(
      expect.arrayContaining(['from', 'reply-to', 'to', 'subject', 'date', 'message-id', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post', 'mime-version', 'content-type']),
    );
    expect(mail.html).toBe(expected.html);
    expect(mail.text?.replace(/\r\n/g, '\n')).toBe(expected.text.replace(/\r\n/g, '\n'));
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const body = raw.slice(raw.indexOf('\r\n\r\n'));
    expect(Math.max(...body.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(76);
    expect(ledger(w.db)[0]!.message_id).toBe(mail.messageId!.slice(1, -1));
  });

  it('keeps a name with CR/LF, quotes, < & and emoji inside the To header and substitutes it exactly', async () => {
    const name = 'Eve\r\nBcc: victim@example.com\r\nX-Evil: 1 "Q" <b> & 🦊';
    const w = await world([{ email: 'eve@example.com', name }]);
    await w.send();
    const raw = w.sink.messages[0]!.raw;
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).not.toMatch(/^Bcc:/im);
    expect(head).not.toMatch(/^X-Evil:/im);
    expect(w.sink.messages[0]!.to).toEqual(['eve@example.com']);
    const names = headerNames(raw);
    expect(names.filter((n) => n === 'to')).toHaveLength(1);
    expect(names).not.toContain('bcc');
    const mail = await parse(raw);
    expect(mail.bcc).toBeUndefined();
    const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0] : undefined;
    expect(to?.address).toBe('eve@example.com');
    expect(to?.name).toBe('Eve Bcc: victim@example.com X-Evil: 1 "Q" <b> & 🦊');
    const rendered = await renderedEdition();
    const expected = rendered.personalize({ email: 'eve@example.com', firstName: name, unsubscribeUrl: `https://news.example.com/unsubscribe?token=morning-${w.ids[0]}` });
    // A line break inside a value is a line break of the part (quoted-printable hard break, CRLF).
    const lf = (s: string) => s.replace(/\r\n/g, '\n');
    expect(lf(mail.html as string)).toBe(lf(expected.html));
    expect(lf(mail.text ?? '')).toBe(lf(expected.text));
  });

  it('never sends to an address that could break a header, and marks that copy failed', async () => {
    const w = await world([{ email: 'ok@example.com' }, { email: 'bad@example.com\r\nBcc: x@example.com' }]);
    const report = await w.send();
    expect(report).toMatchObject({ sent: 1, failed: 1 });
    expect(w.sink.messages.map((m) => m.to)).toEqual([['ok@example.com']]);
    expect(ledger(w.db)[1]).toMatchObject({ state: 'failed', last_reply: expect.stringMatching(/Not a deliverable address/) });
  });

  it('signs with DKIM when configured, covering both List-Unsubscribe headers', async () => {
    const tmp = tempDir();
    cleanup.push(tmp.remove);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(tmp.dir, 'dkim.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const w = await world([{ email: 'ana@example.com' }], { dkim: { domainName: 'daybreak.example', keySelector: 'sel1', privateKeyFile: keyFile } });
    await w.send();
    const raw = w.sink.messages[0]!.raw;
    const signature = /^DKIM-Signature: ([\s\S]*?)\r\n(?=[^ \t])/m.exec(raw)?.[1]?.replace(/\r\n[ \t]+/g, ' ') ?? '';
    expect(signature).toMatch(/d=daybreak\.example/);
    expect(signature).toMatch(/s=sel1/);
    const signed = /(?:^|;)\s*h=([^;]+)/.exec(signature)?.[1]?.replace(/\s+/g, '').toLowerCase().split(':') ?? [];
    expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'from', 'subject', 'message-id', 'to']));
  });

  it('refuses a DKIM key file that cannot be read', async () => {
    const config = testConfig({ dkim: { domainName: 'd.example', keySelector: 's', privateKeyFile: '/nonexistent/key.pem' } });
    expect(() => createMailer({ config, env: { SMTP_URL: 'smtp://127.0.0.1:1' } })).toThrow(/privateKeyFile/);
  });
});

describe('sendEdition: SMTP failures in the ledger', () => {
  it('retries a 421 at the greeting within the run and sends the copy', async () => {
    const w = await world([{ email: 'ana@example.com' }], { maxConnections: 1 });
    w.sink.fault({ phase: 'greeting', code: 421, times: 1 });
    const report = await w.send();
    expect(report).toMatchObject({ sent: 1, deferred: 0 });
    expect(ledger(w.db)[0]).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('defers every copy while the server answers 421 at the greeting, after delivery.retries retries', async () => {
    const w = await world(manyReaders(2), { retries: 2 });
    w.sink.fault({ phase: 'greeting', code: 421 });
    const report = await w.send();
    expect(report).toMatchObject({ sent: 0, deferred: 2, failed: 0 });
    expect(ledger(w.db).map((r) => [r.state, r.attempts])).toEqual([['deferred', 3], ['deferred', 3]]);
    expect(ledger(w.db)[0]!.last_reply).toMatch(/421/);
    expect(w.sink.messages).toHaveLength(0);
  });

  for (const code of [451, 452]) {
    it(`defers a copy refused with ${code} at RCPT after its retries, and sends the others`, async () => {
      const w = await world([{ email: 'ana@example.com' }, { email: 'busy@example.com' }]);
      w.sink.fault({ phase: 'rcpt', match: 'busy@example.com', code, message: `4.2.2 Mailbox busy (${code})` });
      const report = await w.send();
      expect(report).toMatchObject({ sent: 1, deferred: 1, failed: 0 });
      expect(ledger(w.db)[1]).toMatchObject({ state: 'deferred', attempts: 3, last_reply: expect.stringContaining(String(code)) });
    });

    it(`retries a ${code} at the end of DATA and sends the copy once it is accepted`, async () => {
      const w = await world([{ email: 'ana@example.com' }]);
      w.sink.fault({ phase: 'data', code, message: `4.3.0 Try later (${code})`, times: 1 });
      const report = await w.send();
      expect(report).toMatchObject({ sent: 1, deferred: 0 });
      expect(ledger(w.db)[0]).toMatchObject({ state: 'sent', attempts: 2 });
      expect(w.sink.messages).toHaveLength(1);
    });

    it(`defers a copy that gets ${code} at the end of DATA every time`, async () => {
      const w = await world([{ email: 'ana@example.com' }], { retries: 1 });
      w.sink.fault({ phase: 'data', code, message: `4.3.0 Try later (${code})` });
      const report = await w.send();
      expect(report).toMatchObject({ sent: 0, deferred: 1 });
      expect(ledger(w.db)[0]).toMatchObject({ state: 'deferred', attempts: 2 });
    });
  }

  it('fails a 550 5.1.1 at once and marks the subscriber bounced, so the next edition skips them', async () => {
    const w = await world([{ email: 'ana@example.com' }, { email: 'nobody@example.com' }]);
    w.sink.fault({ phase: 'rcpt', match: 'nobody@example.com', code: 550, message: '5.1.1 No such user' });
    const report = await w.send();
    expect(report).toMatchObject({ sent: 1, failed: 1, deferred: 0 });
    expect(ledger(w.db)[1]).toMatchObject({ state: 'failed', attempts: 1, last_reply: expect.stringContaining('5.1.1') });
    expect(w.db.prepare('SELECT bounced FROM subscribers WHERE id = ?').get(w.ids[1])).toEqual({ bounced: 1 });
  });

  it('fails a 554 5.7.1 without retrying and keeps the subscriber', async () => {
    const w = await world([{ email: 'ana@example.com' }, { email: 'blocked@example.com' }]);
    w.sink.fault({ phase: 'data', match: 'blocked@example.com', code: 554, message: '5.7.1 Message rejected as spam' });
    const report = await w.send();
    expect(report).toMatchObject({ sent: 1, failed: 1 });
    expect(ledger(w.db)[1]).toMatchObject({ state: 'failed', attempts: 1 });
    expect(w.db.prepare('SELECT bounced FROM subscribers WHERE id = ?').get(w.ids[1])).toEqual({ bounced: 0 });
  });

  it('pauses the run after delivery.maxPolicyErrors policy refusals and leaves the rest for later', async () => {
    const w = await world(manyReaders(40), { maxConnections: 1, maxPolicyErrors: 3 });
    w.sink.fault({ phase: 'rcpt', code: 554, message: '5.7.1 Sender not authorized' });
    const report = await w.send();
    expect(report.paused).toMatch(/Paused after 3 policy refusals/);
    // Copies already in flight when the third refusal came back finish; nothing new starts.
    expect(report.failed).toBeGreaterThanOrEqual(3);
    expect(report.failed).toBeLessThanOrEqual(3 + 2);
    expect(report.failed + report.deferred).toBe(40);
    expect(w.sink.messages).toHaveLength(0);
    expect(w.db.prepare('SELECT count(*) AS n FROM subscribers WHERE bounced = 1').get()).toEqual({ n: 0 });
  });

  it('retries a connection dropped in the middle of DATA', async () => {
    const w = await world([{ email: 'ana@example.com' }], { maxConnections: 1 });
    w.sink.fault({ phase: 'drop-mid-data', times: 1 });
    const report = await w.send();
    expect(report).toMatchObject({ sent: 1, deferred: 0 });
    expect(ledger(w.db)[0]).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('defers a copy when the connection drops mid-DATA on every attempt', async () => {
    const w = await world([{ email: 'ana@example.com' }], { retries: 1 });
    w.sink.fault({ phase: 'drop-mid-data' });
    const report = await w.send();
    expect(report).toMatchObject({ sent: 0, deferred: 1 });
    expect(ledger(w.db)[0]).toMatchObject({ state: 'deferred', attempts: 2 });
  });

  it('defers a copy whose final dot is never answered, once the socket timeout fires', async () => {
    const w = await world([{ email: 'ana@example.com' }], { retries: 0, socketTimeoutMs: 400 });
    w.sink.fault({ phase: 'hang-after-data' });
    const report = await w.send();
    expect(report).toMatchObject({ sent: 0, deferred: 1 });
    expect(ledger(w.db)[0]).toMatchObject({ state: 'deferred', attempts: 1, last_reply: expect.stringMatching(/ETIMEDOUT|timeout/i) });
  });

  it('sends deferred copies on the next run', async () => {
    const w = await world([{ email: 'ana@example.com' }, { email: 'later@example.com' }], { retries: 0 });
    const clear = w.sink.fault({ phase: 'rcpt', match: 'later@example.com', code: 451 });
    expect(await w.send()).toMatchObject({ sent: 1, deferred: 1 });
    clear();
    expect(await w.send()).toMatchObject({ sent: 1, deferred: 0, alreadySent: 1 });
    expect(w.sink.messagesTo('later@example.com')).toHaveLength(1);
    expect(w.sink.messagesTo('ana@example.com')).toHaveLength(1);
  });

  it('expires copies still deferred when the next edition of the newsletter goes out', async () => {
    const w = await world([{ email: 'ana@example.com' }], { retries: 0 });
    w.sink.fault({ phase: 'rcpt', code: 451 });
    await w.send();
    w.sink.clearFaults();
    await w.send({ date: '2026-12-01' });
    expect(ledger(w.db, DATE)[0]).toMatchObject({ state: 'expired' });
    expect(ledger(w.db, '2026-12-01')[0]).toMatchObject({ state: 'sent' });
    expect(await w.send()).toMatchObject({ sent: 0, deferred: 0 });
  });
});

describe('sendEdition: many senders on one edition', () => {
  it('shares one edition between two concurrent sends: every reader gets exactly one copy and their counts add up', async () => {
    const w = await world(manyReaders(300), { maxConnections: 2 });
    const [a, b] = await Promise.all([w.send({ worker: 'a' }), w.send({ worker: 'b' })]);
    expect(a.sent + b.sent).toBe(300);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    expect(w.sink.messages).toHaveLength(300);
    expect(new Set(w.sink.messages.map((m) => m.to[0])).size).toBe(300);
    expect(states(w.db).every((state) => state === 'sent')).toBe(true);
  });

  it('takes over copies whose lease ran out (their sender died) and leaves a live lease alone until it does', async () => {
    const w = await world(manyReaders(4));
    await w.store.sends.queueConfirmed({ newsletter: 'morning', date: DATE }, 100);
    // A dead sender's claims: two long expired, two that run out in about a second.
    const past = new Date(Date.now() - 60_000).toISOString();
    const soon = new Date(Date.now() + 1_000).toISOString();
    const claim = w.db.prepare(`UPDATE sends SET state = 'sending', attempts = 1, claimed_by = 'dead', lease_until = ? WHERE subscriber_id = ?`);
    claim.run(past, w.ids[0]);
    claim.run(past, w.ids[1]);
    claim.run(soon, w.ids[2]);
    claim.run(soon, w.ids[3]);
    const started = Date.now();
    const report = await w.send({ pollMs: 100 });
    expect(report).toMatchObject({ sent: 4, deferred: 0 });
    // The live leases were waited for, not taken early.
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(ledger(w.db).map((r) => [r.state, r.attempts])).toEqual([['sent', 2], ['sent', 2], ['sent', 2], ['sent', 2]]);
    expect(w.sink.messages).toHaveLength(4);
  });

  it('hands back copies it claimed but never started when it stops, so another sender takes them at once', async () => {
    const w = await world(manyReaders(50), { maxConnections: 1 });
    const controller = new AbortController();
    let seen = 0;
    const first = await w.send({ signal: controller.signal, worker: 'first', onProgress: (p) => { seen = p.sent; if (seen >= 3) controller.abort(); } });
    expect(first.sent).toBeGreaterThanOrEqual(3);
    expect(first.sent).toBeLessThan(50);
    // Nothing is left leased to the stopped sender: the next one finishes at once, lease or not.
    expect(w.db.prepare(`SELECT COUNT(*) AS n FROM sends WHERE state = 'sending'`).get()).toEqual({ n: 0 });
    const second = await w.send({ worker: 'second', leaseSeconds: 600 });
    expect(first.sent + second.sent).toBe(50);
    expect(new Set(w.sink.messages.map((m) => m.to[0])).size).toBe(50);
  });

  it('records sent, bounced and deferred copies in the ledger and reports what this sender did', async () => {
    const readers = [...manyReaders(40), { email: 'nobody@example.com' }, { email: 'later@example.com' }];
    const w = await world(readers, { retries: 0 });
    w.sink.fault({ phase: 'rcpt', match: 'nobody@example.com', code: 550, message: '5.1.1 No such user' });
    w.sink.fault({ phase: 'rcpt', match: 'later@example.com', code: 451 });
    const report = await w.send();
    expect(report).toMatchObject({ total: 42, sent: 40, failed: 1, deferred: 1 });
    expect(states(w.db).filter((s) => s === 'sent')).toHaveLength(40);
    expect(w.db.prepare("SELECT bounced FROM subscribers WHERE email = 'nobody@example.com'").get()).toEqual({ bounced: 1 });
    expect(new Set(w.sink.messages.map((m) => m.to[0])).size).toBe(40);
  });
});
