import type { Command } from 'commander';
import { z } from 'zod';
import { datesWithArticles, loadContentFor, localDate } from '../../content/index.ts';
import { DaybreakError } from '../../errors.ts';
import { createDaybreak, type Daybreak } from '../../main.ts';
import { DATA_OPTION_HELP, DB_OPTION_HELP } from '../context.ts';
import { parseFlags } from '../parse-flags.ts';
import { resolvePort } from './serve.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

const StartFlags = z.strictObject({
  port: z.string().optional(),
  host: z.string().min(1),
  config: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  db: z.string().min(1).optional(),
  preview: z.boolean().optional(),
  allowInsecureLinks: z.boolean().optional(),
  shutdownTimeout: z
    .string()
    .regex(/^\d+$/, { error: 'Expected a whole number of seconds, e.g. 30' })
    .transform(Number),
});

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
/** A signal this soon after the first is the same Ctrl-C delivered twice (see the shutdown below). */
const REPEAT_SIGNAL_MS = 1000;

/**
 * Each newsletter's dates with articles in the data folder, oldest first, or null when the folder cannot
 * be read now (the scheduler reports that itself when it fires).
 */
function articleDates(daybreak: Daybreak): Map<string, string[]> | null {
  try {
    const content = loadContentFor(daybreak.dataDir, daybreak.config);
    return new Map(daybreak.config.newsletters.map((n) => [n.id, datesWithArticles(daybreak.config, content, n.id)]));
  } catch {
    return null;
  }
}

/**
 * What a person reads when Daybreak starts: where to go, where mail goes, when each letter goes out, and
 * when a letter's next edition has no articles yet (it would be skipped), which dates do.
 */
