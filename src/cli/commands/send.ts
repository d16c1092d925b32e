import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { createTokens, EmailSchema, normalizeEmail, openKeyring } from '../../audience/index.ts';
import { editionForChoice, findNewsletter, goesOutOn, isLocalTime, isSkipped, localDate, waveTimes, type Edition, type Newsletter, type SkippedEdition } from '../../content/index.ts';
import { readerZone } from '../../audience/index.ts';
import { formatLocal, localTimeDueAt, pinEdition, parsePinnedEdition } from '../../schedule/index.ts';
import {
  compileEditionMessage,
  editionMessageOptions,
  createMailer,
  runPreSendGate,
  sendEdition,
  sendingPolicy,
  testSubject,
  type SendProgress,
  type SendReport,
  type SendState,
} from '../../delivery/index.ts';
import { DaybreakError, isDaybreakError } from '../../errors.ts';
import { htmlValues, readerFieldValues, renderEdition, sampleUnsubscribeUrl } from '../../designs/index.ts';
import { openStore, openThreadedSendStore } from '../../storage/index.ts';
import { archiveCopy, type ArchiveIndex, type SentEdition } from '../../web/index.ts';
import { DEFAULT_VAR_DIR, DATA_OPTION_HELP, DB_OPTION_HELP, loadConfigFrom, requestedEdition, resolveDataDir, resolveDatabase, resolveLockWaitMs } from '../context.ts';
import { parseFlags } from '../parse-flags.ts';
import { plural } from '../../plural.ts';
import { inboundAddressesFor } from '../../inbound/index.ts';
import { EXIT, ExitStatus } from '../run-cli.ts';
import { DateFlag } from '../date-flag.ts';

const SendFlags = z.strictObject({
  newsletter: z.string().min(1).optional(),
  date: DateFlag.optional(),
  data: z.string().min(1).optional(),
  dryRun: z.boolean().default(false),
  // The sign-up form's own address check, so a typo is bad usage (exit 2) and not a failed delivery.
  to: EmailSchema.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, { error: 'Expected a whole number of copies, e.g. 100' })
    .transform(Number)
    .refine((n) => n > 0, { error: 'Expected at least 1' })
    .optional(),
  json: z.boolean().default(false),
  force: z.boolean().default(false),
  allowInsecureLinks: z.boolean().optional(),
  config: z.string().min(1).optional(),
  db: z.string().min(1).optional(),
});
type SendFlags = z.input<typeof SendFlags>;

type Io = { stdout: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean }; stderr: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean } };

/** The keys `--json` prints, in this order; a local-time newsletter's report adds `waiting`. */
function jsonReport(report: SendReport, extra: Record<string, unknown> = {}): string {
  const { newsletter, date, total, sent, failed, deferred, skipped, alreadySent, durationMs } = report;
  const local = report.waiting !== undefined ? { waiting: report.waiting, nextWaveAt: report.nextWaveAt ?? null } : {};
  return `${JSON.stringify({ newsletter, date, total, sent, failed, deferred, skipped, alreadySent, durationMs, ...local, ...extra }, null, 2)}\n`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** A progress bar on a terminal, one line per hundred copies otherwise (logs, CI). */
function progressPrinter(io: Io): { update(p: SendProgress): void; end(): void } {
  const tty = Boolean(io.stderr.isTTY);
  let lastHundred = 0;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(p) {
      const rate = p.elapsedMs > 0 ? (p.sent / p.elapsedMs) * 1000 : 0;
      const todo = p.done + p.remaining;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && p.remaining > 0) return;
        lastDraw = now;
        const ratio = todo ? p.done / todo : 1;
        const width = 24;
        const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '-');
        const left = rate > 0 ? duration((p.remaining / rate) * 1000) : '?';
        io.stderr.write(
          `\r[${bar}] ${p.done}/${todo}  sent ${p.sent}  failed ${p.failed}  deferred ${p.deferred}  ${rate.toFixed(0)}/s  ${left} left   `,
        );
        drawn = true;
      } else {
        const hundred = Math.floor(p.done / 100);
        if (hundred > lastHundred) {
          lastHundred = hundred;
          io.stderr.write(
            `${p.done}/${todo} done: sent ${p.sent}, failed ${p.failed}, deferred ${p.deferred}, skipped ${p.skipped} (${rate.toFixed(0)}/s)\n`,
          );
        }
      }
    },
    end() {
      if (drawn) io.stderr.write('\n');
    },
  };
}

