/**
 * A real SMTP server on loopback (port 0) for tests: records every message it accepts (envelope + raw
 * source) and injects faults per recipient and phase, so delivery code is tested against real SMTP.
 *
 * @example
 * const sink = await startSmtpSink();
 * sink.fault({ phase: 'rcpt', match: 'gone@example.com', code: 550, message: '5.1.1 No such user' });
 * // … send to `smtp://127.0.0.1:${sink.port}` …
 * expect(sink.messages.map((m) => m.to)).toEqual([['ada@example.com']]);
 * await sink.close();
 */
import type { Server, Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export type FaultPhase =
  /** Reply `code` (421) to the connection greeting and close it. Matches every connection. */
  | 'greeting'
  /** Reply `code` to RCPT TO for a matching recipient. */
  | 'rcpt'
  /** Read the whole message, then reply `code` to the final dot. */
  | 'data'
  /** Destroy the socket after the first chunk of the message body. */
  | 'drop-mid-data'
  /** Read the whole message and never answer the final dot (the client's socket timeout must fire). */
  | 'hang-after-data';

export interface FaultRule {
  phase: FaultPhase;
  /** Recipient to match (case-insensitive), a RegExp, or a predicate. Default: every recipient. */
  match?: string | RegExp | ((recipient: string) => boolean);
  /** SMTP reply code for 'greeting' (default 421), 'rcpt' and 'data' (default 451). */
  code?: number;
  /** Reply text, e.g. '5.1.1 No such user'. */
  message?: string;
  /** How many times the rule fires before it stops (default: always). */
  times?: number;
}

export interface SinkMessage {
  from: string;
  to: string[];
  /** The client asked for SMTPUTF8 in MAIL FROM (RFC 6531): its envelope had non-ASCII addresses. */
  smtputf8: boolean;
  /** The SMTP session (connection) it came over. */
  session: string;
  /** The session was encrypted (STARTTLS or implicit TLS) when the message came. */
  secure: boolean;
  raw: string;
  receivedAt: number;
}

export interface SmtpSink {
  port: number;
  host: string;
  /** `smtp://127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  /** Messages accepted (250 after the final dot), in order. */
  messages: SinkMessage[];
  /** SMTP connections accepted so far (greeting faults included). */
  connections: number;
  /** Message bodies fully received, whatever the reply (accepted or faulted). */
  received: number;
  /** Adds a fault rule; returns a function that removes it. */
  fault(rule: FaultRule): () => void;
  clearFaults(): void;
  /** Resolves once `count` messages have been accepted (rejects after `timeoutMs`, default 20 s). */
  waitForMessages(count: number, timeoutMs?: number): Promise<void>;
  /** Accepted messages addressed to `recipient`. */
  messagesTo(recipient: string): SinkMessage[];
  close(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

function matches(rule: FaultRule, recipients: string[]): boolean {
  if (rule.match === undefined) return true;
  return recipients.some((r) => {
    const address = r.toLowerCase();
    if (typeof rule.match === 'string') return address === rule.match.toLowerCase();
    if (rule.match instanceof RegExp) return rule.match.test(r);
    return rule.match!(r);
  });
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export interface SmtpSinkOptions {
  faults?: FaultRule[];
  host?: string;
  /** Offer STARTTLS (smtp-server's built-in self-signed certificate for localhost). */
  starttls?: boolean;
  /** TLS from the first byte (smtps), with the same certificate. */
  secure?: boolean;
  /** Require AUTH with these credentials (a wrong password gets 535 5.7.8). */
  auth?: { user: string; pass: string };
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const rules: ActiveRule[] = [];
  const messages: SinkMessage[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const hanging = new Set<() => void>();
  let received = 0;

  function take(phase: FaultPhase, recipients: string[]): ActiveRule | null {
    const rule = rules.find((r) => r.phase === phase && r.remaining > 0 && matches(r, recipients));
    if (!rule) return null;
    rule.remaining -= 1;
    return rule;
  }

  function recipientsOf(session: SMTPServerSession): string[] {
    return session.envelope.rcptTo.map((r) => r.address);
  }

  let connections = 0;
  // The accepted TCP sockets by client port, taken from Node's own 'connection' event on the listener,
  // so a fault can cut a session's connection (and close() can end them all) without touching the
  // server's internals. The session's remotePort names the socket (loopback: one client address).
  const sockets = new Map<number, Socket>();
  const server: SMTPServer = new SMTPServer({
    logger: false,
    authOptional: !options.auth,
    secure: options.secure ?? false,
    disabledCommands: options.starttls || options.secure ? [] : ['STARTTLS'],
    // AUTH PLAIN over an unencrypted loopback connection, for the tests that need credentials.
    allowInsecureAuth: true,
    // The sink must see every message: no size limit, and no closing of idle pooled connections.
    socketTimeout: 60_000,
    onAuth(auth, _session, callback) {
      if (options.auth && (auth.username !== options.auth.user || auth.password !== options.auth.pass)) {
        return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      }
      callback(null, { user: auth.username ?? 'test' });
    },
    onConnect(_session, callback) {
      connections += 1;
      const rule = take('greeting', []);
      if (rule) return callback(smtpError(rule.code ?? 421, rule.message ?? '4.3.2 Service not available, closing channel'));
      callback();
    },
    onRcptTo(address, _session, callback) {
      const rule = take('rcpt', [address.address]);
      if (rule) return callback(smtpError(rule.code ?? 451, rule.message ?? '4.3.0 Try again later'));
      callback();
    },
    onData(stream, session, callback) {
      const recipients = recipientsOf(session);
      const drop = take('drop-mid-data', recipients);
      if (drop) {
        stream.once('data', () => sockets.get(session.remotePort)?.destroy());
        stream.on('error', () => {});
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received += 1;
        const hang = take('hang-after-data', recipients);
        if (hang) {
          // Never answer; release the callback only when the sink closes, so the server can shut down.
          hanging.add(() => callback(smtpError(421, '4.3.2 Shutting down')));
          return;
        }
        const rule = take('data', recipients);
        if (rule) return callback(smtpError(rule.code ?? 451, rule.message ?? '4.3.0 Try again later'));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const mailArgs = session.envelope.mailFrom ? (session.envelope.mailFrom.args as Record<string, unknown> | false) : false;
        const smtputf8 = Boolean(mailArgs && mailArgs.SMTPUTF8);
        messages.push({ from, to: recipients, smtputf8, session: session.id, secure: session.secure, raw: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
        for (const waiter of [...waiters]) {
          if (messages.length >= waiter.count) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
        callback(null, `OK queued as ${messages.length}`);
      });
    },
  });
  server.on('error', () => {});
  for (const rule of options.faults ?? []) rules.push({ ...rule, remaining: rule.times ?? Infinity });

  const listener = await new Promise<Server>((resolve, reject) => {
    server.once('error', reject);
    const net = server.listen(0, host, () => resolve(net));
    net.on('connection', (socket: Socket) => {
      const port = socket.remotePort;
      if (port === undefined) return;
      sockets.set(port, socket);
      socket.once('close', () => sockets.delete(port));
    });
  });
  const address = listener.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    host,
    url: `smtp://${host}:${port}`,
    messages,
    get connections() {
      return connections;
    },
    get received() {
      return received;
    },
    fault(rule) {
      const active = { ...rule, remaining: rule.times ?? Infinity };
      rules.push(active);
      return () => {
        const i = rules.indexOf(active);
        if (i >= 0) rules.splice(i, 1);
      };
    },
    clearFaults() {
      rules.length = 0;
    },
    waitForMessages(count, timeoutMs = 20_000) {
      if (messages.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = { count, resolve: () => { clearTimeout(timer); resolve(); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`The sink accepted ${messages.length} messages, expected ${count}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    messagesTo(recipient) {
      const r = recipient.toLowerCase();
      return messages.filter((m) => m.to.some((t) => t.toLowerCase() === r));
    },
    async close() {
      for (const release of hanging) release();
      hanging.clear();
      for (const socket of sockets.values()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
