import type { Command } from 'commander';
import { ConfigSchema, loadConfig, type Config } from '../../content/index.ts';
import { createMailer } from '../../delivery/index.ts';
import { DaybreakError } from '../../errors.ts';
import { startServer } from '../../web/index.ts';
import { createPreviewApp } from '../../preview/index.ts';
import { listenError } from '../listen-error.ts';
import { DEFAULT_VAR_DIR, DATA_OPTION_HELP, PortSchema as Port, resolveConfigFile, resolveDataDir } from '../context.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

export const DEFAULT_PREVIEW_PORT = 3001;

/**
 * `daybreak preview [--port P]`: the preview on its own, on loopback: every newsletter, date and
 * design from data/ with live reload, the checks, test sends and the local mailbox at /inbox.
 * A config or data file that does not validate does not stop it: the page shows the errors until fixed.
 */
export function registerPreview(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('preview')
    .description('Preview every newsletter, date and design in the browser, with live reload, checks and test sends')
    .option('--port <port>', `port to listen on (0 picks a free one)`, String(DEFAULT_PREVIEW_PORT))
    .option('--host <host>', 'address to listen on (the preview can send mail: keep it on loopback)', '127.0.0.1')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--data <dir>', DATA_OPTION_HELP)
    .option('--no-watch', 'do not watch data/, templates/ and the config for changes')
    .action(async (flags: { port: string; host: string; config?: string; data?: string; watch: boolean }) => {
      const port = Port.safeParse(flags.port);
      if (!port.success) throw new DaybreakError('EUSAGE', `--port: ${port.error.issues[0]!.message} (got "${flags.port}")`);
      const configFile = resolveConfigFile(flags, env);
      // The mailer needs publisher and delivery settings; a broken config must not keep the preview from
      // starting (it shows the config errors), so the mailer falls back to the defaults until a restart.
      let config: Config;
      let dataDir = resolveDataDir(flags, env);
      try {
        config = loadConfig({ file: configFile });
        dataDir = resolveDataDir(flags, env, config);
      } catch (error) {
        io.stderr.write(`daybreak: ${(error as Error).message}\n(the preview starts anyway and shows these errors)\n`);
        config = ConfigSchema.parse({});
      }
      const mailer = createMailer({ config, env, varDir: DEFAULT_VAR_DIR });
      const { app, preview } = createPreviewApp({ dataDir, ...(configFile ? { configFile } : {}), mailer, watch: flags.watch, baseUrl: config.baseUrl, env });
      let server;
      try {
        server = await startServer(app, { port: port.data, hostname: flags.host });
      } catch (error) {
        // Stop the file watcher and the mailer too, or they would keep the process alive after the message.
        preview.close();
        await mailer.close();
        throw listenError(error, { port: port.data, host: flags.host, defaultHost: '127.0.0.1', likely: 'another preview?', choose: ['--port'] });
      }
      io.stdout.write(
        `Daybreak preview on ${server.url}/preview/ (data: ${dataDir}, mail goes to ${mailer.describe()}` +
          `${mailer.maildir ? `, mailbox at ${server.url}/inbox` : ''})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      preview.close();
      await server.close();
      await mailer.close();
    });
}
