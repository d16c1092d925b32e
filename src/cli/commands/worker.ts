import type { Command } from 'commander';
import { z } from 'zod';
import { createWorker } from '../../main.ts';
import { DATA_OPTION_HELP, DB_OPTION_HELP } from '../context.ts';
import { parseFlags } from '../parse-flags.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

const WorkerFlags = z.strictObject({
  config: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  db: z.string().min(1).optional(),
  allowInsecureLinks: z.boolean().optional(),
  poll: z.string().regex(/^\d+(\.\d+)?$/, { error: 'Expected a number of seconds, e.g. 2' }).transform(Number),
  shutdownTimeout: z.string().regex(/^\d+$/, { error: 'Expected a whole number of seconds, e.g. 30' }).transform(Number),
});

/**
 * `daybreak worker`: only the sending part, for a fleet on one PostgreSQL database: no web app and no
 * firing of its own; it joins every edition a `daybreak start` on the same database is sending.
 */
export function registerWorker(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('worker')
    .description('Send only: join the editions other instances on the same database are sending (no web, no scheduler)')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--data <dir>', DATA_OPTION_HELP)
    .option('--db <database>', DB_OPTION_HELP)
    .option('--allow-insecure-links', 'send real mail (SMTP_URL) even though baseUrl is not https')
    .option('--poll <seconds>', 'how often to look for editions being sent', '2')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT, how long mail in flight may take to finish', '30')
    .action(async (rawFlags: Record<string, unknown>) => {
      const flags = parseFlags(WorkerFlags, rawFlags);
      const worker = await createWorker({
        env,
        ...(flags.config ? { configFile: flags.config } : {}),
        ...(flags.db ? { database: flags.db } : {}),
        ...(flags.data ? { dataDir: flags.data } : {}),
        pollMs: Math.max(100, flags.poll * 1000),
        ...(flags.allowInsecureLinks ? { allowInsecureLinks: true } : {}),
        log: (line) => io.stdout.write(`${new Date().toISOString()} ${line}\n`),
      });
      await worker.start();
      io.stdout.write(`Daybreak worker running on ${worker.database}; mail goes to ${worker.mailer.describe()}. Stop with Ctrl-C.\n`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const onSignal = (s: NodeJS.Signals) => resolve(s);
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      });
      // Repeats of the signal while stopping are ignored: unsent copies stay in the ledger either way.
      const ignore = () => {};
      process.on('SIGINT', ignore);
      process.on('SIGTERM', ignore);
      io.stdout.write(`${signal}: stopping; mail in flight finishes (up to ${flags.shutdownTimeout} s)…\n`);
      const { finished } = await worker.stop({ timeoutMs: flags.shutdownTimeout * 1000 });
      io.stdout.write(finished ? 'Stopped.\n' : 'Stopped after the timeout; copies in flight go out again once their lease runs out.\n');
    });
}
