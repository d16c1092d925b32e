/**
 * The exit statuses docs/deliverability.md gives for `daybreak check` when there is no report to make:
 * nothing to check is a question asked wrongly (2), like the other usage errors.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerCheck } from '../../src/cli/commands/check.ts';
import { runCli } from '../../src/cli/run-cli.ts';

const root = join(import.meta.dirname, '../..');

async function check(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const status = await runCli(['check', '--config', join(root, 'daybreak.config.json'), '--data', join(root, 'data'), ...argv], [(program) => registerCheck(program, io as never)], io as never);
  return { status, stdout, stderr };
}

describe('daybreak check without an edition to check', () => {
  it('exits 2 and says there is nothing to check when the edition has no articles, printing no report even with --json', async () => {
    const out = await check('--date', '2020-01-01', '--json');
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("morning 2020-01-01: no articles in this edition's window, so there is nothing to check.");
    expect(out.stdout).toBe('');
  });

  it('names the dates that have articles on a quiet day, in the words build uses', async () => {
    // The sample data: the good-news stories of the week before, then three daily briefings.
    const DATES = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01'];
    const out = await check('--date', '2026-06-01');
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      `daybreak: morning 2026-06-01: no articles in this edition's window, so there is nothing to check.\nDates with articles: ${DATES.join(', ')}; pick one with --date.\n`,
    );
  });

  it('says no date has articles yet when the data folder has none for the newsletter', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'daybreak-check-empty-'));
    try {
      mkdirSync(join(empty, 'articles'));
      const out = await check('--date', '2026-12-01', '--data', empty);
      expect(out.status).toBe(2);
      expect(out.stderr).toContain('\nNo date has articles for this newsletter in the data folder yet.\n');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('exits 2 for a date the newsletter does not go out on, an unknown newsletter and an impossible date', async () => {
    expect((await check('--newsletter', 'good-news', '--date', '2026-11-30')).status).toBe(2);
    expect((await check('--newsletter', 'nope')).status).toBe(2);
    expect((await check('--date', '2026-02-30')).status).toBe(2);
  });
});
