import { join } from 'node:path';
import type { Command } from 'commander';
import { createTokens, openKeyring } from '../../audience/index.ts';
import { openDatabase } from '../../db/index.ts';
import { createMailer } from '../../delivery/index.ts';
import { DaybreakError } from '../../errors.ts';
import { createApp, createImageApp, startServer } from '../../web/index.ts';
import { loadConfigFrom, PortSchema as Port, resolveDataDir, resolveDbFile } from '../context.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

/** --port, else PORT, else web.port from the config (default 3000). */
export function resolvePort(flag: string | undefined, env: NodeJS.ProcessEnv, configPort: number): number {
  const raw = flag ?? (env.PORT || undefined);
  if (raw === undefined) return configPort;
  const result = Port.safeParse(raw);
  if (!result.success) throw new DaybreakError('EUSAGE', `${flag !== undefined ? '--port' : 'PORT'}: ${result.error.issues[0]!.message} (got "${raw}")`);
  return result.data;
}

/**
 * `daybreak serve [--port P]`: the readers' web server alone (sign-up, confirm, unsubscribe, healthz).
 * `daybreak start` (issue 6) runs the same app together with the scheduler.
 */
export function registerServe(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('serve')
    .description('Run the sign-up web server: sign-up page, confirm and unsubscribe links, /healthz')
    .option('--port <port>', 'port to listen on (default: $PORT, else web.port, else 3000)')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .action(async (flags: { port?: string; host: string; config?: string }) => {
      const config = loadConfigFrom(flags);
      const port = resolvePort(flags.port, env, config.web.port);
      const varDir = 'var';
      const dbFile = resolveDbFile(env);
      // Serving takes sign-ups (it writes), so it may make the first key; it says so when it does.
      const tokens = await createTokens(openKeyring({ env, dbFile, create: true, onCreate: (m) => io.stdout.write(`${m}\n`) }));
      const db = openDatabase(dbFile);
      const mailer = createMailer({ config, env, varDir });
      const app = createApp({
        config,
        db,
        mailer,
        tokens,
        signupWriterThread: true,
        // The pictures shipped with the data, which the emails load from {baseUrl}/images/<file>.
        mount: [{ path: '/images', app: createImageApp(join(resolveDataDir({}, env), 'images')) }],
        log: (message, error) => io.stderr.write(`daybreak: ${message}${error ? ` ${error instanceof Error ? error.message : String(error)}` : ''}\n`),
      });
      const server = await startServer(app, { port, hostname: flags.host });
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
      await app.audience.close();
      await mailer.close();
      db.close();
    });
}
