/**
 * A publisher's first minutes, as they type them: `daybreak init` makes a folder, and every command run
 * inside it finds its config, data folder and database without a flag or an environment variable.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDate } from '../../src/content/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/daybreak.js');
const run = promisify(execFile);

/** The environment with none of Daybreak's own variables, so only the folder's config decides. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['DAYBREAK_CONFIG', 'DAYBREAK_DATA', 'DAYBREAK_DB', 'DATABASE_URL', 'DAYBREAK_SECRET', 'SMTP_URL']) delete env[key];
  return env;
}

async function daybreak(cwd: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env: cleanEnv() });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'daybreak-init-e2e-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('daybreak init, then commands in the new folder', () => {
  it('builds the edition with no flags at all when the samples are dated for today\'s edition', async () => {
    const today = localDate(new Date(), 'UTC');
    const made = await daybreak(tmp, ['init', 'newsroom', '--timezone', 'UTC', '--date', today]);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(made.stdout).toContain('Then, in newsroom:');

    const folder = join(tmp, 'newsroom');
    const built = await daybreak(folder, ['build', '--json']);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const result = JSON.parse(built.stdout) as { date: string; articles: Array<{ id: string }>; files: { html: string } };
    expect(result.date).toBe(today);
    expect(result.articles.map((a) => a.id)).toEqual([`${today}-welcome`, `${today}-how-it-works`]);
    expect(readFileSync(join(folder, result.files.html), 'utf8')).toContain('Welcome to The Newsroom Morning Briefing');
  });

  it('keeps the database in the folder\'s var/ (the config\'s database key) and refuses a second init with exit 2', async () => {
    const made = await daybreak(tmp, ['init', 'acme', '--timezone', 'UTC', '--json']);
    expect(made.status).toBe(0);
    const { edition } = JSON.parse(made.stdout) as { edition: { date: string } };
    const folder = join(tmp, 'acme');

    // The default init dates the samples for the next edition: build names it with --date.
    const built = await daybreak(folder, ['build', '--date', edition.date, '--json']);
    expect(built.status).toBe(0);
    expect((JSON.parse(built.stdout) as { articles: unknown[] }).articles).toHaveLength(2);

    const added = await daybreak(folder, ['subscribers', 'add', 'ann@example.com', '--confirmed']);
    expect(added.status).toBe(0);
    expect(existsSync(join(folder, 'var', 'daybreak.db'))).toBe(true);
    const listed = await daybreak(folder, ['subscribers', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ email: 'ann@example.com', status: 'active' }]);

    const again = await daybreak(tmp, ['init', 'acme']);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('acme already has daybreak.config.json');
    expect(again.stderr).not.toMatch(/\n\s+at /);
  });
});
