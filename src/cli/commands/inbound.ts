import type { Command } from 'commander';
import { z } from 'zod';
import { createTokens, openKeyring } from '../../audience/index.ts';
import { DaybreakError } from '../../errors.ts';
import { SOFT_BOUNCE_WINDOW_DAYS } from '../../content/index.ts';
import { createInboundProcessor, inboundAddressesFor, startImapReader, startInboundRetention, startInboundServer } from '../../inbound/index.ts';
import { openStore } from '../../storage/index.ts';
import { DB_OPTION_HELP, describeDatabase, loadConfigFrom, resolveDatabase } from '../context.ts';
import { listenError } from '../listen-error.ts';
import { parseFlags } from '../parse-flags.ts';
import { PortSchema } from '../context.ts';
import { docPath } from '../../docs-path.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

const InboundFlags = z.strictObject({
  config: z.string().min(1).optional(),
  db: z.string().min(1).optional(),
  port: PortSchema.optional(),
  host: z.string().min(1).optional(),
});

/**
 * `daybreak inbound`: the inbound mail listener alone (what `daybreak start` also runs), for a
 * publisher who runs it on the MX host or behind Postfix: takes bounces, complaints and unsubscribe
 * mails for `inbound.domain` and applies them to the readers in the database. With `inbound.imap` it
 * reads that mailbox instead of listening for SMTP.
 */
export function registerInbound(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('inbound')
    .description('Take bounces, complaints and unsubscribe mails (SMTP on inbound.host:inbound.port, or the inbound.imap mailbox) and apply them')
    .option('--port <port>', 'port to listen on for SMTP (default: inbound.port, else 2525; 0 picks a free one)')
    .option('--host <host>', 'address to listen on for SMTP (default: inbound.host, else 127.0.0.1)')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (rawFlags: Record<string, unknown>) => {
      const flags = parseFlags(InboundFlags, rawFlags);
      const config = loadConfigFrom(flags.config ? { config: flags.config } : {});
      if (!config.inbound) {
        throw new DaybreakError('ECONFIG', `${config.file ?? 'config'}: no \`inbound\` block: set inbound.domain to the domain whose MX points here (see ${docPath('deliverability.md')})`);
      }
      if (config.inbound.imap && (flags.port !== undefined || flags.host !== undefined)) {
        throw new DaybreakError('EUSAGE', `--${flags.port !== undefined ? 'port' : 'host'} is for the SMTP listener, and with inbound.imap set Daybreak reads the mailbox instead of listening`);
      }
      const database = resolveDatabase(flags.db ? { db: flags.db } : {}, env, config);
      const store = await openStore({ database, busyTimeoutMs: 30_000 });
      const log = (line: string) => io.stdout.write(`${new Date().toISOString()} ${line}\n`);
      try {
        // The listener checks addresses signed by the senders' keys; it never makes a key of its own.
        const keyring = openKeyring({ env, dbFile: database, create: false, store });
        await createTokens(keyring);
        const addresses = await inboundAddressesFor(config, keyring);
        const processor = createInboundProcessor({
          store: store.inbound,
          addresses: addresses!.addresses,
          policy: { softBounceLimit: config.inbound.softBounceLimit, windowDays: SOFT_BOUNCE_WINDOW_DAYS },
          log,
        });
        const imap = config.inbound.imap;
        let close: () => Promise<void>;
        if (imap) {
          const reader = startImapReader({
            processor,
            ...imap,
            domain: config.inbound.domain,
            maxMessageBytes: config.inbound.maxMessageBytes,
            log,
          });
          close = () => reader.close();
          io.stdout.write(
            `Daybreak inbound mail for ${config.inbound.domain} from ${reader.describe} (processed messages go to ${imap.processedMailbox}); database ${describeDatabase(database)}. Stop with Ctrl-C.\n`,
          );
        } else {
          const host = flags.host ?? config.inbound.host;
          const port = flags.port ?? config.inbound.port;
          const server = await startInboundServer({
            processor,
            host,
            port,
            maxMessageBytes: config.inbound.maxMessageBytes,
            name: config.inbound.domain,
            log,
          }).catch((error: unknown) => {
            throw listenError(error, { port, host, defaultHost: '127.0.0.1', likely: 'another daybreak start or daybreak inbound?', choose: ['--port', 'inbound.port'] });
          });
          close = () => server.close();
          io.stdout.write(
            `Daybreak inbound mail for ${config.inbound.domain} on smtp://${server.host}:${server.port}; database ${describeDatabase(database)}. Stop with Ctrl-C.\n`,
          );
        }
        // Messages older than inbound.retentionDays are deleted now and every hour while the listener runs.
        const retention = startInboundRetention({ store: store.inbound, retentionDays: config.inbound.retentionDays, log });
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        io.stdout.write(`${signal}: stopping.\n`);
        await close();
        await retention.close();
      } finally {
        await store.close();
      }
    });
}
