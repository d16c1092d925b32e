/**
 * Builds the pieces and wires them together: the database, the mailer, the tokens, the web app
 * with the archive and the preview mounted, and the scheduler with the real sender plugged in. What
 * `daybreak start` (and so `npm start`) runs, in one process.
 */
import { join } from 'node:path';
import { createTokens, maskAddresses, openKeyring, type Keyring, type Tokens } from './audience/index.ts';
import { DEFAULT_VAR_DIR, dbFileIn, describeDatabase, resolveConfigFile, resolveDataDir, resolveDatabase } from './settings/index.ts';
import { DEFAULT_INBOUND_RETENTION_DAYS, SOFT_BOUNCE_WINDOW_DAYS, loadConfig, loadContentFor, type Config } from './content/index.ts';
import { createMailer, sendingPolicy, type Mailer } from './delivery/index.ts';
import { createDeliverySender, type DeliverySenderOptions } from './schedule/index.ts';
import { createScheduler, systemClock, type Clock, type NewsletterStatus, type Scheduler } from './schedule/index.ts';
import { openStore, openThreadedSendStore, type Store } from './storage/index.ts';
import { archiveCopy, createApp, createArchiveApp, createImageApp, createWebhookApp, startServer, type DaybreakApp, type RunningServer } from './web/index.ts';
import { createPreview, type Preview } from './preview/index.ts';
import { createSourcePoller } from './sources/index.ts';
import {
  createInboundProcessor,
  inboundAddressesFor,
  startImapReader,
  startInboundRetention,
  startInboundServer,
  type ImapReader,
  type InboundProcessor,
  type InboundRetention,
  type InboundServer,
} from './inbound/index.ts';

export interface CreateDaybreakOptions {
  /** Config file; default `DAYBREAK_CONFIG`, else daybreak.config.json when present, else the defaults. */
  configFile?: string;
  /** Article folder; default `DAYBREAK_DATA`, else the config's `dataDir`, else data/. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Where the database (unless named otherwise) and the local Maildir live. Default var/. The token keys
   * live beside a SQLite database (keyringFileFor), in a PostgreSQL database, or come from DAYBREAK_SECRET.
   */
  varDir?: string;
  /** The database (SQLite path or postgres:// URL); default `--db`/DATABASE_URL/DAYBREAK_DB/config, else <varDir>/daybreak.db. */
  database?: string;
  /** How often to look for editions other instances are sending, to join them (default 5 s). */
  joinPollMs?: number;
  /** The scheduler's clock (tests); default the system clock. */
  clock?: Clock;
  /** The current time, when only that is to be shifted (timers stay real durations); `clock` wins. */
  now?: () => Date;
  /** Mount the preview (/preview) and, with the local mail server, the mailbox (/inbox). Default true. */
  preview?: boolean;
  /** Where the scheduler and the web app report what they do. Default: stdout/stderr with a timestamp. */
  log?: (line: string) => void;
  /** How long a sign-up or unsubscribe waits for a locked database before answering 503 (default 5 s). */
  webBusyTimeoutMs?: number;
  /** Send real mail even though baseUrl is not https (default: DAYBREAK_ALLOW_INSECURE_LINKS=1). */
  allowInsecureLinks?: boolean;
}

export interface Daybreak {
  config: Config;
  configFile: string | null;
  dataDir: string;
  /** The database as it may be shown (no password). */
  database: string;
  /** The web app's connection (sign-ups, the archive, /healthz). */
  store: Store;
  /** The scheduler's and sender's connection. */
  sendStore: Store;
  mailer: Mailer;
  tokens: Tokens;
  /** Where the token keys live: the file beside the database, or DAYBREAK_SECRET. */
  keyring: Keyring;
  app: DaybreakApp;
  scheduler: Scheduler;
  preview: Preview | null;
  /** Bounces, complaints and unsubscribe mails: what the inbound listener and the webhooks feed. */
  inbound: InboundProcessor;
  /** The inbound SMTP listener once started (with `inbound` in the config and no `inbound.imap`), else null. */
  inboundServer(): InboundServer | null;
  /** The IMAP mailbox reader once started (with `inbound.imap` in the config), else null. */
  imapReader(): ImapReader | null;
  /** Starts the web server, then the scheduler (which catches up first). */
  start(options: { port: number; hostname?: string }): Promise<RunningServer>;
  /**
   * Graceful stop (SIGTERM/SIGINT): no new HTTP requests or sends; SMTP transactions in flight finish
   * (bounded by `timeoutMs`); unsent copies stay queued in the ledger; then the mailer and the database close.
   */
  stop(options?: { timeoutMs?: number }): Promise<{ finished: boolean }>;
  status(): Promise<NewsletterStatus[]>;
}

