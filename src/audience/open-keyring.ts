import { basename, dirname, extname, join } from 'node:path';
import { DaybreakError } from '../errors.ts';
import { createFileKeyring } from './file-keyring.ts';
import type { Keyring } from './keyring.ts';
import { secretKeyring } from './secret-keyring.ts';
import { secretFrom } from '../settings/index.ts';

/**
 * The key file that belongs to a database: beside it, named after it with `.secret` in place of its
 * extension: `var/daybreak.db` → `var/daybreak.secret`, `/srv/news.sqlite` → `/srv/news.secret`.
 * One per database, so every process that uses the database (from any working directory) signs with
 * the same keys.
 *
 * @example
 * keyringFileFor('var/daybreak.db'); // 'var/daybreak.secret'
 */
export function keyringFileFor(dbFile: string): string {
  if (dbFile === ':memory:' || dbFile === '') {
    throw new DaybreakError('ECONFIG', 'An in-memory database has no folder to keep its token keys in: set DAYBREAK_SECRET.');
  }
  const name = basename(dbFile);
  const stem = extname(name) ? name.slice(0, -extname(name).length) : name;
  return join(dirname(dbFile), `${stem}.secret`);
}

/**
 * The keyring a command uses: `DAYBREAK_SECRET` when set (one fixed key, shared by every machine that
 * sets it), else the keys in the database when the caller passes them (PostgreSQL), otherwise the key
 * file beside the SQLite database. `create` is for commands that write; one that
 * only reads gets an error naming the file rather than a new key.
 *
 * @example
 * const keyring = openKeyring({ env: process.env, dbFile: 'var/daybreak.db', create: true, onCreate: console.log });
 */
export function openKeyring(options: {
  env: NodeJS.ProcessEnv;
  dbFile: string;
  create: boolean;
  onCreate?: (message: string) => void;
  /**
   * The keys kept in the database itself, for a database with no folder of its own (PostgreSQL: every
   * machine must find the same keys). When given, no file is used.
   */
  inDatabase?: (options: { create: boolean; onCreate?: (message: string) => void }) => Keyring;
}): Keyring {
  const fromEnv = secretFrom(options.env);
  if (fromEnv !== undefined) return secretKeyring(fromEnv, 'DAYBREAK_SECRET');
  if (options.inDatabase) return options.inDatabase({ create: options.create, ...(options.onCreate ? { onCreate: options.onCreate } : {}) });
  return createFileKeyring(keyringFileFor(options.dbFile), {
    create: options.create,
    // Where the key lived before it moved beside the database: `secret` in the database's folder
    // (var/secret for the default var/daybreak.db).
    legacyFile: join(dirname(options.dbFile), 'secret'),
    ...(options.onCreate ? { onCreate: options.onCreate } : {}),
  });
}
