import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(process.cwd(), 'bin/daybreak.js');

// A CLI start loads every command's modules: generous timeouts for a busy machine (not timed assertions).
describe('daybreak preview', () => {
  it('serves the preview on loopback, prints where, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-preview-cli-'));
    cpSync('data', join(dir, 'data'), { recursive: true });
    cpSync('daybreak.config.json', join(dir, 'daybreak.config.json'));
    // Run from the project folder: tsx reads tsconfig.json (automatic JSX runtime) from the working directory.
    const child = spawn(process.execPath, [BIN, 'preview', '--port', '0', '--no-watch', '--config', join(dir, 'daybreak.config.json'), '--data', join(dir, 'data')], {
      env: { ...process.env, SMTP_URL: '', DAYBREAK_CONFIG: '', DAYBREAK_DATA: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code} before listening`)));
      });
      const url = /on (http:\/\/127\.0\.0\.1:\d+)\/preview\//.exec(line)?.[1];
      expect(url, line).toBeDefined();
      expect(line).toContain('mail goes to Maildir var/mail (local mail server)');
      expect(line).toContain(`mailbox at ${url}/inbox`);
      const sidebar = await (await fetch(`${url}/preview/api/sidebar`)).json();
      expect(sidebar.defaultView).toEqual({ newsletter: 'morning', date: '2026-12-01', template: 'briefing' });
      const txt = await fetch(`${url}/preview/morning/2026-12-01/compact.txt`);
      expect(txt.status).toBe(200);
      // The CLI runs compiled from dist/cli/: files it reads at run time are still found from the project root.
      const css = await fetch(`${url}/preview/assets/preview.css`);
      expect(css.status).toBe(200);
      expect(await css.text()).toContain('{');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('rejects a bad port with exit status 2', () => {
    const result = spawnSync(process.execPath, [BIN, 'preview', '--port', 'eighty'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--port: Expected a port number (got "eighty")');
  }, 90_000);

  it('says a busy port is in use in one line, with exit status 2, and exits instead of hanging (preview and serve)', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as AddressInfo).port);
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-busy-port-'));
    try {
      const env = { ...process.env, SMTP_URL: '', DAYBREAK_CONFIG: '', DAYBREAK_DATA: '', DAYBREAK_DB: join(dir, 'd.db'), DATABASE_URL: '' };
      // spawnSync's timeout kills a process that hangs: the status is then null, not 2.
      const preview = spawnSync(process.execPath, [BIN, 'preview', '--port', port], { encoding: 'utf8', env, timeout: 60_000 });
      expect(preview.status, preview.stderr).toBe(2);
      expect(preview.stderr).toBe(`daybreak: Port ${port} is in use (another preview?); choose another with --port\n`);
      const serve = spawnSync(process.execPath, [BIN, 'serve', '--port', port, '--host', '127.0.0.1'], { encoding: 'utf8', env, timeout: 60_000 });
      expect(serve.status, serve.stderr).toBe(2);
      expect(serve.stderr).toBe(`daybreak: Port ${port} on 127.0.0.1 is in use; choose another with --port, PORT or web.port\n`);
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
