import { deliverToMaildir, ensureMaildir } from './maildir.ts';

export interface LocalMailServer {
  host: string;
  port: number;
  /** The Maildir every accepted message is stored in. */
  maildir: string;
  close(): Promise<void>;
}

/**
 * The embedded default when no SMTP_URL is set: a real SMTP server on loopback, port 0, that
 * stores every message it accepts in a Maildir, so a new user sees real mail on one machine. Loopback
 * only, so no TLS and no authentication are needed (a client that sends AUTH is accepted).
 *
 * @example
 * const server = await startLocalMailServer({ maildir: 'var/mail' });
 */
export async function startLocalMailServer(options: { maildir: string; host?: string }): Promise<LocalMailServer> {
  const host = options.host ?? '127.0.0.1';
  ensureMaildir(options.maildir);
  // Loaded here, not at the top: a send to SMTP_URL never needs a server (less code in its RSS).
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    name: 'daybreak.local',
    banner: 'Daybreak local mail server',
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'local' });
    },
    onData(stream, _session, callback) {
      deliverToMaildir(options.maildir, stream).then(
        (id) => callback(null, `OK queued as ${id}`),
        (error: Error) => callback(Object.assign(new Error(`4.3.0 Could not store the message: ${error.message}`), { responseCode: 451 })),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // a client that disconnects rudely must not crash the run
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host,
    port,
    maildir: options.maildir,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
