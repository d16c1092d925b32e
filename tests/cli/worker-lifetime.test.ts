import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'daybreak.js');
const dir = mkdtempSync(join(tmpdir(), 'daybreak-worker-life-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A publisher's folder on its own SQLite file, with no mail server configured (the local one). */
function folder(name: string) {
  const base = join(dir, name);
  mkdirSync(join(base, 'data', 'articles'), { recursive: true });
  const config = join(base, 'daybreak.config.json');
  writeFileSync(config, JSON.stringify({ baseUrl: 'http://localhost:3000', newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'UTC' } }] }));
  const db = join(base, 'daybreak.db');
  const { DATABASE_URL: _url, DAYBREAK_DB: _db, SMTP_URL: _smtp, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, DAYBREAK_ALLOW_INSECURE_LINKS: '1' };
  return {
    /** Makes the token key, as the first `start` would. */
    rotate() {
      const rotate = spawnSync(process.execPath, [BIN, 'secret', 'rotate', '--config', config, '--db', db], { cwd: base, env, encoding: 'utf8' });
      expect(rotate.status, rotate.stderr).toBe(0);
    },
    /** A `daybreak worker` process; `saw(text)` is true once its output has the text, false if it exits first. */
    worker() {
      const child = spawn(process.execPath, [BIN, 'worker', '--config', config, '--db', db, '--poll', '0.2'], { cwd: base, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = { text: '' };
      child.stdout.on('data', (chunk) => (out.text += chunk));
      child.stderr.on('data', (chunk) => (out.text += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const saw = (needle: string) =>
        Promise.race([
          new Promise<boolean>((resolve) => {
            const look = () => out.text.includes(needle) && resolve(true);
            look();
            child.stdout.on('data', look);
          }),
          exited.then(() => out.text.includes(needle)),
        ]);
      return { child, out, exited, saw };
    },
  };
}

describe('daybreak worker', () => {
  it('keeps running with nothing to send until it is told to stop, then stops cleanly', async () => {
    const publisher = folder('idle');
    publisher.rotate();
    const worker = publisher.worker();
    expect(await worker.saw('Daybreak worker running'), worker.out.text).toBe(true);
    // Nothing to send and no database connection to hold it open: it must still be there, polling.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(worker.child.exitCode, worker.out.text).toBeNull();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.out.text).toContain('SIGTERM: stopping');
    expect(worker.out.text).toContain('Stopped.');
  }, 30_000);

  it('waits for the token key when it comes up before the first start made one, then runs; a signal while waiting stops it', async () => {
    const publisher = folder('early');

    // No key yet, and a signal while it waits: it stops without sending anything.
    const first = publisher.worker();
    expect(await first.saw("waiting for the database's first token key"), first.out.text).toBe(true);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.out.text).toContain('SIGINT: stopped while waiting for the token key; nothing was sent.');

    // No key yet; the key appears (as the first start would make it): the worker comes up on its own.
    const second = publisher.worker();
    expect(await second.saw("waiting for the database's first token key"), second.out.text).toBe(true);
    expect(second.child.exitCode).toBeNull();
    publisher.rotate();
    expect(await second.saw('Daybreak worker running'), second.out.text).toBe(true);
    // Stopped as soon as it says so: its signal handler must already be in place.
    second.child.kill('SIGTERM');
    expect(await second.exited, second.out.text).toBe(0);
    expect(second.out.text).toContain('Stopped.');
    expect(second.out.text).not.toMatch(/\n\s+at /);
  }, 30_000);
});
