import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { DaybreakError } from '../errors.ts';
import { FIRST_KEY_ID, KEY_ID, type Key, type Keyring } from './keyring.ts';
import { MIN_SECRET_LENGTH } from './secret-keyring.ts';

export interface FileKeyringOptions {
  /**
   * May `current()` make the first key when the file does not exist? Only commands that write (send,
   * serve, start, subscribers add, secret rotate) pass true: one that only reads must not leave a key
   * behind that nobody asked for, nor sign with a key no other process will know.
   */
  create: boolean;
  /**
   * A key file from before key ids (one line, the secret), imported as key `k0` when the keyring is
   * first made, so links mailed with it keep working and Message-IDs stay the same.
   */
  legacyFile?: string;
  /** Told, in a sentence for a person, when the keyring makes or imports a key (never silent). */
  onCreate?: (message: string) => void;
  /** How long `rotate` waits for another rotation's lock. Default 5 s. */
  lockWaitMs?: number;
}

const KeyringFile = z.strictObject({
  format: z.literal('daybreak-keyring/1'),
  current: z.string().regex(KEY_ID),
  keys: z
    .array(
      z.strictObject({
        id: z.string().regex(KEY_ID),
        secret: z.string().min(MIN_SECRET_LENGTH),
        createdAt: z.string().optional(),
        importedFrom: z.string().optional(),
      }),
    )
    .min(1),
});
type KeyringFile = z.infer<typeof KeyringFile>;

/** Errors that mean "the disk is full" in one form or another (ENOSPC, a quota, a file-size limit). */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT') return `the disk is full (${e.code})`;
  if (e?.code === 'EFBIG') return `the file size limit was reached (EFBIG)`;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `permission denied (${e.code})`;
  if (e?.code === 'EROFS') return `the file system is read-only (EROFS)`;
  return e?.code ? `${e.code}` : String((error as Error)?.message ?? error);
}

/**
 * A keyring kept in one JSON file (mode 0600) beside the database, e.g. `var/daybreak.secret` for
 * `var/daybreak.db`. Every write is atomic: a temporary file in the same folder, fsync, then rename (or
 * link, when creating, so two processes starting at once agree on one key), then fsync of the folder; a
 * full disk leaves the old file (or no file) in place, never a half-written one. Every error names the file.
 *
 * @example
 * const keyring = createFileKeyring('var/daybreak.secret', { create: true, legacyFile: 'var/secret' });
 * const key = await keyring.current();
 */