/**
 * `daybreak send`: sends one edition to every confirmed subscriber through the send ledger, or (--dry-run)
 * renders and counts, or (--to) sends one test copy outside the ledger. Exit 0 when nothing is left to
 * retry, 75 when copies are deferred, 1 on error; a quiet day (no edition) is exit 0 with nothing queued.
 */
export async function send(rawFlags: SendFlags, io: Io = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const flags = parseFlags(SendFlags, rawFlags);
  const started = Date.now();
  const config = loadConfigFrom({ ...(flags.config !== undefined ? { config: flags.config } : {}) });
  const newsletter = findNewsletter(config, flags.newsletter);
  const date = flags.date ?? localDate(new Date(), newsletter.schedule.timezone);
  const dataDir = resolveDataDir({ ...(flags.data !== undefined ? { data: flags.data } : {}) }, env, config);
  const local = isLocalTime(newsletter);
  if (local && !goesOutOn(newsletter, date)) {
    throw new DaybreakError('EUSAGE', `${newsletter.id} does not go out on ${date} (schedule.days: ${newsletter.schedule.days!.join(', ')})`);
  }
  const varDir = DEFAULT_VAR_DIR;
  const dbName = resolveDatabase(flags, env, config);
  const warn = (line: string) => io.stderr.write(`warning: ${line}\n`);
  // A local-time edition is the one its first wave pinned; before that, its window closes at the first
  // wave of the readers' zones. A cron edition needs no database to be assembled.
  const edition = local ? await localTimeEdition(dbName, newsletter, date, (closesAt) => requestedEdition({ config, newsletter, date, dataDir, warn, closesAt }), env) : requestedEdition({ config, newsletter, date, dataDir, warn });
  const empty: SendReport = { newsletter: newsletter.id, date, total: 0, sent: 0, failed: 0, deferred: 0, skipped: 0, alreadySent: 0, durationMs: 0 };
  if (isSkipped(edition)) {
    if (flags.json) io.stdout.write(jsonReport({ ...empty, durationMs: Date.now() - started }, { edition: 'no articles' }));
    else io.stdout.write(`${newsletter.id} ${date}: no articles in this edition's window; nothing queued, nothing sent.\n`);
    return EXIT.OK;
  }
  // Sent before its window closes, the edition leaves a gap: the next edition's window starts where this
  // one's ends, so an article published between now and then goes out in no edition.
  if (!flags.dryRun && flags.to === undefined && edition.window.to.getTime() > Date.now()) {
    warn(`${newsletter.id} ${date} is sent early: its window is open until ${formatLocal(edition.window.to, newsletter.schedule.timezone)}, so an article published before then will go out in no edition (\`daybreak start\` sends it on time).`);
  }
  const rendered = await renderEdition(edition, config);
  const policy = sendingPolicy({ config, env, ...(flags.allowInsecureLinks !== undefined ? { allowInsecureLinks: flags.allowInsecureLinks } : {}) });
  if (!flags.dryRun) for (const warning of policy.warnings) io.stderr.write(`warning: ${warning}\n`);
  // The pre-send gate holds a whole edition; a test copy (--to) and a dry run are how one looks first.
  if (!flags.dryRun && flags.to === undefined) {
    if (flags.force) {
      io.stderr.write('warning: --force: the pre-send checks were not run.\n');
    } else {
      const gate = await runPreSendGate({ config, newsletter, date, rendered, realMail: policy.realMail && !policy.allowInsecureLinks, env });
      if (!gate.ok) {
        throw new DaybreakError(
          'ECHECK',
          `${newsletter.id} ${date} failed the pre-send checks, so nothing was sent:\n${gate.failures.map((f) => `  - ${f}`).join('\n')}\nSee \`daybreak check --newsletter ${newsletter.id} --date ${date}\`; fix them, or send anyway with --force.`,
        );
      }
    }
  }
  const database = await openStore({ database: dbName, busyTimeoutMs: Math.max(resolveLockWaitMs(env), 60_000) });
  const store = database.sends;
  try {
    const key = { newsletter: newsletter.id, date };
    const [confirmed, counts] = await Promise.all([store.countConfirmed(newsletter.id), store.counts(key)]);
    // Sending an old edition by hand is legitimate (a resend, a late first send), but its readers get it
    // after a newer one they already have: say so, on stderr (stdout stays the report, --json included).
    // Not when nothing of it will go out: every copy of it was sent (or ended otherwise) already.
    if (flags.to === undefined && !nothingLeftToSend(counts, confirmed)) {
      const newer = await newerEditionSent(database.archive, newsletter.id, date);
      if (newer) {
        warn(
          `${newsletter.id} ${newer.date}, a newer edition, already went out on ${formatLocal(new Date(newer.sentAt), newsletter.schedule.timezone)}; ` +
            `${date} ${flags.dryRun ? 'would reach' : 'will reach'} readers after it.`,
        );
      }
    }
    if (flags.dryRun) {
      const report: SendReport = { ...empty, total: confirmed, alreadySent: counts.sent, durationMs: Date.now() - started };
      if (flags.json) io.stdout.write(jsonReport(report, { dryRun: true }));
      else {
        io.stdout.write(
          `Dry run: ${newsletter.id} ${date} "${rendered.subject}" (${rendered.template}, ${(rendered.htmlBytes / 1024).toFixed(1)} KB HTML)\n` +
            `  ${plural(confirmed, 'confirmed subscriber')}; ${plural(counts.sent, 'copy', 'copies')} already sent; nothing was sent.\n`,
        );
      }
      return EXIT.OK;
    }

    // A real send writes the ledger and mails links, so it may make the first key (and says so); a test
    // copy (--to) writes nothing, so it signs with an existing key only.
    const keyring = openKeyring({
      env,
      dbFile: dbName,
      create: flags.to === undefined,
      onCreate: (m) => io.stderr.write(`daybreak: ${m}\n`),
      store: database,
    });
    const tokens = await createTokens(keyring).catch((error: unknown) => {
      if (flags.to !== undefined && isDaybreakError(error, 'ENOKEY')) return null;
      throw error;
    });
    const unsubscribeUrlFor = (subscriberId: number, newsletterId: string) => tokens!.unsubscribeUrl(config.baseUrl, subscriberId, newsletterId);
    const manageUrlFor = (subscriberId: number) => tokens!.manageUrl(config.baseUrl, subscriberId);
    const mailer = createMailer({ config, env, varDir });
    try {
      if (flags.to !== undefined) {
        // A test send: one copy, outside the ledger. A known address gets its real unsubscribe link.
        const address = normalizeEmail(flags.to);
        const known = await database.subscribers.findByEmail(address);
        const message = compileEditionMessage(editionMessageOptions(config, newsletter, { ...rendered, subject: testSubject(rendered.subject) }));
        const values = readerFieldValues({
          email: address,
          firstName: known?.name ?? null,
          // A stranger's test copy gets a link that is plainly a test (no subscriber to sign a token for).
          // Likewise before this database has a key: nothing may be signed with a key nobody else will know.
          unsubscribeUrl: known && tokens ? unsubscribeUrlFor(known.id, newsletter.id) : sampleUnsubscribeUrl(config.baseUrl, 'test-send'),
          ...(known && tokens ? { manageUrl: manageUrlFor(known.id) } : {}),
        });
        const messageId = `test.${randomBytes(12).toString('hex')}@${message.domain}`;
        const raw = message.build({ to: { address, name: known?.name ?? null }, messageId, unsubscribeUrl: values.unsubscribeUrl, htmlValues: htmlValues(values), textValues: values });
        const info = await mailer.sendRaw({ from: message.envelopeFrom, to: address, raw, messageId });
        if (flags.json) {
          io.stdout.write(`${JSON.stringify({ newsletter: newsletter.id, date, to: address, messageId: `<${messageId}>`, response: info.response, transport: mailer.describe() }, null, 2)}\n`);
        } else {
          io.stdout.write(`Sent a test copy of ${newsletter.id} ${date} to ${address} (outside the ledger).\nMail went to ${mailer.describe()}.\n`);
        }
        return EXIT.OK;
      }

      // With an inbound domain every copy names itself in its envelope sender and unsubscribe address.
      const inbound = await inboundAddressesFor(config, keyring);
      const printer = flags.json ? { update: () => {}, end: () => {} } : progressPrinter(io);
      // The first send of a local-time day pins the edition every later wave sends.
      const sent = local ? await pinEdition(store, edition) : edition;
      const first = local && sent !== edition ? await renderEdition(sent, config) : rendered;
      let report: SendReport;
      // On SQLite the ledger's commits (an fsync each) run on a thread of their own, off the SMTP thread.
      const ledger = database.engine === 'sqlite' ? await openThreadedSendStore(dbName, { busyTimeoutMs: Math.max(resolveLockWaitMs(env), 60_000) }) : null;
      try {
        // The web copy the archive serves is kept as the edition goes out, so later edits never change it.
        await database.archive.keep(archiveCopy(first, newsletter, config, date, new Date()));
        report = await sendEdition({
          store: ledger ?? store,
          transport: mailer,
          config,
          newsletter,
          date,
          rendered: first,
          secret: (await keyring.current()).secret,
          unsubscribeUrlFor,
          manageUrlFor,
          renderChoice: (choice) => renderEdition(editionForChoice(sent, choice), config),
          ...(local ? { dueAt: localTimeDueAt(newsletter, date, warn) } : {}),
          ...inbound?.senderOptions,
          ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
          onProgress: (p) => printer.update(p),
        });
      } finally {
        printer.end();
        await ledger?.close();
      }
      if (flags.json) io.stdout.write(jsonReport(report));
      else {
        const pending = report.total - report.alreadySent - report.sent - report.failed - report.skipped;
        if (report.sent === 0 && report.alreadySent > 0 && pending === 0 && report.failed + report.skipped === report.total - report.alreadySent) {
          io.stdout.write(`${report.newsletter} ${report.date} was already sent: ${plural(report.alreadySent, 'copy', 'copies')} went out before; nothing to send.\n`);
        } else {
          io.stdout.write(
            `${report.newsletter} ${report.date}: sent ${report.sent}, failed ${report.failed}, deferred ${report.deferred}, skipped ${report.skipped}` +
              `${report.alreadySent ? `, already sent ${report.alreadySent}` : ''} of ${report.total} in ${duration(report.durationMs)}.\n`,
          );
        }
        io.stdout.write(`Mail went to ${mailer.describe()}.\n`);
        if (report.waiting) {
          io.stdout.write(
            `${plural(report.waiting, 'reader')} ${report.waiting === 1 ? 'is' : 'are'} waiting for their local ${newsletter.schedule.localTime}${report.nextWaveAt ? ` (next wave at ${report.nextWaveAt.slice(0, 16).replace('T', ' ')} UTC)` : ''}; ${report.waiting === 1 ? 'the copy stays' : 'their copies stay'} queued: \`daybreak start\` sends each wave at its time, or run this command again then.\n`,
          );
        }
        if (report.deferred > 0 && !report.paused) {
          io.stdout.write(`${plural(report.deferred, 'copy', 'copies')} ${report.deferred === 1 ? 'is' : 'are'} deferred; run the same command again to retry ${report.deferred === 1 ? 'it' : 'them'}.\n`);
        }
      }
      if (report.paused) io.stderr.write(`daybreak: ${report.paused}\n`);
      return report.deferred > 0 ? EXIT.TEMPFAIL : EXIT.OK;
    } finally {
      await mailer.close();
    }
  } finally {
    await database.close();
  }
}


