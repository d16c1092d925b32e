import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDaybreak } from '../../src/main.ts';
import { ManualClock } from '../../src/schedule/index.ts';
import { openStore } from '../../src/storage/index.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'daybreak.js');
const run = promisify(execFile);
const HAS_SPAMASSASSIN = existsSync('/usr/bin/spamassassin');

const dir = mkdtempSync(join(tmpdir(), 'daybreak-gate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let n = 0;
const sampleConfig = () => JSON.parse(readFileSync(join(ROOT, 'daybreak.config.json'), 'utf8')) as { publisher: Record<string, unknown> };
/** A copy of the sample data whose 2026-11-30 articles `change` rewrites, and a config file beside it. */
function world(options: { change?: (articles: Record<string, unknown>[]) => void; config?: Record<string, unknown> } = {}) {
  const base = join(dir, `w${n++}`);
  cpSync(join(ROOT, 'data'), join(base, 'data'), { recursive: true });
  const file = join(base, 'data', 'articles', '2026-11-30-briefing.json');
  const articles = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
  options.change?.(articles);
  writeFileSync(file, JSON.stringify(articles));
  const config = { ...JSON.parse(readFileSync(join(ROOT, 'daybreak.config.json'), 'utf8')), ...options.config };
  config.publisher.brand.logo = join(ROOT, 'data/brand/logo.png');
  config.publisher.brand.logoDark = join(ROOT, 'data/brand/logo-dark.png');
  writeFileSync(join(base, 'daybreak.config.json'), JSON.stringify(config));
  return { base, data: join(base, 'data'), config: join(base, 'daybreak.config.json') };
}

async function check(w: { data: string; config: string }, env: Record<string, string> = {}, args: string[] = ['--json']) {
  const { SMTP_URL: _drop, ...rest } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'check', '--date', '2026-11-30', '--data', w.data, '--config', w.config, ...args], { env: { ...rest, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('daybreak check (the pre-send gate)', () => {
  it('passes the sample edition: lint, size, links, images, headers, a DKIM signature that verifies, and SpamAssassin', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(dir, 'dkim.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const w = world({ config: { delivery: { dkim: { domainName: 'daybreak.example', keySelector: 'news', privateKeyFile: keyFile } } } });
    const result = await check(w);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { id: string; status: string; details: string[] }[] };
    expect(report.ok).toBe(true);
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(status).toEqual({ lint: 'pass', size: 'pass', links: 'pass', images: 'pass', headers: 'pass', sender: 'skip', dkim: 'pass', spam: HAS_SPAMASSASSIN ? 'pass' : 'skip' });
    expect(report.checks.find((c) => c.id === 'dkim')!.details).toEqual(['verified (rsa-sha256, d=daybreak.example, s=news)', 'aligned with From']);
    if (HAS_SPAMASSASSIN) expect(report.checks.find((c) => c.id === 'spam')!.details[0]).toMatch(/^score -?\d/);
  }, 60_000);

  it('fails an http link once mail goes to a real server, naming the link, and exits 1', async () => {
    const w = world({
      config: { baseUrl: 'https://news.daybreak.example' },
      change: (articles) => {
        articles[1]!.url = 'http://insecure.example/story';
      },
    });
    const result = await check(w, { SMTP_URL: 'smtp://127.0.0.1:1', DAYBREAK_SPAM_CHECK: 'off' }, []);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL  Every link absolute and https');
    expect(result.stdout).toContain('not https: http://insecure.example/story');
    expect(result.stdout).toMatch(/^1 check failed: /m);
    // Without real mail the same edition passes: http is only refused where one-click needs https.
    expect((await check(w, { DAYBREAK_SPAM_CHECK: 'off' })).code).toBe(0);
  }, 60_000);

  it('warns, with real mail, about a From on a domain reserved for examples and a placeholder postal address', async () => {
    const placeholder = world({
      config: { baseUrl: 'https://news.example.org', publisher: { ...sampleConfig().publisher, from: 'News <news@example.org>', postalAddress: 'Your street address, City, Country' } },
    });
    const real = { SMTP_URL: 'smtp://127.0.0.1:1', DAYBREAK_SPAM_CHECK: 'off' };
    const warned = JSON.parse((await check(placeholder, real)).stdout) as { checks: { id: string; status: string; details: string[] }[] };
    expect(warned.checks.find((c) => c.id === 'sender')).toEqual({
      id: 'sender',
      title: 'Sender identity',
      status: 'warn',
      details: [
        'publisher.from is on example.org, a domain reserved for examples: receivers reject or junk it; use your own domain',
        'publisher.replyTo is on daybreak.example, a domain reserved for examples: receivers reject or junk it; use your own domain',
        'publisher.postalAddress is still the placeholder "Your street address, City, Country": bulk mail must carry your real postal address',
      ],
    });
    const own = world({ config: { baseUrl: 'https://news.harbor-post.com', publisher: { ...sampleConfig().publisher, from: 'News <news@harbor-post.com>', replyTo: undefined } } });
    const passed = JSON.parse((await check(own, real)).stdout) as { checks: { id: string; status: string; details: string[] }[] };
    expect(passed.checks.find((c) => c.id === 'sender')).toMatchObject({ status: 'pass', details: ['From News <news@harbor-post.com>'] });
  }, 60_000);

  it("reads the articles from the config's dataDir when no --data is given", async () => {
    // Longer deks than the repository's own data/ (the working directory's), so the HTML size tells them apart.
    const w = world({ config: { dataDir: 'data' }, change: (articles) => { for (const a of articles) a.dek = `${String(a.dek)} ${'A longer dek. '.repeat(30)}`; } });
    const env = { DAYBREAK_SPAM_CHECK: 'off' };
    const sizeOf = (stdout: string) => (JSON.parse(stdout) as { checks: { id: string; details: string[] }[] }).checks.find((c) => c.id === 'size')!.details[0];
    const { SMTP_URL: _drop, ...rest } = process.env;
    const viaConfig = await run(process.execPath, [BIN, 'check', '--date', '2026-11-30', '--config', w.config, '--json'], { env: { ...rest, ...env } });
    const viaFlag = await check(w, env);
    const repository = await check({ data: join(ROOT, 'data'), config: w.config }, env);
    expect(sizeOf(viaConfig.stdout)).toBe(sizeOf(viaFlag.stdout));
    expect(sizeOf(viaConfig.stdout)).not.toBe(sizeOf(repository.stdout));
  }, 60_000);

  it('fails an edition over the 102 KB clip limit', async () => {
    const w = world({
      change: (articles) => {
        for (const a of articles) a.dek = `${String(a.dek)} ${'More detail on this story. '.repeat(400)}`;
      },
    });
    const result = await check(w, { DAYBREAK_SPAM_CHECK: 'off' });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { id: string; status: string; details: string[] }[]; failures: string[] };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'size')).toMatchObject({ status: 'fail', details: [expect.stringMatching(/Gmail will clip it/)] });
    expect(report.failures).toHaveLength(1);
  }, 60_000);

  it('verifies each signature the sender makes, the Ed25519 one too, and fails a key file that is not a key, naming it', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaFile = join(dir, 'both-rsa.pem');
    writeFileSync(rsaFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const edFile = join(dir, 'both-ed.pem');
    writeFileSync(edFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const dkim = { domainName: 'daybreak.example', keySelector: 'news', privateKeyFile: rsaFile, ed25519KeyFile: edFile, ed25519KeySelector: 'news-ed' };
    const good = await check(world({ config: { delivery: { dkim } } }), { DAYBREAK_SPAM_CHECK: 'off' });
    expect(good.code, good.stderr).toBe(0);
    const report = JSON.parse(good.stdout) as { checks: { id: string; status: string; details: string[] }[] };
    expect(report.checks.find((c) => c.id === 'dkim')).toEqual({
      id: 'dkim',
      title: 'DKIM signature',
      status: 'pass',
      details: ['verified (rsa-sha256, d=daybreak.example, s=news)', 'verified (ed25519-sha256, d=daybreak.example, s=news-ed)', 'aligned with From'],
    });

    const notAKey = join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'hello\n');
    const bad = await check(world({ config: { delivery: { dkim: { ...dkim, ed25519KeyFile: notAKey } } } }), { DAYBREAK_SPAM_CHECK: 'off' }, []);
    expect(bad.code).toBe(1);
    expect(`${bad.stdout}${bad.stderr}`).toContain(`delivery.dkim.ed25519KeyFile: ${notAKey} is not a PEM private key`);
    expect(`${bad.stdout}${bad.stderr}`).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('fails a DKIM key whose domain is not aligned with From', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(dir, 'other.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const w = world({ config: { delivery: { dkim: { domainName: 'esp.example', keySelector: 's1', privateKeyFile: keyFile } } } });
    const result = await check(w, { DAYBREAK_SPAM_CHECK: 'off' });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { checks: { id: string; status: string; details: string[] }[] };
    expect(report.checks.find((c) => c.id === 'dkim')).toMatchObject({ status: 'fail', details: ['d=esp.example is not aligned with the From domain daybreak.example (DMARC)'] });
  }, 60_000);
});

describe('a scheduled send behind the gate', () => {
  it('holds a failing edition (run state held, with its reasons, in the log, runs and /healthz); send --force sends it', async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const w = world({
      config: { baseUrl: 'https://news.daybreak.example' },
      change: (articles) => {
        articles[1]!.url = 'http://insecure.example/story';
      },
    });
    const database = join(w.base, 'daybreak.db');
    const seed = await openStore({ database });
    await seed.subscribers.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, new Date());
    await seed.close();
    const env = { SMTP_URL: sink.url, DAYBREAK_SECRET: 'a-gate-test-secret-0123456789', DAYBREAK_SPAM_CHECK: 'off' };
    const lines: string[] = [];
    const clock = new ManualClock('2026-11-30T10:59:00Z');
    const daybreak = await createDaybreak({ configFile: w.config, dataDir: w.data, database, varDir: join(w.base, 'var'), env, clock, preview: false, log: (l) => lines.push(l) });
    cleanups.push(() => daybreak.stop({ timeoutMs: 2000 }));
    await daybreak.scheduler.start();
    await clock.advanceTo('2026-11-30T11:00:30Z');
    await daybreak.scheduler.idle();

    const run = await daybreak.store.runs.get('morning', '2026-11-30');
    expect(run).toMatchObject({ state: 'held', sent: 0 });
    expect(run!.reason).toMatch(/^held by the pre-send checks: Every link absolute and https: not https: http:\/\/insecure\.example\/story/);
    expect(lines.some((l) => l.startsWith('morning 2026-11-30: held by the pre-send checks'))).toBe(true);
    expect(sink.messages).toHaveLength(0);
    const health = (await (await daybreak.app.request('http://localhost/healthz')).json()) as { newsletters: { id: string; lastRun: { state: string; reason: string } | null }[] };
    expect(health.newsletters.find((x) => x.id === 'morning')!.lastRun).toMatchObject({ state: 'held', reason: expect.stringContaining('insecure.example') });

    const runs = await run_(['runs', '--json', '--db', database, '--config', w.config], env);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ newsletter: 'morning', date: '2026-11-30', state: 'held' });

    const refused = await run_(['send', '--date', '2026-11-30', '--db', database, '--config', w.config, '--data', w.data], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('failed the pre-send checks, so nothing was sent');
    expect(sink.messages).toHaveLength(0);

    const forced = await run_(['send', '--date', '2026-11-30', '--force', '--db', database, '--config', w.config, '--data', w.data], env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('--force: the pre-send checks were not run');
    expect(sink.messages.map((m) => m.to)).toEqual([['ann@example.com']]);
  }, 90_000);
});

