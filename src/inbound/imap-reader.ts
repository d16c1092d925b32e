import type { ImapFlow } from 'imapflow';
import type { InboundProcessor } from './inbound-processor.ts';
import { parseHeaderFields, splitHeaderBody, type HeaderField } from './mime-parts.ts';

export interface ImapReader {
  /** Where it reads, as it may be shown: `imaps://user@host:993/INBOX` (never the password). */
  describe: string;
  /** Logs out and stops reconnecting; a message being processed is finished first. */
  close(): Promise<void>;
}

export interface ImapReaderOptions {
  processor: InboundProcessor;
  /** `imaps://user:password@host:993` or `imap://user:password@host:143` (validated by the config schema). */
  url: string;
  /** Levels separated by `/` (the server's own separator is used on the wire). */
  mailbox: string;
  processedMailbox: string;
  /** The inbound domain: recipients at it are what the processor is told the message came to. */
  domain: string;
  /** A larger message is not read: it is moved to the processed mailbox unread, and logged. */
  maxMessageBytes: number;
  log?: (line: string) => void;
  /** First wait before reconnecting; it doubles up to `maxRetryMs`. Default 2 s. */
  minRetryMs?: number;
  /** Default 5 minutes. */
  maxRetryMs?: number;
  /**
   * How often the mailbox is searched even without news from the server, so a message left unread by a
   * storage failure is tried again (and IDLE is renewed well inside RFC 9051's 30 minutes). Default 5 minutes.
   */
  rescanMs?: number;
}

/** Header fields that name the address a message was delivered to, most specific first. */
const RECIPIENT_FIELDS = ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'to', 'cc'];

function addressesOf(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => m[1]!);
  if (bracketed.length > 0) return bracketed;
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => /^[^\s<>@"]+@[^\s<>@"]+$/.test(part));
}

/**
 * What the SMTP listener learns from the envelope, read back from the headers the delivering MTA wrote:
 * Return-Path holds MAIL FROM at final delivery (RFC 5321 §4.4; `<>` for a bounce), and Delivered-To /
 * X-Original-To (else To and Cc) the address it came to. Addresses at the inbound domain come first, so
 * a personal unsubscribe address is found even when the reader also wrote to someone else.
 */
function envelopeOf(headers: HeaderField[], domain: string): { envelopeFrom: string | null; recipients: string[] } {
  const returnPath = headers.find((h) => h.name === 'return-path')?.value;
  const envelopeFrom = returnPath === undefined ? null : (/<([^<>]*)>/.exec(returnPath)?.[1] ?? returnPath.trim());
  const all: string[] = [];
  for (const name of RECIPIENT_FIELDS) {
    for (const h of headers) if (h.name === name) all.push(...addressesOf(h.value));
  }
  const unique = [...new Set(all.map((a) => a.toLowerCase()))];
  const ours = unique.filter((a) => a.endsWith(`@${domain}`));
  return { envelopeFrom, recipients: ours.length > 0 ? ours : unique };
}

function connectionOptions(url: string) {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback = /^(localhost|127(\.\d{1,3}){3}|::1)$/i.test(host);
  return {
    host,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    // Over imap:// the password must not cross the network in clear: STARTTLS is required (RFC 9051
    // §11.1), except to a server on this machine, which may offer none.
    ...(secure ? {} : loopback ? {} : { doSTARTTLS: true }),
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    describe: `${u.protocol}//${u.username}@${u.host}`,
  };
}

