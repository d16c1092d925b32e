import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { secretKeyring } from '../../src/audience/index.ts';
import type { Config } from '../../src/content/index.ts';
import { createMailer, sendEdition } from '../../src/delivery/index.ts';
import { createInboundProcessor, inboundAddressesFor, startInboundServer, type InboundServer } from '../../src/inbound/index.ts';
import { openStore, type Store } from '../../src/storage/index.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';
import { DATE, renderedEdition, SECRET, testConfig } from '../delivery/fixtures.ts';
import {
  arfComplaint,
  gmailHardBounce,
  originalHeaders,
  outlookHardBounce,
  outOfOffice,
  postfixHardBounce,
  postfixSoft,
  unsubscribeMail,
  yahooPlainBounce,
} from './reports.ts';

const DOMAIN = 'bounces.daybreak.example';

/** Delivers one message over real SMTP (null reverse-path for reports); resolves with the reply or rejects. */
async function deliver(server: InboundServer, message: { from: string; to: string; raw: string }): Promise<string> {
  const connection = new SMTPConnection({ host: server.host, port: server.port, ignoreTLS: true, secure: false });
  await new Promise<void>((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => resolve());
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      connection.send({ from: message.from, to: [message.to] }, message.raw, (error, info) => (error ? reject(error) : resolve(info.response)));
    });
  } finally {
    connection.quit();
  }
}

const READERS = {
  postfix: 'ann@mail.example',
  gmail: 'bob.gone@gmail.com',
  outlook: 'cat.gone@outlook.com',
  yahoo: 'dan.gone@yahoo.com',
  soft: 'eve@full.example',
  complainYahoo: 'fay@yahoo.com',
  complainMicrosoft: 'gus@hotmail.com',
  away: 'hal@away.example',
  unsubscriber: 'ivy@mail.example',
  delayed: 'jon@slow.example',
} as const;
type Who = keyof typeof READERS;

