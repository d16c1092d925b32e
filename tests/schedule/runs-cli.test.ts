import { afterEach, describe, expect, it } from 'vitest';
import { registerRuns } from '../../src/cli/commands/runs.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { tempDb } from './fixtures.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function seeded() {
  const t = tempDb();
  cleanups.push(t.cleanup);
  const insert = t.db.prepare(`INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, finished_at, reason, total, sent, failed, deferred, skipped)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  insert.run('morning', '2026-11-29', 'done', '2026-11-29T11:00:00.000Z', '2026-11-29T11:00:00.000Z', '2026-11-29T11:00:09.000Z', null, 120, 118, 1, 1, 0);
  insert.run('morning', '2026-11-30', 'missed', '2026-11-30T11:00:00.000Z', '2026-11-30T15:00:00.000Z', '2026-11-30T15:00:00.000Z', 'not running at 06:00; past the 180-minute grace window', 0, 0, 0, 0, 0);
  insert.run('good-news', '2026-11-29', 'skipped', '2026-11-29T13:00:00.000Z', '2026-11-29T13:00:00.000Z', '2026-11-29T13:00:00.000Z', 'no articles published between …', 0, 0, 0, 0, 0);
  return t;
}

/** Copies of morning's 2026-12-01 edition in the send ledger, one per state, for subscribers 1, 2, … */
function sendsOf(t: ReturnType<typeof seeded>, states: string[]): void {
  const copy = t.db.prepare(`INSERT INTO sends (newsletter, edition_date, subscriber_id, state, message_id, queued_at, updated_at)
    VALUES ('morning', '2026-12-01', ?, ?, ?, '2026-12-01T11:00:01.000Z', '2026-12-01T11:00:02.000Z')`);
  states.forEach((state, i) => copy.run(i + 1, state, `m${i}`));
}

async function runs(args: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) } };
  const status = await runCli(['runs', ...args], [(p) => registerRuns(p, io, env)], { stderr: { write: (s: string) => ((stderr += s), true) } as never });
  return { status, stdout, stderr };
}

describe('daybreak runs', () => {
  it('prints recent runs as JSON, newest edition first, with state, counts, times and reason', async () => {
    const t = seeded();
    const { status, stdout } = await runs(['--json'], { DAYBREAK_DB: t.file });
    expect(status).toBe(0);
    const list = JSON.parse(stdout);
    expect(list.map((r: { newsletter: string; date: string; state: string }) => `${r.date} ${r.newsletter} ${r.state}`)).toEqual([
      '2026-11-30 morning missed',
      '2026-11-29 good-news skipped',
      '2026-11-29 morning done',
    ]);
    expect(list[2]).toEqual({
      newsletter: 'morning', date: '2026-11-29', state: 'done', scheduledAt: '2026-11-29T11:00:00.000Z',
      startedAt: '2026-11-29T11:00:00.000Z', finishedAt: '2026-11-29T11:00:09.000Z',
      total: 120, sent: 118, failed: 1, deferred: 1, skipped: 0, expired: 0, reason: null,
    });
  });

  it('filters by newsletter and state, and prints one line per run for people', async () => {
    const t = seeded();
    const json = await runs(['--json', '--newsletter', 'morning', '--state', 'done'], { DAYBREAK_DB: t.file });
    expect(JSON.parse(json.stdout)).toHaveLength(1);
    const human = await runs([], { DAYBREAK_DB: t.file });
    expect(human.stdout.trim().split('\n')).toEqual([
      '2026-11-30  morning    missed   2026-11-30 15:00 UTC  not running at 06:00; past the 180-minute grace window',
      '2026-11-29  good-news  skipped  2026-11-29 13:00 UTC  no articles published between …',
      '2026-11-29  morning    done     2026-11-29 11:00 UTC  118/120 sent, 1 failed, 1 deferred',
    ]);
  });

  it('shows a running run\'s counts as the send ledger has them now, since the run row gets them only at its end', async () => {
    const t = seeded();
    t.db.prepare(`INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, total, sent, failed, deferred, skipped)
      VALUES ('morning', '2026-12-01', 'running', '2026-12-01T11:00:00.000Z', '2026-12-01T11:00:01.000Z', 0, 0, 0, 0, 0)`).run();
    sendsOf(t, ['sent', 'sent', 'sent', 'deferred', 'queued', 'queued']);
    const human = await runs(['--newsletter', 'morning', '--limit', '1'], { DAYBREAK_DB: t.file });
    expect(human.stdout.trim()).toBe('2026-12-01  morning  running  2026-12-01 11:00 UTC  3/6 sent, 1 deferred');
    const json = JSON.parse((await runs(['--json', '--limit', '1'], { DAYBREAK_DB: t.file })).stdout);
    expect(json[0]).toMatchObject({ date: '2026-12-01', state: 'running', total: 6, sent: 3, failed: 0, deferred: 1, skipped: 0 });
  });

  it('tells copies that expired (their wave\'s time passed) apart from readers skipped, as the send ledger has them', async () => {
    const t = seeded();
    t.db.prepare(`INSERT INTO runs (newsletter, edition_date, state, scheduled_at, started_at, finished_at, reason, total, sent, failed, deferred, skipped)
      VALUES ('morning', '2026-12-01', 'done', '2026-12-01T11:00:00.000Z', '2026-12-01T11:00:01.000Z', '2026-12-01T18:00:00.000Z', NULL, 6, 3, 0, 0, 3)`).run();
    // One reader unsubscribed before their copy (skipped); two readers' wave was missed (expired).
    sendsOf(t, ['sent', 'sent', 'sent', 'skipped', 'expired', 'expired']);
    const human = await runs(['--newsletter', 'morning', '--limit', '1'], { DAYBREAK_DB: t.file });
    expect(human.stdout.trim()).toBe('2026-12-01  morning  done     2026-12-01 18:00 UTC  3/6 sent, 1 skipped, 2 expired');
    const json = JSON.parse((await runs(['--json', '--limit', '1'], { DAYBREAK_DB: t.file })).stdout);
    // `skipped` keeps its meaning (every copy not sent on purpose, expired ones included); `expired` says how many of those expired.
    expect(json[0]).toMatchObject({ date: '2026-12-01', state: 'done', total: 6, sent: 3, skipped: 3, expired: 2 });
  });

  it('says a filter matched none, with how many runs there are without it, instead of "no runs yet"', async () => {
    const t = seeded();
    const env = { DAYBREAK_DB: t.file };
    const held = await runs(['--state', 'held'], env);
    expect(held.status).toBe(0);
    expect(held.stdout).toBe('No held runs (3 runs in all; drop --state to see them).\n');
    expect((await runs(['--newsletter', 'evening'], env)).stdout).toBe('No runs for evening (3 runs in all; drop --newsletter to see them).\n');
    expect((await runs(['--newsletter', 'good-news', '--state', 'done'], env)).stdout).toBe('No done runs for good-news (1 run for good-news; drop --state to see it).\n');
    expect((await runs(['--newsletter', 'evening', '--state', 'done'], env)).stdout)
      .toBe('No done runs for evening (3 runs in all, none for evening; drop --newsletter and --state to see them).\n');
    expect(JSON.parse((await runs(['--json', '--state', 'held'], env)).stdout)).toEqual([]);
  });

  it('says so when there are no runs, and rejects a bad --state or --limit with exit 2', async () => {
    const t = tempDb();
    cleanups.push(t.cleanup);
    expect((await runs([], { DAYBREAK_DB: t.file })).stdout).toBe('No runs yet: `daybreak start` records one per scheduled edition.\n');
    expect((await runs(['--state', 'held'], { DAYBREAK_DB: t.file })).stdout).toBe('No runs yet: `daybreak start` records one per scheduled edition.\n');
    const bad = await runs(['--state', 'sleeping'], { DAYBREAK_DB: t.file });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('daybreak: --state: Unknown state "sleeping"; expected one of running, done, skipped, missed, failed, held\n');
    expect((await runs(['--limit', 'ten'], { DAYBREAK_DB: t.file })).status).toBe(2);
  });
});
