import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { secretKeyring } from '../../src/audience/index.ts';
import type { Config } from '../../src/content/index.ts';
import { createMailer, sendEdition } from '../../src/delivery/index.ts';
import { createInboundProcessor, inboundAddressesFor, startImapReader, type ImapReader, type InboundProcessor } from '../../src/inbound/index.ts';
import { openStore, type Store } from '../../src/storage/index.ts';
import { startImapServer, type ImapServer } from '../helpers/imap-server.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { enginesUnderTest } from '../helpers/test-store.ts';
import { DATE, renderedEdition, SECRET, testConfig } from '../delivery/fixtures.ts';
import { BIN, ROOT, scheduledSendSoon, startChild, stopChild, waitForRunDone } from '../schedule/daybreak-child.ts';
import { arfComplaint, gmailHardBounce, originalHeaders, outlookHardBounce, outOfOffice, postfixHardBounce, postfixSoft, unsubscribeMail, yahooPlainBounce } from './reports.ts';

const DOMAIN = 'bounces.daybreak.example';
const PROCESSED = 'Daybreak/Processed';

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
  alreadyRead: 'jon@read.example',
  restart: 'kim@later.example',
  crash: 'lou@crash.example',
  outage: 'max@outage.example',
  password: 'ned@password.example',
} as const;
type Who = keyof typeof READERS;

async function waitFor<T>(what: string, probe: () => Promise<T | false | null | undefined> | T | false | null | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The account as a mail client sees it: appends what a delivery agent would have delivered, and looks
 * at what is left in each mailbox.
 */
async function mailClient(imap: ImapServer) {
  const client = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.password }, logger: false });
  await client.connect();
  return {
    /** Delivers a message as Postfix's local(8) or Dovecot's LDA would: Return-Path and Delivered-To on top. */
    deliver: async (o: { from: string; to: string; raw: string; flags?: string[] }) => {
      const raw = o.raw.startsWith('Return-Path:') ? o.raw : `Return-Path: <${o.from}>\r\nDelivered-To: ${o.to}\r\n${o.raw}`;
      await client.append('INBOX', raw, o.flags ?? []);
    },
    /** Messages in a mailbox: their first Subject line and whether they are \Seen. */
    list: async (mailbox: string) => {
      const lock = await client.getMailboxLock(mailbox.split('/'));
      try {
        // A mailbox that stays selected learns of messages moved out of it only at a command such as
        // NOOP (the server may not report an EXPUNGE during a FETCH, RFC 9051 §7.5.1).
        await client.noop();
        if (!client.mailbox || client.mailbox.exists === 0) return [];
        const out: { subject: string; seen: boolean; deliveredTo: string }[] = [];
        for await (const m of client.fetch('1:*', { envelope: true, flags: true, headers: ['delivered-to'] })) {
          out.push({ subject: m.envelope?.subject ?? '', seen: m.flags?.has('\\Seen') ?? false, deliveredTo: m.headers?.toString().replace(/^Delivered-To:\s*/i, '').trim() ?? '' });
        }
        return out;
      } finally {
        lock.release();
      }
    },
    /** Deletes a mailbox and what it holds, as a person tidying up in their mail client might. */
    remove: async (mailbox: string) => {
      await client.mailboxOpen('INBOX');
      await client.mailboxDelete(mailbox.split('/'));
    },
    close: () => client.logout().catch(() => client.close()),
  };
}

