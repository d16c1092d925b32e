import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePort } from '../../src/cli/commands/serve.ts';
import { isDaybreakError } from '../../src/errors.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

describe('resolvePort', () => {
  it('prefers --port, then PORT, then web.port', () => {
    expect(resolvePort('4000', { PORT: '5000' }, 3000)).toBe(4000);
    expect(resolvePort(undefined, { PORT: '5000' }, 3000)).toBe(5000);
    expect(resolvePort(undefined, {}, 3000)).toBe(3000);
    expect(resolvePort('0', {}, 3000)).toBe(0);
  });

  it('refuses a port that is not a number in range, naming where it came from', () => {
    for (const [flag, env, where] of [['abc', {}, '--port'], ['70000', {}, '--port'], [undefined, { PORT: '-1' }, 'PORT']] as const) {
      let caught: unknown;
      try {
        resolvePort(flag, env, 3000);
      } catch (error) {
        caught = error;
      }
      expect(isDaybreakError(caught, 'EUSAGE')).toBe(true);
      expect((caught as Error).message.startsWith(where)).toBe(true);
    }
  });
});

describe('daybreak serve', () => {
  let dir: string;
  let sink: SmtpSink;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'daybreak-serve-'));
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the app on the port it is given, takes sign-ups, and sends queued mail before exiting on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/daybreak.js', 'serve', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, DAYBREAK_DB: join(dir, 'db.sqlite'), DAYBREAK_SECRET: 'serve-test-secret-0123456789', SMTP_URL: sink.url, PORT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        stdout += c;
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    expect(stdout).toContain(`mail goes to ${sink.url}`);
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ ok: true, database: 'reachable' });
    const signUp = await fetch(`${url}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'serve@example.com' }) });
    expect(await signUp.json()).toEqual({ ok: true });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(sink.messagesTo('serve@example.com')).toHaveLength(1);
  }, 60_000);
});
