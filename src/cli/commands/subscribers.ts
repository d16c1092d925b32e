import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  type SubscriberStore,
  CONFIRMATION_INTERVAL_MS,
  createAudience,
  createTokens,
  openKeyring,
  EmailSchema,
  NameSchema,
  normalizeEmail,
  TimezoneSchema,
  parseCsv,
  toCsv,
  type Subscriber,
} from '../../audience/index.ts';
import type { Config } from '../../content/index.ts';
import { openStore } from '../../storage/index.ts';
import { createMailer } from '../../delivery/index.ts';
import { registryTemplates } from '../../web/index.ts';
import { DaybreakError } from '../../errors.ts';
import { DEFAULT_VAR_DIR, DB_OPTION_HELP, loadConfigFrom, resolveDatabase, resolveLockWaitMs } from '../context.ts';
import { ExitStatus, EXIT } from '../run-cli.ts';
import { plural } from '../../plural.ts';

type Io = { stdout: Pick<NodeJS.WritableStream, 'write'>; stderr: Pick<NodeJS.WritableStream, 'write'> };

const STATUSES = ['active', 'bounced', 'complained', 'pending', 'confirmed', 'unsubscribed'] as const;
const StatusFlag = z.enum(STATUSES, { error: `--status must be one of ${STATUSES.join(', ')}` }).optional();

function usage(message: string): never {
  throw new DaybreakError('EUSAGE', message);
}

function newslettersFrom(config: Config, ids: string[] | undefined): string[] {
  const list = ids && ids.length > 0 ? [...new Set(ids)] : [config.newsletters[0]!.id];
  const known = new Set(config.newsletters.map((n) => n.id));
  for (const id of list) {
    if (!known.has(id)) usage(`Unknown newsletter "${id}" (known: ${[...known].join(', ')})`);
  }
  return list;
}

/** `--timezone`: an IANA zone, canonicalized; anything else is bad usage naming it. */
function timezoneFlag(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const result = TimezoneSchema.safeParse(raw);
  if (!result.success) usage(`--timezone: ${result.error.issues[0]!.message}`);
  return result.data;
}

function email(raw: string): string {
  const result = EmailSchema.safeParse(raw);
  if (!result.success) usage(result.error.issues[0]!.message);
  return result.data;
}

async function withStore<T>(flags: { db?: string }, config: Config & { file: string | null }, fn: (store: SubscriberStore) => Promise<T>): Promise<T> {
  const store = await openStore({ database: resolveDatabase(flags, process.env, config), busyTimeoutMs: resolveLockWaitMs() });
  try {
    return await fn(store.subscribers);
  } finally {
    await store.close();
  }
}

/**
 * `subscribers add` without --confirmed: the very sign-up the web page makes (double opt-in, at most one
 * confirmation a day per address, the same email), then a report of what happened. Without the email the
 * person would stay pending for ever, with no link to confirm by.
 */