/** One line for the log: what failed, in words, never a stack. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const e = error as Error & { authenticationFailed?: boolean; responseText?: string; code?: string };
  if (e.authenticationFailed) return `login refused by the server${e.responseText ? ` (${e.responseText})` : ''}: check the user and password in inbound.imap.url`;
  const detail = e.responseText && !e.message.includes(e.responseText) ? ` (${e.responseText})` : '';
  return `${e.message}${detail}${e.code && !e.message.includes(e.code) ? ` [${e.code}]` : ''}`;
}

const levels = (path: string) => path.split('/');

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** Runs one step of the session, saying which one failed. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(`${what}: ${reason(error)}`);
  }
}

/**
 * Reads bounces, complaints and unsubscribe mails from an IMAP mailbox, for publishers who cannot point
 * an MX at Daybreak. It logs in, opens the mailbox, processes every unread message already there, then
 * waits in IDLE (RFC 2177) and processes each new one as the server announces it. Each message goes
 * through the same processor as the SMTP listener's; once it is kept it is marked \Seen and moved to the
 * processed mailbox (MOVE, RFC 6851, or COPY and EXPUNGE where the server lacks it). The mailbox's
 * UIDVALIDITY and the message's UID are its event id, so a message read again after a crash between
 * keeping and moving it is kept once. A dropped connection or a refused login is logged in one line and
 * retried, waiting twice as long each time up to `maxRetryMs`.
 *
 * @example
 * const reader = startImapReader({ processor, url: 'imaps://bounces:pw@imap.example.com', mailbox: 'INBOX',
 *   processedMailbox: 'Daybreak/Processed', domain: 'bounces.news.example', maxMessageBytes: 2_000_000, log });
 * process.once('SIGTERM', () => void reader.close());
 */
