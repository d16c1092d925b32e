/**
 * The loop end to end with the real CLI: `daybreak start` sends an edition through a relay (the sink)
 * from per-copy bounce addresses and listens for inbound mail; a bounce and a complaint come back over
 * SMTP; `daybreak bounces` and `subscribers list --json` show what they did. `daybreak inbound` alone
 * takes mail the same way.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { BIN, ROOT, scheduledSendSoon, startChild, stopChild, waitForRunDone } from '../schedule/daybreak-child.ts';
import { arfComplaint, originalHeaders, postfixHardBounce } from './reports.ts';

const run = promisify(execFile);
const DOMAIN = 'bounces.news.example';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function deliver(port: number, message: { from: string; to: string; raw: string }): Promise<string> {
  const connection = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, secure: false });
  await new Promise<void>((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => resolve());
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      connection.send({ from: message.from, to: [message.to] }, message.raw, (error, info) => (error ? reject(error) : resolve(info.response)));
    });
  } finally {
    connection.quit();
  }
}

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const { stdout } = await run(process.execPath, [BIN, ...args], { env, cwd: ROOT });
  return stdout;
}

describe('inbound mail with the real CLI', () => {
  it('daybreak start sends from bounce addresses, takes the bounce and the complaint back, and daybreak bounces lists them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-inbound-e2e-'));
    dirs.push(dir);
    const sink = await startSmtpSink();
    try {
      const { env } = await scheduledSendSoon(dir, ['gone@mail.example', 'angry@mail.example', 'happy@mail.example'], sink.url);
      const configFile = env.DAYBREAK_CONFIG!;
      const config = JSON.parse(readFileSync(configFile, 'utf8'));
      writeFileSync(configFile, JSON.stringify({ ...config, inbound: { domain: DOMAIN, port: 0 } }));
      const child = await startChild(dir, env);
      try {
        const port = Number(/Inbound mail for bounces\.news\.example \(bounces, complaints, unsubscribes\): smtp:\/\/127\.0\.0\.1:(\d+)/.exec(child.output())![1]);
        expect((await waitForRunDone(child))!.sent).toBe(3);
        const copy = (email: string) => sink.messagesTo(email)[0]!;
        for (const email of ['gone@mail.example', 'angry@mail.example']) expect(copy(email).from).toMatch(/^bounces\+k0\.[a-z0-9.]+@bounces\.news\.example$/);

        const gone = copy('gone@mail.example');
        expect(await deliver(port, { from: '', to: gone.from, raw: postfixHardBounce({ to: gone.from, reader: 'gone@mail.example', original: originalHeaders(gone.raw, gone.from) }) })).toMatch(/^250/);
        const angry = copy('angry@mail.example');
        await deliver(port, { from: '', to: angry.from, raw: arfComplaint({ to: angry.from, reader: 'angry@mail.example', original: originalHeaders(angry.raw, angry.from), returnPath: angry.from, provider: 'yahoo' }) });
        await expect(deliver(port, { from: '', to: `briefing@${DOMAIN}`, raw: 'Subject: hi\r\n\r\nhi\r\n' })).rejects.toThrow(/550/);
        expect(child.output()).toMatch(/inbound \(smtp\): hard-bounce for subscriber 1: reader marked bounced/);
      } finally {
        await stopChild(child);
      }

      const people = JSON.parse(await cli(['subscribers', 'list', '--json'], env)) as { email: string; status: string }[];
      expect(people.map((p) => [p.email, p.status])).toEqual([
        ['gone@mail.example', 'bounced'],
        ['angry@mail.example', 'complained'],
        ['happy@mail.example', 'active'],
      ]);
      const kept = JSON.parse(await cli(['bounces', '--json'], env)) as { id: number; kind: string; email: string; status: string | null; outcome: string }[];
      expect(kept.map((m) => [m.kind, m.email])).toEqual([['complaint', 'angry@mail.example'], ['hard-bounce', 'gone@mail.example']]);
      const human = await cli(['bounces'], env);
      expect(human).toMatch(/#1 .* smtp +hard-bounce +5\.1\.1 +gone@mail\.example morning \d{4}-\d{2}-\d{2}\n +reader marked bounced/);
      const raw = await cli(['bounces', '--raw', String(kept[1]!.id)], env);
      expect(raw).toContain('Content-Type: message/delivery-status');
      expect(raw).toContain('Final-Recipient: rfc822; gone@mail.example');
    } finally {
      await sink.close();
    }
  }, 60_000);

  it('daybreak start names inbound.port, not --port, when the inbound mail port is the one in use (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-inbound-busy-'));
    dirs.push(dir);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = (taken.address() as { port: number }).port;
    try {
      const configFile = join(dir, 'daybreak.config.json');
      writeFileSync(configFile, JSON.stringify({ inbound: { domain: DOMAIN, host: '127.0.0.1', port: busy } }));
      const env = { ...process.env, DAYBREAK_DB: join(dir, 'daybreak.db'), DAYBREAK_SECRET: 'an-inbound-busy-secret-0123456789', DAYBREAK_CONFIG: configFile };
      const result = await run(process.execPath, [BIN, 'start', '--port', '0'], { env, cwd: ROOT }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(result).toEqual({ code: 2, stderr: `daybreak: Port ${busy} for inbound mail is in use (another daybreak start or daybreak inbound?); choose another with inbound.port\n` });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);

  it('daybreak inbound listens alone and refuses to start without an inbound block', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-inbound-cli-'));
    dirs.push(dir);
    const configFile = join(dir, 'daybreak.config.json');
    writeFileSync(configFile, JSON.stringify({ inbound: { domain: DOMAIN } }));
    const env = { ...process.env, DAYBREAK_DB: join(dir, 'daybreak.db'), DAYBREAK_SECRET: 'an-inbound-cli-secret-0123456789', DAYBREAK_CONFIG: configFile };
    const child = spawn(process.execPath, [BIN, 'inbound', '--port', '0'], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const look = () => {
          const m = /on smtp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        };
        child.stdout.on('data', look);
        void exited.then((code) => reject(new Error(`daybreak inbound exited (${code}):\n${out}`)));
      });
      expect(out).toContain(`Daybreak inbound mail for ${DOMAIN}`);
      await expect(deliver(port, { from: '', to: `someone@${DOMAIN}`, raw: 'Subject: x\r\n\r\nx\r\n' })).rejects.toThrow(/550 5\.1\.1/);
      expect(await deliver(port, { from: 'fbl@provider.example', to: `postmaster@${DOMAIN}`, raw: 'Subject: hello\r\n\r\nhello\r\n' })).toMatch(/^250/);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    const kept = JSON.parse(await cli(['bounces', '--json'], env)) as { kind: string; outcome: string }[];
    expect(kept).toMatchObject([{ kind: 'unknown', outcome: expect.stringMatching(/^no change: unknown/) }]);

    writeFileSync(configFile, JSON.stringify({}));
    await expect(cli(['inbound'], env)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no `inbound` block: set inbound.domain') });
  }, 60_000);

  it('daybreak inbound deletes kept messages older than inbound.retentionDays when it starts, and the bounced reader stays bounced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-inbound-retention-'));
    dirs.push(dir);
    const configFile = join(dir, 'daybreak.config.json');
    writeFileSync(configFile, JSON.stringify({ inbound: { domain: DOMAIN, retentionDays: 60 } }));
    const database = join(dir, 'daybreak.db');
    const env = { ...process.env, DAYBREAK_DB: database, DAYBREAK_SECRET: 'an-inbound-cli-secret-0123456789', DAYBREAK_CONFIG: configFile };
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
    const store = await openStore({ database });
    try {
      const id = (await store.subscribers.add({ email: 'gone@mail.example', name: null, newsletters: ['morning'], confirmed: true, source: 'cli' }, daysAgo(300))).id;
      for (const [kind, subscriberId, days] of [['hard-bounce', id, 61], ['auto-reply', null, 200], ['auto-reply', null, 59]] as const) {
        const at = daysAgo(days);
        await store.inbound.record(
          { receivedAt: at, source: 'smtp', eventId: null, envelopeFrom: '', recipient: `x@${DOMAIN}`, kind, subscriberId, newsletter: 'morning', date: at.toISOString().slice(0, 10), status: null, diagnostic: null, reason: 'seeded', raw: Buffer.from('Subject: seeded\r\n\r\nx\r\n') },
          { softBounceLimit: 3, windowDays: 30 },
        );
      }
    } finally {
      await store.close();
    }

    const child = spawn(process.execPath, [BIN, 'inbound', '--port', '0'], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => {
          if (out.includes('inbound: deleted')) resolve();
        });
        void exited.then((code) => reject(new Error(`daybreak inbound exited (${code}):\n${out}`)));
        setTimeout(() => reject(new Error(`daybreak inbound deleted nothing within 20 s:\n${out}`)), 20_000).unref();
      });
      expect(out).toContain('inbound: deleted 2 kept messages received more than 60 days ago (inbound.retentionDays)');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    const kept = JSON.parse(await cli(['bounces', '--json'], env)) as { kind: string; receivedAt: string }[];
    expect(kept.map((m) => [m.kind, m.receivedAt.slice(0, 10)])).toEqual([['auto-reply', daysAgo(59).toISOString().slice(0, 10)]]);
    const people = JSON.parse(await cli(['subscribers', 'list', '--json'], env)) as { email: string; status: string }[];
    expect(people.map((p) => [p.email, p.status])).toEqual([['gone@mail.example', 'bounced']]);
  }, 60_000);
});
