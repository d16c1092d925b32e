import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/content/index.ts';
import { createMailer, DeliveryError, readMaildir, readMaildirMessage, type Mailer } from '../../src/delivery/index.ts';
import { isDaybreakError } from '../../src/errors.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const config = ConfigSchema.parse({ delivery: { socketTimeoutMs: 1500, greetingTimeoutMs: 1500, connectionTimeoutMs: 1500 } });
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

function tempVar(): string {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-mailer-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
function track(mailer: Mailer): Mailer {
  cleanup.push(() => mailer.close());
  return mailer;
}
async function sink(): Promise<SmtpSink> {
  const s = await startSmtpSink();
  cleanup.push(() => s.close());
  return s;
}

describe('createMailer without SMTP_URL', () => {
  it('delivers through the local mail server into a Maildir that readMaildir lists newest first', async () => {
    const varDir = tempVar();
    const mailer = track(createMailer({ config, env: {}, varDir }));
    expect(mailer.describe()).toBe(`Maildir ${join(varDir, 'mail')} (local mail server)`);
    await mailer.send({ to: 'ada@example.com', subject: 'First', html: '<p>one</p>', text: 'one' });
    await new Promise((r) => setTimeout(r, 20));
    const info = await mailer.send({ to: 'Bob <bob@example.com>', subject: 'Ünïcode second', html: '<p>two</p>', text: 'two' });
    expect(info.response).toMatch(/^250 /);
    const list = await readMaildir(join(varDir, 'mail'));
    expect(list.map((m) => m.subject)).toEqual(['Ünïcode second', 'First']);
    expect(list[0]!.to).toContain('bob@example.com');
    expect(list[0]!.from).toContain('briefing@example.com');
    expect(list[0]!.file).toContain(join('mail', 'new'));
    expect(list[0]!.file.endsWith('.eml')).toBe(true);
    const message = await readMaildirMessage(join(varDir, 'mail'), list[1]!.id);
    expect(message.html).toBe('<p>one</p>');
    expect(message.text?.trim()).toBe('one');
    expect(message.headers.find((h) => h.name.toLowerCase() === 'subject')?.value).toBe('First');
    expect(message.raw).toContain('Subject: First');
  });

  it('reads an empty or missing Maildir as no messages and refuses ids that leave the folder', async () => {
    const varDir = tempVar();
    expect(await readMaildir(join(varDir, 'mail'))).toEqual([]);
    await expect(readMaildirMessage(join(varDir, 'mail'), '../secret')).rejects.toSatisfy((e) => isDaybreakError(e, 'ENOTFOUND'));
    await expect(readMaildirMessage(join(varDir, 'mail'), 'nope.eml')).rejects.toSatisfy((e) => isDaybreakError(e, 'ENOTFOUND'));
  });
});

describe('createMailer with SMTP_URL', () => {
  it('sends over the pooled transport and describes the host without credentials', async () => {
    const s = await sink();
    const mailer = track(createMailer({ config, env: { SMTP_URL: `smtp://user:secret@127.0.0.1:${s.port}` }, varDir: tempVar() }));
    expect(mailer.describe()).toBe(`smtp://127.0.0.1:${s.port}`);
    expect(mailer.maildir).toBeNull();
    await mailer.send({ to: 'ada@example.com', subject: 'Hi', html: '<p>x</p>', text: 'x', headers: { 'X-Test': 'a\r\nBcc: evil@example.com' } });
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]!.raw).not.toMatch(/^Bcc:/im);
  });

  it('rejects an SMTP_URL that is not smtp:// or smtps://', () => {
    expect(() => createMailer({ config, env: { SMTP_URL: 'http://example.com' } })).toThrow(/SMTP_URL/);
  });

  it('reports a refused recipient as a typed DeliveryError with the reply code and command', async () => {
    const s = await sink();
    s.fault({ phase: 'rcpt', match: 'gone@example.com', code: 550, message: '5.1.1 No such user' });
    const mailer = track(createMailer({ config, env: { SMTP_URL: s.url } }));
    const error = await mailer.send({ to: 'gone@example.com', subject: 'Hi', html: 'x', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    const d = error as DeliveryError;
    expect(d.responseCode).toBe(550);
    expect(d.permanent).toBe(true);
    expect(d.kind).toBe('bounce');
    expect(d.command).toMatch(/RCPT/);
  });

  it('reports a greeting refusal as transient', async () => {
    const s = await sink();
    s.fault({ phase: 'greeting', code: 421, times: 1 });
    const mailer = track(createMailer({ config, env: { SMTP_URL: s.url } }));
    const error = (await mailer.send({ to: 'ada@example.com', subject: 'Hi', html: 'x', text: 'x' }).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.kind).toBe('transient');
    expect(error.permanent).toBe(false);
  });
});

describe('Mailer#sendRaw', () => {
  // Dot-stuffing matters here: a line that starts with "." must arrive as it was (RFC 5321 §4.5.2).
  const raw = 'From: a@daybreak.example\r\nTo: ada@example.com\r\nSubject: Hi\r\nMessage-ID: <m1@daybreak.example>\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\n';
  /** Sends the raw message above to `to` through `mailer`. */
  const sender = (mailer: Mailer) => (to: string) => mailer.sendRaw({ from: 'a@daybreak.example', to, raw });
  /** A sink and a mailer sending to it. */
  async function world() {
    const s = await sink();
    const mailer = track(createMailer({ config, env: { SMTP_URL: s.url } }));
    return { s, mailer, send: sender(mailer) };
  }
  /** The DeliveryError a send fails with; the test fails if it succeeds or rejects with anything else. */
  async function failureOf(sending: Promise<unknown>): Promise<DeliveryError> {
    const error = await sending.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }

  it('delivers a prebuilt Buffer byte for byte over the pool, the envelope domain lowercased as nodemailer would', async () => {
    const { s, mailer } = await world();
    const info = await mailer.sendRaw({ from: 'a@Daybreak.Example', to: 'Ada@EXAMPLE.com', raw: Buffer.from(raw), messageId: 'm1@daybreak.example' });
    expect(info.response).toMatch(/^250/);
    await mailer.sendRaw({ from: 'a@daybreak.example', to: 'bo@example.com', raw, messageId: 'm2@daybreak.example' });
    expect(s.messages.map((m) => [m.from, m.to, m.raw])).toEqual([
      ['a@daybreak.example', ['Ada@example.com'], raw],
      ['a@daybreak.example', ['bo@example.com'], raw],
    ]);
  });

  // Such an address goes through nodemailer's compose step, which sends an ASCII local part's domain as
  // punycode (no SMTPUTF8 needed). smtp-server reads an A-label domain back as Unicode, so the sink shows
  // the address as it was given; the missing SMTPUTF8 shows it went as punycode (sent as it is, it would
  // need SMTPUTF8, RFC 6531).
  it('delivers to an address with a non-ASCII domain as punycode, without SMTPUTF8', async () => {
    const { s, send } = await world();
    await send('ana@jõgeva.ee');
    expect(s.messages.map((m) => [m.to, m.smtputf8])).toEqual([[['ana@jõgeva.ee'], false]]);
    expect(s.messages[0]!.raw).toBe(raw);
  });

  it('reports a refused recipient and a refused message as DeliveryErrors, and the pool goes on sending', async () => {
    const { s, send } = await world();
    s.fault({ phase: 'rcpt', match: 'gone@example.com', code: 550, message: '5.1.1 No such user' });
    s.fault({ phase: 'data', match: 'later@example.com', code: 451, message: '4.3.0 Try again later' });
    await send('ada@example.com');
    const gone = await failureOf(send('gone@example.com'));
    expect([gone.responseCode, gone.kind, gone.permanent]).toEqual([550, 'bounce', true]);
    expect(gone.command).toMatch(/RCPT/);
    const later = await failureOf(send('later@example.com'));
    expect([later.responseCode, later.kind, later.permanent]).toEqual([451, 'transient', false]);
    await send('bo@example.com');
    expect(s.messages.map((m) => m.to[0])).toEqual(['ada@example.com', 'bo@example.com']);
  });

  it('reports a connection dropped in the middle of the data as transient, on a connection that had sent before', async () => {
    const { s, send } = await world();
    await send('ada@example.com');
    s.fault({ phase: 'drop-mid-data', times: 1 });
    const error = await failureOf(send('bo@example.com'));
    expect(error.kind).toBe('transient');
    await send('cy@example.com');
    expect(s.messages.map((m) => m.to[0])).toEqual(['ada@example.com', 'cy@example.com']);
  });

  it('sends a source without a final line break correctly terminated', async () => {
    const { s, mailer, send } = await world();
    await mailer.sendRaw({ from: 'a@daybreak.example', to: 'ada@example.com', raw: Buffer.from(raw.slice(0, -2)) });
    expect(s.messages[0]!.raw).toBe(raw);
  });

  // On a connection that has sent before, nodemailer's sendMail reports a 421 that comes before the data
  // as a bare "Reached maximum number of retries after connection was closed" (no reply, no command); the
  // pool's own send passes the server's reply on, so a 4.7.x rate refusal is classified as policy.
  it('reports a 421 at RCPT on a reused connection with its reply: 4.7.x as policy, other 4.x.x as transient', async () => {
    const { s, send } = await world();
    await send('ada@example.com');
    s.fault({ phase: 'rcpt', match: 'slow@example.com', code: 421, message: '4.7.0 Too many messages, slow down' });
    s.fault({ phase: 'rcpt', match: 'down@example.com', code: 421, message: '4.3.2 Shutting down' });
    const slow = await failureOf(send('slow@example.com'));
    expect([slow.responseCode, slow.kind, slow.permanent]).toEqual([421, 'policy', false]);
    expect(slow.message).toMatch(/4\.7\.0 Too many messages/);
    await send('bo@example.com');
    const down = await failureOf(send('down@example.com'));
    expect([down.responseCode, down.kind]).toEqual([421, 'transient']);
    await send('cy@example.com');
    expect(s.messages.map((m) => m.to[0])).toEqual(['ada@example.com', 'bo@example.com', 'cy@example.com']);
  });

  it('sends every copy through the proxy SMTP_URL names, the first one included', async () => {
    const s = await sink();
    // A real HTTP CONNECT proxy on loopback that counts the tunnels it opens.
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (request, client, head) => {
      tunnels.push(request.url ?? '');
      const [host, port] = (request.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => { proxy.closeAllConnections(); proxy.close(() => resolve()); }));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const mailer = track(createMailer({ config: ConfigSchema.parse({ delivery: { maxConnections: 1 } }), env: { SMTP_URL: `${s.url}?proxy=${encodeURIComponent(proxyUrl)}` } }));
    const send = sender(mailer);
    await Promise.all(['ada', 'bo', 'cy'].map((name) => send(`${name}@example.com`)));
    await send('di@example.com');
    expect(s.messages).toHaveLength(4);
    expect(tunnels).toEqual([`127.0.0.1:${s.port}`]);
  });

  it('rejects once the mailer is closed', async () => {
    const s = await sink();
    const mailer = createMailer({ config, env: { SMTP_URL: s.url } });
    const send = sender(mailer);
    await send('ada@example.com');
    await mailer.close();
    await expect(send('bo@example.com')).rejects.toThrow(/closed/);
  });
});