export async function startBanner(daybreak: Daybreak, base: string): Promise<string> {
  const lines = ['Daybreak is running.', '', `  Sign up:   ${base}/`, `  Archive:   ${base}/archive`];
  if (daybreak.preview) lines.push(`  Preview:   ${base}/preview/`);
  if (daybreak.preview && daybreak.mailer.maildir) lines.push(`  Mailbox:   ${base}/inbox`);
  lines.push(`  Health:    ${base}/healthz`, '');
  lines.push(`Mail goes to ${daybreak.mailer.describe()}.`);
  const inbound = daybreak.inboundServer();
  if (inbound && daybreak.config.inbound) {
    lines.push(`Inbound mail for ${daybreak.config.inbound.domain} (bounces, complaints, unsubscribes): smtp://${inbound.host}:${inbound.port}`);
  }
  const imap = daybreak.imapReader();
  if (imap && daybreak.config.inbound) {
    lines.push(`Inbound mail for ${daybreak.config.inbound.domain} (bounces, complaints, unsubscribes): read from ${imap.describe}`);
  }
  lines.push(`Database: ${daybreak.database}. Articles: ${daybreak.dataDir}/. Links in the emails use ${daybreak.config.baseUrl}.`);
  const linked = new URL(daybreak.config.baseUrl);
  const listening = new URL(base);
  if (/^(localhost|127\.0\.0\.1)$/.test(linked.hostname) && (linked.port || '80') !== listening.port) {
    lines.push(`Note: baseUrl says port ${linked.port || '80'} but Daybreak listens on ${listening.port}: links in the emails (confirm, unsubscribe, archive) will not reach it. Set baseUrl in the config.`);
  }
  lines.push('', 'Next sends:');
  const status = await daybreak.status();
  const width = Math.max(...status.map((s) => s.id.length));
  const dates = articleDates(daybreak);
  for (const s of status) {
    lines.push(
      s.nextSendAt
        ? `  ${s.id.padEnd(width)}  ${s.nextSendLocal} (${s.timezone}) = ${s.nextSendUtc}`
        : `  ${s.id.padEnd(width)}  never (the schedule "${s.cron}" does not fire again)`,
    );
    const indent = `  ${' '.repeat(width)}  `;
    if (s.lastRun) {
      lines.push(`${indent}last: ${s.lastRun.date} ${s.lastRun.state}${s.lastRun.state === 'done' ? `, ${s.lastRun.sent} sent of ${s.lastRun.total}` : ''}`);
    }
    const withArticles = dates?.get(s.id);
    if (withArticles && s.nextSendAt && !withArticles.some((d) => d >= localDate(new Date(s.nextSendAt!), s.timezone))) {
      const newest = withArticles.at(-1);
      lines.push(`${indent}no articles for it in ${daybreak.dataDir}/ yet, so it will be skipped${newest ? ` (the newest edition with articles is ${newest}'s)` : ''}`);
      // With the local mail server nothing leaves the machine, so sending a past edition is a safe way to see one arrive.
      if (newest && daybreak.mailer.maildir) lines.push(`${indent}to see an edition arrive in the local mailbox now: daybreak send --newsletter ${s.id} --date ${newest}`);
    }
  }
  lines.push('', 'Stop with Ctrl-C: mail in flight finishes first, the rest stays queued for the next start.', '');
  return lines.join('\n');
}

/**
 * `daybreak start` (what `npm start` runs): the whole app in one process: the sign-up site,
 * the archive, the preview (on loopback) and the scheduler for every newsletter in the config.
 */
export function registerStart(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('start')
    .description('Run Daybreak: sign-up site, archive, preview and the scheduled sends, in one process')
    .option('--port <port>', 'port to listen on (default: $PORT, else web.port, else 3000; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (0.0.0.0 to serve other machines; the preview then stays off)', '127.0.0.1')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--data <dir>', DATA_OPTION_HELP)
    .option('--db <database>', DB_OPTION_HELP)
    .option('--preview', 'mount the preview and mailbox even when not on loopback')
    .option('--no-preview', 'do not mount the preview and mailbox')
    .option('--allow-insecure-links', 'send real mail (SMTP_URL) even though baseUrl is not https')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT, how long mail in flight may take to finish', '30')
    .action(async (rawFlags: Record<string, unknown>) => {
      const flags = parseFlags(StartFlags, rawFlags);
      // One pair of signal handlers for the whole life of the process, installed before anything starts
      // and never removed. Swapping a handler for another leaves a moment with none, in which the default
      // action of a SIGINT kills the process: under `npm start` one Ctrl-C arrives twice (from the
      // terminal to the whole process group, and again forwarded by npm) and the second copy could land
      // in that moment (tests/schedule/start-signals.test.ts).
      let first: { signal: NodeJS.Signals; at: number } | null = null;
      let onFirst: ((signal: NodeJS.Signals) => void) | null = null;
      const onSignal = (signal: NodeJS.Signals) => {
        if (!first) {
          first = { signal, at: Date.now() };
          onFirst?.(signal);
          return;
        }
        // A second signal means "now": the ledger keeps every unsent copy queued, so nothing is lost. A
        // repeat within REPEAT_SIGNAL_MS of the first is that same keypress delivered twice.
        if (Date.now() - first.at < REPEAT_SIGNAL_MS) return;
        io.stderr.write('Stopping at once; unsent copies stay queued for the next start.\n');
        process.exit(130);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const release = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };

      let daybreak: Daybreak;
      try {
        daybreak = await createDaybreak({
          env,
          ...(flags.config ? { configFile: flags.config } : {}),
          ...(flags.db ? { database: flags.db } : {}),
          ...(flags.data ? { dataDir: flags.data } : {}),
          // The preview can send test mail; it is for the publisher's own machine unless asked for.
          preview: flags.preview ?? LOOPBACK.has(flags.host),
          ...(flags.allowInsecureLinks ? { allowInsecureLinks: true } : {}),
          log: (line) => io.stdout.write(`${new Date().toISOString()} ${line}\n`),
        });
      } catch (error) {
        release();
        throw error;
      }
      let server;
      try {
        const port = resolvePort(flags.port, env, daybreak.config.web.port);
        server = await daybreak.start({ port, hostname: flags.host });
      } catch (error) {
        await daybreak.stop({ timeoutMs: 1000 });
        release();
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new DaybreakError('EUSAGE', `Port ${(error as { port?: number }).port ?? ''} is in use; choose another with --port or PORT`);
        }
        throw error;
      }
      const shownHost = flags.host === '0.0.0.0' || flags.host === '::' || flags.host === '127.0.0.1' ? 'localhost' : flags.host;
      io.stdout.write(await startBanner(daybreak, `http://${shownHost}:${server.port}`));

      // A signal that came while starting stops at once, now that there is something to stop.
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        if (first) resolve(first.signal);
        else onFirst = resolve;
      });
      io.stdout.write(`${signal}: stopping; no new sends, mail in flight finishes (up to ${flags.shutdownTimeout} s)…\n`);
      const { finished } = await daybreak.stop({ timeoutMs: flags.shutdownTimeout * 1000 });
      io.stdout.write(
        finished
          ? 'Stopped. Anything not sent is queued in the ledger and goes out at the next start.\n'
          : 'Stopped after the timeout with SMTP transactions still open; those copies are re-sent at the next start.\n',
      );
      // Leave now, with the signal handlers still installed: everything is closed and the ledger holds
      // every unsent copy. Letting the event loop drain would leave a moment, while Node tears the process
      // down, when the handlers are gone and a late repeat of the Ctrl-C (npm's forwarded copy) kills the
      // process by the signal's default action (tests/schedule/start-signals.test.ts). Nor can a
      // connection a server never answers keep the process past the promised timeout. stdout is written
      // synchronously to files, pipes and terminals on Linux, so the line above is out.
      process.exit(0);
    });
}
