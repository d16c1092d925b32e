import { DaybreakError } from '../errors.ts';

/**
 * A storage failure a person can act on: which database, what went wrong, what to do. `EBUSY` is the one
 * callers treat specially (the web app answers 503 with Retry-After); every other code is an ordinary error.
 */
export function busyError(name: string, waitedMs: number): DaybreakError {
  return new DaybreakError(
    'EBUSY',
    `The database ${name} is locked by another process (waited ${Math.round(waitedMs / 1000)} s); try again shortly, or find what holds the lock`,
  );
}

const SQLITE_HINTS: Record<string, string> = {
  SQLITE_READONLY: 'the file or its folder is read-only: give this user write access to both',
  SQLITE_FULL: 'the disk is full: free some space, then run the command again (nothing was half-written)',
  SQLITE_CANTOPEN: 'the file cannot be opened: check the path and that its folder exists and is writable',
  SQLITE_CORRUPT: 'the file is damaged: restore it from a backup',
  SQLITE_NOTADB: 'the file is not a SQLite database: check DAYBREAK_DB, DATABASE_URL, --db or the config\'s `database`',
  SQLITE_IOERR: 'the disk reported an I/O error: check the disk and free space',
};

/** Turns a driver error into a DaybreakError that names the database and says what to do. */
export function storageError(name: string, error: unknown): Error {
  if (error instanceof DaybreakError) return error;
  const e = error as { code?: string; message?: string };
  const code = e.code ?? '';
  const hint = Object.entries(SQLITE_HINTS).find(([prefix]) => code.startsWith(prefix))?.[1];
  if (hint) return new DaybreakError('ESTORAGE', `Database ${name}: ${e.message ?? code} (${hint})`, { cause: error });
  // Refused, unknown host, bad password, no such database; or a connection lost on the way (the server
  // restarted, a proxy or the network dropped it), which pg reports without a code.
  const lost = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code) || /^Connection terminated/.test(e.message ?? '');
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000' || lost) {
    return new DaybreakError('ESTORAGE', `Cannot reach the database ${name}: ${e.message ?? code}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
