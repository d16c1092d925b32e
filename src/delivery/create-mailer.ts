import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Config } from '../content/index.ts';
import { DaybreakError } from '../errors.ts';
import { classifySmtpError } from './delivery-error.ts';
import { startLocalMailServer, type LocalMailServer } from './local-mail-server.ts';
import { isSafeAddress } from './mime.ts';

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
  /** The Message-ID already in `raw`, without angle brackets; nodemailer reports it instead of inventing one. */
  messageId?: string;
}

export interface Mailer {
  /** Sends one message built by nodemailer (transactional and test mail). Rejects with a DeliveryError. */
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
 * The part of nodemailer's SMTP pool (the transport behind a pooled `createTransport`) that a prebuilt
 * message needs: `send(mail, callback)`, the interface every nodemailer transport implements. The pool
 * reads the envelope, the Message-ID (for its logs) and the message source from `mail.message`, and its
 * connection writes a Buffer source straight into the DATA stream (dot-stuffing, RFC 5321 §4.5.2).
 * What the pool reads from `mail` is nodemailer's code, not its documented API: nodemailer is pinned
 * (package.json), and tests/delivery/mailer.test.ts sends through this path against a real server, so an
 * upgrade that changes it fails those tests rather than mail.
 */
interface PoolTransport {
  send(
    mail: {
      data: Record<string, never>;
      message: {
        getEnvelope(): { from: string; to: string[] };
        messageId(): string;
        getHeader(key: string): string | undefined;
        createReadStream(): Buffer;
      };
    },
    callback: (error: Error | null, info: { response?: string }) => void,
  ): unknown;
}

/**
 * The envelope address as nodemailer's own compose step writes it (MimeNode#_normalizeAddress) for the
 * plain case: an address that passes isSafeAddress (a dot-atom local part and a hostname, RFC 5321
 * §4.1.2) and is all ASCII is sent as it is, with the domain lowercased as domainToASCII does. Null for
 * anything else (non-ASCII needs punycode or SMTPUTF8, an odd address nodemailer's quoting and checks):
 * such an address stays with nodemailer's compose step.
 */
function plainEnvelopeAddress(address: string): string | null {
  if (!isSafeAddress(address) || /[^\x21-\x7e]/.test(address)) return null;
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}

/** Maps delivery.ratePerSecond onto nodemailer's rateLimit-per-rateDelta window. */
export function rateOptions(ratePerSecond: number | undefined): { rateLimit?: number; rateDelta?: number } {
  if (!ratePerSecond) return {};
  if (ratePerSecond >= 1) return { rateLimit: Math.round(ratePerSecond), rateDelta: 1000 };
  return { rateLimit: 1, rateDelta: Math.round(1000 / ratePerSecond) };
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`;
  } catch {
    return 'SMTP_URL';
  }
}

/**
 * The one way Daybreak sends mail: pooled nodemailer to `SMTP_URL` (smtp:// or smtps://), or, with no
 * SMTP_URL, the embedded local mail server (started on first use, on loopback) that stores every message
 * in a Maildir under `<varDir>/mail`. Retries belong to the send ledger, so nodemailer's own re-queueing
 * is off (maxRequeues 0): a failure is reported at once and the caller decides.
 *
 * @example
 * const mailer = createMailer({ config, env: process.env, varDir: 'var' });
 * await mailer.send({ to: 'ada@example.com', subject: 'Confirm', html, text });
 * console.log(`mail went to ${mailer.describe()}`);
 * await mailer.close();
 */
export function createMailer(options: { config: Config; env?: NodeJS.ProcessEnv; varDir?: string }): Mailer {
  const { config } = options;
  const env = options.env ?? process.env;
  const varDir = options.varDir ?? 'var';
  const smtpUrl = env.SMTP_URL?.trim() || undefined;
  if (smtpUrl && !/^smtps?:\/\//i.test(smtpUrl)) {
    throw new DaybreakError('ECONFIG', `SMTP_URL must start with smtp:// or smtps:// (got "${describeUrl(smtpUrl)}")`);
  }
  const maildir = smtpUrl ? null : join(varDir, 'mail');
  const delivery = config.delivery;
  let dkim: { domainName: string; keySelector: string; privateKey: string } | undefined;
  if (delivery.dkim) {
    try {
      dkim = {
        domainName: delivery.dkim.domainName,
        keySelector: delivery.dkim.keySelector,
        privateKey: readFileSync(delivery.dkim.privateKeyFile, 'utf8'),
      };
    } catch (error) {
      throw new DaybreakError('ECONFIG', `delivery.dkim.privateKeyFile: cannot read ${delivery.dkim.privateKeyFile}`, { cause: error });
    }
  }

