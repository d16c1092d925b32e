/**
 * Builds the pieces and wires them together (issue 6): the database, the mailer, the tokens, the web app
 * with the archive and the preview mounted, and the scheduler with the real sender plugged in. What
 * `daybreak start` (and so `npm start`) runs, in one process.
 */
import { join } from 'node:path';
import { createTokens, maskAddresses, openKeyring, type Keyring, type Tokens } from './audience/index.ts';
import { resolveConfigFile, resolveDataDir, resolveDbFile } from './cli/context.ts';
import { loadConfig, loadContentFor, type Config } from './content/index.ts';
import { openDatabase, type Db } from './db/index.ts';
import { createMailer, createThreadedSendStore, type Mailer } from './delivery/index.ts';
import { createDeliverySender } from './schedule/delivery-sender.ts';
import { createScheduler, systemClock, type Clock, type NewsletterStatus, type Scheduler } from './schedule/index.ts';
import { createArchiveApp } from './web/archive-routes.ts';
import { createApp, createImageApp, startServer, type DaybreakApp, type RunningServer } from './web/index.ts';
import { createPreview, type Preview } from './web/preview-routes.ts';

export interface CreateDaybreakOptions {
  /** Config file; default `DAYBREAK_CONFIG`, else daybreak.config.json when present, else the defaults. */
  configFile?: string;
  /** Article folder; default `DAYBREAK_DATA`, else data/. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Where the database (unless DAYBREAK_DB) and the local Maildir live. Default var/. The token keys live
   * beside the database (keyringFileFor), or come from DAYBREAK_SECRET.
   */
  varDir?: string;
  /** The scheduler's clock (tests); default the system clock. */
  clock?: Clock;
  /** The current time, when only that is to be shifted (timers stay real durations); `clock` wins. */
  now?: () => Date;
  /** Mount the preview (/preview) and, with the local mail server, the mailbox (/inbox). Default true. */
  preview?: boolean;
  /** Where the scheduler and the web app report what they do. Default: stdout/stderr with a timestamp. */
  log?: (line: string) => void;
  /** How long a scheduled send waits for another process's lock on the same edition (default 2 min). */
  lockWaitMs?: number;
}

export interface Daybreak {
  config: Config;
  configFile: string | null;
  dataDir: string;
  dbFile: string;
  db: Db;
  mailer: Mailer;
  tokens: Tokens;
  /** Where the token keys live: the file beside the database, or DAYBREAK_SECRET. */
  keyring: Keyring;
  app: DaybreakApp;
  scheduler: Scheduler;
  preview: Preview | null;
  /** Starts the web server, then the scheduler (which catches up first). */
  start(options: { port: number; hostname?: string }): Promise<RunningServer>;
  /**
   * Graceful stop (SIGTERM/SIGINT): no new HTTP requests or sends; SMTP transactions in flight finish
   * (bounded by `timeoutMs`); unsent copies stay queued in the ledger; then the mailer and the database close.
   */
  stop(options?: { timeoutMs?: number }): Promise<{ finished: boolean }>;
  status(): NewsletterStatus[];
}

function timestamped(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/** When the ledger began: the database's first migration. Firings before it were not "missed". */
function ledgerSince(db: Db): Date | undefined {
  const row = db.prepare(`SELECT applied_at FROM schema_migrations WHERE id = '001-core'`).get() as { applied_at: string } | undefined;
  return row ? new Date(row.applied_at) : undefined;
}

/**
 * @example
 * const daybreak = await createDaybreak({ env: process.env });
 * const server = await daybreak.start({ port: 3000 });
 * process.once('SIGTERM', () => void daybreak.stop());
 */
export async function createDaybreak(options: CreateDaybreakOptions = {}): Promise<Daybreak> {
  const env = options.env ?? process.env;
  const varDir = options.varDir ?? 'var';
  const out = options.log ?? timestamped;
  // A send's error can quote a reader's address (a mail server's refusal); logs get a masked one.
  const log = (line: string) => out(maskAddresses(line));
  const configFile = options.configFile ?? resolveConfigFile({}, env);
  const config = loadConfig({ file: configFile });
  const dataDir = options.dataDir ?? resolveDataDir({}, env);
  // Every read names the config's newsletters, so a misspelt data/editions folder is reported, not ignored.
  const readContent = () => loadContentFor(dataDir, config);
  // Validate the articles once at start, so a broken data folder is an error now, not at 06:00.
  for (const line of readContent().skipped ?? []) log(`warning: ${line}`);
  const dbFile = env.DAYBREAK_DB ? resolveDbFile(env) : join(varDir, 'daybreak.db');
  const db = openDatabase(dbFile);
  // `start` writes (it sends and takes sign-ups), so it may make the first key, and says so.
  const keyring = openKeyring({ env, dbFile, create: true, onCreate: log });
  let tokens: Tokens;
  let secret: string;
  try {
    tokens = await createTokens(keyring);
    secret = (await keyring.current()).secret;
  } catch (error) {
    db.close();
    throw error;
  }
  const mailer = createMailer({ config, env, varDir });
  const now = options.now;
  const clock: Clock = options.clock ?? (now ? { ...systemClock, now } : systemClock);

  const sender = createDeliverySender({
    db,
    config,
    transport: mailer,
    secret,
    unsubscribeUrlFor: (subscriberId, newsletterId) => tokens.unsubscribeUrl(config.baseUrl, subscriberId, newsletterId),
    // A hand-run `daybreak send` of the same edition holds its lock: wait for it to finish, then send
    // whatever it left (usually nothing), rather than fail the run.
    lockWaitMs: options.lockWaitMs ?? 120_000,
    // The ledger's commits (an fsync each) on a worker thread, off the thread that serves the web app.
    openStore: () => createThreadedSendStore(dbFile),
  });
  const since = ledgerSince(db);
  const scheduler = createScheduler({
    db,
    config,
    loadContent: readContent,
    sender,
    clock,
    log,
    ...(since ? { ledgerSince: since } : {}),
  });

  const preview =
    options.preview === false
      ? null
      : createPreview({ dataDir, ...(configFile ? { configFile } : {}), mailer, watch: true });
  const mounts = [
    { path: '/archive', app: createArchiveApp({ config, db, loadContent: readContent }) },
    // The pictures shipped with the data (articles name them /images/<file>; the emails load them here).
    { path: '/images', app: createImageApp(join(dataDir, 'images')) },
    ...(preview?.mounts ?? []),
  ];
  const app = createApp({
    config,
    db,
    mailer,
    tokens,
    now: () => clock.now(),
    mount: mounts,
    health: () => ({ newsletters: scheduler.status() }),
    log: (message, error) => log(`web: ${message}${error ? ` ${error instanceof Error ? error.message : String(error)}` : ''}`),
  });

  let server: RunningServer | null = null;
  let stopped: Promise<{ finished: boolean }> | null = null;

  return {
    config,
    configFile: config.file,
    dataDir,
    dbFile,
    db,
    mailer,
    tokens,
    keyring,
    app,
    scheduler,
    preview,
    status: () => scheduler.status(),
    async start({ port, hostname }) {
      // The server first: a port in use must fail the start before the scheduler sends anything.
      server = await startServer(app, { port, ...(hostname ? { hostname } : {}) });
      await scheduler.start();
      return server;
    },
    stop({ timeoutMs = 30_000 } = {}) {
      stopped ??= (async () => {
        const closing = server?.close();
        const result = await scheduler.stop({ timeoutMs });
        await closing;
        await app.audience.drain();
        preview?.close();
        await mailer.close();
        db.close();
        return result;
      })();
      return stopped;
    },
  };
}
