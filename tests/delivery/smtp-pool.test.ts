import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/content/index.ts';
import { createMailer, createSmtpPool, DeliveryError, parseSmtpUrl, type Mailer } from '../../src/delivery/index.ts';
import { isDaybreakError } from '../../src/errors.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../helpers/smtp-sink.ts';

const timeouts = { socketTimeoutMs: 1500, greetingTimeoutMs: 1500, connectionTimeoutMs: 1500 };
let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function sink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(options);
  cleanup.push(() => s.close());
  return s;
}
function mailer(url: string, delivery: Record<string, unknown> = {}): Mailer {
  const m = createMailer({ config: ConfigSchema.parse({ delivery: { ...timeouts, ...delivery } }), env: { SMTP_URL: url } });
  cleanup.push(() => m.close());
  return m;
}
const raw = (to: string) => `From: a@daybreak.example\r\nTo: ${to}\r\nSubject: Hi\r\n\r\nHello\r\n`;
const sendTo = (m: Mailer, to: string) => m.sendRaw({ from: 'a@daybreak.example', to, raw: raw(to) });
async function failureOf(sending: Promise<unknown>): Promise<DeliveryError> {
  const error = await sending.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('the SMTP connection pool', () => {
  it('opens at most maxConnections connections and reuses them for every later message', async () => {
    const s = await sink();
    const m = mailer(s.url, { maxConnections: 3 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => sendTo(m, `r${i}@example.com`)));
    await Promise.all(Array.from({ length: 30 }, (_, i) => sendTo(m, `s${i}@example.com`)));
    expect(s.messages).toHaveLength(60);
    expect(s.connections).toBe(3);
    expect(new Set(s.messages.map((x) => x.session)).size).toBe(3);
  });

  it('keeps a connection after the server refused one message, and replaces one the server dropped', async () => {
    const s = await sink();
    const m = mailer(s.url, { maxConnections: 1 });
    s.fault({ phase: 'rcpt', match: 'gone@example.com', code: 550, message: '5.1.1 No such user' });
    await sendTo(m, 'ada@example.com');
    expect((await failureOf(sendTo(m, 'gone@example.com'))).kind).toBe('bounce');
    await sendTo(m, 'bo@example.com');
    expect(s.connections).toBe(1);
    s.fault({ phase: 'drop-mid-data', times: 1 });
    expect((await failureOf(sendTo(m, 'cy@example.com'))).kind).toBe('transient');
    await sendTo(m, 'di@example.com');
    expect(s.connections).toBe(2);
    expect(s.messages.map((x) => x.to[0])).toEqual(['ada@example.com', 'bo@example.com', 'di@example.com']);
  });

  it('starts at most delivery.ratePerSecond messages in each one-second window', async () => {
    const s = await sink();
    const m = mailer(s.url, { ratePerSecond: 1, maxConnections: 3 });
    await Promise.all(Array.from({ length: 3 }, (_, i) => sendTo(m, `r${i}@example.com`)));
    const times = s.messages.map((x) => x.receivedAt).sort((a, b) => a - b);
    // The third message may only start two windows after the first one started; the first one's own
    // connection set-up (well under half a second on loopback) is the only slack the bound allows.
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(1500);
  });

  it('upgrades with STARTTLS when the server offers it, and checks the certificate unless told not to', async () => {
    const s = await sink({ starttls: true });
    const strict = mailer(s.url);
    const refused = await failureOf(sendTo(strict, 'ada@example.com'));
    expect(refused.message).toMatch(/certificate/i);
    const m = mailer(`${s.url}?tls.rejectUnauthorized=false`);
    await sendTo(m, 'bo@example.com');
    expect(s.messages.map((x) => [x.to[0], x.secure])).toEqual([['bo@example.com', true]]);
  });

  it('sends over TLS from the first byte for smtps://', async () => {
    const s = await sink({ secure: true });
    const m = mailer(`smtps://127.0.0.1:${s.port}?tls.rejectUnauthorized=false`);
    await sendTo(m, 'ada@example.com');
    expect(s.messages.map((x) => x.secure)).toEqual([true]);
  });

  it('refuses to send in the clear with ?requireTLS=true when the server offers no STARTTLS', async () => {
    const s = await sink();
    const m = mailer(`${s.url}?requireTLS=true`);
    const error = await failureOf(sendTo(m, 'ada@example.com'));
    expect(error.message).toMatch(/STARTTLS/);
    expect(s.messages).toHaveLength(0);
  });

  it('logs in with the credentials of SMTP_URL, and reports a refused login as a policy error', async () => {
    const s = await sink({ auth: { user: 'ada@daybreak.example', pass: 'p@ss:word' } });
    const good = mailer(`smtp://${encodeURIComponent('ada@daybreak.example')}:${encodeURIComponent('p@ss:word')}@127.0.0.1:${s.port}`);
    await sendTo(good, 'bo@example.com');
    expect(s.messages).toHaveLength(1);
    const bad = mailer(`smtp://ada%40daybreak.example:wrong@127.0.0.1:${s.port}`);
    const error = await failureOf(sendTo(bad, 'cy@example.com'));
    expect([error.responseCode, error.kind]).toEqual([535, 'policy']);
  });

  it('asks for SMTPUTF8 only for an address whose local part is not ASCII', async () => {
    const s = await sink();
    const m = mailer(s.url);
    await sendTo(m, 'zoë@example.com');
    await sendTo(m, 'ana@jõgeva.ee');
    await sendTo(m, 'bo@example.com');
    expect(s.messages.map((x) => [x.to[0], x.smtputf8])).toEqual([
      ['zoë@example.com', true],
      ['ana@jõgeva.ee', false], // the domain went as punycode, which smtp-server reads back as Unicode
      ['bo@example.com', false],
    ]);
  });

  it('classifies the same 421 4.7.0 alike for an edition copy and a composed message', async () => {
    const s = await sink();
    const m = mailer(s.url, { maxConnections: 1 });
    await sendTo(m, 'ada@example.com');
    s.fault({ phase: 'rcpt', match: /^slow/, code: 421, message: '4.7.0 Too many messages, slow down' });
    const copy = await failureOf(sendTo(m, 'slow1@example.com'));
    await sendTo(m, 'bo@example.com');
    const composed = await failureOf(m.send({ to: 'slow2@example.com', subject: 'Confirm', html: '<p>x</p>', text: 'x' }));
    for (const error of [copy, composed]) {
      expect([error.responseCode, error.kind, error.permanent]).toEqual([421, 'policy', false]);
      expect(error.response).toMatch(/^421 4\.7\.0 Too many messages/);
    }
  });

  it('never puts an address that could break the SMTP command on the wire, and says why', async () => {
    const s = await sink();
    const m = mailer(s.url);
    const error = await failureOf(sendTo(m, 'x@example.com>\r\nRCPT TO:<y@example.com'));
    expect([error.kind, error.permanent]).toEqual(['permanent', true]);
    expect(error.message).toMatch(/Not a deliverable recipient address/);
    expect(s.connections).toBe(0);
  });

  it('fails the messages on the wire and the queued ones when the pool is closed', async () => {
    const s = await sink();
    s.fault({ phase: 'hang-after-data' });
    const pool = createSmtpPool({ ...parseSmtpUrl(s.url), maxConnections: 1, connectionTimeoutMs: 1500, greetingTimeoutMs: 1500, socketTimeoutMs: 10_000 });
    const sends = ['a', 'b'].map((name) => pool.send({ from: 'a@daybreak.example', to: `${name}@example.com` }, Buffer.from(raw(name))));
    const outcomes = Promise.allSettled(sends);
    await new Promise((resolve) => setTimeout(resolve, 200));
    pool.close();
    expect((await outcomes).map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(pool.size).toBe(0);
  });
});

describe('parseSmtpUrl', () => {
  it('reads host, port, TLS mode and percent-encoded credentials', () => {
    expect(parseSmtpUrl('smtp://ada%40x.example:p%3Ass@mail.example.com')).toMatchObject({
      host: 'mail.example.com', port: 587, secure: false, auth: { user: 'ada@x.example', pass: 'p:ss' }, rejectUnauthorized: true,
    });
    expect(parseSmtpUrl('smtps://mail.example.com')).toMatchObject({ port: 465, secure: true });
    expect(parseSmtpUrl('smtp://h:2525?proxy=http%3A%2F%2Fp%3A3128&requireTLS=true').proxy?.href).toBe('http://p:3128/');
  });

  it('names what is wrong with an SMTP_URL, and never repeats its password', () => {
    const problem = (url: string) => {
      try {
        parseSmtpUrl(url);
      } catch (error) {
        expect(isDaybreakError(error, 'ECONFIG')).toBe(true);
        return (error as Error).message;
      }
      return null;
    };
    expect(problem('http://u:secret@example.com')).toBe('SMTP_URL must start with smtp:// or smtps:// (got "http://example.com")');
    expect(problem('smtp://u:secret@h?pool=true')).toBe('SMTP_URL: unknown parameter "pool" (allowed: proxy, requireTLS, ignoreTLS, tls.rejectUnauthorized, name)');
    expect(problem('smtp://h?proxy=socks5://p:1080')).toBe('SMTP_URL: ?proxy= must be an http:// or https:// proxy (got "socks5://")');
    expect(problem('smtp://h?requireTLS=maybe')).toBe('SMTP_URL: ?requireTLS= must be true or false (got "maybe")');
    expect(problem('not a url secret')).not.toContain('secret');
  });
});
