import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Config } from '../content/index.ts';
import { DaybreakError } from '../errors.ts';
import { classifySmtpError, DeliveryError } from './delivery-error.ts';
import type { DkimPool } from './dkim-pool.ts';
import { createDkimSigning } from './dkim-signing.ts';
import { readDkimKeys } from './dkim-keys.ts';
import type { DkimSignerOptions } from './dkim-signer.ts';
import { startLocalMailServer, type LocalMailServer } from './local-mail-server.ts';
import { isSafeAddress } from './mime.ts';
import { relaxedBodies } from './relaxed-bodies.ts';
import { createSmtpPool, type SmtpPool } from './smtp-pool.ts';
import { parseSmtpUrl, type SmtpTarget } from './smtp-url.ts';
import { DEFAULT_VAR_DIR, smtpUrlFrom } from '../settings/index.ts';

export interface MailerMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (e.g. List-Unsubscribe); nodemailer encodes them, CR/LF cannot add a header. */
  headers?: Record<string, string>;
  /** Defaults to publisher.from / publisher.replyTo. */
  from?: string;
  replyTo?: string;
}

/** A complete, already-encoded message with its envelope (one recipient). */
export interface RawMessage {
  from: string;
  to: string;
  raw: string | Buffer;
  /** The Message-ID already in `raw`, without angle brackets (kept for callers; the source is sent as it is). */
  messageId?: string;
}

export interface Mailer {
  /** Sends one message composed from its parts (transactional and test mail). Rejects with a DeliveryError. */
  send(message: MailerMessage): Promise<{ messageId: string; response: string }>;
  /** Sends a prebuilt MIME message as it is (the edition path). Rejects with a DeliveryError. */
  sendRaw(message: RawMessage): Promise<{ response: string }>;
  /** Where the mail goes: `smtp://host:port` (no credentials) or `Maildir var/mail (local mail server)`. */
  describe(): string;
  /** The Maildir the local mail server writes to, or null when mail goes to SMTP_URL. */
  readonly maildir: string | null;
  close(): Promise<void>;
}

/**
 * The envelope form of an address (RFC 5321 §4.1.2): the domain as its A-label (punycode, lowercased,
 * RFC 5890), so only a non-ASCII local part needs SMTPUTF8 (RFC 6531), which SMTPConnection then asks
 * for. An address that could break the SMTP command is refused as permanent: it never goes on the wire.
 */
