import type { InboundProcessor } from './inbound-processor.ts';

export interface InboundServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The inbound MX: an SMTP server (RFC 5321) that takes mail only for the per-copy bounce and
 * unsubscribe addresses (and postmaster/abuse, which every mail domain must accept), refuses any other
 * recipient at RCPT TO with 550 5.1.1, and hands each accepted message to the processor. The message is
 * acknowledged only after it is stored (a storage failure answers 451, so the sending MTA retries).
 * STARTTLS is offered only when the publisher gives a certificate (see docs/deliverability.md); behind
 * Postfix, Daybreak listens on loopback and Postfix relays the domain to it.
 *
 * @example
 * const server = await startInboundServer({ processor, host: '127.0.0.1', port: 2525, maxMessageBytes: 2_000_000 });
 */
export async function startInboundServer(options: {
  processor: InboundProcessor;
  host: string;
  port: number;
  maxMessageBytes: number;
  /** The name in the greeting and replies (the inbound domain). */
  name?: string;
  log?: (line: string) => void;
}): Promise<InboundServer> {
  const log = options.log ?? (() => {});
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    name: options.name ?? 'daybreak',
    banner: 'Daybreak inbound mail',
    logger: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxMessageBytes,
    onRcptTo(address, _session, callback) {
      options.processor.accepts(address.address).then(
        (ok) =>
          ok
            ? callback()
            : callback(Object.assign(new Error('5.1.1 No such recipient here'), { responseCode: 550 })),
        () => callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 })),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error(`5.3.4 Message too big (limit ${options.maxMessageBytes} bytes)`), { responseCode: 552 }));
          return;
        }
        const mailFrom = session.envelope.mailFrom;
        options.processor
          .receiveMail({
            raw: Buffer.concat(chunks),
            envelopeFrom: mailFrom ? mailFrom.address : '',
            recipients: session.envelope.rcptTo.map((r) => r.address),
            source: 'smtp',
          })
          .then(
            (result) => callback(null, `2.0.0 Kept as #${result.id}`),
            (error: Error) => {
              log(`inbound: could not store a message: ${error.message}`);
              callback(Object.assign(new Error('4.3.0 Could not store the message; try again later'), { responseCode: 451 }));
            },
          );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error: Error) => log(`inbound: ${error.message}`));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    host: options.host,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
