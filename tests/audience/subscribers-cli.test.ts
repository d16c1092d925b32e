import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/audience/index.ts';
import { registerSubscribers } from '../../src/cli/commands/subscribers.ts';
import { runCli } from '../../src/cli/run-cli.ts';

let dir: string;
let configFile: string;
const savedDb = process.env.DAYBREAK_DB;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daybreak-cli-'));
  process.env.DAYBREAK_DB = join(dir, 'db.sqlite');
  configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ newsletters: [{ id: 'morning', name: 'The Morning Briefing' }, { id: 'good-news', name: 'Good News', schedule: { cron: '0 8 * * 0' } }] }),
  );
});
afterEach(() => {
  process.env.DAYBREAK_DB = savedDb;
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const status = await runCli(argv, [(program) => registerSubscribers(program, io as never)], io as never);
  return { status, stdout, stderr };
}

async function list() {
  const out = await cli('subscribers', 'list', '--json');
  expect(out.status).toBe(0);
  return JSON.parse(out.stdout) as { email: string; name: string | null; status: string; subscriptions: { newsletter: string; status: string }[] }[];
}

describe('daybreak subscribers', () => {
  it('adds, lists as JSON, and removes a subscriber', async () => {
    expect((await cli('subscribers', 'add', ' Ann@Example.COM', '--name', 'Ann', '--newsletter', 'morning', '--newsletter', 'good-news', '--confirmed', '--config', configFile)).status).toBe(0);
    expect((await cli('subscribers', 'add', 'bob@example.com', '--config', configFile)).status).toBe(0);
    expect(await list()).toEqual([
      { email: 'Ann@example.com', name: 'Ann', status: 'active', subscriptions: [{ newsletter: 'good-news', status: 'confirmed' }, { newsletter: 'morning', status: 'confirmed' }] },
      { email: 'bob@example.com', name: null, status: 'active', subscriptions: [{ newsletter: 'morning', status: 'pending' }] },
    ]);
    const pending = await cli('subscribers', 'list', '--status', 'pending', '--json');
    expect(JSON.parse(pending.stdout).map((p: { email: string }) => p.email)).toEqual(['bob@example.com']);
    expect((await cli('subscribers', 'remove', 'nobody@example.com')).status).toBe(1);
    // Stored as given, but found whatever the case of the local part.
    expect((await cli('subscribers', 'remove', 'ann@EXAMPLE.com')).stdout).toContain('Removed ann@example.com');
    expect((await list()).map((p) => p.email)).toEqual(['bob@example.com']);
  });

  it('adds Ann@ and ann@ as one person, and says when it updates the name', async () => {
    expect((await cli('subscribers', 'add', 'Ann@example.com', '--config', configFile)).stdout).toContain('Added Ann@example.com: morning pending');
    const again = await cli('subscribers', 'add', 'ann@example.com', '--name', 'Ann', '--newsletter', 'good-news', '--config', configFile);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Updated ann@example.com: name set to "Ann"; good-news pending');
    expect(await list()).toEqual([
      { email: 'Ann@example.com', name: 'Ann', status: 'active', subscriptions: [{ newsletter: 'morning', status: 'pending' }, { newsletter: 'good-news', status: 'pending' }] },
    ]);
    expect((await cli('subscribers', 'add', 'ANN@example.com', '--config', configFile)).stdout).toContain('nothing changed');
    expect((await list())[0]!.name).toBe('Ann');
  });

  it('list, remove and export accept --config and refuse a config file that does not exist', async () => {
    await cli('subscribers', 'add', 'a@example.com', '--config', configFile);
    for (const argv of [['list'], ['export']]) {
      expect((await cli('subscribers', ...argv, '--config', configFile)).status).toBe(0);
    }
    for (const argv of [['list'], ['remove', 'a@example.com'], ['export']]) {
      const missing = await cli('subscribers', ...argv, '--config', join(dir, 'missing.json'));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('missing.json: config file not found');
    }
    expect((await list()).map((p) => p.email)).toEqual(['a@example.com']);
    expect((await cli('subscribers', 'remove', 'a@example.com', '--config', configFile)).status).toBe(0);
    expect(await list()).toEqual([]);
  });

  it('refuses a bad address, an unknown newsletter and an unknown status with usage errors', async () => {
    expect(await cli('subscribers', 'add', 'not-an-address', '--config', configFile)).toMatchObject({ status: 2 });
    const unknown = await cli('subscribers', 'add', 'a@example.com', '--newsletter', 'nope', '--config', configFile);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown newsletter "nope"');
    expect((await cli('subscribers', 'list', '--status', 'sleepy')).status).toBe(2);
    expect(await list()).toEqual([]);
  });

  it('imports good rows, reports bad ones by line, and changes nothing the second time', async () => {
    const file = join(dir, 'list.csv');
    writeFileSync(file, 'email,name\nann@example.com,Ann\nnot-an-email,Bob\n"cat@example.com","Cat, the Great"\n\ndan@example.com,' + 'x'.repeat(101) + '\nEve@Example.com,\n');
    const first = await cli('subscribers', 'import', file, '--confirmed', '--config', configFile);
    expect(first.status).toBe(1);
    expect(first.stderr).toContain(`${file}:3: "not-an-email" is missing an @`);
    expect(first.stderr).toContain(`${file}:6: Your name is too long`);
    expect(first.stdout).toContain('3 added, 0 updated, 0 unchanged, 2 bad rows skipped');
    const before = await list();
    expect(before.map((p) => [p.email, p.name])).toEqual([['ann@example.com', 'Ann'], ['cat@example.com', 'Cat, the Great'], ['Eve@example.com', null]]);
    const second = await cli('subscribers', 'import', file, '--confirmed', '--config', configFile);
    expect(second.stdout).toContain('0 added, 0 updated, 3 unchanged, 2 bad rows skipped');
    expect(await list()).toEqual(before);
  });

  it('reports a missing import file', async () => {
    const out = await cli('subscribers', 'import', join(dir, 'missing.csv'), '--config', configFile);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('file not found');
  });

  it('exports RFC 4180 CSV with formula-looking cells defused', async () => {
    await cli('subscribers', 'add', 'ann@example.com', '--name', '=HYPERLINK("http://evil.test","click")', '--confirmed', '--config', configFile);
    await cli('subscribers', 'add', 'bob@example.com', '--name', '@SUM(1+1)', '--config', configFile);
    await cli('subscribers', 'add', 'cat@example.com', '--name', 'Lee, Cat', '--config', configFile);
    const out = await cli('subscribers', 'export');
    expect(out.status).toBe(0);
    expect(out.stdout.split('\r\n')[0]).toBe('email,name,status,subscriptions,created_at,consent_at,consent_source');
    expect(out.stdout).toContain(`ann@example.com,"'=HYPERLINK(""http://evil.test"",""click"")",active,morning:confirmed,`);
    expect(out.stdout).toContain(`bob@example.com,'@SUM(1+1),active,morning:pending,`);
    const { records } = parseCsv(out.stdout);
    expect(records.map((r) => r.cells[1])).toEqual(['name', `'=HYPERLINK("http://evil.test","click")`, "'@SUM(1+1)", 'Lee, Cat']);
    const confirmed = await cli('subscribers', 'export', '--status', 'confirmed');
    expect(parseCsv(confirmed.stdout).records.map((r) => r.cells[0])).toEqual(['email', 'ann@example.com']);
  });
});