async function addThroughSignUp(options: { config: Config & { file: string | null }; address: string; name: string | null; timezone: string | null; newsletters: string[]; io: Io; env: NodeJS.ProcessEnv; db?: string | undefined }): Promise<void> {
  const { config, address, io, env } = options;
  const database = resolveDatabase(options.db ? { db: options.db } : {}, env, config);
  const store = await openStore({ database, busyTimeoutMs: resolveLockWaitMs(env) });
  const mailer = createMailer({ config, env, varDir: DEFAULT_VAR_DIR });
  const failures: string[] = [];
  let sentNow = 0;
  try {
    // It sends a link, so it may make the database's first token key (and says so).
    const tokens = await createTokens(openKeyring({
      env,
      dbFile: database,
      create: true,
      onCreate: (m) => io.stdout.write(`${m}\n`),
      store,
    }));
    const audience = createAudience({
      config,
      subscribers: store.subscribers,
      outbox: store.outbox,
      tokens,
      mailer,
      templates: registryTemplates(config),
      onMailError: (error) => failures.push((error as Error)?.message ?? String(error)),
      onMailSent: (item) => {
        if (item.kind === 'confirmation' && item.subscriberId === outcomeId) sentNow += 1;
      },
      // A failed confirmation stays queued and due: the next run of this command (or a running
      // `daybreak start` or `serve`) sends it at once.
      mailBackoffSeconds: () => 0,
    });
    const before = await audience.store.findByEmail(address);
    let outcomeId = before?.id ?? -1;
    const outcome = await audience.signUp({ email: address, name: options.name, timezone: options.timezone, newsletters: options.newsletters, consent: { ip: null, userAgent: null, source: 'cli' } });
    outcomeId = outcome.subscriberId;
    await audience.close();
    const head = `${before ? 'Updated' : 'Added'} ${address}`;
    const person = (await audience.store.get(outcome.subscriberId))!;
    const confirmed = person.subscriptions.filter((x) => options.newsletters.includes(x.newsletter) && x.status === 'confirmed').map((x) => x.newsletter);
    const renameNote = before && options.name !== null && before.name !== options.name ? ` (name left as ${before.name === null ? 'empty' : `"${before.name}"`}: a sign-up never changes an existing person's details)` : '';
    if (failures.length > 0) {
      throw new DaybreakError(
        'EDELIVERY',
        `${head}: ${outcome.pending.join(', ')} pending, but the confirmation email could not be sent: ${failures[0]}. It stays queued: run the same command again to retry, or a running \`daybreak start\` or \`serve\` sends it.`,
      );
    }
    if (outcome.sendConfirmation || sentNow > 0) {
      io.stdout.write(
        `${head}: ${outcome.pending.join(', ')} pending${renameNote}.\nSent the confirmation email (mail went to ${mailer.describe()}); they are subscribed once they follow its link (it works for 7 days).\n`,
      );
    } else if (outcome.pending.length === 0) {
      io.stdout.write(`${head}: already confirmed for ${confirmed.join(', ')}; nothing sent.\n`);
    } else if (person.status === 'bounced') {
      io.stdout.write(`${head}: ${outcome.pending.join(', ')} pending; no confirmation email sent, because mail to this address bounced.\n`);
    } else {
      const next = new Date(Date.parse(person.lastConfirmationSentAt!) + CONFIRMATION_INTERVAL_MS);
      io.stdout.write(
        `${head}: ${outcome.pending.join(', ')} pending${renameNote}.\nA confirmation email already went to this address at ${person.lastConfirmationSentAt} (at most one a day); its link confirms them. Another can be sent after ${next.toISOString()}, or add them with --confirmed if they already agreed.\n`,
      );
    }
  } finally {
    await mailer.close();
    await store.close();
  }
}

