/**
 * The token keys belong to the database: a file beside it (or DAYBREAK_SECRET), the same for every
 * process whatever folder it runs in, made only by commands that write, written atomically, and named
 * in every error about it. Real processes, a real SMTP sink, real files.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeyring, createTokens, keyringFileFor, openKeyring } from '../../src/audience/index.ts';
import { migratedSqlite as openDatabase } from '../helpers/test-store.ts';
import { isDaybreakError } from '../../src/errors.ts';
import { DATE, manyReaders, REPO, seed, tempDir } from '../delivery/fixtures.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const BIN = join(REPO, 'bin', 'daybreak.js');
let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI; `shell` wraps it (e.g. a file-size limit) as `sh -c "<shell> exec node …"`. */
function daybreak(cwd: string, args: string[], env: NodeJS.ProcessEnv, shell = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = shell
      ? spawn('sh', ['-c', `${shell} exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function world(prefix: string) {
  const tmp = tempDir(prefix);
  cleanup.push(tmp.remove);
  const dbDir = join(tmp.dir, 'store');
  mkdirSync(dbDir);
  const dbFile = join(dbDir, 'news.db');
  const here = join(tmp.dir, 'here');
  const there = join(tmp.dir, 'there');
  mkdirSync(here);
  mkdirSync(there);
  return { dir: tmp.dir, dbFile, keyFile: join(dbDir, 'news.secret'), here, there };
}

const { DAYBREAK_SECRET: _inherited, ...inherited } = process.env;
// The sink stands in for a relay while baseUrl stays http://localhost; SpamAssassin has its own tests.
const baseEnv = { ...inherited, DAYBREAK_ALLOW_INSECURE_LINKS: '1', DAYBREAK_SPAM_CHECK: 'off' };

let sink: SmtpSink;
beforeAll(async () => {
  // One run first, so the compiled CLI is current before any run under a file-size limit.
  await daybreak(REPO, ['--version'], baseEnv);
  sink = await startSmtpSink();
  return () => sink.close();
});

const unsubscribeTokens = (raw: string) => [...raw.replace(/=\r\n/g, '').matchAll(/unsubscribe\?token=([A-Za-z0-9_.-]+)/g)].map((m) => m[1]!);

describe('keyringFileFor', () => {
  it('names the key file beside the database, after it', () => {
    expect(keyringFileFor('var/daybreak.db')).toBe(join('var', 'daybreak.secret'));
    expect(keyringFileFor('/srv/news.sqlite')).toBe('/srv/news.secret');
    expect(keyringFileFor('/srv/plain')).toBe('/srv/plain.secret');
    expect(() => keyringFileFor(':memory:')).toThrow(/DAYBREAK_SECRET/);
  });
});

describe('the token keys of a database', () => {
  it('are the same for commands run from different folders: links sent from one verify in the other', async () => {
    const w = world('daybreak-keys-cwd-');
    const db = openDatabase(w.dbFile);
    seed(db, manyReaders(2));
    db.close();
    const env = { ...baseEnv, DAYBREAK_DB: w.dbFile, DAYBREAK_DATA: join(REPO, 'data'), DAYBREAK_CONFIG: join(REPO, 'daybreak.config.json'), SMTP_URL: sink.url };
    const before = sink.messages.length;
    const first = await daybreak(w.here, ['send', '--date', DATE], env);
    expect(first.code, first.stderr).toBe(0);
    // Made by a command that writes, and said so, beside the database, not in the working folder.
    expect(first.stderr).toContain(`Created the token key file ${w.keyFile}`);
    expect(existsSync(w.keyFile)).toBe(true);
    expect(existsSync(join(w.here, 'var', 'secret'))).toBe(false);
    // Reader 1's copy (subscriber 1): the two copies go out on two connections, in either order.
    const mailed = unsubscribeTokens(sink.messages.slice(before).find((m) => m.to.includes('reader1@example.com'))!.raw)[0]!;
    expect(mailed).toMatch(/^k1\./);

    // From another folder: a test copy to a known reader carries a link signed with the same key.
    const second = await daybreak(w.there, ['send', '--date', DATE, '--to', 'reader1@example.com'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('Created');
    expect(readdirSync(w.there)).toEqual([]);
    const tested = unsubscribeTokens(sink.messages.at(-1)!.raw)[0]!;
    const tokens = await createTokens(openKeyring({ env: {}, dbFile: w.dbFile, create: false }));
    expect((await tokens.verify(mailed, 'unsubscribe')).subscriberId).toBe(1);
    expect((await tokens.verify(tested, 'unsubscribe')).subscriberId).toBe(1);
  }, 120_000);

  it('are never made by a command that only reads', async () => {
    const w = world('daybreak-keys-read-');
    openDatabase(w.dbFile).close();
    const env = { ...baseEnv, DAYBREAK_DB: w.dbFile, DAYBREAK_DATA: join(REPO, 'data'), DAYBREAK_CONFIG: join(REPO, 'daybreak.config.json'), SMTP_URL: sink.url };
    const dry = await daybreak(w.here, ['send', '--date', DATE, '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    const test = await daybreak(w.here, ['send', '--date', DATE, '--to', 'editor@example.com'], env);
    expect(test.code, test.stderr).toBe(0);
    const list = await daybreak(w.here, ['secret', 'list'], env);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`There is no token key yet: ${w.keyFile} does not exist`);
    expect(list.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(w.keyFile)).toBe(false);
    expect(readdirSync(w.here)).toEqual([]);
  }, 120_000);

  it('rotate: new links carry the new key id, links mailed before keep working', async () => {
    const w = world('daybreak-keys-rotate-');
    const env = { ...baseEnv, DAYBREAK_DB: w.dbFile };
    const keyring = openKeyring({ env: {}, dbFile: w.dbFile, create: true });
    const old = await createTokens(keyring);
    const mailed = old.unsubscribeToken(7, 'morning');
    const run = await daybreak(w.here, ['secret', 'rotate'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`New signing key k2 in ${w.keyFile}`);
    const after = await createTokens(openKeyring({ env: {}, dbFile: w.dbFile, create: false }));
    expect(after.keyId).toBe('k2');
    expect((await after.verify(mailed, 'unsubscribe')).subscriberId).toBe(7);
    // The process that signed before the rotation accepts the new key's links without a restart.
    expect((await old.verify(after.unsubscribeToken(8, 'morning'), 'unsubscribe')).subscriberId).toBe(8);
    const list = await daybreak(w.here, ['secret', 'list'], env);
    expect(list.stdout).toMatch(/k1 {2}made .*\n {2}k2 {2}\(signs new links\)/);
    expect(list.stdout).not.toContain(JSON.parse(readFileSync(w.keyFile, 'utf8')).keys[0].secret);
  }, 60_000);

  it('refuses to rotate a key that comes from DAYBREAK_SECRET, and says how to', async () => {
    const w = world('daybreak-keys-env-');
    const run = await daybreak(w.here, ['secret', 'rotate'], { ...baseEnv, DAYBREAK_DB: w.dbFile, DAYBREAK_SECRET: 'an-environment-secret-0123456789' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('The token key comes from DAYBREAK_SECRET');
    expect(existsSync(w.keyFile)).toBe(false);
  }, 60_000);

  it('on a full disk leaves no file at all, names the file, and works once there is room', async () => {
    const w = world('daybreak-keys-full-');
    const env = { ...baseEnv, DAYBREAK_DB: w.dbFile };
    // A file-size limit of 0 blocks: every write of the key fails as it would on a full disk
    // (EFBIG, with SIGXFSZ ignored so the write returns an error instead of killing the process).
    const full = await daybreak(w.here, ['secret', 'rotate'], env, "trap '' XFSZ; ulimit -f 0;");
    expect(full.code).toBe(1);
    expect(full.stderr).toContain(`Could not write the token key file ${w.keyFile}`);
    expect(full.stderr).toContain('Nothing was changed. Free some space and run the command again.');
    expect(full.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(w.dir, 'store'))).toEqual([]);
    const roomy = await daybreak(w.here, ['secret', 'rotate'], env);
    expect(roomy.code, roomy.stderr).toBe(0);
    expect(JSON.parse(readFileSync(w.keyFile, 'utf8')).current).toBe('k1');
  }, 60_000);

  it('names the file when it is empty (left by an interrupted write) instead of complaining about its length', async () => {
    const w = world('daybreak-keys-empty-');
    writeFileSync(w.keyFile, '');
    const env = { ...baseEnv, DAYBREAK_DB: w.dbFile, DAYBREAK_DATA: join(REPO, 'data'), DAYBREAK_CONFIG: join(REPO, 'daybreak.config.json'), SMTP_URL: sink.url };
    const run = await daybreak(w.here, ['send', '--date', DATE], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`The token key file ${w.keyFile} is empty`);
    expect(run.stderr).not.toContain('at least 16');
  }, 60_000);

  it('imports the key of the old single-key file as k0, so links mailed before key ids keep working', async () => {
    const w = world('daybreak-keys-legacy-');
    const legacy = 'an-old-var-secret-0123456789abcdef';
    writeFileSync(join(w.dir, 'store', 'secret'), `${legacy}\n`);
    const messages: string[] = [];
    const tokens = await createTokens(openKeyring({ env: {}, dbFile: w.dbFile, create: true, onCreate: (m) => messages.push(m) }));
    expect(messages[0]).toContain(`Moved the token key from ${join(w.dir, 'store', 'secret')} into ${w.keyFile}`);
    const payload = 'u.4.morning.0';
    const oldLink = `${Buffer.from(payload).toString('base64url')}.${createHmac('sha256', legacy).update(payload).digest('base64url')}`;
    expect((await tokens.verify(oldLink, 'unsubscribe')).subscriberId).toBe(4);
  });

  it('ignores an old single-key file that a full disk left empty, and says so', async () => {
    const w = world('daybreak-keys-legacy-empty-');
    writeFileSync(join(w.dir, 'store', 'secret'), '');
    const messages: string[] = [];
    await createTokens(openKeyring({ env: {}, dbFile: w.dbFile, create: true, onCreate: (m) => messages.push(m) }));
    expect(messages[0]).toMatch(/Created the token key file .* was ignored: it holds no usable key/);
  });

  it('gives two processes that create the key at once the same key', async () => {
    const w = world('daybreak-keys-race-');
    const a = createFileKeyring(w.keyFile, { create: true });
    const b = createFileKeyring(w.keyFile, { create: true });
    const [ka, kb] = await Promise.all([a.current(), b.current()]);
    expect(ka).toEqual(kb);
    expect(readdirSync(join(w.dir, 'store'))).toEqual(['news.secret']);
  });

  it('names the file when it is not a keyring', async () => {
    const w = world('daybreak-keys-bad-');
    writeFileSync(w.keyFile, '{"format":"something else"}');
    const caught = await createFileKeyring(w.keyFile, { create: true }).current().catch((e: unknown) => e);
    expect(isDaybreakError(caught, 'ECONFIG')).toBe(true);
    expect((caught as Error).message).toContain(`The token key file ${w.keyFile} is not a Daybreak keyring`);
  });
});
