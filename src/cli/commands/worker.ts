import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { isDaybreakError } from '../../errors.ts';
import { createWorker } from '../../main.ts';
import { DATA_OPTION_HELP, DB_OPTION_HELP } from '../context.ts';
import { parseFlags } from '../parse-flags.ts';
import { shutdownSignals } from '../shutdown-signals.ts';

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
      const pollMs = Math.max(100, flags.poll * 1000);
      const log = (line: string) => io.stdout.write(`${new Date().toISOString()} ${line}\n`);
      const open = () =>
        createWorker({
          env,
          ...(flags.config ? { configFile: flags.config } : {}),
          ...(flags.db ? { database: flags.db } : {}),
          ...(flags.data ? { dataDir: flags.data } : {}),
          pollMs,
          ...(flags.allowInsecureLinks ? { allowInsecureLinks: true } : {}),
          log,
        });
      // A fleet's processes may all start at once (systemd, a container scheduler): a worker that comes up
      // before the first `daybreak start` made the token key waits for it instead of giving up.
      let worker: Awaited<ReturnType<typeof createWorker>> | null = null;
      // Listened for from the start, before anything is announced. Repeats while stopping are ignored:
      // unsent copies stay in the ledger either way.
      const signals = shutdownSignals();
      let said = false;
      while (!worker && !signals.received) {
        try {
          worker = await open();
        } catch (error) {
          if (!isDaybreakError(error, 'ENOKEY')) throw error;
          if (!said) log(`waiting for the database's first token key, looking again every ${flags.poll} s: ${error.message}`);
          said = true;
          // A signal ends the wait at once; the timer is cleared, so it cannot hold the process open.
          await sleep(pollMs, undefined, { signal: signals.abort }).catch(() => {});
        }
      }
      if (!worker) {
        io.stdout.write(`${signals.received}: stopped while waiting for the token key; nothing was sent.\n`);
        return;
      }
      if (!signals.received) {
        await worker.start();
        io.stdout.write(`Daybreak worker running on ${worker.database}; mail goes to ${worker.mailer.describe()}. Stop with Ctrl-C.\n`);
      }
      const stopped = await signals.first;
      io.stdout.write(`${stopped}: stopping; mail in flight finishes (up to ${flags.shutdownTimeout} s)…\n`);
      const { finished } = await worker.stop({ timeoutMs: flags.shutdownTimeout * 1000 });
      io.stdout.write(finished ? 'Stopped.\n' : 'Stopped after the timeout; copies in flight go out again once their lease runs out.\n');
    });
}