describe.each(enginesUnderTest())('inbound mail from an IMAP mailbox ($name)', (engine) => {
  let cleanup: () => Promise<void>;
  let store: Store;
  let imap: ImapServer;
  let mail: Awaited<ReturnType<typeof mailClient>>;
  let config: Config;
  let processor: InboundProcessor;
  let reader: ImapReader | null = null;
  const logs: string[] = [];
  const ids = {} as Record<Who, number>;
  const copies = {} as Record<Who, { returnPath: string; raw: string; mailto: string }>;
  const statusOf = async (who: Who) => (await store.subscribers.get(ids[who]))!;
  const keptFor = async (who: Who) => (await store.inbound.list({ limit: 1000 })).filter((m) => m.subscriberId === ids[who]);
  const bounceOf = (who: Who, make: (o: { to: string; reader: string; original: string }) => string) => ({
    from: '',
    to: copies[who].returnPath,
    raw: make({ to: copies[who].returnPath, reader: READERS[who], original: originalHeaders(copies[who].raw, copies[who].returnPath) }),
  });
  const read = (o: { log?: string[]; url?: string; processor?: InboundProcessor; maxMessageBytes?: number } = {}) =>
    startImapReader({
      processor: o.processor ?? processor,
      url: o.url ?? imap.url(),
      mailbox: 'INBOX',
      processedMailbox: PROCESSED,
      domain: DOMAIN,
      maxMessageBytes: o.maxMessageBytes ?? 2_000_000,
      log: (line) => (o.log ?? logs).push(line),
      minRetryMs: 100,
      maxRetryMs: 400,
      // No scan of its own within a test: a message that arrives is seen only because the server announced it.
      rescanMs: 600_000,
    });
  const stopReader = async () => {
    await reader?.close();
    reader = null;
  };

  beforeAll(async () => {
    const db = await engine.create();
    store = await openStore({ database: db.database });
    const sink = await startSmtpSink();
    imap = await startImapServer();
    config = testConfig({}, { inbound: { domain: DOMAIN, imap: { url: imap.url() } } });
    const addresses = (await inboundAddressesFor(config, secretKeyring(SECRET)))!;
    for (const [who, email] of Object.entries(READERS) as [Who, string][]) {
      const newsletters = who === 'unsubscriber' || who === 'complainYahoo' ? ['morning', 'good-news'] : ['morning'];
      ids[who] = (await store.subscribers.add({ email, name: null, newsletters, confirmed: true, source: 'cli' }, new Date())).id;
    }
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url } });
    const report = await sendEdition({
      store: store.sends,
      transport: mailer,
      config,
      newsletter: config.newsletters.find((n) => n.id === 'morning')!,
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
      copies[who] = { returnPath: message.from, raw: message.raw, mailto: /<mailto:([^?>]+)\?subject=unsubscribe>/.exec(message.raw)![1]! };
    }
    await sink.close();
    processor = createInboundProcessor({ store: store.inbound, addresses: addresses.addresses, policy: { softBounceLimit: 3, windowDays: 30 } });
    mail = await mailClient(imap);
    cleanup = async () => {
      await stopReader();
      await mail.close();
      await imap.close();
      await store.close();
      await db.cleanup();
    };
  });
  afterAll(() => cleanup?.());

  it('processes the unread mail already in the mailbox when it starts, and leaves mail someone has read', async () => {
    await mail.deliver(bounceOf('postfix', postfixHardBounce));
    await mail.deliver(bounceOf('gmail', gmailHardBounce));
    await mail.deliver({ ...bounceOf('alreadyRead', postfixHardBounce), flags: ['\\Seen'] });
    reader = read();
    expect(reader.describe).toBe(`imap://daybreak@127.0.0.1:${imap.port}/INBOX`);
    await waitFor('both bounces processed', async () => (await statusOf('postfix')).status === 'bounced' && (await statusOf('gmail')).status === 'bounced');
    const [kept] = await keptFor('postfix');
    expect(kept).toMatchObject({ source: 'imap', kind: 'hard-bounce', status: '5.1.1', envelopeFrom: '', recipient: copies.postfix.returnPath, newsletter: 'morning', date: DATE });
    expect(kept!.outcome).toMatch(/^reader marked bounced/);
    expect(kept!.eventId).toMatch(new RegExp(`^imap://daybreak@127\\.0\\.0\\.1:${imap.port}/INBOX/\\d+/\\d+$`));
    // Kept exactly as delivered to the mailbox.
    expect((await store.inbound.raw(kept!.id))!.toString('utf8')).toBe(bounceOf('postfix', postfixHardBounce).raw);
    await waitFor('the processed mail moved out of INBOX', async () => (await mail.list('INBOX')).length === 1);
    expect(await mail.list('INBOX')).toEqual([{ subject: 'Undelivered Mail Returned to Sender', seen: true, deliveredTo: '' }]);
    expect((await statusOf('alreadyRead')).status).toBe('active');
    const processed = await mail.list(PROCESSED);
    expect(processed.map((m) => m.seen)).toEqual([true, true]);
    expect(logs.filter((l) => l.startsWith('inbound (imap): reading '))).toHaveLength(1);
  });

  it('processes mail that arrives while it idles, exactly as the SMTP listener does', async () => {
    const total = async () => (await store.inbound.list({ limit: 1000 })).length;
    const before = await total();
    await mail.deliver(bounceOf('outlook', outlookHardBounce));
    await waitFor('the Outlook bounce', async () => (await statusOf('outlook')).status === 'bounced');
    await mail.deliver(bounceOf('yahoo', yahooPlainBounce));
    await waitFor('the Yahoo bounce', async () => (await statusOf('yahoo')).status === 'bounced');
    expect((await keptFor('outlook'))[0]).toMatchObject({ kind: 'hard-bounce', status: '5.1.10', source: 'imap' });

    const soft = copies.soft.returnPath;
    await mail.deliver({ from: '', to: soft, raw: postfixSoft({ to: soft, reader: READERS.soft, original: originalHeaders(copies.soft.raw, soft), action: 'failed' }) });
    await waitFor('the soft bounce', async () => (await keptFor('soft')).length === 1);
    expect((await statusOf('soft')).status).toBe('active');
    expect((await keptFor('soft'))[0]!.outcome).toMatch(/^soft bounce 1 of 3/);

    const c = copies.complainYahoo;
    await mail.deliver({ from: '', to: c.returnPath, raw: arfComplaint({ to: c.returnPath, reader: READERS.complainYahoo, original: originalHeaders(c.raw, c.returnPath), returnPath: c.returnPath, provider: 'yahoo' }) });
    await waitFor('the Yahoo complaint', async () => (await statusOf('complainYahoo')).status === 'complained');
    expect((await statusOf('complainYahoo')).subscriptions.map((s) => s.status)).toEqual(['unsubscribed', 'unsubscribed']);

    // Microsoft's feedback loop writes to postmaster@: the reader is found from the enclosed original.
    const m = copies.complainMicrosoft;
    await mail.deliver({ from: 'staff@hotmail.com', to: `postmaster@${DOMAIN}`, raw: arfComplaint({ to: `postmaster@${DOMAIN}`, reader: READERS.complainMicrosoft, original: originalHeaders(m.raw, m.returnPath), returnPath: m.returnPath, provider: 'microsoft' }) });
    await waitFor('the Microsoft complaint', async () => (await statusOf('complainMicrosoft')).status === 'complained');
    expect((await keptFor('complainMicrosoft'))[0]).toMatchObject({ kind: 'complaint', recipient: `postmaster@${DOMAIN}`, envelopeFrom: 'staff@hotmail.com' });

    const away = await statusOf('away');
    await mail.deliver({ from: READERS.away, to: copies.away.returnPath, raw: outOfOffice({ to: copies.away.returnPath, reader: READERS.away }) });
    await waitFor('the out-of-office reply', async () => (await keptFor('away')).length === 1);
    expect(await statusOf('away')).toEqual(away);
    expect((await keptFor('away'))[0]).toMatchObject({ kind: 'auto-reply', outcome: expect.stringMatching(/^no change/) });

    const u = copies.unsubscriber;
    await mail.deliver({ from: READERS.unsubscriber, to: u.mailto, raw: unsubscribeMail({ to: u.mailto, reader: READERS.unsubscriber }) });
    await waitFor('the unsubscribe mail', async () => (await keptFor('unsubscriber')).length === 1);
    const person = await statusOf('unsubscriber');
    expect(person.status).toBe('active');
    expect([...person.subscriptions].sort((a, b) => a.newsletter.localeCompare(b.newsletter)).map(({ newsletter, status }) => ({ newsletter, status }))).toEqual([
      { newsletter: 'good-news', status: 'confirmed' },
      { newsletter: 'morning', status: 'unsubscribed' },
    ]);

    // Mail of no known shape (someone writing to the bounce mailbox) is kept and changes nothing.
    const everyone = await store.subscribers.list({});
    await mail.deliver({ from: 'someone@else.example', to: `hello@${DOMAIN}`, raw: 'From: someone@else.example\r\nTo: hello@bounces.daybreak.example\r\nSubject: Hello\r\n\r\nAre you there?\r\n' });
    await waitFor('the stray mail', async () => (await store.inbound.list({ limit: 1 }))[0]?.kind === 'unknown');
    expect(await store.subscribers.list({})).toEqual(everyone);

    expect(await total()).toBe(before + 8);
    await waitFor('INBOX holding only the message someone had read', async () => (await mail.list('INBOX')).length === 1);
    expect((await mail.list(PROCESSED)).length).toBe(10);
  });

  it('does not process a message twice after a restart, and reads what arrived while it was stopped', async () => {
    const rows = async () => (await store.inbound.list({ limit: 1000 })).length;
    await stopReader();
    const before = await rows();
    await mail.deliver(bounceOf('restart', postfixHardBounce));
    reader = read();
    await waitFor('the bounce delivered while stopped', async () => (await statusOf('restart')).status === 'bounced');
    expect(await rows()).toBe(before + 1);
    await stopReader();
    reader = read();
    await waitFor('the second start reading the mailbox', () => logs.filter((l) => l.startsWith('inbound (imap): reading ')).length === 3);
    await mail.deliver(bounceOf('gmail', gmailHardBounce));
    await waitFor('a new message after the restart', async () => (await keptFor('gmail')).length === 2);
    // Only the new one: nothing processed before the restart was read again.
    expect(await rows()).toBe(before + 2);
  });

  it('keeps a message once when the server goes away between keeping it and moving it', async () => {
    await stopReader();
    const crashLogs: string[] = [];
    let cut = false;
    const cutting: InboundProcessor = {
      accepts: (a) => processor.accepts(a),
      receiveEvent: (e) => processor.receiveEvent(e),
      async receiveMail(m) {
        const result = await processor.receiveMail(m);
        if (!cut) {
          cut = true;
          await imap.stop();
        }
        return result;
      },
    };
    const c = copies.crash.returnPath;
    await mail.deliver({ from: '', to: c, raw: postfixSoft({ to: c, reader: READERS.crash, original: originalHeaders(copies.crash.raw, c), action: 'failed' }) });
    reader = read({ processor: cutting, log: crashLogs });
    await waitFor('the server stopped after the message was kept', async () => cut && (await keptFor('crash')).length === 1);
    await waitFor('the reader noticing', () => crashLogs.some((l) => /closed|retrying/.test(l)));
    await imap.start();
    await waitFor('the message moved after the reconnect', async () => {
      const fresh = await mailClient(imap).catch(() => null);
      if (!fresh) return false;
      try {
        return (await fresh.list(PROCESSED)).some((m) => m.deliveredTo === c);
      } finally {
        await fresh.close();
      }
    });
    expect(await keptFor('crash')).toHaveLength(1);
    expect((await keptFor('crash'))[0]!.outcome).toMatch(/^soft bounce 1 of 3/);
    await mail.close();
    mail = await mailClient(imap);
    expect((await mail.list('INBOX')).map((m) => m.deliveredTo)).not.toContain(c);
  });

  it('reconnects when the server goes away and comes back, and reads what arrived meanwhile', async () => {
    await stopReader();
    const outage: string[] = [];
    reader = read({ log: outage });
    await waitFor('the reader reading', () => outage.some((l) => l.startsWith('inbound (imap): reading ')));
    await mail.close();
    await imap.stop();
    // Dovecot says BYE when it shuts down; a session killed before it could is a reset.
    await waitFor('the lost connection logged', () => outage.some((l) => /connection to imap:\/\/daybreak@127\.0\.0\.1:\d+ closed|ECONNRESET/.test(l)));
    await waitFor('a refused reconnect logged', () => outage.some((l) => /ECONNREFUSED.*retrying in/.test(l)));
    await imap.start();
    mail = await mailClient(imap);
    await mail.deliver(bounceOf('outage', postfixHardBounce));
    await waitFor('the bounce read after the reconnect', async () => (await statusOf('outage')).status === 'bounced');
    expect(outage.filter((l) => l.startsWith('inbound (imap): reading '))).toHaveLength(2);
    expect(outage.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('logs a refused login in one line without a stack, keeps retrying, and reads once the password works', async () => {
    await stopReader();
    const wrong: string[] = [];
    reader = read({ url: imap.url('not-the-password'), log: wrong });
    await waitFor('three refused logins', () => wrong.filter((l) => l.includes('login refused')).length >= 3);
    const [line] = wrong;
    expect(line).toMatch(
      new RegExp(`^inbound \\(imap\\): could not connect to imap://daybreak@127\\.0\\.0\\.1:${imap.port}: login refused by the server \\(.*\\): check the user and password in inbound\\.imap\\.url; retrying in 0\\.1 s$`),
    );
    expect(line).not.toContain('not-the-password');
    expect(wrong.join('\n')).not.toMatch(/\n\s+at /);
    expect(wrong.some((l) => /retrying in 0\.4 s/.test(l))).toBe(true);
    await mail.deliver(bounceOf('password', postfixHardBounce));
    expect((await statusOf('password')).status).toBe('active');
    const right = imap.password;
    imap.setPassword('not-the-password');
    try {
      await waitFor('the bounce read once the login works', async () => (await statusOf('password')).status === 'bounced');
    } finally {
      imap.setPassword(right);
    }
  });

  it('moves a message over inbound.maxMessageBytes to the processed mailbox unread, without keeping it', async () => {
    await stopReader();
    const big: string[] = [];
    const before = (await store.inbound.list({ limit: 1000 })).length;
    reader = read({ log: big, maxMessageBytes: 10_000 });
    await waitFor('the reader reading', () => big.some((l) => l.startsWith('inbound (imap): reading ')));
    await mail.deliver({ from: 'someone@else.example', to: `hello@${DOMAIN}`, raw: `Subject: Big\r\n\r\n${`${'y'.repeat(76)}\r\n`.repeat(200)}` });
    await waitFor('the big message logged', () => big.some((l) => /over inbound\.maxMessageBytes \(10000\): moved to Daybreak\/Processed unread, not kept/.test(l)));
    expect((await store.inbound.list({ limit: 1000 })).length).toBe(before);
    const processed = await mail.list(PROCESSED);
    expect(processed.at(-1)).toMatchObject({ subject: 'Big', seen: false });
  });

  it('moves a kept message later when the processed mailbox was deleted under it, and reads it only once', async () => {
    await stopReader();
    const moved: string[] = [];
    reader = read({ log: moved });
    await waitFor('the reader reading', () => moved.some((l) => l.startsWith('inbound (imap): reading ')));
    await mail.remove(PROCESSED);
    const rows = async () => (await store.inbound.list({ limit: 1000 })).length;
    const before = await rows();
    await mail.deliver({ from: 'someone@else.example', to: `first@${DOMAIN}`, raw: `To: first@${DOMAIN}\r\nSubject: First\r\n\r\nOne\r\n` });
    await waitFor('the failed move logged', () => moved.some((l) => /message UID \d+ is kept, but could not be moved to Daybreak\/Processed: .*; it stays in INBOX marked read, and the move is tried again$/.test(l)));
    expect(await rows()).toBe(before + 1);
    expect((await mail.list('INBOX')).map((m) => [m.subject, m.seen])).toContainEqual(['First', true]);
    await mail.deliver({ from: 'someone@else.example', to: `second@${DOMAIN}`, raw: `To: second@${DOMAIN}\r\nSubject: Second\r\n\r\nTwo\r\n` });
    await waitFor('both in the processed mailbox again', async () => (await mail.list(PROCESSED).catch(() => [])).length === 2);
    expect((await mail.list(PROCESSED)).map((m) => [m.subject, m.seen])).toEqual([
      ['First', true],
      ['Second', true],
    ]);
    expect((await mail.list('INBOX')).map((m) => m.subject)).toEqual(['Undelivered Mail Returned to Sender']);
    expect(await rows()).toBe(before + 2);
  });
});

describe('inbound mail from an IMAP mailbox with the real CLI', () => {
  const run = promisify(execFile);
  const cli = async (args: string[], env: NodeJS.ProcessEnv) => (await run(process.execPath, [BIN, ...args], { env, cwd: ROOT })).stdout;
  let imap: ImapServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    imap = await startImapServer();
  });
  afterAll(async () => {
    await imap?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('daybreak start reads the mailbox instead of listening for SMTP, and daybreak bounces lists what it read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-imap-e2e-'));
    dirs.push(dir);
    const sink = await startSmtpSink();
    const mail = await mailClient(imap);
    try {
      const { env } = await scheduledSendSoon(dir, ['gone@mail.example', 'happy@mail.example'], sink.url);
      const configFile = env.DAYBREAK_CONFIG!;
      writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), inbound: { domain: DOMAIN, imap: { url: imap.url() } } }));
      const child = await startChild(dir, env);
      try {
        expect(child.output()).toContain(`Inbound mail for ${DOMAIN} (bounces, complaints, unsubscribes): read from imap://daybreak@127.0.0.1:${imap.port}/INBOX`);
        expect(child.output()).not.toMatch(/Inbound mail .*smtp:\/\//);
        expect((await waitForRunDone(child))!.sent).toBe(2);
        const gone = sink.messagesTo('gone@mail.example')[0]!;
        expect(gone.from).toMatch(/^bounces\+k0\.[a-z0-9.]+@bounces\.daybreak\.example$/);
        await mail.deliver({ from: '', to: gone.from, raw: postfixHardBounce({ to: gone.from, reader: 'gone@mail.example', original: originalHeaders(gone.raw, gone.from) }) });
        await waitFor('the bounce in the log', () => /inbound \(imap\): hard-bounce for subscriber 1: reader marked bounced/.test(child.output()));
        expect(child.output()).not.toContain(imap.password);
      } finally {
        expect(await stopChild(child)).toBe(0);
      }
      const people = JSON.parse(await cli(['subscribers', 'list', '--json'], env)) as { email: string; status: string }[];
      expect(people.map((p) => [p.email, p.status])).toEqual([
        ['gone@mail.example', 'bounced'],
        ['happy@mail.example', 'active'],
      ]);
      expect(await cli(['bounces'], env)).toMatch(/#1 .* imap +hard-bounce +5\.1\.1 +gone@mail\.example morning \d{4}-\d{2}-\d{2}\n +reader marked bounced/);
      expect((await mail.list(PROCESSED)).at(-1)).toMatchObject({ subject: 'Undelivered Mail Returned to Sender', seen: true });
    } finally {
      await mail.close();
      await sink.close();
    }
  }, 60_000);

  it('daybreak inbound reads the mailbox alone, says where, and refuses --port with inbound.imap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-imap-cli-'));
    dirs.push(dir);
    const configFile = join(dir, 'daybreak.config.json');
    writeFileSync(configFile, JSON.stringify({ inbound: { domain: DOMAIN, imap: { url: imap.url(), processedMailbox: 'Done' } } }));
    const env = { ...process.env, DAYBREAK_DB: join(dir, 'daybreak.db'), DAYBREAK_SECRET: 'an-imap-cli-secret-0123456789abcdef', DAYBREAK_CONFIG: configFile };
    await expect(cli(['inbound', '--port', '2526'], env)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--port is for the SMTP listener, and with inbound.imap set Daybreak reads the mailbox instead of listening'),
    });
    const mail = await mailClient(imap);
    const child = spawn(process.execPath, [BIN, 'inbound'], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    try {
      await waitFor('the reader reading', () => out.includes('inbound (imap): reading '));
      expect(out).toContain(`Daybreak inbound mail for ${DOMAIN} from imap://daybreak@127.0.0.1:${imap.port}/INBOX (processed messages go to Done)`);
      await mail.deliver({ from: 'someone@else.example', to: `hello@${DOMAIN}`, raw: 'From: someone@else.example\r\nTo: hello@bounces.daybreak.example\r\nSubject: Hi\r\n\r\nHello\r\n' });
      await waitFor('the message in the log', () => /inbound \(imap\): unknown: no change/.test(out));
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await mail.close();
    }
    expect(out).toMatch(/SIGTERM: stopping\./);
    const kept = JSON.parse(await cli(['bounces', '--json'], env)) as { source: string; kind: string; recipient: string }[];
    expect(kept).toMatchObject([{ source: 'imap', kind: 'unknown', recipient: `hello@${DOMAIN}` }]);
  }, 60_000);
});