/** The JSON shape of `subscribers list --json`. */
export function listEntry(s: Subscriber) {
  return {
    email: s.email,
    name: s.name,
    status: s.status,
    timezone: s.timezone,
    subscriptions: s.subscriptions.map((x) => ({ newsletter: x.newsletter, status: x.status, ...(x.sections ? { sections: x.sections } : {}) })),
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `daybreak subscribers add|list|remove|import|export` over the same database the web app and the sender
 * use (`--db`, DATABASE_URL, DAYBREAK_DB, the config's `database`, else var/daybreak.db).
 */
export function registerSubscribers(program: Command, io: Io = process, env: NodeJS.ProcessEnv = process.env): void {
  const cmd = program.command('subscribers').description('Manage subscribers: add, list, remove, import, export');

  cmd
    .command('add')
    .description('Add a subscriber: without --confirmed they get the confirmation email the sign-up page sends, and are subscribed once they follow its link')
    .argument('<email>', 'email address')
    .option('--name <name>', 'first name')
    .option('--timezone <zone>', 'IANA timezone, e.g. Europe/London (local-time newsletters reach them at their own time)')
    .option('--newsletter <id>', 'newsletter id; repeat for several (default: the first newsletter)', collect)
    .option('--confirmed', 'mark the subscriptions confirmed, sending nothing (only for people who already agreed)')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (raw: string, flags: { name?: string; timezone?: string; newsletter?: string[]; confirmed?: boolean; config?: string; db?: string }) => {
      const config = loadConfigFrom(flags);
      const address = email(raw);
      const name = NameSchema.safeParse(flags.name ?? '');
      if (!name.success) usage(name.error.issues[0]!.message);
      const timezone = timezoneFlag(flags.timezone);
      const newsletters = newslettersFrom(config, flags.newsletter);
      if (!flags.confirmed) {
        await addThroughSignUp({ config, address, name: name.data, timezone, newsletters, io, env, db: flags.db });
        return;
      }
      const before = timezone === null ? undefined : await withStore(flags, config, (store) => store.findByEmail(address));
      const outcome = await withStore(flags, config, (store) =>
        store.add({ email: address, name: name.data, newsletters, confirmed: true, source: 'cli', timezone }, new Date()),
      );
      const rezoned = timezone !== null && (before === undefined || before.timezone !== timezone);
      const changes = [
        ...(outcome.renamed ? [`name set to "${name.data}"`] : []),
        ...(rezoned && !outcome.created ? [`timezone set to ${timezone}`] : []),
        ...(outcome.changed.length > 0 ? [`${outcome.changed.join(', ')} confirmed`] : []),
      ];
      io.stdout.write(
        `${outcome.created ? 'Added' : 'Updated'} ${address}: ${changes.length > 0 ? changes.join('; ') : 'nothing changed'}` +
          (outcome.keptUnsubscribed.length > 0 ? `; kept unsubscribed from ${outcome.keptUnsubscribed.join(', ')} (they opted out)` : '') +
          // A sentence, like every other outcome `subscribers` prints.
          '.\n',
      );
    });

  cmd
    .command('list')
    .description('List subscribers and their subscriptions')
    .option('--status <status>', `only people who are ${STATUSES.slice(0, 3).join('/')} or have a ${STATUSES.slice(3).join('/')} subscription`)
    .option('--json', 'print JSON: [{ email, name, status, timezone, subscriptions: [{ newsletter, status, sections? }] }]')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (flags: { status?: string; json?: boolean; config?: string; db?: string }) => {
      // Every command takes --config; these read only the database, but a broken config is still
      // reported here rather than surfacing later in a command that needs it.
      const config = loadConfigFrom(flags);
      const status = StatusFlag.safeParse(flags.status);
      if (!status.success) usage(status.error.issues[0]!.message);
      const people = await withStore(flags, config, (store) => store.list({ status: status.data }));
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(people.map(listEntry), null, 2)}\n`);
        return;
      }
      if (people.length === 0) {
        io.stdout.write('No subscribers.\n');
        return;
      }
      for (const p of people) {
        const subs = p.subscriptions.map((s) => `${s.newsletter}:${s.status}`).join(' ') || '-';
        io.stdout.write(`${p.email}\t${p.name ?? ''}\t${p.status}\t${subs}\n`);
      }
      io.stdout.write(`${plural(people.length, 'subscriber')}\n`);
    });

  cmd
    .command('remove')
    .description("Delete a person's data: their record, subscriptions and send history")
    .argument('<email>', 'email address (any case: Ann@ and ann@ are one person)')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (raw: string, flags: { config?: string; db?: string }) => {
      const config = loadConfigFrom(flags);
      const address = normalizeEmail(raw);
      const removed = await withStore(flags, config, (store) => store.remove(address));
      if (!removed) {
        io.stderr.write(`daybreak: no subscriber ${address}\n`);
        throw new ExitStatus(EXIT.ERROR);
      }
      io.stdout.write(`Removed ${address} and all their data.\n`);
    });

  cmd
    .command('import')
    .description('Import a CSV with columns email,name[,timezone]; bad rows are reported by line and skipped; running it twice changes nothing')
    .argument('<file>', 'CSV file (RFC 4180; a header row naming email, name and timezone is optional)')
    .option('--newsletter <id>', 'newsletter id; repeat for several (default: the first newsletter)', collect)
    .option('--confirmed', 'mark the subscriptions confirmed (only for people who already agreed); without it they are added as pending and no confirmation email is sent')
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (file: string, flags: { newsletter?: string[]; confirmed?: boolean; config?: string; db?: string }) => {
      const config = loadConfigFrom(flags);
      const newsletters = newslettersFrom(config, flags.newsletter);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
      } catch (error) {
        throw new DaybreakError('EDATA', `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'not readable as UTF-8 text'}`);
      }
      const { records, errors } = parseCsv(text);
      const problems = errors.map((e) => ({ line: e.line, message: e.message }));
      let emailCol = 0;
      let nameCol = 1;
      let zoneCol = 2;
      const first = records[0];
      if (first && first.cells.some((c) => c.trim().toLowerCase() === 'email')) {
        emailCol = first.cells.findIndex((c) => c.trim().toLowerCase() === 'email');
        nameCol = first.cells.findIndex((c) => c.trim().toLowerCase() === 'name');
        zoneCol = first.cells.findIndex((c) => c.trim().toLowerCase() === 'timezone');
        records.shift();
      }
      const rows: { line: number; email: string; name: string | null; timezone: string | null }[] = [];
      for (const r of records) {
        const parsedEmail = EmailSchema.safeParse(r.cells[emailCol] ?? '');
        const parsedName = NameSchema.safeParse(nameCol >= 0 ? (r.cells[nameCol] ?? '') : '');
        const zoneCell = zoneCol >= 0 ? (r.cells[zoneCol] ?? '').trim() : '';
        const parsedZone = zoneCell === '' ? null : TimezoneSchema.safeParse(zoneCell);
        if (!parsedEmail.success) problems.push({ line: r.line, message: parsedEmail.error.issues[0]!.message });
        else if (!parsedName.success) problems.push({ line: r.line, message: parsedName.error.issues[0]!.message });
        else if (parsedZone && !parsedZone.success) problems.push({ line: r.line, message: parsedZone.error.issues[0]!.message });
        else rows.push({ line: r.line, email: parsedEmail.data, name: parsedName.data, timezone: parsedZone ? parsedZone.data! : null });
      }
      let added = 0;
      let updated = 0;
      let unchanged = 0;
      // Readers who got a subscription they have not confirmed: nobody mails them (a whole imported list
      // is not mailed on one command), so the output says what that leaves them as.
      let madePending = 0;
      await withStore(flags, config, async (store) => {
        const now = new Date();
        for (const row of rows) {
          const before = row.timezone === null ? undefined : await store.findByEmail(row.email);
          const outcome = await store.add({ email: row.email, name: row.name, newsletters, confirmed: !!flags.confirmed, source: `import:${file}`, timezone: row.timezone }, now);
          const rezoned = before !== undefined && before.timezone !== row.timezone;
          if (!flags.confirmed && outcome.changed.length > 0) madePending += 1;
          if (outcome.created) added += 1;
          else if (outcome.changed.length > 0 || outcome.renamed || rezoned) updated += 1;
          else unchanged += 1;
        }
      });
      problems.sort((a, b) => a.line - b.line);
      for (const p of problems) io.stderr.write(`${file}:${p.line}: ${p.message}\n`);
      io.stdout.write(`Imported ${file}: ${added} added, ${updated} updated, ${unchanged} unchanged, ${plural(problems.length, 'bad row')} skipped.\n`);
      if (madePending > 0) {
        io.stdout.write(
          `${plural(madePending, 'reader')} added as pending to ${newsletters.join(', ')}: no confirmation email was sent, so they get no editions yet. ` +
            'Pass --confirmed if they already agreed, or have them sign up (the sign-up page or `daybreak subscribers add EMAIL` sends the confirmation email).\n',
        );
      }
      if (problems.length > 0) throw new ExitStatus(EXIT.ERROR);
    });

  cmd
    .command('export')
    .description('Print subscribers as CSV (RFC 4180) to stdout, formula-looking cells quoted with a leading apostrophe')
    .option('--status <status>', `only people who are ${STATUSES.slice(0, 3).join('/')} or have a ${STATUSES.slice(3).join('/')} subscription`)
    .option('--config <file>', 'config file (default: $DAYBREAK_CONFIG or daybreak.config.json)')
    .option('--db <database>', DB_OPTION_HELP)
    .action(async (flags: { status?: string; config?: string; db?: string }) => {
      const config = loadConfigFrom(flags);
      const status = StatusFlag.safeParse(flags.status);
      if (!status.success) usage(status.error.issues[0]!.message);
      const people = await withStore(flags, config, (store) => store.list({ status: status.data }));
      io.stdout.write(
        toCsv([
          ['email', 'name', 'status', 'subscriptions', 'created_at', 'consent_at', 'consent_source', 'timezone'],
          ...people.map((p) => [
            p.email,
            p.name,
            p.status,
            p.subscriptions.map((s) => `${s.newsletter}:${s.status}`).join(' '),
            p.createdAt,
            p.consent.at,
            p.consent.source,
            p.timezone,
          ]),
        ]),
      );
    });
}
