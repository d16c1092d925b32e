import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** The state file's name inside `articles/<source>/`: a dot file, so loading articles skips it. */
export const STATE_FILE = '.daybreak-source.json';

const ItemState = z.object({
  /** The file's name inside the source's folder. */
  file: z.string(),
  /** SHA-256 of the bytes fetch last wrote: a file whose bytes differ was changed by hand. */
  hash: z.string(),
  firstSeen: z.string(),
  url: z.string(),
});

const StateSchema = z.object({
  version: z.literal(1),
  /** The validators of the last full read, and the mapping they were read under (a config change re-reads). */
  http: z.object({ etag: z.string().nullable(), lastModified: z.string().nullable(), fingerprint: z.string() }).nullable(),
  items: z.record(z.string(), ItemState),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.object({ at: z.string(), message: z.string() }).nullable(),
  consecutiveFailures: z.number().int().nonnegative(),
});

export type SourceState = z.infer<typeof StateSchema>;
export type ItemRecord = z.infer<typeof ItemState>;

/**
 * The state of a source never read.
 *
 * @example
 * const state = existsSync(path) ? readState(folder) : emptyState();
 */
export function emptyState(): SourceState {
  return { version: 1, http: null, items: {}, lastAttemptAt: null, lastSuccessAt: null, lastError: null, consecutiveFailures: 0 };
}

/**
 * A source's fetch state from `<folder>/.daybreak-source.json`. Missing or unreadable state starts
 * afresh: nothing is lost, since a file that is already there is never overwritten without its hash.
 *
 * @example
 * const state = readState('data/articles/ledger');
 */
export function readState(folder: string): SourceState {
  const path = join(folder, STATE_FILE);
  if (!existsSync(path)) return emptyState();
  try {
    const result = StateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return result.success ? result.data : emptyState();
  } catch {
    return emptyState();
  }
}

/**
 * Writes the state through a temporary file and a rename, so a crash leaves the old state or the new.
 *
 * @example
 * writeState('data/articles/ledger', { ...state, lastSuccessAt: new Date().toISOString() });
 */
export function writeState(folder: string, state: SourceState): void {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, STATE_FILE);
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, path);
}
