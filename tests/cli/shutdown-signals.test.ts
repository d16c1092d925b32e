import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = join(import.meta.dirname, 'shutdown-signals-child.ts');

/** The child in `mode`, with its output so far and a promise of how it ended. */
function child(mode: 'force' | 'ignore' | 'release') {
  const process_ = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  process_.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  process_.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => process_.once('exit', (code, signal) => resolve({ code, signal })));
  let exited = false;
  void ended.then(() => (exited = true));
  const saw = async (text: string, times = 1) => {
    while (out.stdout.split(text).length - 1 < times) {
      if (exited) throw new Error(`exited before printing "${text}":\n${out.stdout}${out.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { process: process_, out, ended, saw, isRunning: () => !exited };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shutdownSignals', () => {
  it('starts the stop on the first signal, takes a repeat within a second as the same Ctrl-C, and exits 130 with its last word on a later one', async () => {
    const c = child('force');
    await c.saw('ready');
    c.process.kill('SIGINT');
    await c.saw('saw SIGINT');
    // Two signals sent at once may merge into one: the repeat goes once the first has been taken.
    c.process.kill('SIGINT');
    await c.saw('saw SIGINT', 2);
    await c.saw('stopping on SIGINT (received: SIGINT)');
    expect(c.out.stdout).toContain('aborted: SIGINT\n');
    expect(c.isRunning()).toBe(true);
    await pause(1100);
    c.process.kill('SIGTERM');
    expect(await c.ended).toEqual({ code: 130, signal: null });
    expect(c.out.stderr).toBe('Stopping at once.\n');
    expect(c.out.stdout).not.toContain('stopped');
  }, 30_000);

  it('without forceExit ignores later signals and lets the stop finish', async () => {
    const c = child('ignore');
    await c.saw('ready');
    c.process.kill('SIGTERM');
    await c.saw('stopping on SIGTERM (received: SIGTERM)');
    await pause(1100);
    c.process.kill('SIGINT');
    await c.saw('saw SIGINT');
    expect(c.isRunning()).toBe(true);
    c.process.stdin.write('done\n');
    expect(await c.ended).toEqual({ code: 0, signal: null });
    expect(c.out.stdout).toMatch(/stopped\n$/);
    expect(c.out.stderr).toBe('');
  }, 30_000);

  it('after release leaves the signals to their default action', async () => {
    const c = child('release');
    await c.saw('ready');
    c.process.kill('SIGTERM');
    expect(await c.ended).toEqual({ code: null, signal: 'SIGTERM' });
    expect(c.out.stdout).not.toContain('stopping');
  }, 30_000);
});
