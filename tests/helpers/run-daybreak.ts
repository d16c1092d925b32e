import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/daybreak.js', import.meta.url));

/** What a `daybreak` command printed and how it ended. */
export interface DaybreakRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI (`node bin/daybreak.js <args>`) in `cwd` with exactly `env`, and resolves when it has
 * exited and closed its output.
 *
 * @example
 * const { code, stderr } = await runDaybreak(dir, { ...process.env, DAYBREAK_DB: db }, ['send', '--date', '2026-11-30']);
 */
export function runDaybreak(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<DaybreakRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