export function startImapReader(options: ImapReaderOptions): ImapReader {
  const { processor, mailbox, processedMailbox, domain, maxMessageBytes } = options;
  const log = options.log ?? (() => {});
  const minRetryMs = options.minRetryMs ?? 2000;
  const maxRetryMs = options.maxRetryMs ?? 5 * 60_000;
  const rescanMs = options.rescanMs ?? 5 * 60_000;
  const { describe: account, ...connection } = connectionOptions(options.url);
  const where = `${account}/${mailbox}`;
  const say = (line: string) => log(`inbound (imap): ${line}`);

  let stopped = false;
  let client: ImapFlow | null = null;
  let wake: (() => void) | null = null;
  let passing: Promise<void> | null = null;
  /** The connection the scan in progress runs on. */
  let passingOn: ImapFlow | null = null;
  let again = false;

  /** Messages kept whose move failed (this session): moved at the start of the next scan. */
  let unmoved = new Set<number>();

  const moveOut = async (c: ImapFlow, uid: number) => {
    // \Seen first: should the move fail, the message is not read a second time.
    if (!(await c.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true }))) throw new Error('the server refused to mark it \\Seen');
    if (!(await c.messageMove(String(uid), levels(processedMailbox), { uid: true }))) throw new Error('the server refused the move');
  };

  /**
   * Keeps and applies one message, then marks it read and moves it out of the mailbox. False when it
   * could not be kept (the scan stops there: most likely the database is unavailable).
   */
  const processOne = async (c: ImapFlow, uid: number, uidValidity: bigint): Promise<boolean> => {
    try {
      const message = await c.fetchOne(String(uid), { uid: true, size: true, internalDate: true }, { uid: true });
      if (!message) return true;
      if ((message.size ?? 0) > maxMessageBytes) {
        say(`message UID ${uid} is ${message.size} bytes, over inbound.maxMessageBytes (${maxMessageBytes}): moved to ${processedMailbox} unread, not kept`);
        if (!(await c.messageMove(String(uid), levels(processedMailbox), { uid: true }))) throw new Error('the server refused the move');
        return true;
      }
      const full = await c.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      if (!full || !full.source) return true;
      const headers = parseHeaderFields(splitHeaderBody(full.source.toString('latin1')).head);
      const internal = message.internalDate instanceof Date && !Number.isNaN(message.internalDate.getTime()) ? message.internalDate : undefined;
      await processor.receiveMail({
        raw: full.source,
        ...envelopeOf(headers, domain),
        source: 'imap',
        eventId: `${account}/${mailbox}/${uidValidity}/${uid}`,
        ...(internal ? { receivedAt: internal } : {}),
      });
    } catch (error) {
      if (!c.usable) throw error;
      say(`could not keep message UID ${uid}: ${reason(error)}; left unread, tried again in ${seconds(rescanMs)}`);
      return false;
    }
    try {
      await moveOut(c, uid);
    } catch (error) {
      if (!c.usable) throw error;
      unmoved.add(uid);
      say(`message UID ${uid} is kept, but could not be moved to ${processedMailbox}: ${reason(error)}; it stays in ${mailbox} marked read, and the move is tried again`);
    }
    return true;
  };

  /** Every unread message in the mailbox, oldest first; runs again if the server announced more meanwhile. */
  const pass = (c: ImapFlow): Promise<void> => {
    if (passing && passingOn === c) {
      again = true;
      return passing;
    }
    // A scan still winding down on a connection that has gone: this one starts after it.
    if (passing) return passing.catch(() => {}).then(() => pass(c));
    passingOn = c;
    passing = (async () => {
      try {
        do {
          again = false;
          const box = c.mailbox;
          if (!box || stopped) return;
          // The processed mailbox may have been deleted or renamed under us: make it again first.
          if (unmoved.size > 0) await openProcessedMailbox(c).catch(() => {});
          for (const uid of [...unmoved]) {
            await moveOut(c, uid).then(
              () => unmoved.delete(uid),
              (error) => {
                if (!c.usable) throw error;
              },
            );
          }
          const uids = (await c.search({ seen: false }, { uid: true })) || [];
          for (const uid of uids.sort((a, b) => a - b)) {
            if (stopped || client !== c) return;
            if (!(await processOne(c, uid, box.uidValidity))) return;
          }
        } while (again && !stopped);
      } finally {
        passing = null;
      }
    })();
    return passing;
  };

  const openProcessedMailbox = async (c: ImapFlow) => {
    try {
      await c.mailboxCreate(levels(processedMailbox));
    } catch (error) {
      // A server without RFC 5530's ALREADYEXISTS refuses CREATE of an existing mailbox with a plain NO.
      if (!(await c.status(levels(processedMailbox), { messages: true }).catch(() => false))) throw error;
    }
  };

  /** One session: connect, scan, idle until the connection ends. Resolves when it has closed. */
  const session = async (c: ImapFlow, connected: () => void) => {
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.on('error', (error: Error) => say(`connection error: ${reason(error)}`));
    await step(`could not connect to ${account}`, () => c.connect());
    await step(`could not create ${processedMailbox}`, () => openProcessedMailbox(c));
    await step(`could not open ${mailbox}`, () => c.mailboxOpen(levels(mailbox)));
    connected();
    say(`reading ${where}; processed messages go to ${processedMailbox}`);
    c.on('exists', () => {
      pass(c).catch((error) => say(`reading ${where} failed: ${reason(error)}`));
    });
    const timer = setInterval(() => {
      pass(c).catch((error) => say(`reading ${where} failed: ${reason(error)}`));
    }, rescanMs);
    try {
      await pass(c);
      await closed;
    } finally {
      clearInterval(timer);
    }
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const running = (async () => {
    const { ImapFlow } = await import('imapflow');
    let delay = minRetryMs;
    while (!stopped) {
      const c = new ImapFlow({
        ...connection,
        logger: false,
        // IDLE soon after a scan, so a message that arrives next is announced at once.
        autoIdleDelay: 1000,
        maxIdleTime: rescanMs,
      });
      client = c;
      unmoved = new Set();
      try {
        await session(c, () => {
          delay = minRetryMs;
        });
        if (stopped) break;
        say(`connection to ${account} closed${c.byeReason ? ` (${c.byeReason})` : ''}; reconnecting in ${seconds(delay)}`);
      } catch (error) {
        c.close();
        if (stopped) break;
        say(`${error instanceof Error ? error.message : String(error)}; retrying in ${seconds(delay)}`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, maxRetryMs);
    }
  })();

  return {
    describe: where,
    async close() {
      stopped = true;
      wake?.();
      const c = client;
      // The message in hand is finished, unless the server has stopped answering.
      if (passing) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([passing.catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
        clearTimeout(timer);
      }
      if (c && c.usable) await c.logout().catch(() => c.close());
      else c?.close();
      await running;
    },
  };
}