  let server: LocalMailServer | null = null;
  let transporter: Promise<Transporter> | null = null;
  let closed = false;

  const common = {
    pool: true as const,
    maxConnections: delivery.maxConnections,
    maxMessages: Infinity,
    maxRequeues: 0,
    connectionTimeout: delivery.connectionTimeoutMs,
    greetingTimeout: delivery.greetingTimeoutMs,
    socketTimeout: delivery.socketTimeoutMs,
    ...rateOptions(delivery.ratePerSecond),
    ...(dkim ? { dkim } : {}),
  };

  function transport(): Promise<Transporter> {
    if (closed) return Promise.reject(new DaybreakError('EDELIVERY', 'The mailer is closed'));
    transporter ??= (async () => {
      if (smtpUrl) return nodemailer.createTransport({ url: smtpUrl, ...common } as never);
      server = await startLocalMailServer({ maildir: maildir! });
      return nodemailer.createTransport({
        host: server.host,
        port: server.port,
        secure: false,
        ignoreTLS: true,
        ...common,
      } as never);
    })();
    return transporter;
  }

  return {
    maildir,
    describe: () => (smtpUrl ? describeUrl(smtpUrl) : `Maildir ${maildir} (local mail server)`),
    async send(message) {
      const t = await transport();
      try {
        const info = await t.sendMail({
          from: message.from ?? config.publisher.from,
          replyTo: message.replyTo ?? config.publisher.replyTo,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          headers: message.headers,
        });
        return { messageId: String(info.messageId), response: String(info.response) };
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    async sendRaw(message) {
      const t = await transport();
      const from = plainEnvelopeAddress(message.from);
      const to = plainEnvelopeAddress(message.to);
      const mail = t as unknown as { transporter?: Partial<PoolTransport>; getSocket?: unknown };
      const pool = mail.transporter;
      // The edition path: the copy is already a complete MIME message, so it goes to nodemailer's SMTP pool
      // as it is, through the pool's own `send` (its connections, rate limit and error codes), without
      // Mail#sendMail's compose step. That step parses the source into a MimeNode (with a randomBytes call
      // for a boundary the raw source never uses), parses the envelope again and streams the source through
      // two more Transform streams: about 200 µs of CPU a copy here, 40% of a raw send (issue 4's bench).
      // DKIM signing and non-ASCII addresses (punycode, SMTPUTF8) keep that step: nodemailer does them there.
      // So does the first message when SMTP_URL names a proxy: sendMail is where nodemailer hands the
      // proxy's socket factory (getSocket) to the pool, once; later copies then go through the proxy too.
      if (!dkim && from && to && typeof pool?.send === 'function' && typeof mail.getSocket !== 'function') {
        const id = message.messageId ?? '';
        const raw = typeof message.raw === 'string' ? Buffer.from(message.raw, 'utf8') : message.raw;
        return new Promise((resolve, reject) => {
          pool.send!(
            {
              data: {},
              message: {
                getEnvelope: () => ({ from, to: [to] }),
                messageId: () => id,
                getHeader: (key) => (key.toLowerCase() === 'message-id' && id ? `<${id}>` : undefined),
                createReadStream: () => raw,
              },
            },
            (error, info) => (error ? reject(classifySmtpError(error)) : resolve({ response: String(info?.response) })),
          );
        });
      }
      try {
        // Naming the Message-ID spares nodemailer from generating one per message (five randomBytes calls,
        // a measurable share of a raw send's CPU); the raw source is sent as it is either way.
        const info = await t.sendMail({
          envelope: { from: message.from, to: [message.to] },
          raw: message.raw,
          ...(message.messageId ? { messageId: `<${message.messageId}>` } : {}),
        });
        return { response: String(info.response) };
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    async close() {
      closed = true;
      if (transporter) {
        const t = await transporter.catch(() => null);
        t?.close();
      }
      if (server) await server.close();
    },
  };
}
