import type { Command } from 'commander';
import { join } from 'node:path';
import { createTokens, openKeyring } from '../../audience/index.ts';
import { DEFAULT_INBOUND_RETENTION_DAYS, SOFT_BOUNCE_WINDOW_DAYS, loadContentFor } from '../../content/index.ts';
import { openStore } from '../../storage/index.ts';
import { createMailer } from '../../delivery/index.ts';
import { DaybreakError } from '../../errors.ts';
import { createInboundProcessor, startInboundRetention } from '../../inbound/index.ts';
import { createApp, createArchiveApp, createImageApp, createWebhookApp, startServer } from '../../web/index.ts';
import { listenError } from '../listen-error.ts';
import { DB_OPTION_HELP, loadConfigFrom, PortSchema as Port, resolveDataDir, resolveDatabase } from '../context.ts';
import { DEFAULT_VAR_DIR, portFrom } from '../../settings/index.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

/** --port, else PORT, else web.port from the config (default 3000). */
export function resolvePort(flag: string | undefined, env: NodeJS.ProcessEnv, configPort: number): number {
  const raw = flag ?? portFrom(env);
  if (raw === undefined) return configPort;
  const result = Port.safeParse(raw);
  if (!result.success) throw new DaybreakError('EUSAGE', `${flag !== undefined ? '--port' : 'PORT'}: ${result.error.issues[0]!.message} (got "${raw}")`);
  return result.data;
}

/**
 * `daybreak serve [--port P]`: the readers' web server alone (sign-up, confirm, unsubscribe, healthz).
 * `daybreak start` runs the same app together with the scheduler.
 */
export function registerServe(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('serve')
    .description('Run the sign-up web server: sign-up page, confirm and unsubscribe links, /healthz')
    .option('--port <port>', 'port to listen on (default: $PORT, else web.port, else 3000)')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (flags: { port?: string; host: string; config?: string; db?: string }) => {
      const config = loadConfigFrom(flags);
      const port = resolvePort(flags.port, env, config.web.port);
      const varDir = DEFAULT_VAR_DIR;
      const database = resolveDatabase(flags, env, config);
      // A sign-up waits at most 5 s for a database another process has locked, then answers 503.
      const store = await openStore({ database, busyTimeoutMs: 5000 });
      // Serving takes sign-ups (it writes), so it may make the first key; it says so when it does.
      const tokens = await createTokens(openKeyring({
        env,
        dbFile: database,
        create: true,
        onCreate: (m) => io.stdout.write(`${m}\n`),
        store,
      }));
      const dataDir = resolveDataDir({}, env, config);
      const mailer = createMailer({ config, env, varDir });
      const app = createApp({
        config,
        store,
        mailer,
        tokens,
        mount: [
          // The pictures shipped with the data, which the emails load from {baseUrl}/images/<file>.
          { path: '/images', app: createImageApp(join(dataDir, 'images')) },
          // The emails' "View in your browser" link works wherever the sign-up site runs.
          { path: '/archive', app: createArchiveApp({ config, archive: store.archive, loadContent: () => loadContentFor(dataDir, config) }) },
          // Sending services' bounce and complaint events (docs/deliverability.md).
          {
            path: '/webhooks',
            app: createWebhookApp({
              config,
              processor: createInboundProcessor({ store: store.inbound, addresses: null, policy: { softBounceLimit: config.inbound?.softBounceLimit ?? 3, windowDays: SOFT_BOUNCE_WINDOW_DAYS } }),
              log: (line) => io.stderr.write(`daybreak: ${line}
`),
            }),
          },
        ],
        log: (message, error) => io.stderr.write(`daybreak: ${message}${error ? ` ${error instanceof Error ? error.message : String(error)}` : ''}\n`),
      });
      let server;
      try {
        server = await startServer(app, { port, hostname: flags.host });
      } catch (error) {
        await mailer.close();
        await store.close();
        throw listenError(error, { port, host: flags.host, defaultHost: '0.0.0.0', choose: ['--port', 'PORT', 'web.port'] });
      }
      app.audience.startMail();
      // The webhooks' events are kept for inbound.retentionDays like the listener's mail, then deleted.
      const retention = config.webhooks
        ? startInboundRetention({
            store: store.inbound,
            retentionDays: config.inbound?.retentionDays ?? DEFAULT_INBOUND_RETENTION_DAYS,
            log: (line) => io.stderr.write(`daybreak: ${line}\n`),
          })
        : null;
      const shown = flags.host === '0.0.0.0' || flags.host === '::' ? `http://localhost:${server.port}` : server.url;
      io.stdout.write(`Daybreak sign-up server listening on ${shown} (mail goes to ${mailer.describe()})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      io.stdout.write('Stopping: finishing queued mail…\n');
      await server.close();
      await retention?.close();
      await app.audience.close();
      await mailer.close();
      await store.close();
    });
}
