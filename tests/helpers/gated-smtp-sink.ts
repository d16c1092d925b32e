/**
 * A real SMTP server on loopback (port 0) that reads each message in full and then holds its answer to
 * the final dot until `release()`: a test can act while SMTP transactions are in flight (a graceful stop,
 * a kill -9) and then let them complete.
 *
 * @example
 * const sink = await startGatedSmtpSink();
 * await sink.waitForHeld(1);   // one message fully received, its 250 held back
 * sink.release();              // answer everything held, and everything after, at once
 */
import { SMTPServer } from 'smtp-server';

export interface GatedSmtpSink {
  url: string;
  /** Recipients of the messages answered 250, in order. */
  accepted: string[];
  /** Messages received and waiting for their answer. */
  heldCount(): number;
  /** Resolves once `count` messages are being held. */
  waitForHeld(count: number): Promise<void>;
  /** Answers 250 to every held message and to every later one. */
  release(): void;
  /** Holds answers again (after a release). */
  hold(): void;
  close(): Promise<void>;
}

export async function startGatedSmtpSink(): Promise<GatedSmtpSink> {
  const accepted: string[] = [];
  const held: (() => void)[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let open = false;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    socketTimeout: 60_000,
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        const answer = () => {
          accepted.push(...session.envelope.rcptTo.map((r) => r.address));
          callback(null, 'OK');
        };
        if (open) return answer();
        held.push(answer);
        for (const w of [...waiters]) {
          if (held.length >= w.count) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    heldCount: () => held.length,
    waitForHeld(count) {
      if (held.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    release() {
      open = true;
      for (const answer of held.splice(0)) answer();
    },
    hold() {
      open = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        open = true;
        for (const answer of held.splice(0)) answer();
        server.close(() => resolve());
      }),
  };
}
