import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'daybreak.js');
const dir = mkdtempSync(join(tmpdir(), 'daybreak-worker-life-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('daybreak worker', () => {
  it('keeps running with nothing to send until it is told to stop, then stops cleanly', async () => {
    const config = join(dir, 'daybreak.config.json');
    writeFileSync(config, JSON.stringify({ baseUrl: 'http://localhost:3000', newsletters: [{ id: 'morning', name: 'The Morning Briefing', schedule: { cron: '0 6 * * *', timezone: 'UTC' } }] }));
    mkdirSync(join(dir, 'data', 'articles'), { recursive: true });
    const db = join(dir, 'daybreak.db');
    const { DATABASE_URL: _url, DAYBREAK_DB: _db, SMTP_URL: _smtp, ...inherited } = process.env;
    const env: NodeJS.ProcessEnv = { ...inherited, DAYBREAK_ALLOW_INSECURE_LINKS: '1' };
    // A worker needs the token key a `start` would make first.
    const rotate = spawnSync(process.execPath, [BIN, 'secret', 'rotate', '--config', config, '--db', db], { cwd: dir, env, encoding: 'utf8' });
    expect(rotate.status, rotate.stderr).toBe(0);

    const worker = spawn(process.execPath, [BIN, 'worker', '--config', config, '--db', db, '--poll', '0.2'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    worker.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    const running = await Promise.race([
      new Promise<boolean>((resolve) => worker.stdout.on('data', () => stdout.includes('Daybreak worker running') && resolve(true))),
      exited.then(() => false),
    ]);
    expect(running, stdout).toBe(true);
    // Nothing to send and no database connection to hold it open: it must still be there, polling.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(worker.exitCode, stdout).toBeNull();
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('SIGTERM: stopping');
    expect(stdout).toContain('Stopped.');
  }, 30_000);
});
