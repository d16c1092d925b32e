import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { projectUrl } from '../project-root.ts';

export {
  DB_OPTION_HELP,
  DATA_OPTION_HELP,
  DEFAULT_DATA_DIR,
  DEFAULT_DB_FILE,
  DEFAULT_VAR_DIR,
  describeDatabase,
  resolveConfigFile,
  resolveDataDir,
  resolveDatabase,
  resolveLockWaitMs,
  type GlobalOptions,
} from '../settings/index.ts';
import { resolveConfigFile, type GlobalOptions } from '../settings/index.ts';

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

/**
 * How to run Daybreak from `dir`, for a command a person is told to type: `npx daybreak` finds this
 * package's bin only inside the package's own folder tree; elsewhere the bin is named by its path.
 *
 * @example
 * daybreakCommand(process.cwd()); // 'npx daybreak' in the checkout
 */
export function daybreakCommand(dir: string): string {
  const root = fileURLToPath(projectUrl('.'));
  const inside = !relative(root, resolve(dir)).startsWith('..');
  return inside ? 'npx daybreak' : `node ${fileURLToPath(projectUrl('bin/daybreak.js'))}`;
}
