import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerBuild } from '../../src/cli/commands/build.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { articleJson } from '../content/fixtures.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daybreak-build-notes-'));
  writeFileSync(join(dir, 'daybreak.config.json'), JSON.stringify({
    dataDir: 'data',
    newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'America/New_York' } }],
  }));
  mkdirSync(join(dir, 'data', 'articles'), { recursive: true });
  const article = (id: string, publishedAt: string) => articleJson({ id, publishedAt, url: `https://news.example.com/${id}` });
  writeFileSync(join(dir, 'data', 'articles', 'week.json'), JSON.stringify([
    article('early-edition', '2026-12-07T05:00:00-05:00'),
    article('just-missed', '2026-12-07T06:30:00-05:00'),
    article('afternoon', '2026-12-09T14:00:00-05:00'),
  ]));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function build(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const status = await runCli(['build', '--config', join(dir, 'daybreak.config.json'), '--out', join(dir, 'out'), ...args], [(p) => registerBuild(p, io)], { stderr: io.stderr as never });
  return { status, stdout, stderr };
}

describe('daybreak build near a window edge', () => {
  it('says on stderr which edition an article just after the window is in, and --json stays one object on stdout', async () => {
    const { status, stdout, stderr } = await build(['--date', '2026-12-07', '--json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout).articles.map((a: { id: string }) => a.id)).toEqual(['early-edition']);
    expect(stderr).toBe('note: article just-missed (06:30 Dec 7) belongs to the Dec 8 edition; the Dec 7 window closed at 06:00 (America/New_York)\n');
  });

  it('on an empty day names the articles of that day that went to the next edition, beside the dates that have articles', async () => {
    const { status, stdout, stderr } = await build(['--date', '2026-12-09']);
    expect(status).toBe(0);
    expect(stdout).toContain('morning 2026-12-09: no articles in this edition\'s window; nothing written.');
    expect(stdout).toContain('Dates with articles: 2026-12-07, 2026-12-08, 2026-12-10');
    expect(stderr).toBe('note: article afternoon (14:00 Dec 9) belongs to the Dec 10 edition; the Dec 9 window closed at 06:00 (America/New_York)\n');
  });

  it('prints no note when nothing is near an edge', async () => {
    const { status, stderr } = await build(['--date', '2026-12-10']);
    expect(status).toBe(0);
    expect(stderr).toBe('');
  });
});
