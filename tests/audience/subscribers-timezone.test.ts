import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/audience/index.ts';
import { registerSubscribers } from '../../src/cli/commands/subscribers.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

let dir: string;
let configFile: string;
let sink: SmtpSink;
let env: NodeJS.ProcessEnv;
const savedDb = process.env.DAYBREAK_DB;

beforeEach(async () => {
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'daybreak-cli-tz-'));
  configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { localTime: '06:00' } }] }));
  const { DAYBREAK_SECRET: _unused, ...rest } = process.env;
  env = { ...rest, DAYBREAK_DB: join(dir, 'db.sqlite'), SMTP_URL: sink.url };
  // list, import and export read the database from the process's environment.
  process.env.DAYBREAK_DB = join(dir, 'db.sqlite');
});
afterEach(async () => {
  process.env.DAYBREAK_DB = savedDb;
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const status = await runCli(argv, [(program) => registerSubscribers(program, io as never, env)], io as never);
  return { status, stdout, stderr };
}

const zones = async () => {
  const out = await cli('subscribers', 'list', '--json', '--config', configFile);
  return Object.fromEntries((JSON.parse(out.stdout) as { email: string; timezone: string | null }[]).map((p) => [p.email, p.timezone]));
};

describe('readers\' timezones in the CLI', () => {
  it('subscribers add --timezone stores the canonical IANA name, with or without --confirmed', async () => {
    expect((await cli('subscribers', 'add', 'ann@example.com', '--timezone', 'europe/london', '--confirmed', '--config', configFile)).status).toBe(0);
    expect((await cli('subscribers', 'add', 'bob@example.com', '--timezone', 'Asia/Tokyo', '--config', configFile)).status).toBe(0);
    const changed = await cli('subscribers', 'add', 'ann@example.com', '--timezone', 'America/Chicago', '--confirmed', '--config', configFile);
    expect(changed.stdout).toContain('timezone set to America/Chicago');
    expect(await zones()).toEqual({ 'ann@example.com': 'America/Chicago', 'bob@example.com': 'Asia/Tokyo' });
  });

  it('refuses a zone that is not IANA with a message naming it, and adds nobody', async () => {
    const out = await cli('subscribers', 'add', 'cy@example.com', '--timezone', 'Mars/Olympus_Mons', '--confirmed', '--config', configFile);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('--timezone: Unknown timezone "Mars/Olympus_Mons": expected an IANA name such as "Europe/London" or "America/New_York".');
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(await zones()).toEqual({});
  });

  it('imports a timezone column, reports a bad zone by line, and exports the column back', async () => {
    const csv = join(dir, 'readers.csv');
    writeFileSync(csv, 'email,timezone,name\r\nann@example.com,Europe/London,Ann\r\nbob@example.com,,Bob\r\ncy@example.com,Atlantis/Capital,Cy\r\n');
    const out = await cli('subscribers', 'import', csv, '--confirmed', '--config', configFile);
    expect(out.status).toBe(1);
    expect(out.stderr).toBe(`${csv}:4: Unknown timezone "Atlantis/Capital": expected an IANA name such as "Europe/London" or "America/New_York".\n`);
    expect(out.stdout).toContain('2 added');
    expect(await zones()).toEqual({ 'ann@example.com': 'Europe/London', 'bob@example.com': null });
    // A second import with a new zone updates it.
    writeFileSync(csv, 'email,name,timezone\r\nbob@example.com,Bob,America/Los_Angeles\r\n');
    expect((await cli('subscribers', 'import', csv, '--confirmed', '--config', configFile)).stdout).toContain('1 updated');
    const exported = await cli('subscribers', 'export', '--config', configFile);
    const { records } = parseCsv(exported.stdout);
    const header = records[0]!.cells;
    const zoneAt = header.indexOf('timezone');
    expect(zoneAt).toBeGreaterThan(0);
    expect(records.slice(1).map((r) => [r.cells[0], r.cells[zoneAt]])).toEqual([['ann@example.com', 'Europe/London'], ['bob@example.com', 'America/Los_Angeles']]);
    // What export writes, import reads back.
    const again = join(dir, 'again.csv');
    writeFileSync(again, exported.stdout);
    expect((await cli('subscribers', 'import', again, '--confirmed', '--config', configFile)).stdout).toContain('2 unchanged');
  });
});