/**
 * The newest edition of `newsletterId` that went out (a finished run, a copy sent, an archived web copy)
 * when it is newer than `date`, else null.
 *
 * @example
 * await newerEditionSent(database.archive, 'morning', '2026-11-01'); // { newsletter: 'morning', date: '2026-11-30', sentAt: '…' }
 */
async function newerEditionSent(archive: ArchiveIndex, newsletterId: string, date: string): Promise<SentEdition | null> {
  const [newest] = await archive.listSent({ newsletter: newsletterId, limit: 1 });
  return newest && newest.date > date ? newest : null;
}

/**
 * Whether a send of the edition would mail nobody: none of its copies is queued, in flight or deferred,
 * and the copies that ended (sent, failed, expired: none is tried again) are at least as many as the
 * confirmed readers, so as a rule none of them lacks one (a reader queued now would get a copy).
 *
 * @example
 * nothingLeftToSend({ queued: 0, sending: 0, sent: 2, deferred: 0, failed: 0, skipped: 0, expired: 0 }, 2); // true
 */
function nothingLeftToSend(counts: Record<SendState, number>, confirmed: number): boolean {
  return counts.queued + counts.sending + counts.deferred === 0 && counts.sent + counts.failed + counts.expired >= confirmed;
}

/** The pinned edition of a local-time day, or one assembled to close at the day's first wave. */
async function localTimeEdition(
  dbName: string,
  newsletter: Newsletter,
  date: string,
  assemble: (closesAt: Date | undefined) => Edition | SkippedEdition,
  env: NodeJS.ProcessEnv,
): Promise<Edition | SkippedEdition> {
  const store = await openStore({ database: dbName, busyTimeoutMs: Math.max(resolveLockWaitMs(env), 60_000) });
  try {
    const pinned = await store.sends.pinned({ newsletter: newsletter.id, date });
    if (pinned !== null) return parsePinnedEdition(pinned, newsletter);
    const zones = (await store.sends.readerZones(newsletter.id)).map((z) => readerZone(z, newsletter.schedule.timezone));
    return assemble(waveTimes(newsletter, date, zones)[0]);
  } finally {
    await store.close();
  }
}

export function registerSend(program: Command, io: Io = process): void {
  program
    .command('send')
    .description('Send an edition to every confirmed subscriber (exit 75 when copies are deferred)')
    .option('--newsletter <id>', 'newsletter id (default: the first in the config)')
    .option('--date <YYYY-MM-DD>', "edition date (default: today in the newsletter's timezone)")
    .option('--data <dir>', DATA_OPTION_HELP)
    .option('--dry-run', 'render and count the readers without sending')
    .option('--to <email>', 'send one test copy to this address, outside the ledger')
    .option('--limit <n>', 'send at most N copies in this run; the rest stay queued')
    .option('--json', 'print { newsletter, date, total, sent, failed, deferred, skipped, alreadySent, durationMs }')
    .option('--force', 'send even though the pre-send checks (daybreak check) fail')
    .option('--allow-insecure-links', 'send real mail (SMTP_URL) even though baseUrl is not https')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .action(async (flags: SendFlags) => {
      const status = await send(flags, io);
      if (status !== EXIT.OK) throw new ExitStatus(status);
    });
}
