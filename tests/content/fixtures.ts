/**
 * Fixtures for the content tests: a data folder written into a fresh temp directory, and valid articles
 * to bend one field at a time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigSchema, type Config } from '../../src/content/index.ts';

/** A valid article as it would sit in a JSON file (no defaults filled in). */
export function articleJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'harbor-ferry-vote',
    kicker: 'Speed read',
    headline: 'Council approves the harbor ferry plan',
    dek: 'The vote was 7 to 2. Service starts in the spring.',
    url: 'https://news.example.com/2026/11/30/harbor-ferry-vote',
    publishedAt: '2026-11-30T04:12:00-05:00',
    ...overrides,
  };
}

/**
 * Writes `files` (path relative to the folder → JSON value, or a string written as is) into a new temp
 * folder and returns it. `cleanup` removes it.
 *
 * @example
 * const data = tempData({ 'articles/a.json': [articleJson()] });
 * loadContent(data.dir);
 */
export function tempData(files: Record<string, unknown>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-content-'));
  for (const [path, value] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs `fn` with the working directory set to `dir`, so messages name files the way a user in the project
 * folder sees them (`data/articles/x.json`). The tests run in forked processes, where chdir is allowed.
 */
export function inDir<T>(dir: string, fn: () => T): T {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(before);
  }
}

/** A morning briefing at 06:00 New York and a weekly Sunday letter at 08:00, as in the sample config. */
export function twoNewsletters(overrides: { morning?: Record<string, unknown>; weekly?: Record<string, unknown> } = {}): Config {
  return ConfigSchema.parse({
    newsletters: [
      { id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' }, ...overrides.morning },
      { id: 'weekly', name: 'The Good News Weekly', schedule: { cron: '0 8 * * 0', timezone: 'America/New_York' }, ...overrides.weekly },
    ],
  });
}