describe.each(enginesUnderTest())('inbound mail over SMTP ($name)', (engine) => {
  let cleanup: () => Promise<void>;
  let store: Store;
  let sink: SmtpSink;
  let server: InboundServer;
  let config: Config;
  const ids = {} as Record<Who, number>;
  /** Each reader's copy as it went out: envelope sender and source. */
  const copies = {} as Record<Who, { returnPath: string; raw: string; mailto: string }>;
  let addresses: NonNullable<Awaited<ReturnType<typeof inboundAddressesFor>>>;
  const statusOf = async (who: Who) => (await store.subscribers.get(ids[who]))!;

  beforeAll(async () => {
    const db = await engine.create();
    store = await openStore({ database: db.database });
    sink = await startSmtpSink();
    config = testConfig({}, { inbound: { domain: DOMAIN, port: 0 } });
    const keyring = secretKeyring(SECRET);
    addresses = (await inboundAddressesFor(config, keyring))!;
    for (const [who, email] of Object.entries(READERS) as [Who, string][]) {
      const newsletters = who === 'unsubscriber' || who === 'complainYahoo' ? ['morning', 'good-news'] : ['morning'];
      ids[who] = (await store.subscribers.add({ email, name: null, newsletters, confirmed: true, source: 'cli' }, new Date())).id;
    }
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url } });
    const newsletter = config.newsletters.find((n) => n.id === 'morning')!;
    const report = await sendEdition({
      store: store.sends,
      transport: mailer,
      config,
      newsletter,
      date: DATE,
      rendered: await renderedEdition(),
      secret: SECRET,
      unsubscribeUrlFor: (id, nl) => `https://news.example.com/unsubscribe?token=${nl}-${id}`,
      ...addresses.senderOptions,
    });
    await mailer.close();
    expect(report.sent).toBe(Object.keys(READERS).length);
    for (const [who, email] of Object.entries(READERS) as [Who, string][]) {
      const message = sink.messagesTo(email)[0]!;
      const mailto = /<mailto:([^?>]+)\?subject=unsubscribe>/.exec(message.raw)![1]!;
      copies[who] = { returnPath: message.from, raw: message.raw, mailto };
    }
    const processor = createInboundProcessor({ store: store.inbound, addresses: addresses.addresses, policy: { softBounceLimit: 3, windowDays: 30 } });
    server = await startInboundServer({ processor, host: '127.0.0.1', port: 0, maxMessageBytes: 2_000_000 });
    cleanup = async () => {
      await server.close();
      await sink.close();
      await store.close();
      await db.cleanup();
    };
  });
  afterAll(() => cleanup?.());

  const report = (who: Who, make: (o: { to: string; reader: string; original: string }) => string) =>
    deliver(server, {
      from: '',
      to: copies[who].returnPath,
      raw: make({ to: copies[who].returnPath, reader: READERS[who], original: originalHeaders(copies[who].raw, copies[who].returnPath) }),
    });

  it('sends every copy from its own signed bounce address and names a personal unsubscribe address', () => {
    const paths = Object.values(copies).map((c) => c.returnPath);
    expect(new Set(paths).size).toBe(paths.length);
    for (const [who, copy] of Object.entries(copies) as [Who, (typeof copies)[Who]][]) {
      expect(copy.returnPath).toMatch(new RegExp(`^bounces\\+[a-z0-9.]+@${DOMAIN.replaceAll('.', '\\.')}$`));
      expect(copy.returnPath.split('@')[0]!.length).toBeLessThanOrEqual(64);
      expect(copy.mailto).toMatch(new RegExp(`^unsubscribe\\+[a-z0-9.]+@${DOMAIN.replaceAll('.', '\\.')}$`));
      expect(copy.raw).toContain(`List-Unsubscribe: <https://news.example.com/unsubscribe?token=morning-${ids[who]}>,\r\n <mailto:${copy.mailto}?subject=unsubscribe>`);
    }
  });

  it('refuses any other recipient at RCPT TO, including a bounce address with a forged signature', async () => {
    await expect(deliver(server, { from: '', to: `briefing@${DOMAIN}`, raw: 'Subject: x\r\n\r\nx\r\n' })).rejects.toThrow(/550/);
    const forged = copies.postfix.returnPath.replace(/\.([a-z2-7]{16})@/, (_m, mac: string) => `.${mac.slice(0, 15)}${mac.endsWith('a') ? 'b' : 'a'}@`);
    expect(forged).not.toBe(copies.postfix.returnPath);
    await expect(deliver(server, { from: '', to: forged, raw: 'Subject: x\r\n\r\nx\r\n' })).rejects.toThrow(/550/);
    await expect(deliver(server, { from: '', to: copies.postfix.returnPath.replace(DOMAIN, 'other.example'), raw: 'x\r\n' })).rejects.toThrow(/550/);
    expect(await store.inbound.list()).toEqual([]);
  });

  it('marks a reader bounced at once on a Postfix hard bounce (5.1.1), and the next edition skips them', async () => {
    expect((await statusOf('postfix')).status).toBe('active');
    expect(await report('postfix', postfixHardBounce)).toMatch(/^250/);
    const person = await statusOf('postfix');
    expect(person.status).toBe('bounced');
    expect(person.bouncedAt).not.toBeNull();
    const [kept] = await store.inbound.list({ limit: 1 });
    expect(kept).toMatchObject({ kind: 'hard-bounce', status: '5.1.1', subscriberId: ids.postfix, email: READERS.postfix, newsletter: 'morning', date: DATE, source: 'smtp', envelopeFrom: '' });
    expect(kept!.outcome).toMatch(/^reader marked bounced/);
    expect(await store.sends.countConfirmed('morning')).toBe(Object.keys(READERS).length - 1);
  });

  it('reads the hard bounces of Gmail, Outlook and Yahoo (plain text) the same way', async () => {
    await report('gmail', gmailHardBounce);
    await report('outlook', outlookHardBounce);
    await report('yahoo', yahooPlainBounce);
    expect((await statusOf('gmail')).status).toBe('bounced');
    expect((await statusOf('outlook')).status).toBe('bounced');
    expect((await statusOf('yahoo')).status).toBe('bounced');
    const kinds = (await store.inbound.list({ limit: 3 })).map((m) => [m.kind, m.status, m.subscriberId]);
    expect(kinds).toEqual([
      ['hard-bounce', '5.0.0', ids.yahoo],
      ['hard-bounce', '5.1.10', ids.outlook],
      ['hard-bounce', '5.1.1', ids.gmail],
    ]);
  });

  it('counts soft bounces per edition and marks the reader bounced at the limit (3 within 30 days)', async () => {
    const soft = (date: string) => {
      const to = addresses.addresses.bounceAddress(ids.soft, 'morning', date);
      return deliver(server, { from: '', to, raw: postfixSoft({ to, reader: READERS.soft, original: originalHeaders(copies.soft.raw, to), action: 'failed' }) });
    };
    await soft('2026-11-28');
    await soft('2026-11-28'); // the same copy reported twice counts once
    await soft('2026-11-29');
    expect((await statusOf('soft')).status).toBe('active');
    const [second] = await store.inbound.list({ limit: 1 });
    expect(second).toMatchObject({ kind: 'soft-bounce', status: '4.2.2', date: '2026-11-29' });
    expect(second!.outcome).toMatch(/^soft bounce 2 of 3/);
    await soft(DATE);
    expect((await statusOf('soft')).status).toBe('bounced');
    expect((await store.inbound.list({ limit: 1 }))[0]!.outcome).toMatch(/^reader marked bounced: 3 soft bounces within 30 days/);
  });

  it('changes nothing for a delay warning (Action: delayed)', async () => {
    await report('delayed', (o) => postfixSoft({ ...o, action: 'delayed' }));
    expect((await statusOf('delayed')).status).toBe('active');
    expect((await store.inbound.list({ limit: 1 }))[0]).toMatchObject({ kind: 'delayed', subscriberId: ids.delayed });
  });

  it('unsubscribes a complaining reader from everything and records them as complained (Yahoo ARF to the bounce address)', async () => {
    await deliver(server, {
      from: '',
      to: copies.complainYahoo.returnPath,
      raw: arfComplaint({ to: copies.complainYahoo.returnPath, reader: READERS.complainYahoo, original: originalHeaders(copies.complainYahoo.raw, copies.complainYahoo.returnPath), returnPath: copies.complainYahoo.returnPath, provider: 'yahoo' }),
    });
    const person = await statusOf('complainYahoo');
    expect(person.status).toBe('complained');
    expect(person.subscriptions.map((s) => s.status)).toEqual(['unsubscribed', 'unsubscribed']);
    const listed = await store.subscribers.list({ status: 'complained' });
    expect(listed.map((p) => p.email)).toEqual([READERS.complainYahoo]);
  });

  it('finds the reader of a Microsoft ARF report sent to postmaster@ from the enclosed original', async () => {
    await deliver(server, {
      from: 'staff@hotmail.com',
      to: `postmaster@${DOMAIN}`,
      raw: arfComplaint({ to: `postmaster@${DOMAIN}`, reader: READERS.complainMicrosoft, original: originalHeaders(copies.complainMicrosoft.raw, copies.complainMicrosoft.returnPath), returnPath: copies.complainMicrosoft.returnPath, provider: 'microsoft' }),
    });
    expect((await statusOf('complainMicrosoft')).status).toBe('complained');
    expect((await store.inbound.list({ limit: 1 }))[0]).toMatchObject({ kind: 'complaint', subscriberId: ids.complainMicrosoft, recipient: `postmaster@${DOMAIN}` });
  });

  it('changes nothing for an out-of-office reply, but keeps it', async () => {
    const before = await statusOf('away');
    await deliver(server, { from: READERS.away, to: copies.away.returnPath, raw: outOfOffice({ to: copies.away.returnPath, reader: READERS.away }) });
    const after = await statusOf('away');
    expect(after).toEqual(before);
    expect((await store.inbound.list({ limit: 1 }))[0]).toMatchObject({ kind: 'auto-reply', subscriberId: ids.away });
  });

  it('unsubscribes the reader from that newsletter only when they mail their personal unsubscribe address', async () => {
    await deliver(server, { from: READERS.unsubscriber, to: copies.unsubscriber.mailto, raw: unsubscribeMail({ to: copies.unsubscriber.mailto, reader: READERS.unsubscriber }) });
    const person = await statusOf('unsubscriber');
    expect(person.status).toBe('active');
    expect([...person.subscriptions].sort((a, b) => a.newsletter.localeCompare(b.newsletter)).map(({ newsletter, status }) => ({ newsletter, status }))).toEqual([
      { newsletter: 'good-news', status: 'confirmed' },
      { newsletter: 'morning', status: 'unsubscribed' },
    ]);
    expect((await store.inbound.list({ limit: 1 }))[0]).toMatchObject({ kind: 'unsubscribe', newsletter: 'morning', outcome: expect.stringMatching(/^unsubscribed from morning/) });
  });

  it('keeps every message exactly as received', async () => {
    const all = await store.inbound.list({ limit: 100 });
    // 1 Postfix + 3 other hard bounces + 4 soft + 1 delayed + 2 complaints + 1 auto-reply + 1 unsubscribe
    expect(all.length).toBe(13);
    const raw = (await store.inbound.raw(all.find((m) => m.kind === 'auto-reply')!.id))!.toString('utf8');
    expect(raw).toBe(outOfOffice({ to: copies.away.returnPath, reader: READERS.away }));
  });
});
