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

/** The part of an open store the keyring needs: its engine, and the keys it can keep itself. */
export interface KeyringStore {
  engine: 'sqlite' | 'postgres';
  keyring(options: { create: boolean; onCreate?: (message: string) => void }): Keyring;
}

/**
 * The keyring a command uses: `DAYBREAK_SECRET` when set (one fixed key, shared by every machine that
 * sets it), else, for a PostgreSQL store, the keys in the database itself (every machine must find the
 * same keys), otherwise the key file beside the SQLite database. `create` is for commands that write;
 * one that only reads gets an error naming the file rather than a new key.
 *
 * @example
 * const keyring = openKeyring({ env: process.env, dbFile: 'var/daybreak.db', create: true, onCreate: console.log });
 */
export function openKeyring(options: {
  env: NodeJS.ProcessEnv;
  dbFile: string;
  create: boolean;
  onCreate?: (message: string) => void;
  /** The open store, when the caller has one: on PostgreSQL its keys are used and no file is. */
  store?: KeyringStore | null;
}): Keyring {
  const fromEnv = secretFrom(options.env);
  if (fromEnv !== undefined) return secretKeyring(fromEnv, 'DAYBREAK_SECRET');
  if (options.store?.engine === 'postgres') return options.store.keyring({ create: options.create, ...(options.onCreate ? { onCreate: options.onCreate } : {}) });
  return createFileKeyring(keyringFileFor(options.dbFile), {
    create: options.create,
    // Where the key lived before it moved beside the database: `secret` in the database's folder
    // (var/secret for the default var/daybreak.db).
    legacyFile: join(dirname(options.dbFile), 'secret'),
    ...(options.onCreate ? { onCreate: options.onCreate } : {}),
  });
}
