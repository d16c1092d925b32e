/**
 * Every command that listens says the same thing, in one line and without a stack trace, when its port is
 * taken: the real CLI against a port held by a real server on loopback.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDaybreak } from '../helpers/run-daybreak.ts';

const dir = mkdtempSync(join(tmpdir(), 'daybreak-port-in-use-'));
let taken: Server;
let busy: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  busy = (taken.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A publisher's folder with its own config and database, and none of the caller's Daybreak settings. */
function publisher(name: string, config: object = {}): NodeJS.ProcessEnv {
  const base = join(dir, name);
  const configFile = `${base}.config.json`;
  writeFileSync(configFile, JSON.stringify(config));
  mkdirSync(join(base, 'data', 'articles'), { recursive: true });
  const { DATABASE_URL: _url, DAYBREAK_DB: _db, SMTP_URL: _smtp, PORT: _port, DAYBREAK_DATA: _data, ...inherited } = process.env;
  return { ...inherited, DAYBREAK_CONFIG: configFile, DAYBREAK_DB: `${base}.db`, DAYBREAK_DATA: join(base, 'data'), DAYBREAK_SECRET: 'a-port-in-use-secret-0123456789abcdef' };
}

describe('a command whose port is taken', () => {
  it('daybreak serve names the port and --port, PORT and web.port, and exits 2', async () => {
    const result = await runDaybreak(dir, { ...publisher('serve'), PORT: String(busy) }, ['serve']);
    expect(result.stderr).toBe(`daybreak: Port ${busy} is in use; choose another with --port, PORT or web.port\n`);
    expect(result.code).toBe(2);
  }, 60_000);

  it('daybreak serve names the address when it is not its default 0.0.0.0', async () => {
    const result = await runDaybreak(dir, publisher('serve-host'), ['serve', '--port', String(busy), '--host', '127.0.0.1']);
    expect(result.stderr).toBe(`daybreak: Port ${busy} on 127.0.0.1 is in use; choose another with --port, PORT or web.port\n`);
    expect(result.code).toBe(2);
  }, 60_000);

  it('daybreak start names the web port and --port, PORT and web.port, and exits 2', async () => {
    const result = await runDaybreak(dir, publisher('start', { web: { port: busy } }), ['start']);
    expect(result.stderr).toBe(`daybreak: Port ${busy} is in use; choose another with --port, PORT or web.port\n`);
    expect(result.code).toBe(2);
  }, 60_000);

  it('daybreak start names inbound.port, not --port, when the inbound mail port is the one taken', async () => {
    const result = await runDaybreak(dir, publisher('start-inbound', { inbound: { domain: 'bounces.news.example', port: busy } }), ['start', '--port', '0']);
    expect(result.stderr).toBe(`daybreak: Port ${busy} for inbound mail is in use (another daybreak start or daybreak inbound?); choose another with inbound.port\n`);
    expect(result.code).toBe(2);
  }, 60_000);

  it('daybreak inbound names --port and inbound.port, and exits 2', async () => {
    const env = publisher('inbound', { inbound: { domain: 'bounces.news.example', port: busy } });
    const result = await runDaybreak(dir, env, ['inbound']);
    expect(result.stderr).toBe(`daybreak: Port ${busy} is in use (another daybreak start or daybreak inbound?); choose another with --port or inbound.port\n`);
    expect(result.code).toBe(2);
  }, 60_000);

  it('daybreak preview names --port and the likely culprit, and exits 2', async () => {
    const result = await runDaybreak(dir, publisher('preview'), ['preview', '--port', String(busy), '--no-watch']);
    expect(result.stderr).toBe(`daybreak: Port ${busy} is in use (another preview?); choose another with --port\n`);
    expect(result.code).toBe(2);
  }, 60_000);
});
