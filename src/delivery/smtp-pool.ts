import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Socket } from 'node:net';
import { connectThroughProxy } from './proxy-socket.ts';
import type { SmtpTarget } from './smtp-url.ts';

export interface SmtpPoolOptions extends SmtpTarget {
  /** Connections open at most at once; each carries one message at a time. */
  maxConnections: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  /** Messages started per second at most (a window of one second, or longer below 1/s). */
  ratePerSecond?: number;
}

export interface SmtpPool {
  /**
   * Sends one complete message (a Buffer, written as it is; the connection dot-stuffs it, RFC 5321
   * §4.5.2) to one recipient. Rejects with nodemailer's error for the failure: `code`, and `response`,
   * `responseCode` and `command` when the server answered.
   */
  send(envelope: { from: string; to: string }, message: Buffer): Promise<{ response: string }>;
  /** Connections open now (for tests and the bench). */
  readonly size: number;
  /** Fails what is queued, closes every connection. */
  close(): void;
}

interface Job {
  envelope: { from: string; to: string[] };
  message: Buffer;
  resolve(value: { response: string }): void;
  reject(error: unknown): void;
}

interface Slot {
  connection: SMTPConnection | null;
  busy: boolean;
  closed: boolean;
  /** The message on this connection now. */
  job: Job | null;
}

type SmtpError = Error & { code?: string; responseCode?: number };

/** The window rate limit of delivery.ratePerSecond: `limit` message starts per `windowMs`. */
function rateWindow(ratePerSecond: number | undefined): { limit: number; windowMs: number } | null {
  if (!ratePerSecond) return null;
  if (ratePerSecond >= 1) return { limit: Math.round(ratePerSecond), windowMs: 1000 };
  return { limit: 1, windowMs: Math.round(1000 / ratePerSecond) };
}

/**
 * A pool of SMTP connections on nodemailer's documented `SMTPConnection` (`nodemailer/lib/smtp-connection`:
 * connect, login, send with a Buffer, reset, close), for messages that are already complete.
 *
 * Up to `maxConnections` connections, opened on demand (directly, or tunnelled through an HTTP proxy) and
 * reused for message after message: after a success the next MAIL FROM follows at once (RFC 5321 §3.3);
 * after the server refused one message (an envelope or data reply other than 421) the session is RSET
 * and kept; after anything else (421, a dropped connection, a timeout) the connection is closed. A
 * connection that cannot be opened fails the message that asked for it, so a server that refuses every
 * greeting cannot make the queue spin. STARTTLS, SMTPUTF8 (for a non-ASCII address), PIPELINING and the
 * timeouts are SMTPConnection's. Nothing is retried here: retries belong to the caller.
 *
 * @example
 * const pool = createSmtpPool({ ...parseSmtpUrl(url), maxConnections: 5, connectionTimeoutMs: 10_000,
 *   greetingTimeoutMs: 10_000, socketTimeoutMs: 30_000 });
 * await pool.send({ from: 'briefing@daybreak.example', to: 'ada@example.com' }, raw);
 * pool.close();
 */
