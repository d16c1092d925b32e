import type { Config } from '../content/index.ts';
import { sourceFolder } from './fetch-sources.ts';
import { readState } from './source-state.ts';

/** One source as `daybreak sources --json` and `/healthz` show it. */
export interface SourceStatus {
  id: string;
  type: string;
  url: string;
  every: string;
  /** "ok" after a successful read, "failing" after a failed one, "never" before the first. */
  state: 'ok' | 'failing' | 'never';
  items: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: { at: string; message: string } | null;
  consecutiveFailures: number;
  /** Only while `daybreak start` polls: when the next read is due. */
  nextPollAt?: string | null;
}

/**
 * What each configured source's state file says: when it was last read, whether that worked, how many
 * items it has written. Read from disk, so `daybreak sources` run beside `daybreak start` sees its polls.
 *
 * @example
 * for (const s of sourceStatuses(config, 'data')) console.log(s.id, s.state);
 */
export function sourceStatuses(config: Pick<Config, 'sources'>, dataDir: string): SourceStatus[] {
  return config.sources.map((source) => {
    const state = readState(sourceFolder(dataDir, source.id));
    return {
      id: source.id,
      type: source.type ?? 'feed',
      url: source.url,
      every: source.every,
      state: state.lastAttemptAt === null ? 'never' : state.lastError ? 'failing' : 'ok',
      items: Object.keys(state.items).length,
      lastAttemptAt: state.lastAttemptAt,
      lastSuccessAt: state.lastSuccessAt,
      lastError: state.lastError,
      consecutiveFailures: state.consecutiveFailures,
    };
  });
}
