/**
 * `daybreak start` and Ctrl-C: one keypress under `npm start` reaches the process twice (the terminal
 * signals the whole process group, and npm forwards its own copy), and that must still be a graceful stop.
 * A second Ctrl-C more than a second later stops at once: start-crash-e2e.test.ts.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { ROOT, startChild, type Child } from './daybreak-child.ts';
import { tempDir } from './fixtures.ts';

/** How many times `npm start` is started and interrupted: the race this guards against lost about one run in five. */
const RUNS = Number(process.env.DAYBREAK_SIGNAL_RUNS ?? 8);

describe('daybreak start on SIGINT', () => {
  let sink: SmtpSink;
  let dir: string;
  let cleanup: () => void;
  let child: Child | undefined;

  beforeAll(async () => {
    sink = await startSmtpSink();
    ({ dir, cleanup } = tempDir('daybreak-start-signals-'));
  });
  afterAll(async () => {
    if (child && child.process.exitCode === null) child.process.kill('SIGKILL');
    await sink?.close();
    cleanup?.();
  });

  it('treats two SIGINTs in quick succession as one Ctrl-C: a graceful stop, exit 0', async () => {
    child = await startChild(dir, {
      ...process.env,
      DAYBREAK_DB: join(dir, 'daybreak.db'),
      DAYBREAK_CONFIG: join(ROOT, 'daybreak.config.json'),
      DAYBREAK_DATA: join(ROOT, 'data'),
      DAYBREAK_SECRET: 'a-signal-test-secret-0123456789abcdef',
      SMTP_URL: sink.url,
      DAYBREAK_ALLOW_INSECURE_LINKS: '1',
      DAYBREAK_SPAM_CHECK: 'off',
      PORT: '0',
    });
    child.process.kill('SIGINT');
    // The second copy arrives while the stop is under way, or just after it finished, as npm's forwarded
    // one can: repeat it every few milliseconds until the process is gone (all within the second).
    while (!child.output().includes('SIGINT: stopping')) await new Promise((resolve) => setTimeout(resolve, 1));
    let gone = false;
    void child.exited.then(() => (gone = true));
    while (!gone) {
      child.process.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(child.process.signalCode, child.output()).toBeNull(); // not killed by a repeat that found no handler
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('SIGINT: stopping');
    expect(child.output()).toContain('Stopped. Anything not sent is queued');
    expect(child.output()).not.toContain('Stopping at once');
  }, 60_000);
});

/** Runs `npm start` in a session of its own (setsid) and sends SIGINT to the whole group, as a terminal does. */
async function npmStartThenCtrlC(env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  while (!output.includes('Stop with Ctrl-C') && !done) await new Promise((resolve) => setTimeout(resolve, 20));
  // The terminal's Ctrl-C: one SIGINT to every process in the foreground group (npm and daybreak).
  if (!done) process.kill(-child.pid!, 'SIGINT');
  const result = await exited;
  return { ...result, output };
}

describe('npm start on Ctrl-C', () => {
  let sink: SmtpSink;
  let dir: string;
  let cleanup: () => void;

  beforeAll(async () => {
    sink = await startSmtpSink();
    ({ dir, cleanup } = tempDir('daybreak-npm-start-'));
  });
  afterAll(async () => {
    await sink?.close();
    cleanup?.();
  });

  it('stops gracefully with exit 0 and "Stopped." every time, run after run', async () => {
    const env = {
      ...process.env,
      DAYBREAK_DB: join(dir, 'daybreak.db'),
      DAYBREAK_CONFIG: join(ROOT, 'daybreak.config.json'),
      DAYBREAK_DATA: join(ROOT, 'data'),
      DAYBREAK_SECRET: 'a-signal-test-secret-0123456789abcdef',
      SMTP_URL: sink.url,
      DAYBREAK_ALLOW_INSECURE_LINKS: '1',
      DAYBREAK_SPAM_CHECK: 'off',
      PORT: '0',
    };
    for (let run = 1; run <= RUNS; run++) {
      const { code, signal, output } = await npmStartThenCtrlC(env);
      expect({ run, code, signal }, output).toEqual({ run, code: 0, signal: null });
      expect(output, `run ${run}`).toContain('SIGINT: stopping');
      expect(output, `run ${run}`).toContain('Stopped. Anything not sent is queued');
    }
  }, 300_000);
});
