/**
 * `daybreak start` and Ctrl-C: one keypress under `npm start` reaches the process twice (the terminal
 * signals the whole process group, and npm forwards its own copy), and that must still be a graceful stop.
 * A second Ctrl-C more than a second later stops at once: start-crash-e2e.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { ROOT, startChild, type Child } from './daybreak-child.ts';
import { tempDir } from './fixtures.ts';

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