export function createSmtpPool(options: SmtpPoolOptions): SmtpPool {
  const slots = new Set<Slot>();
  const idle: Slot[] = [];
  const queue: Job[] = [];
  const rate = rateWindow(options.ratePerSecond);
  let windowStart = 0;
  let startedInWindow = 0;
  let rateTimer: NodeJS.Timeout | null = null;
  let closed = false;

  const connectionOptions = (socket: Socket | undefined): ConstructorParameters<typeof SMTPConnection>[0] => ({
    host: options.host,
    port: options.port,
    secure: options.secure,
    ignoreTLS: options.ignoreTLS,
    requireTLS: options.requireTLS,
    ...(options.name ? { name: options.name } : {}),
    tls: { rejectUnauthorized: options.rejectUnauthorized, ...(options.proxy ? { servername: options.host } : {}) },
    connectionTimeout: options.connectionTimeoutMs,
    greetingTimeout: options.greetingTimeoutMs,
    socketTimeout: options.socketTimeoutMs,
    logger: false,
    ...(socket ? { connection: socket } : {}),
  });

  /** True when the rate limit lets one more message start now; otherwise arms a timer to try again. */
  const rateAllows = (): boolean => {
    if (!rate) return true;
    const now = Date.now();
    if (now - windowStart >= rate.windowMs) {
      windowStart = now;
      startedInWindow = 0;
    }
    if (startedInWindow < rate.limit) {
      startedInWindow += 1;
      return true;
    }
    rateTimer ??= setTimeout(() => {
      rateTimer = null;
      pump();
    }, windowStart + rate.windowMs - now);
    return false;
  };

  const drop = (slot: Slot) => {
    if (slot.closed) return;
    slot.closed = true;
    slots.delete(slot);
    const i = idle.indexOf(slot);
    if (i >= 0) idle.splice(i, 1);
    slot.connection?.close();
    // A slot freed: a queued message may now open a connection of its own.
    setImmediate(pump);
  };

  const release = (slot: Slot) => {
    slot.busy = false;
    if (slot.closed) return;
    idle.push(slot);
    pump();
  };

  const run = (slot: Slot, job: Job) => {
    slot.busy = true;
    slot.job = job;
    const connection = slot.connection!;
    connection.send(job.envelope, job.message, (error, info) => {
      slot.job = null;
      if (error) {
        const e = error as SmtpError;
        job.reject(e);
        if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !connection.destroyed && !slot.closed) {
          // The server refused this message and is still talking: RSET and keep the connection.
          connection.reset((resetError) => (resetError ? drop(slot) : release(slot)));
        } else {
          drop(slot);
        }
        return;
      }
      job.resolve({ response: String(info?.response ?? '') });
      release(slot);
    });
  };

  const open = (job: Job) => {
    const slot: Slot = { connection: null, busy: true, closed: false, job: null };
    slots.add(slot);
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      job.reject(error);
      drop(slot);
    };
    const started = Date.now();
    const tunnel = options.proxy
      ? connectThroughProxy(options.proxy, options.host, options.port, options.connectionTimeoutMs)
      : Promise.resolve(undefined);
    tunnel.then((socket) => {
      if (slot.closed) {
        socket?.destroy();
        return fail(Object.assign(new Error('The connection pool is closed'), { code: 'ECONNECTION' }));
      }
      const connection = new SMTPConnection({
        ...connectionOptions(socket),
        // The tunnel took part of the connection timeout already.
        connectionTimeout: Math.max(1, options.connectionTimeoutMs - (Date.now() - started)),
      });
      slot.connection = connection;
      // An error while a message is on the connection reaches that message's send callback too; one
      // while idle (the server closing, a timeout) just ends the connection ('end' follows).
      connection.on('error', (error) => {
        if (!settled) fail(error);
      });
      connection.once('end', () => {
        fail(Object.assign(new Error('Connection closed before the SMTP session was ready'), { code: 'ECONNECTION', command: 'CONN' }));
        // A message on it hears of the failure through its send callback.
        drop(slot);
      });
      connection.connect((error) => {
        if (settled) return;
        if (error) return fail(error);
        const ready = () => {
          settled = true;
          run(slot, job);
        };
        if (!options.auth) return ready();
        connection.login({ user: options.auth.user, pass: options.auth.pass }, (loginError) => (loginError ? fail(loginError) : ready()));
      });
    }, fail);
  };

  const pump = () => {
    while (queue.length > 0) {
      if (closed) {
        for (const job of queue.splice(0)) job.reject(Object.assign(new Error('The connection pool is closed'), { code: 'ECONNECTION' }));
        return;
      }
      const slot = idle.length > 0 ? idle.pop()! : null;
      if (!slot && slots.size >= options.maxConnections) return;
      if (!rateAllows()) {
        if (slot) idle.push(slot);
        return;
      }
      const job = queue.shift()!;
      if (slot) run(slot, job);
      else open(job);
    }
  };

  return {
    get size() {
      return slots.size;
    },
    send(envelope, message) {
      if (closed) return Promise.reject(Object.assign(new Error('The connection pool is closed'), { code: 'ECONNECTION' }));
      return new Promise((resolve, reject) => {
        queue.push({ envelope: { from: envelope.from, to: [envelope.to] }, message, resolve, reject });
        pump();
      });
    },
    close() {
      closed = true;
      if (rateTimer) clearTimeout(rateTimer);
      for (const slot of [...slots]) {
        // SMTPConnection#close forgets a send in flight: its message is failed here instead.
        slot.job?.reject(Object.assign(new Error('The connection pool was closed during the send'), { code: 'ECONNECTION' }));
        drop(slot);
      }
      pump();
    },
  };
}
