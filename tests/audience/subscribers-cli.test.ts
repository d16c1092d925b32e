import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokens, openKeyring, parseCsv } from '../../src/audience/index.ts';
import { openStore } from '../../src/storage/index.ts';
import { createMailer } from '../../src/delivery/index.ts';
import { loadConfig } from '../../src/content/index.ts';
import { createApp } from '../../src/web/index.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { registerSubscribers } from '../../src/cli/commands/subscribers.ts';
import { runCli } from '../../src/cli/run-cli.ts';

let dir: string;
let configFile: string;
let sink: SmtpSink;
let env: NodeJS.ProcessEnv;
const savedDb = process.env.DAYBREAK_DB;

beforeEach(async () => {
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'daybreak-cli-'));
  process.env.DAYBREAK_DB = join(dir, 'db.sqlite');
  configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ newsletters: [{ id: 'morning', name: 'The Morning Briefing' }, { id: 'good-news', name: 'Good News', schedule: { cron: '0 8 * * 0' } }] }),
  );
  const { DAYBREAK_SECRET: _unused, ...rest } = process.env;
  env = { ...rest, DAYBREAK_DB: join(dir, 'db.sqlite'), SMTP_URL: sink.url };
});
afterEach(async () => {
  await sink.close();
  process.env.DAYBREAK_DB = savedDb;
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const status = await runCli(argv, [(program) => registerSubscribers(program, io as never, env)], io as never);
  return { status, stdout, stderr };
}

async function list() {
  const out = await cli('subscribers', 'list', '--json');
  expect(out.status).toBe(0);
  return JSON.parse(out.stdout) as { email: string; name: string | null; status: string; subscriptions: { newsletter: string; status: string }[] }[];
}

describe('daybreak subscribers', () => {
  it('adds, lists as JSON, and removes a subscriber', async () => {
    const ann = await cli('subscribers', 'add', ' Ann@Example.COM', '--name', 'Ann', '--newsletter', 'morning', '--newsletter', 'good-news', '--confirmed', '--config', configFile);
    expect(ann.status).toBe(0);
    // A sentence with its full stop, as the pending form ("Added …: morning pending.") is.
    expect(ann.stdout).toBe('Added Ann@example.com: morning, good-news confirmed.\n');
    expect((await cli('subscribers', 'add', 'bob@example.com', '--config', configFile)).status).toBe(0);
    expect(await list()).toEqual([
      { email: 'Ann@example.com', name: 'Ann', status: 'active', timezone: null, subscriptions: [{ newsletter: 'good-news', status: 'confirmed' }, { newsletter: 'morning', status: 'confirmed' }] },
      { email: 'bob@example.com', name: null, status: 'active', timezone: null, subscriptions: [{ newsletter: 'morning', status: 'pending' }] },
    ]);
    const pending = await cli('subscribers', 'list', '--status', 'pending', '--json');
    expect(JSON.parse(pending.stdout).map((p: { email: string }) => p.email)).toEqual(['bob@example.com']);
    expect((await cli('subscribers', 'remove', 'nobody@example.com')).status).toBe(1);
    // Stored as given, but found whatever the case of the local part.
    expect((await cli('subscribers', 'remove', 'ann@EXAMPLE.com')).stdout).toContain('Removed ann@example.com');
    expect((await list()).map((p) => p.email)).toEqual(['bob@example.com']);
  });

  it('adds Ann@ and ann@ as one person, and says when it updates the name', async () => {
    expect((await cli('subscribers', 'add', 'Ann@example.com', '--config', configFile)).stdout).toContain('Added Ann@example.com: morning pending');
    const again = await cli('subscribers', 'add', 'ann@example.com', '--name', 'Ann', '--newsletter', 'good-news', '--confirmed', '--config', configFile);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('Updated ann@example.com: name set to "Ann"; good-news confirmed.\n');
    expect(await list()).toEqual([
      { email: 'Ann@example.com', name: 'Ann', status: 'active', timezone: null, subscriptions: [{ newsletter: 'morning', status: 'pending' }, { newsletter: 'good-news', status: 'confirmed' }] },
    ]);
    expect((await cli('subscribers', 'add', 'ANN@example.com', '--newsletter', 'good-news', '--confirmed', '--config', configFile)).stdout).toBe('Updated ANN@example.com: nothing changed.\n');
    expect((await list())[0]!.name).toBe('Ann');
  });

  it('list, remove and export accept --config and refuse a config file that does not exist', async () => {
    await cli('subscribers', 'add', 'a@example.com', '--config', configFile);
    for (const argv of [['list'], ['export']]) {
      expect((await cli('subscribers', ...argv, '--config', configFile)).status).toBe(0);
    }
    for (const argv of [['list'], ['remove', 'a@example.com'], ['export']]) {
      const missing = await cli('subscribers', ...argv, '--config', join(dir, 'missing.json'));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('missing.json: config file not found');
    }
    expect((await list()).map((p) => p.email)).toEqual(['a@example.com']);
    expect((await cli('subscribers', 'remove', 'a@example.com', '--config', configFile)).status).toBe(0);
    expect(await list()).toEqual([]);
  });

  it('refuses a bad address, an unknown newsletter and an unknown status with usage errors', async () => {
    expect(await cli('subscribers', 'add', 'not-an-address', '--config', configFile)).toMatchObject({ status: 2 });
    const unknown = await cli('subscribers', 'add', 'a@example.com', '--newsletter', 'nope', '--config', configFile);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown newsletter "nope"');
    expect((await cli('subscribers', 'list', '--status', 'sleepy')).status).toBe(2);
    expect(await list()).toEqual([]);
  });

  it('imports good rows, reports bad ones by line, and changes nothing the second time', async () => {
    const file = join(dir, 'list.csv');
    writeFileSync(file, 'email,name\nann@example.com,Ann\nnot-an-email,Bob\n"cat@example.com","Cat, the Great"\n\ndan@example.com,' + 'x'.repeat(101) + '\nEve@Example.com,\n');
    const first = await cli('subscribers', 'import', file, '--confirmed', '--config', configFile);
    expect(first.status).toBe(1);
    expect(first.stderr).toContain(`${file}:3: "not-an-email" is missing an @`);
    expect(first.stderr).toContain(`${file}:6: Your name is too long`);
    expect(first.stdout).toContain('3 added, 0 updated, 0 unchanged, 2 bad rows skipped.\n');
    const before = await list();
    expect(before.map((p) => [p.email, p.name])).toEqual([['ann@example.com', 'Ann'], ['cat@example.com', 'Cat, the Great'], ['Eve@example.com', null]]);
    const second = await cli('subscribers', 'import', file, '--confirmed', '--config', configFile);
    expect(second.stdout).toContain('0 added, 0 updated, 3 unchanged, 2 bad rows skipped.\n');
    expect(await list()).toEqual(before);
  });

  it('says that an import without --confirmed leaves the readers pending and mails nobody', async () => {
    const file = join(dir, 'list.csv');
    writeFileSync(file, 'ann@example.com,Ann\nbob@example.com,\n');
    const out = await cli('subscribers', 'import', file, '--config', configFile);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('Imported');
    expect(out.stdout).toContain(
      '2 readers added as pending to morning: no confirmation email was sent, so they get no editions yet. Pass --confirmed if they already agreed, or have them sign up',
    );
    expect(sink.messages).toEqual([]);
    expect((await list()).map((p) => p.subscriptions)).toEqual([[{ newsletter: 'morning', status: 'pending' }], [{ newsletter: 'morning', status: 'pending' }]]);
    // One more newsletter for one of them: counted as one reader, in the singular.
    writeFileSync(file, 'ann@example.com,Ann\n');
    const more = await cli('subscribers', 'import', file, '--newsletter', 'good-news', '--config', configFile);
    expect(more.stdout).toContain('1 reader added as pending to good-news: no confirmation email was sent');
    // Nothing new pending, nothing to say; and --confirmed never leaves anyone pending.
    expect((await cli('subscribers', 'import', file, '--newsletter', 'good-news', '--config', configFile)).stdout).not.toContain('pending');
    const confirmed = await cli('subscribers', 'import', file, '--confirmed', '--config', configFile);
    expect(confirmed.stdout).toContain('0 added, 1 updated');
    expect(confirmed.stdout).not.toContain('pending');
  });

  it('reports a missing import file', async () => {
    const out = await cli('subscribers', 'import', join(dir, 'missing.csv'), '--config', configFile);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('file not found');
  });

  it('exports RFC 4180 CSV with formula-looking cells defused', async () => {
    await cli('subscribers', 'add', 'ann@example.com', '--name', '=HYPERLINK("http://evil.test","click")', '--confirmed', '--config', configFile);
    await cli('subscribers', 'add', 'bob@example.com', '--name', '@SUM(1+1)', '--config', configFile);
    await cli('subscribers', 'add', 'cat@example.com', '--name', 'Lee, Cat', '--config', configFile);
    const out = await cli('subscribers', 'export');
    expect(out.status).toBe(0);
    expect(out.stdout.split('\r\n')[0]).toBe('email,name,status,subscriptions,created_at,consent_at,consent_source,timezone');
    expect(out.stdout).toContain(`ann@example.com,"'=HYPERLINK(""http://evil.test"",""click"")",active,morning:confirmed,`);
    expect(out.stdout).toContain(`bob@example.com,'@SUM(1+1),active,morning:pending,`);
    const { records } = parseCsv(out.stdout);
    expect(records.map((r) => r.cells[1])).toEqual(['name', `'=HYPERLINK("http://evil.test","click")`, "'@SUM(1+1)", 'Lee, Cat']);
    const confirmed = await cli('subscribers', 'export', '--status', 'confirmed');
    expect(parseCsv(confirmed.stdout).records.map((r) => r.cells[0])).toEqual(['email', 'ann@example.com']);
  });

  it('without --confirmed sends the confirmation email the sign-up page sends, whose link subscribes them', async () => {
    const added = await cli('subscribers', 'add', 'zoe@example.com', '--name', 'Zoe', '--newsletter', 'good-news', '--config', configFile);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('Added zoe@example.com: good-news pending.');
    expect(added.stdout).toContain(`Sent the confirmation email (mail went to ${sink.url});`);
    expect(sink.messagesTo('zoe@example.com')).toHaveLength(1);
    const mail = await simpleParser(sink.messagesTo('zoe@example.com')[0]!.raw);
    expect(mail.subject).toMatch(/Confirm/);
    const link = /https?:\/\/\S+\/confirm\?token=[A-Za-z0-9_.-]+/.exec(mail.text!)![0];
    // Following it on the web app (same database, same key) confirms the subscription.
    const config = loadConfig({ file: configFile });
    const store = await openStore({ database: env.DAYBREAK_DB! });
    const mailer = createMailer({ config, env: { SMTP_URL: sink.url }, varDir: join(dir, 'var') });
    const app = createApp({ config, store, mailer, tokens: await createTokens(openKeyring({ env: {}, dbFile: env.DAYBREAK_DB!, create: false })), log: () => {} });
    const token = new URL(link).searchParams.get('token')!;
    const res = await app.request('/confirm', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
    expect(res.status).toBe(200);
    await app.audience.close();
    await mailer.close();
    await store.close();
    expect(await list()).toEqual([{ email: 'zoe@example.com', name: 'Zoe', status: 'active', timezone: null, subscriptions: [{ newsletter: 'good-news', status: 'confirmed' }] }]);
  });

  it('without --confirmed sends at most one confirmation a day, and says when the next can go', async () => {
    expect((await cli('subscribers', 'add', 'zoe@example.com', '--config', configFile)).status).toBe(0);
    const again = await cli('subscribers', 'add', 'zoe@example.com', '--config', configFile);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/A confirmation email already went to this address at .* \(at most one a day\)/);
    expect(sink.messagesTo('zoe@example.com')).toHaveLength(1);
  });

  it('without --confirmed fails with exit 1 when the confirmation cannot be sent, and a re-run sends it', async () => {
    const saved = env.SMTP_URL;
    env.SMTP_URL = 'smtp://127.0.0.1:1';
    const failed = await cli('subscribers', 'add', 'zoe@example.com', '--config', configFile);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('the confirmation email could not be sent');
    expect(failed.stderr).toContain('run the same command again to retry');
    env.SMTP_URL = saved;
    const retried = await cli('subscribers', 'add', 'zoe@example.com', '--config', configFile);
    expect(retried.stdout).toContain('Sent the confirmation email');
    expect(sink.messagesTo('zoe@example.com')).toHaveLength(1);
  });
});