export function createFileKeyring(file: string, options: FileKeyringOptions): Keyring {
  let cached: KeyringFile | null = null;

  const read = (): KeyringFile | null => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new DaybreakError('ECONFIG', `Could not read the token key file ${file}: ${reason(error)}.`, { cause: error });
    }
    if (text.trim() === '') {
      throw new DaybreakError(
        'ECONFIG',
        `The token key file ${file} is empty: a write that never finished (a full disk?) left it so. If no email with links has gone out from this database, delete it and start again; otherwise restore it from a backup, as every link already mailed was signed with the key it held.`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DaybreakError('ECONFIG', `The token key file ${file} is not valid JSON; restore it from a backup (links already mailed were signed with its keys).`);
    }
    const parsed = KeyringFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DaybreakError('ECONFIG', `The token key file ${file} is not a Daybreak keyring: ${issue.path.join('.') || '(top)'}: ${issue.message}.`);
    }
    if (!parsed.data.keys.some((k) => k.id === parsed.data.current)) {
      throw new DaybreakError('ECONFIG', `The token key file ${file} names "${parsed.data.current}" as its current key but holds no key with that id.`);
    }
    cached = parsed.data;
    return parsed.data;
  };

  const syncFolder = () => {
    // The rename is durable only once the folder's entry is on disk too.
    let fd: number | undefined;
    try {
      fd = openSync(dirname(file), 'r');
      fsyncSync(fd);
    } catch {
      // Some file systems refuse fsync on a folder; the file's own fsync already happened.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };

  /** Writes `data` atomically. `exclusive`: only if no file exists yet (false when another process won). */
  const write = (data: KeyringFile, exclusive: boolean): boolean => {
    const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      mkdirSync(dirname(file), { recursive: true });
      const fd = openSync(tmp, 'wx', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(data, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (exclusive) {
        try {
          linkSync(tmp, file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
          throw error;
        }
      } else {
        renameSync(tmp, file);
      }
      syncFolder();
      cached = data;
      return true;
    } catch (error) {
      const hint = NO_SPACE.has((error as NodeJS.ErrnoException).code ?? '') ? ' Free some space and run the command again.' : '';
      throw new DaybreakError('EIO', `Could not write the token key file ${file}: ${reason(error)}. Nothing was changed.${hint}`, { cause: error });
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        // renamed away already, or never made
      }
    }
  };

  const newKey = (id: string): KeyringFile['keys'][number] => ({ id, secret: randomBytes(32).toString('base64url'), createdAt: new Date().toISOString() });

  /** The first contents: the old single-key file imported as k0 when it holds a usable key, else a new k1. */
  const firstContents = (): { data: KeyringFile; message: string } => {
    let legacy: string | null = null;
    let legacyNote = '';
    if (options.legacyFile) {
      try {
        legacy = readFileSync(options.legacyFile, 'utf8').trim();
      } catch {
        legacy = null;
      }
      if (legacy !== null && legacy.length < MIN_SECRET_LENGTH) {
        // The old code could leave this file empty on a full disk; nothing was ever signed with it then,
        // as every start refused a short secret.
        legacyNote = ` (${options.legacyFile} was ignored: it holds no usable key, so no link was ever signed with it)`;
        legacy = null;
      }
    }
    if (legacy !== null) {
      const data: KeyringFile = {
        format: 'daybreak-keyring/1',
        current: FIRST_KEY_ID,
        keys: [{ id: FIRST_KEY_ID, secret: legacy, createdAt: new Date().toISOString(), importedFrom: options.legacyFile! }],
      };
      return { data, message: `Moved the token key from ${options.legacyFile} into ${file} (key ${FIRST_KEY_ID}); links already mailed keep working. Keep ${file} with the database.` };
    }
    const data: KeyringFile = { format: 'daybreak-keyring/1', current: 'k1', keys: [newKey('k1')] };
    return { data, message: `Created the token key file ${file} (key k1)${legacyNote}. Keep it with the database and back it up with it: every link in the emails is signed with it.` };
  };

  const missing = () =>
    new DaybreakError(
      'ENOKEY',
      `There is no token key yet: ${file} does not exist. It is made by the first \`daybreak start\`, \`serve\` or \`send\` for this database (or \`daybreak secret rotate\`); if this database has sent mail before, the file was moved or deleted: restore it beside the database.`,
    );

  const ensure = (): KeyringFile => {
    const existing = cached ?? read();
    if (existing) return existing;
    if (!options.create) throw missing();
    const { data, message } = firstContents();
    if (write(data, true)) {
      options.onCreate?.(message);
      return data;
    }
    // Another process made it first: use theirs.
    return read()!;
  };

  const withLock = async <T>(fn: () => T): Promise<T> => {
    const lock = `${file}.lock`;
    const deadline = Date.now() + (options.lockWaitMs ?? 5000);
    for (;;) {
      try {
        mkdirSync(dirname(file), { recursive: true });
        closeSync(openSync(lock, 'wx', 0o600));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new DaybreakError('EIO', `Could not lock the token key file ${file} (${lock}): ${reason(error)}.`, { cause: error });
        }
        if (Date.now() > deadline) {
          throw new DaybreakError('EIO', `The token key file ${file} is locked by another rotation (${lock}). If none is running, delete ${lock} and try again.`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      return fn();
    } finally {
      try {
        unlinkSync(lock);
      } catch {
        // already gone
      }
    }
  };

  const asKey = (k: KeyringFile['keys'][number]): Key => ({ id: k.id, secret: k.secret, ...(k.createdAt ? { createdAt: k.createdAt } : {}) });

  return {
    async current() {
      const data = ensure();
      return asKey(data.keys.find((k) => k.id === data.current)!);
    },
    async byId(id) {
      if (!KEY_ID.test(id)) return undefined;
      let found = (cached ?? read())?.keys.find((k) => k.id === id);
      // A key made by a rotation in another process since this one last read the file.
      if (!found && cached) found = read()?.keys.find((k) => k.id === id);
      return found ? asKey(found) : undefined;
    },
    rotate() {
      return withLock(() => {
        if (!read()) {
          const made = ensure();
          if (made.current !== FIRST_KEY_ID) return asKey(made.keys[0]!);
        }
        const data = read()!;
        const next = Math.max(...data.keys.map((k) => Number(k.id.slice(1)))) + 1;
        const key = newKey(`k${next}`);
        write({ ...data, current: key.id, keys: [...data.keys, key] }, false);
        return asKey(key);
      });
    },
    async list() {
      const data = cached ?? read();
      if (!data) throw missing();
      return data.keys.map((k) => ({ id: k.id, ...(k.createdAt ? { createdAt: k.createdAt } : {}), current: k.id === data.current }));
    },
    describe: () => file,
  };
}