describe('sending real mail', () => {
  it('refuses a baseUrl that is not https, naming the key, unless --allow-insecure-links; warns without DKIM', async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const w = world({ config: { baseUrl: 'http://news.daybreak.example' } });
    const database = join(w.base, 'daybreak.db');
    const seed = await openStore({ database });
    await seed.subscribers.add({ email: 'ann@example.com', name: 'Ann', newsletters: ['morning'], confirmed: true, source: 'cli' }, new Date());
    await seed.close();
    const env = { SMTP_URL: sink.url, DAYBREAK_SECRET: 'a-gate-test-secret-0123456789', DAYBREAK_SPAM_CHECK: 'off' };
    const args = ['send', '--date', '2026-11-30', '--db', database, '--config', w.config, '--data', w.data];
    const refused = await run_(args, env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('baseUrl: "http://news.daybreak.example" is not https on the standard port');
    expect(refused.stderr).toContain('--allow-insecure-links');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(sink.messages).toHaveLength(0);
    // An https URL on another port is refused too.
    const port = world({ config: { baseUrl: 'https://news.daybreak.example:8443' } });
    expect((await run_(['send', '--date', '2026-11-30', '--db', database, '--config', port.config, '--data', port.data], env)).stderr).toContain('is not https on the standard port');
    await expect(createDaybreak({ configFile: w.config, dataDir: w.data, database, varDir: join(w.base, 'var'), env, preview: false, log: () => {} })).rejects.toThrow(/baseUrl: "http:\/\/news\.daybreak\.example" is not https/);

    const allowed = await run_([...args, '--allow-insecure-links'], env);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain('warning: delivery.dkim is not configured');
    expect(sink.messages).toHaveLength(1);
  }, 90_000);
});

async function run_(args: string[], env: Record<string, string>) {
  const { SMTP_URL: _drop, ...rest } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...rest, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
