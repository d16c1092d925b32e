import { existsSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../content/index.ts';
import { DaybreakError } from '../errors.ts';

/**
 * Every environment variable Daybreak reads, with what it means: the one place the environment is
 * consulted. Everything else is handed the values it needs: the command line (src/cli) and main.ts hand
 * `process.env` down as an `env` object, and the functions below read it, falling back to `process.env`
 * themselves when a caller passes none.
 */
export const ENVIRONMENT = {
  DAYBREAK_CONFIG: 'config file (default daybreak.config.json in the working directory)',
  DAYBREAK_DATA: "data folder (default: the config's dataDir, else data/)",
  DATABASE_URL: 'PostgreSQL database (postgres://…); wins over DAYBREAK_DB',
  DAYBREAK_DB: "SQLite database file (default: the config's database, else var/daybreak.db)",
  DAYBREAK_LOCK_WAIT: 'seconds a command waits for a database another process has locked (default 30)',
  DAYBREAK_SECRET: 'one fixed key for tokens and Message-IDs, instead of the keys kept with the database',
  SMTP_URL: 'SMTP server for real mail (default: the local mail server and its Maildir)',
  PORT: 'port of the web server (default: web.port, else 3000)',
  DAYBREAK_ALLOW_INSECURE_LINKS: 'set to 1: send real mail even though baseUrl is not https (as --allow-insecure-links)',
  DAYBREAK_SPAM_CHECK: 'set to off: skip the SpamAssassin check of the pre-send gate',
  PATH: 'where the pre-send gate looks for SpamAssassin (spamassassin, else spamc)',
} as const;

/** Whether insecure (non-https) links were allowed from the environment. */
export function insecureLinksAllowedFrom(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DAYBREAK_ALLOW_INSECURE_LINKS === '1';
}

/** Whether the SpamAssassin check was turned off from the environment. */
export function spamCheckOffFrom(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DAYBREAK_SPAM_CHECK === 'off';
}

/** The SMTP server mail goes to, or undefined for the local mail server. */
export function smtpUrlFrom(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.SMTP_URL?.trim() || undefined;
}

/** The fixed token key from the environment, or undefined when the keys live with the database. */
export function secretFrom(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.DAYBREAK_SECRET;
  return value === undefined || value === '' ? undefined : value;
}

/** The folders programs are looked for in (PATH), in order. */
export function searchPathFrom(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
}

/** The web server's port as written in the environment (checked by the caller), if any. */
export function portFrom(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.PORT || undefined;
}

/** Options every command accepts. Flags win over the environment, which wins over the defaults. */
export interface GlobalOptions {
  config?: string;
  data?: string;
  db?: string;
}

/** Where Daybreak keeps its state by default (the SQLite database, its keys, the local mail server's Maildir). */
export const DEFAULT_VAR_DIR = 'var';

/** The database when nothing names one: the SQLite file in the var folder. */
export const DEFAULT_DB_FILE = `${DEFAULT_VAR_DIR}/daybreak.db`;

/**
 * The default SQLite file in another var folder (an embedded Daybreak given its own `varDir`).
 *
 * @example
 * dbFileIn('/srv/news/var'); // '/srv/news/var/daybreak.db'
 */
export function dbFileIn(varDir: string): string {
  return join(varDir, 'daybreak.db');
}

/** The `--db` flag's help, the same on every command that opens the database. */
export const DB_OPTION_HELP = 'database: a SQLite file or a postgres:// URL (default: $DATABASE_URL, $DAYBREAK_DB, the config\'s `database`, else var/daybreak.db)';

export const DEFAULT_DATA_DIR = 'data';

/** The config file a publisher's folder has (the loader's default). */

/**
 * Which config file a command reads: `--config`, else `DAYBREAK_CONFIG`, else daybreak.config.json in the
 * working directory (undefined: the loader reads that default, or takes the built-in settings when there
 * is none). A command run in a folder below a publisher's folder would otherwise make a second, empty
 * database and mail as the built-in sample publisher, so a daybreak.config.json in a parent folder is
 * refused with a usage error that says where to run.
 *
 * @example
 * resolveConfigFile({ config: 'site/daybreak.config.json' }) // 'site/daybreak.config.json'
 */
export function resolveConfigFile(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | undefined {
  const named = opts.config ?? (env.DAYBREAK_CONFIG || undefined);
  if (named !== undefined || existsSync(join(cwd, DEFAULT_CONFIG_FILE))) return named;
  for (let dir = dirname(resolve(cwd)); ; dir = dirname(dir)) {
    const above = join(dir, DEFAULT_CONFIG_FILE);
    if (existsSync(above)) {
      throw new DaybreakError('EUSAGE', `No ${DEFAULT_CONFIG_FILE} in ${resolve(cwd)}, but there is one above it (${above}): run daybreak in ${dir}, or pass --config ${above}`);
    }
    if (dirname(dir) === dir) return undefined;
  }
}


/**
 * Which data folder a command reads: `--data`, else `DAYBREAK_DATA`, else the config's `dataDir` (relative
 * to the config file, like `database`, so a publisher's folder works from anywhere), else data/.
 *
 * @example
 * resolveDataDir({}, {}, { dataDir: 'data', file: '/srv/news/daybreak.config.json' }) // '/srv/news/data'
 */
export function resolveDataDir(
  opts: Pick<GlobalOptions, 'data'>,
  env: NodeJS.ProcessEnv = process.env,
  config?: { dataDir?: string | undefined; file?: string | null },
): string {
  if (opts.data) return opts.data;
  if (env.DAYBREAK_DATA) return env.DAYBREAK_DATA;
  if (config?.dataDir) return relativeToConfig(config.dataDir, config.file);
  return DEFAULT_DATA_DIR;
}

/** A path written in the config file, as seen from the working directory. */
function relativeToConfig(path: string, file: string | null | undefined): string {
  return isAbsolute(path) || !file ? path : join(dirname(file), path);
}

/** The `--data` flag's help, the same on every command that reads the data folder. */
export const DATA_OPTION_HELP = "data folder (default: $DAYBREAK_DATA, the config's `dataDir`, else data/)";

/**
 * Which database a command uses, a SQLite path or a postgres:// URL: `--db`, else `DATABASE_URL`, else
 * `DAYBREAK_DB`, else the config's `database` (a relative path there is relative to the config file, so
 * every command run with that config finds the same file), else var/daybreak.db.
 *
 * @example
 * resolveDatabase({ db: undefined }, { DATABASE_URL: 'postgres://localhost/daybreak' }, config) // 'postgres://…'
 */
export function resolveDatabase(
  opts: Pick<GlobalOptions, 'db'>,
  env: NodeJS.ProcessEnv = process.env,
  config?: { database?: string | undefined; file?: string | null },
  /** The file when nothing names one (the embedded default). */
  defaultFile: string = DEFAULT_DB_FILE,
): string {
  if (opts.db) return opts.db;
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (env.DAYBREAK_DB) return env.DAYBREAK_DB;
  if (config?.database) {
    if (/^postgres(ql)?:\/\//i.test(config.database)) return config.database;
    return relativeToConfig(config.database, config.file);
  }
  return defaultFile;
}

/**
 * How long a command waits for a database another process has locked before it gives up (EBUSY, exit
 * 75): `DAYBREAK_LOCK_WAIT` in seconds, default 30.
 */
export function resolveLockWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.DAYBREAK_LOCK_WAIT);
  return env.DAYBREAK_LOCK_WAIT && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 30_000;
}

/** The database as a person may see it: a PostgreSQL URL without its password. */
export function describeDatabase(database: string): string {
  if (!/^postgres(ql)?:\/\//i.test(database)) return database;
  try {
    const u = new URL(database);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

