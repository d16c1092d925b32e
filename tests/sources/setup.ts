/** A temp data folder, a config with the given sources, and helpers to read what `daybreak fetch` wrote. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema, type Config } from '../../src/content/index.ts';

export interface World {
  dir: string;
  dataDir: string;
  config(sources: Record<string, unknown>[], more?: Record<string, unknown>): Config;
  /** The article files of one source folder, by file name. */
  written(source: string): Record<string, Record<string, unknown>>;
  cleanup(): void;
}

export function makeWorld(): World {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-sources-'));
  const dataDir = join(dir, 'data');
  mkdirSync(join(dataDir, 'articles'), { recursive: true });
  return {
    dir,
    dataDir,
    config: (sources, more = {}) =>
      ConfigSchema.parse({
        newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
        sources,
        ...more,
      }),
    written(source) {
      const folder = join(dataDir, 'articles', source);
      if (!existsSync(folder)) return {};
      return Object.fromEntries(
        readdirSync(folder)
          .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
          .sort()
          .map((n) => [n, JSON.parse(readFileSync(join(folder, n), 'utf8')) as Record<string, unknown>]),
      );
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