function envelopeAddress(address: string, role: 'sender' | 'recipient'): string {
  const at = address.lastIndexOf('@');
  const domain = at > 0 ? domainToASCII(address.slice(at + 1)) : '';
  if (!isSafeAddress(address) || !domain) {
    throw new DeliveryError(`Not a deliverable ${role} address: ${JSON.stringify(address)}`, { kind: 'permanent', smtpCode: 'EENVELOPE' });
  }
  return `${address.slice(0, at)}@${domain}`;
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`;
  } catch {
    return 'SMTP_URL';
  }
}

/** The first address of a header value such as `"Ada" <ada@example.com>`. */
function firstAddress(value: string): string {
  const [first] = addressparser(value, { flatten: true });
  return first && 'address' in first && first.address ? first.address : value;
}

/**
 * The one way Daybreak sends mail: every message, edition copy or transactional mail, goes the same path
 * to `SMTP_URL` (smtp:// with STARTTLS when offered, or smtps://, optionally through an HTTP proxy) or,
 * with no SMTP_URL, to the embedded local mail server (started on first use, on loopback) that stores
 * every message in a Maildir under `<varDir>/mail`:
 *
 *   complete message (a Buffer) → DKIM signing on worker threads (or in line), when configured → the connection pool
 *   (createSmtpPool, on nodemailer's documented SMTPConnection) → one classification of any failure
 *   (classifySmtpError).
 *
 * Transactional mail is first composed by nodemailer's MailComposer (its documented API) into such a
 * Buffer. Retries belong to the send ledger: a failure is reported at once and the caller decides.
 *
 * @example
 * const mailer = createMailer({ config, env: process.env, varDir: 'var' });
 * await mailer.send({ to: 'ada@example.com', subject: 'Confirm', html, text });
 * console.log(`mail went to ${mailer.describe()}`);
 * await mailer.close();
 */
export function createMailer(options: { config: Config; env?: NodeJS.ProcessEnv; varDir?: string }): Mailer {
  const { config } = options;
  const varDir = options.varDir ?? DEFAULT_VAR_DIR;
  const smtpUrl = smtpUrlFrom(options.env);
  const target: SmtpTarget | null = smtpUrl ? parseSmtpUrl(smtpUrl) : null;
  const maildir = smtpUrl ? null : join(varDir, 'mail');
  const delivery = config.delivery;
  const dkim: DkimSignerOptions | null = delivery.dkim ? readDkimKeys(delivery.dkim) : null;

  let server: LocalMailServer | null = null;
  let pool: Promise<SmtpPool> | null = null;
  let signer: DkimPool | null = null;
  let closed = false;

  function connections(): Promise<SmtpPool> {
    if (closed) return Promise.reject(new DaybreakError('EDELIVERY', 'The mailer is closed'));
    const common = {
      maxConnections: delivery.maxConnections,
      connectionTimeoutMs: delivery.connectionTimeoutMs,
      greetingTimeoutMs: delivery.greetingTimeoutMs,
      socketTimeoutMs: delivery.socketTimeoutMs,
      ...(delivery.ratePerSecond ? { ratePerSecond: delivery.ratePerSecond } : {}),
    };
    pool ??= (async () => {
      if (target) return createSmtpPool({ ...target, ...common });
      server = await startLocalMailServer({ maildir: maildir! });
      return createSmtpPool({
        host: server.host,
        port: server.port,
        secure: false,
        ignoreTLS: true,
        requireTLS: false,
        rejectUnauthorized: true,
        ...common,
      });
    })();
    return pool;
  }

  async function deliver(from: string, to: string, raw: Buffer, relaxedBody = false): Promise<{ response: string }> {
    const envelope = { from: envelopeAddress(from, 'sender'), to: envelopeAddress(to, 'recipient') };
    const smtp = await connections();
    if (!dkim) {
      try {
        return await smtp.send(envelope, raw);
      } catch (error) {
        throw classifySmtpError(error);
      }
    }
    signer ??= createDkimSigning({ ...dkim, threads: delivery.dkim?.threads });
    const signed = await signer.sign(raw, { relaxedBody });
    try {
      const info = await smtp.send(envelope, signed.bytes);
      // Accepted: the server answered the final dot after every byte arrived, so the memory is free.
      signed.release(true);
      return info;
    } catch (error) {
      // A failed connection may still hold the bytes in its write queue: leave that memory to the GC.
      signed.release(false);
      throw classifySmtpError(error);
    }
  }

  return {
    maildir,
    describe: () => (smtpUrl ? describeUrl(smtpUrl) : `Maildir ${maildir} (local mail server)`),
    async send(message) {
      const from = message.from ?? config.publisher.from;
      const fromAddress = firstAddress(from);
      const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1) || 'localhost';
      const messageId = `<${randomBytes(12).toString('hex')}@${domain}>`;
      const raw = await new MailComposer({
        from,
        replyTo: message.replyTo ?? config.publisher.replyTo,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
        headers: message.headers,
        messageId,
      }).compile().build();
      const info = await deliver(fromAddress, firstAddress(message.to), raw);
      return { messageId, response: info.response };
    },
    sendRaw(message) {
      const raw = typeof message.raw === 'string' ? Buffer.from(message.raw, 'utf8') : message.raw;
      // An edition copy the builder vouched for is hashed as it is (relaxed-bodies.ts).
      return deliver(message.from, message.to, raw, relaxedBodies.has(message.raw));
    },
    async close() {
      closed = true;
      if (pool) (await pool.catch(() => null))?.close();
      if (signer) await signer.close();
      if (server) await server.close();
    },
  };
}
