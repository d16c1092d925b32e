/**
 * A real SMTP server on loopback (port 0) that keeps only who each accepted message was for, so tests can
 * send tens of thousands of copies and count them per reader without holding their bodies.
 *
 * @example
 * const sink = await startCountingSink();
 * // … send to sink.url …
 * expect(sink.copiesOf('ann@example.com')).toBe(1);
 */
import { SMTPServer } from 'smtp-server';

export interface CountingSink {
  url: string;
  /** Copies accepted per recipient. */
  counts: Map<string, number>;
  /** Messages accepted in all. */
  readonly accepted: number;
  copiesOf(address: string): number;
  /** Resolves once `n` messages have been accepted (rejects after `timeoutMs`). */
  waitForAccepted(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCountingSink(): Promise<CountingSink> {
  const counts = new Map<string, number>();
  let accepted = 0;
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    socketTimeout: 120_000,
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        accepted += 1;
        for (const r of session.envelope.rcptTo) counts.set(r.address, (counts.get(r.address) ?? 0) + 1);
        callback(null, `OK ${accepted}`);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    counts,
    get accepted() {
      return accepted;
    },
    copiesOf: (address) => counts.get(address) ?? 0,
    async waitForAccepted(n, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (accepted < n) {
        if (Date.now() > deadline) throw new Error(`only ${accepted} of ${n} messages arrived`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