/**
 * What `start` and `worker` give the edition sender alike: the mailer, the reader's links, the inbound
 * addresses, and the archive's copy kept from the edition the sender rendered.
 */
function senderOptions(o: {
  config: Config;
  tokens: Tokens;
  secret: string;
  mailer: Mailer;
  archive: Store['archive'];
  log: (line: string) => void;
  addresses: Awaited<ReturnType<typeof inboundAddressesFor>>;
}): Omit<DeliverySenderOptions, 'sends'> {
  const { config, tokens } = o;
  return {
    config,
    transport: o.mailer,
    secret: o.secret,
    unsubscribeUrlFor: (subscriberId, newsletterId) => tokens.unsubscribeUrl(config.baseUrl, subscriberId, newsletterId),
    manageUrlFor: (subscriberId) => tokens.manageUrl(config.baseUrl, subscriberId),
    keepForArchive: (newsletter, date, rendered) => o.archive.keep(archiveCopy(rendered, newsletter, config, date, new Date())),
    log: (line) => o.log(`warning: ${line}`),
    ...o.addresses?.senderOptions,
  };
}

function timestamped(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/**
 * The keyring (in the database on PostgreSQL, beside the SQLite file otherwise) with the link tokens and
 * the current secret it gives. When that fails (no key yet for a worker, an unreadable keyring), the
 * stores already open are closed before the error goes on, so nothing is left holding the database.
 */
async function openSigningKeys(o: {
  env: NodeJS.ProcessEnv;
  database: string;
  store: Store;
  /** Stores opened beside `store`, closed with it when this fails. */
  others?: Store[];
  create: boolean;
  onCreate?: (line: string) => void;
}): Promise<{ keyring: Keyring; tokens: Tokens; secret: string }> {
  const keyring = openKeyring({
    env: o.env,
    dbFile: o.database,
    create: o.create,
    ...(o.onCreate ? { onCreate: o.onCreate } : {}),
    store: o.store,
  });
  try {
    return { keyring, tokens: await createTokens(keyring), secret: (await keyring.current()).secret };
  } catch (error) {
    for (const store of [o.store, ...(o.others ?? [])]) await store.close();
    throw error;
  }
}

/**
 * @example
 * const daybreak = await createDaybreak({ env: process.env });
 * const server = await daybreak.start({ port: 3000 });
 * process.once('SIGTERM', () => void daybreak.stop());
 */
export async function createDaybreak(options: CreateDaybreakOptions = {}): Promise<Daybreak> {
  const env = options.env ?? process.env;
  const varDir = options.varDir ?? DEFAULT_VAR_DIR;
  const out = options.log ?? timestamped;
  // A send's error can quote a reader's address (a mail server's refusal); logs get a masked one.
  const log = (line: string) => out(maskAddresses(line));
  const configFile = options.configFile ?? resolveConfigFile({}, env);
  const config = loadConfig({ file: configFile });
  const policy = sendingPolicy({ config, env, ...(options.allowInsecureLinks !== undefined ? { allowInsecureLinks: options.allowInsecureLinks } : {}) });
  for (const warning of policy.warnings) log(`warning: ${warning}`);
  const dataDir = options.dataDir ?? resolveDataDir({}, env, config);
  // Every read names the config's newsletters, so a misspelt data/editions folder is reported, not ignored.
  const readContent = () => loadContentFor(dataDir, config);
  // Validate the articles once at start, so a broken data folder is an error now, not at 06:00.
  for (const line of readContent().skipped ?? []) log(`warning: ${line}`);
  const database = options.database ?? resolveDatabase({}, env, config, dbFileIn(varDir));
  // Two connections: the web's waits at most a few seconds for a lock (then answers 503), the sender's
  // waits as long as a send may.
  const store = await openStore({ database, busyTimeoutMs: options.webBusyTimeoutMs ?? 5000 });
  let sendStore: Store;
  try {
    sendStore = await openStore({ database, busyTimeoutMs: 60_000 });
  } catch (error) {
    await store.close();
    throw error;
  }
  // `start` writes (it sends and takes sign-ups), so it may make the first key, and says so.
  const { keyring, tokens, secret } = await openSigningKeys({ env, database, store, others: [sendStore], create: true, onCreate: log });
  const mailer = createMailer({ config, env, varDir });
  const now = options.now;
  const clock: Clock = options.clock ?? (now ? { ...systemClock, now } : systemClock);
  const addresses = await inboundAddressesFor(config, keyring);
  const inbound = createInboundProcessor({
    store: store.inbound,
    addresses: addresses?.addresses ?? null,
    policy: { softBounceLimit: config.inbound?.softBounceLimit ?? 3, windowDays: SOFT_BOUNCE_WINDOW_DAYS },
    log,
  });

  // On SQLite the ledger's commits (an fsync each) run on a thread of their own, off the thread that
  // serves the web app and drives the SMTP connections.
  const ledger = sendStore.engine === 'sqlite' ? await openThreadedSendStore(database, { busyTimeoutMs: 60_000 }) : null;
  const sender = createDeliverySender({
    ...senderOptions({ config, tokens, secret, mailer, archive: sendStore.archive, log, addresses }),
    sends: ledger ?? sendStore.sends,
    gate: { enabled: true, realMail: policy.realMail && !policy.allowInsecureLinks, env },
  });
  const since = await sendStore.runs.since();
  const scheduler = createScheduler({
    runs: sendStore.runs,
    joinPollMs: options.joinPollMs ?? 5000,
    // A run whose holder stops beating for as long as a copy's lease is taken over by another instance.
    leaseMs: config.delivery.leaseSeconds * 1000,
    config,
    loadContent: readContent,
    sender,
    clock,
    log,
    ...(since ? { ledgerSince: since } : {}),
  });

  // Feeds and CMS sources are read on their own timers; a failing one shows in /healthz, it stops nothing.
  const sources = createSourcePoller({ config, dataDir, log });

  const preview =
    options.preview === false
      ? null
      : createPreview({ dataDir, ...(configFile ? { configFile } : {}), mailer, watch: true });
  const mounts = [
    { path: '/archive', app: createArchiveApp({ config, archive: store.archive, loadContent: readContent }) },
    // The pictures shipped with the data (articles name them /images/<file>; the emails load them here).
    { path: '/images', app: createImageApp(join(dataDir, 'images')) },
    // Sending services' bounce and complaint events, each checked against its configured key.
    { path: '/webhooks', app: createWebhookApp({ config, processor: inbound, log }) },
    ...(preview?.mounts ?? []),
  ];
  const app = createApp({
    config,
    store,
    mailer,
    tokens,
    now: () => clock.now(),
    mount: mounts,
    health: async () => ({ newsletters: await scheduler.status(), sources: sources.status() }),
    log: (message, error) => log(`web: ${message}${error ? ` ${error instanceof Error ? error.message : String(error)}` : ''}`),
  });

  let server: RunningServer | null = null;
  let inboundServer: InboundServer | null = null;
  let imapReader: ImapReader | null = null;
  let retention: InboundRetention | null = null;
  let stopped: Promise<{ finished: boolean }> | null = null;

  return {
    config,
    configFile: config.file,
    dataDir,
    database: describeDatabase(database),
    store,
    sendStore,
    mailer,
    tokens,
    keyring,
    app,
    scheduler,
    preview,
    inbound,
    inboundServer: () => inboundServer,
    imapReader: () => imapReader,
    status: () => scheduler.status(),
    async start({ port, hostname }) {
      // The servers first: a port in use must fail the start before the scheduler sends anything.
      server = await startServer(app, { port, ...(hostname ? { hostname } : {}) });
      if (config.inbound?.imap) {
        // A mailbox instead of an MX: the domain's mail lands elsewhere, so there is nothing to listen for.
        imapReader = startImapReader({
          processor: inbound,
          ...config.inbound.imap,
          domain: config.inbound.domain,
          maxMessageBytes: config.inbound.maxMessageBytes,
          log,
        });
      } else if (config.inbound) {
        try {
          inboundServer = await startInboundServer({
            processor: inbound,
            host: config.inbound.host,
            port: config.inbound.port,
            maxMessageBytes: config.inbound.maxMessageBytes,
            name: config.inbound.domain,
            log,
          });
        } catch (error) {
          await server.close();
          throw error;
        }
      }
      if (config.inbound || config.webhooks) {
        // What the listener and the webhooks keep is deleted after inbound.retentionDays, now and hourly.
        retention = startInboundRetention({ store: store.inbound, retentionDays: config.inbound?.retentionDays ?? DEFAULT_INBOUND_RETENTION_DAYS, log });
      }
      app.audience.startMail();
      await scheduler.start();
      sources.start();
      return server;
    },
    stop({ timeoutMs = 30_000 } = {}) {
      stopped ??= (async () => {
        const closing = server?.close();
        const closingInbound = inboundServer?.close();
        const closingImap = imapReader?.close();
        const result = await scheduler.stop({ timeoutMs });
        await closingInbound;
        await closingImap;
        await retention?.close();
        await sources.stop();
        await closing;
        await app.audience.close();
        preview?.close();
        await mailer.close();
        await ledger?.close();
        await store.close();
        await sendStore.close();
        return result;
      })();
      return stopped;
    },
  };
}

export interface DaybreakWorker {
  config: Config;
  database: string;
  mailer: Mailer;
  scheduler: Scheduler;
  start(): Promise<void>;
  stop(options?: { timeoutMs?: number }): Promise<{ finished: boolean }>;
}

/**
 * The sending part alone (`daybreak worker`): no web app, no firing of its own. It looks for editions the
 * schedulers on the same database are sending and claims copies of them through the ledger, so a
 * publisher can run the web on one machine and K workers on others.
 *
 * @example
 * const worker = await createWorker({ env: process.env, database: 'postgres://…' });
 * await worker.start();
 */
export async function createWorker(options: CreateDaybreakOptions & { pollMs?: number } = {}): Promise<DaybreakWorker> {
  const env = options.env ?? process.env;
  const varDir = options.varDir ?? DEFAULT_VAR_DIR;
  const log = options.log ?? timestamped;
  const configFile = options.configFile ?? resolveConfigFile({}, env);
  const config = loadConfig({ file: configFile });
  for (const warning of sendingPolicy({ config, env, ...(options.allowInsecureLinks !== undefined ? { allowInsecureLinks: options.allowInsecureLinks } : {}) }).warnings) log(`warning: ${warning}`);
  const dataDir = options.dataDir ?? resolveDataDir({}, env, config);
  const readContent = () => loadContentFor(dataDir, config);
  readContent();
  const database = options.database ?? resolveDatabase({}, env, config);
  const store = await openStore({ database, busyTimeoutMs: 60_000 });
  // A worker signs unsubscribe links with the keys the web created; it never makes one of its own.
  const { keyring, tokens, secret } = await openSigningKeys({ env, database, store, create: false });
  const mailer = createMailer({ config, env, varDir });
  const addresses = await inboundAddressesFor(config, keyring);
  const sender = createDeliverySender({
    ...senderOptions({ config, tokens, secret, mailer, archive: store.archive, log, addresses }),
    sends: store.sends,
  });
  const scheduler = createScheduler({
    runs: store.runs,
    config,
    loadContent: readContent,
    sender,
    log,
    role: 'worker',
    joinPollMs: options.pollMs ?? options.joinPollMs ?? 2000,
  });
  let stopped: Promise<{ finished: boolean }> | null = null;
  return {
    config,
    database: describeDatabase(database),
    mailer,
    scheduler,
    start: () => scheduler.start(),
    stop({ timeoutMs = 30_000 } = {}) {
      stopped ??= (async () => {
        const result = await scheduler.stop({ timeoutMs });
        await mailer.close();
        await store.close();
        return result;
      })();
      return stopped;
    },
  };
}
