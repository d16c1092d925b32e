/**
 * `--date` is checked by one schema (src/cli/date-flag.ts) in every command that takes it, and the
 * message repeats what the user typed.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerBuild } from '../../src/cli/commands/build.ts';
import { registerCheck } from '../../src/cli/commands/check.ts';
import { registerInit } from '../../src/cli/commands/init.ts';
import { registerSend } from '../../src/cli/commands/send.ts';
import { runCli } from '../../src/cli/run-cli.ts';

const root = join(import.meta.dirname, '../..');
const config = join(root, 'daybreak.config.json');
// Somewhere harmless for each command to write, were the flag let through.
const scratch = mkdtempSync(join(tmpdir(), 'daybreak-date-flag-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const COMMANDS: Array<[string, (program: Command, io: never) => void, string[]]> = [
  ['build', registerBuild as never, ['--config', config, '--out', join(scratch, 'out')]],
  ['check', registerCheck as never, ['--config', config]],
  ['send', registerSend as never, ['--config', config, '--dry-run', '--db', join(scratch, 'daybreak.db')]],
  ['init', registerInit as never, [join(scratch, 'init')]],
];

async function run(command: string, register: (program: Command, io: never) => void, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const status = await runCli([command, ...argv], [(program) => register(program, io as never)], io as never);
  return { status, stdout, stderr };
}

describe('the --date flag', () => {
  for (const [command, register, extra] of COMMANDS) {
    it(`${command} names an impossible date it was given and how to write one (exit 2)`, async () => {
      expect(await run(command, register, [...extra, '--date', '2026-02-30'])).toEqual({
        status: 2,
        stdout: '',
        stderr: 'daybreak: --date: "2026-02-30" is not a real calendar date; write YYYY-MM-DD, e.g. 2026-11-30\n',
      });
    });

    it(`${command} names a date written another way (exit 2)`, async () => {
      expect(await run(command, register, [...extra, '--date', '30/11/2026'])).toEqual({
        status: 2,
        stdout: '',
        stderr: 'daybreak: --date: "30/11/2026" is not a date written YYYY-MM-DD, e.g. 2026-11-30\n',
      });
    });
  }

  it('wrote nothing anywhere', () => {
    expect(readdirSync(scratch)).toEqual([]);
  });
});
