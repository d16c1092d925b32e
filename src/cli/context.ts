import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import {
  assembleEdition,
  datesWithArticles,
  isSkipped,
  loadConfig,
  loadContentFor,
  type Config,
  type Edition,
  type Newsletter,
  type SkippedEdition,
  windowEdgeNotes,
} from '../content/index.ts';
import { DaybreakError, isDaybreakError } from '../errors.ts';

/** Options every command accepts. Flags win over the environment, which wins over the defaults. */
export interface GlobalOptions {
  config?: string;
  data?: string;
  db?: string;
}

export const DEFAULT_DB_FILE = 'var/daybreak.db';

/** The `--db` flag's help, the same on every command that opens the database. */
export const DB_OPTION_HELP = 'database: a SQLite file or a postgres:// URL (default: $DATABASE_URL, $DAYBREAK_DB, the config\'s `database`, else var/daybreak.db)';

export const DEFAULT_DATA_DIR = 'data';

export function resolveConfigFile(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return opts.config ?? (env.DAYBREAK_CONFIG || undefined);
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
): string {
  if (opts.db) return opts.db;
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (env.DAYBREAK_DB) return env.DAYBREAK_DB;
  if (config?.database) {
    if (/^postgres(ql)?:\/\//i.test(config.database)) return config.database;
    return relativeToConfig(config.database, config.file);
  }
  return DEFAULT_DB_FILE;
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

export function loadConfigFrom(opts: GlobalOptions): Config & { file: string | null } {
  return loadConfig({ file: resolveConfigFile(opts) });
}

/**
 * The edition a command was asked for (`build`, `send`): reads the data folder for the config and
 * assembles the newsletter's edition for `date`. Asking for a date the newsletter skips is the caller's
 * mistake, so ENOEDITION becomes EUSAGE (exit 2), its message naming the next date it goes out.
 */
export function requestedEdition(options: {
  config: Config;
  newsletter: Newsletter;
  date: string;
  dataDir: string;
  /** Told, one line each, about data entries that were skipped (a folder named x.json, a FIFO…). */
  warn?: (line: string) => void;
  /** Local-time delivery: the instant the edition's first wave goes out (its window closes then). */
  closesAt?: Date;
  /** Told, one line each, which edition the articles near this edition's window fall in. */
  note?: (line: string) => void;
}): (Edition | SkippedEdition) & { datesWithArticles?: string[] } {
  const content = loadContentFor(options.dataDir, options.config);
  for (const line of content.skipped ?? []) options.warn?.(line);
  try {
    const edition = assembleEdition({
      config: options.config,
      content,
      newsletterId: options.newsletter.id,
      date: options.date,
      ...(options.closesAt ? { closesAt: options.closesAt } : {}),
    });
    if (options.note) for (const n of windowEdgeNotes(edition, content)) options.note(n.message);
    // A quiet day: say which days do have an edition, so the next try is not a guess.
    if (isSkipped(edition)) return { ...edition, datesWithArticles: datesWithArticles(options.config, content, options.newsletter.id) };
    return edition;
  } catch (error) {
    if (isDaybreakError(error, 'ENOEDITION')) throw new DaybreakError('EUSAGE', error.message, { cause: error });
    throw error;
  }
}

/** "Dates with articles: …" for a quiet day's message (at most the 10 nearest to `date`), or a hint. */
export function describeDatesWithArticles(dates: readonly string[], date: string): string {
  if (dates.length === 0) return 'No date has articles for this newsletter in the data folder yet.';
  const near = [...dates].sort((a, b) => Math.abs(Date.parse(a) - Date.parse(date)) - Math.abs(Date.parse(b) - Date.parse(date))).slice(0, 10).sort();
  return `Dates with articles: ${near.join(', ')}${dates.length > near.length ? ` (and ${dates.length - near.length} more)` : ''}; pick one with --date.`;
}

/** A TCP port from a flag or the environment (text): 0 picks a free one. `serve`, `preview` and `start` use it. */
export const PortSchema = z.coerce
  .number({ error: 'Expected a port number' })
  .int({ error: 'Expected a whole port number' })
  .min(0, { error: 'Expected a port between 0 and 65535' })
  .max(65535, { error: 'Expected a port between 0 and 65535' });
