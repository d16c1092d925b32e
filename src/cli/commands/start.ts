import type { Command } from 'commander';
import { z } from 'zod';
import { assembleEdition, isSkipped, latestEditionBefore, loadContentFor, localDate, type Content } from '../../content/index.ts';
import { createDaybreak, type Daybreak } from '../../main.ts';
import type { NewsletterStatus } from '../../schedule/index.ts';
import { DATA_OPTION_HELP, DB_OPTION_HELP, daybreakCommand } from '../context.ts';
import { listenError } from '../listen-error.ts';
import { parseFlags } from '../parse-flags.ts';
import { shutdownSignals } from '../shutdown-signals.ts';
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

/** A word of a command line as a shell reads it: quoted when it holds anything but plain characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * For each cron-scheduled newsletter whose next edition has no articles in the data folder yet (so the
 * scheduler will skip it): the newest earlier edition that has some, or null when none has. Newsletters
 * whose next edition has articles are absent, and so are local-time ones (their next wave may belong to
 * an edition already going out); the whole answer is null when the folder cannot be read now (the
 * scheduler reports that itself when it fires).
 */
function skippedNextEditions(daybreak: Daybreak, status: NewsletterStatus[]): Map<string, { date: string; newest: string | null }> | null {
  let content: Content;
  try {
    content = loadContentFor(daybreak.dataDir, daybreak.config);
  } catch {
    return null;
  }
  const skipped = new Map<string, { date: string; newest: string | null }>();
  for (const s of status) {
    if (!s.nextSendAt || s.localTime) continue;
    const date = localDate(new Date(s.nextSendAt), s.timezone);
    try {
      if (!isSkipped(assembleEdition({ config: daybreak.config, content, newsletterId: s.id, date }))) continue;
    } catch {
      continue;
    }
    skipped.set(s.id, { date, newest: latestEditionBefore(daybreak.config, content, s.id, date) });
  }
  return skipped;
}

/**
 * What a person reads when Daybreak starts: where to go, where mail goes, when each letter goes out, and
 * when a letter's next edition has no articles yet (it would be skipped), which earlier edition has.
 * `sendFlags`: the options `start` was given that `send` takes too (`--config`, `--data`, `--db`), for
 * the command it suggests.
 */
export async function startBanner(daybreak: Daybreak, base: string, sendFlags: string[] = []): Promise<string> {
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
  const skipped = skippedNextEditions(daybreak, status);
  for (const s of status) {
    lines.push(
      s.nextSendAt
        ? `  ${s.id.padEnd(width)}  ${s.nextSendLocal} (${s.timezone}) = ${s.nextSendUtc}`
        : s.cron !== undefined
          ? `  ${s.id.padEnd(width)}  never (the schedule "${s.cron}" does not fire again)`
          : `  ${s.id.padEnd(width)}  none in the coming week (${s.schedule ?? s.localTime})`,
    );
    const indent = `  ${' '.repeat(width)}  `;
    if (s.lastRun) {
      lines.push(`${indent}last: ${s.lastRun.date} ${s.lastRun.state}${s.lastRun.state === 'done' ? `, ${s.lastRun.sent} sent of ${s.lastRun.total}` : ''}`);
    }
    const next = skipped?.get(s.id);
    if (next) {
      lines.push(`${indent}no articles for ${next.date}'s edition in ${daybreak.dataDir}/ yet, so it will be skipped${next.newest ? ` (the newest edition with articles is ${next.newest}'s)` : ''}`);
      // With the local mail server nothing leaves the machine, so sending a past edition is a safe way to see one arrive.
      if (next.newest && daybreak.mailer.maildir) {
        const command = [daybreakCommand(process.cwd()), 'send', '--newsletter', s.id, '--date', next.newest, ...sendFlags.map(shellWord)].join(' ');
        lines.push(`${indent}to see an edition arrive in the local mailbox now: ${command}`);
      }
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
      // Before anything starts: a Ctrl-C while starting stops as soon as there is something to stop. A
      // second signal means "now": the ledger keeps every unsent copy queued, so nothing is lost.
      const signals = shutdownSignals({
        forceExit: { write: (text) => io.stderr.write(text), message: 'Stopping at once; unsent copies stay queued for the next start.\n' },
      });

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
        signals.release();
        throw error;
      }
      let server;
      let port: number | undefined;
      try {
        port = resolvePort(flags.port, env, daybreak.config.web.port);
        server = await daybreak.start({ port, hostname: flags.host });
      } catch (error) {
        await daybreak.stop({ timeoutMs: 1000 });
        signals.release();
        // The web server starts first, then the inbound mail server: say which one, and the key that moves it.
        const busy = (error as { port?: number }).port;
        const inbound = daybreak.config.inbound;
        if (busy !== undefined && busy !== port && inbound && busy === inbound.port) {
          throw listenError(error, {
            port: busy,
            host: inbound.host,
            defaultHost: '127.0.0.1',
            purpose: 'inbound mail',
            likely: 'another daybreak start or daybreak inbound?',
            choose: ['inbound.port'],
          });
        }
        throw listenError(error, { port: busy ?? port ?? 0, host: flags.host, defaultHost: '127.0.0.1', choose: ['--port', 'PORT', 'web.port'] });
      }
      const shownHost = flags.host === '0.0.0.0' || flags.host === '::' || flags.host === '127.0.0.1' ? 'localhost' : flags.host;
      const sendFlags = [
        ...(flags.config ? ['--config', flags.config] : []),
        ...(flags.data ? ['--data', flags.data] : []),
        ...(flags.db ? ['--db', flags.db] : []),
      ];
      io.stdout.write(await startBanner(daybreak, `http://${shownHost}:${server.port}`, sendFlags));

      // A signal that came while starting stops at once, now that there is something to stop.
      const signal = await signals.first;
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
