import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { build as buildEdition, registerBuild } from '../../src/cli/commands/build.ts';
import { send } from '../../src/cli/commands/send.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { sampleReader } from '../../src/render/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/daybreak.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daybreak-build-'));
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  cpSync(join(ROOT, 'daybreak.config.json'), join(dir, 'daybreak.config.json'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `daybreak build …` in-process with the temp folder's config, data and out folders. */
async function build(args: string[], paths: { config?: string; data?: string; out?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const argv = [
    'build',
    '--config', paths.config ?? join(dir, 'daybreak.config.json'),
    '--data', paths.data ?? join(dir, 'data'),
    '--out', paths.out ?? join(dir, 'out'),
    ...args,
  ];
  const status = await runCli(argv, [(program) => registerBuild(program, io)], { stderr: io.stderr as never });
  return { status, stdout, stderr };
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(folder, f)).isFile()).sort();
}

describe('daybreak build', () => {
  it('writes html, txt and eml for the edition and prints the documented JSON', async () => {
    const { status, stdout, stderr } = await build(['--date', '2026-11-30', '--json']);
    // The sample data has two Sunday stories at the very start of this edition's window: said, not warned.
    expect(stderr).toBe(
      'note: article holiday-travel-record-sunday (05:30 Nov 29) belongs to the Nov 29 edition; the Nov 30 window opened at 06:00 Nov 29 (America/New_York)\n' +
        'note: article asia-markets-open-sunday (06:00 Nov 29) belongs to the Nov 29 edition; the Nov 30 window opened at 06:00 Nov 29 (America/New_York)\n',
    );
    expect(status).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual(['newsletter', 'date', 'template', 'subject', 'sendAt', 'articles', 'files', 'htmlBytes']);
    expect(result).toMatchObject({ newsletter: 'morning', date: '2026-11-30', template: 'briefing', sendAt: '2026-11-30T11:00:00.000Z' });
    const out = join(dir, 'out', 'morning', '2026-11-30');
    expect(result.files).toEqual({ html: join(out, 'briefing.html'), text: join(out, 'briefing.txt'), eml: join(out, 'briefing.eml') });
    expect(filesUnder(join(dir, 'out'))).toEqual(['morning/2026-11-30/briefing.eml', 'morning/2026-11-30/briefing.html', 'morning/2026-11-30/briefing.txt']);

    const html = readFileSync(result.files.html, 'utf8');
    const text = readFileSync(result.files.text, 'utf8');
    expect(result.htmlBytes).toBe(statSync(result.files.html).size);
    expect(result.articles.length).toBeGreaterThan(10);
    for (const a of result.articles as Array<{ id: string; headline: string; url: string }>) {
      expect(Object.keys(a)).toEqual(['id', 'headline', 'url']);
      expect(html).toContain(`href="${a.url}"`);
      expect(text).toContain(a.headline);
      expect(text).toContain(a.url);
    }
    expect(html).toContain(`Good morning, ${sampleReader.firstName}.`);
  });

  it('writes the .eml with the builder send uses: CRLF only, List-Id, the mailto form, Feedback-ID, the same header order and Message-ID scheme', async () => {
    const { stdout } = await build(['--date', '2026-11-30', '--json']);
    const raw = readFileSync(JSON.parse(stdout).files.eml, 'utf8');
    expect(raw.match(/(^|[^\r])\n/g)).toBeNull();
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^List-Id: "The Morning Briefing" <morning\.daybreak\.example>$/m);
    expect(head).toContain('<mailto:unsubscribe@daybreak.example?subject=unsubscribe>');
    expect(head).toMatch(/^Feedback-ID: morning:newsletter:daybreak\.example$/m);
    expect(head).toMatch(/^Message-ID: <morning\.2026-11-30\.[A-Za-z0-9_-]{27}@daybreak\.example>$/m);
    const sink = await startSmtpSink();
    try {
      const io = { stdout: { write: () => true }, stderr: { write: () => true } };
      const env = { DAYBREAK_DB: join(dir, 'db', 'daybreak.db'), DAYBREAK_SECRET: 'a-test-secret-0123456789abcdef', SMTP_URL: sink.url, DAYBREAK_ALLOW_INSECURE_LINKS: '1' };
      expect(await send({ config: join(dir, 'daybreak.config.json'), data: join(dir, 'data'), date: '2026-11-30', to: 'ana.reader@example.com' }, io as never, env)).toBe(0);
      const names = (text: string) => text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n').filter((l) => !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(':')));
      expect(names(raw)).toEqual(names(sink.messages[0]!.raw));
    } finally {
      await sink.close();
    }
  });

  it('writes a complete multipart/alternative message for the sample reader', async () => {
    const { stdout } = await build(['--date', '2026-11-30', '--json']);
    const result = JSON.parse(stdout);
    const raw = readFileSync(result.files.eml);
    expect(raw.toString('utf8')).toMatch(/^Content-Type: multipart\/alternative;/m);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe(result.subject);
    expect(mail.to && 'value' in mail.to ? mail.to.value[0]?.address : null).toBe(sampleReader.email);
    expect(mail.from?.value[0]?.address).toBe('briefing@daybreak.example');
    expect(mail.html).toBe(readFileSync(result.files.html, 'utf8'));
    expect(mail.text?.trim()).toBe(readFileSync(result.files.text, 'utf8').trim());
    expect(mail.headers.get('list')).toMatchObject({ unsubscribe: { url: sampleReader.unsubscribeUrl } });
    expect(mail.date?.toISOString()).toBe(result.sendAt);
  });

  it("links the sample reader's unsubscribe URL on the config's baseUrl in the HTML footer, the text and List-Unsubscribe", async () => {
    const config = JSON.parse(readFileSync(join(dir, 'daybreak.config.json'), 'utf8'));
    const custom = join(dir, 'custom-base.json');
    writeFileSync(custom, JSON.stringify({ ...config, baseUrl: 'https://news.example.org/daily/' }));
    const { status, stdout } = await build(['--date', '2026-11-30', '--json'], { config: custom });
    expect(status).toBe(0);
    const result = JSON.parse(stdout);
    const expected = 'https://news.example.org/daily/unsubscribe?token=sample-ana';
    const html = readFileSync(result.files.html, 'utf8');
    expect(html).toContain(`href="${expected}"`);
    expect(html).not.toContain('localhost:3000');
    expect(readFileSync(result.files.text, 'utf8')).toContain(`Unsubscribe: ${expected}`);
    const mail = await simpleParser(readFileSync(result.files.eml));
    expect(mail.headers.get('list')).toMatchObject({ unsubscribe: { url: expected } });
  });

  it('prints a short human summary without --json', async () => {
    const { status, stdout } = await build(['--date', '2026-11-30']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^morning 2026-11-30 \(briefing\): \d+ articles\n/);
    expect(stdout).toContain(join(dir, 'out', 'morning', '2026-11-30', 'briefing.html'));
    expect(stdout).toMatch(/\d+\.\d KB/);
  });

  it('builds another newsletter and another day, and the days differ', async () => {
    const weekly = await build(['--newsletter', 'good-news', '--date', '2026-11-29', '--json']);
    expect(weekly.status).toBe(0);
    expect(JSON.parse(weekly.stdout)).toMatchObject({ newsletter: 'good-news', date: '2026-11-29' });
    const monday = JSON.parse((await build(['--date', '2026-11-30', '--json'])).stdout);
    const tuesday = JSON.parse((await build(['--date', '2026-12-01', '--json'])).stdout);
    expect(tuesday.articles.map((a: { id: string }) => a.id)).not.toEqual(monday.articles.map((a: { id: string }) => a.id));
  });

  it('skips a day with no articles: exit 0, says so, names the dates that have some, writes nothing', async () => {
    // The sample data: the good-news stories of the week before, then three daily briefings.
    const DATES = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01'];
    const json = await build(['--date', '2026-06-01', '--json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ newsletter: 'morning', date: '2026-06-01', skipped: 'no articles', datesWithArticles: DATES });
    const human = await build(['--date', '2026-06-01']);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('nothing written');
    expect(human.stdout).toContain(`Dates with articles: ${DATES.join(', ')}; pick one with --date.`);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    // Each date it names does build.
    for (const date of DATES) expect((await build(['--date', date])).stdout, date).not.toContain('nothing written');
    // And the day before the first of them has none.
    expect((await build(['--date', '2026-11-22'])).stdout).toContain('nothing written');
  });

  it('exits 1 on bad data, printing every problem as file: path: message and writing nothing', async () => {
    writeFileSync(join(dir, 'data', 'articles', 'zz-bad.json'), JSON.stringify([{ id: 'bad one', kicker: 'K', headline: 'H', dek: 'D', url: 'ftp://x', publishedAt: '2026-11-30T04:00:00-05:00' }]));
    writeFileSync(join(dir, 'data', 'articles', 'zz-broken.json'), '{ "id": ');
    const { status, stderr, stdout } = await build(['--date', '2026-11-30', '--json']);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/zz-bad\.json: \[0\]\.id: .+/);
    expect(stderr).toMatch(/zz-bad\.json: \[0\]\.url: .+/);
    expect(stderr).toMatch(/zz-broken\.json: .*JSON.*line 1/);
    expect(filesUnder(join(dir, 'out'))).toEqual([]);
  });

  it('exits 1 on a bad config naming the key, and on a config naming an unknown template', async () => {
    const badKey = join(dir, 'bad.json');
    writeFileSync(badKey, JSON.stringify({ baseUrl: 'not a url', colour: 'red' }));
    const first = await build(['--date', '2026-11-30'], { config: badKey });
    expect(first.status).toBe(1);
    expect(first.stderr).toContain('baseUrl');
    const badTemplate = join(dir, 'template.json');
    writeFileSync(badTemplate, JSON.stringify({ newsletters: [{ id: 'morning', name: 'M', template: 'fancy' }] }));
    const second = await build(['--date', '2026-11-30'], { config: badTemplate });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/newsletters\[0\]\.template: Unknown template "fancy" \(edition templates: briefing, compact\)/);
    expect(filesUnder(join(dir, 'out'))).toEqual([]);
  });

  it.each([
    [['--date', '30/11/2026'], /--date: .*YYYY-MM-DD/],
    [['--date', '2026-02-30'], /--date: .*YYYY-MM-DD/],
    [['--date', '2026-11-30', '--newsletter', 'evening'], /Unknown newsletter "evening" \(the config has: morning, good-news\)/],
    [['--date', '2026-11-30', '--template', 'fancy'], /Unknown template "fancy" \(edition templates: briefing, compact\)\n/],
    [['--date', '2026-11-30', '--template', 'welcome'], /Template "welcome" is a transactional email, not an edition design \(edition templates: briefing, compact\)/],
    [['--date', '2026-11-30', '--newsletter', 'good-news'], /good-news does not go out on 2026-11-30.*next edition is on 2026-12-06/],
    [['--date', '2026-11-30', '--colour', 'red'], /unknown option/],
  ])('exits 2 on bad usage %j, writing nothing', async (args, message) => {
    const { status, stderr } = await build(args);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
    expect(filesUnder(join(dir, 'out'))).toEqual([]);
  });

  it('exits 1 naming newsletters[0].template when the config gives a newsletter a transactional template', async () => {
    const config = JSON.parse(readFileSync(join(dir, 'daybreak.config.json'), 'utf8'));
    config.newsletters[0].template = 'welcome';
    const file = join(dir, 'transactional.json');
    writeFileSync(file, JSON.stringify(config));
    const { status, stderr } = await build(['--date', '2026-11-30'], { config: file });
    expect(status).toBe(1);
    expect(stderr).toContain(`${file}: newsletters[0].template: Template "welcome" is a transactional email`);
    expect(filesUnder(join(dir, 'out'))).toEqual([]);
  });

  it('exits 1 naming a data/editions folder that is no newsletter of the config, writing nothing', async () => {
    mkdirSync(join(dir, 'data', 'editions', 'mornin'));
    writeFileSync(join(dir, 'data', 'editions', 'mornin', '2026-11-30.json'), JSON.stringify({ lead: 'x' }));
    const { status, stderr } = await build(['--date', '2026-11-30']);
    expect(status).toBe(1);
    expect(stderr).toMatch(/editions\/mornin: no newsletter "mornin" in the config \(it has: morning, good-news\)/);
    expect(filesUnder(join(dir, 'out'))).toEqual([]);
  });

  it('says "1 article" in the summary of a one-article edition', async () => {
    const data = join(dir, 'one');
    mkdirSync(join(data, 'articles'), { recursive: true });
    writeFileSync(join(data, 'articles', 'one.json'), JSON.stringify({ id: 'only', kicker: 'Speed read', headline: 'The only story', dek: 'Just one.', url: 'https://news.example.com/only', publishedAt: '2026-11-30T04:00:00-05:00' }));
    const { status, stdout } = await build(['--date', '2026-11-30'], { data });
    expect(status).toBe(0);
    expect(stdout).toMatch(/^morning 2026-11-30 \(briefing\): 1 article\n/);
  });

  it("defaults the date to today in the newsletter's timezone, not in UTC", async () => {
    const flags = { config: join(dir, 'daybreak.config.json'), data: join(dir, 'data'), out: join(dir, 'out') };
    // 03:00 UTC on December 1 is still November 30 in New York.
    const lateEvening = await buildEdition(flags, new Date('2026-12-01T03:00:00Z'));
    expect(lateEvening).toMatchObject({ newsletter: 'morning', date: '2026-11-30' });
    const nextMorning = await buildEdition(flags, new Date('2026-12-01T12:00:00Z'));
    expect(nextMorning).toMatchObject({ date: '2026-12-01' });
  });

  it('reads DAYBREAK_DATA and DAYBREAK_CONFIG when no flag is given, and a flag wins over them', async () => {
    vi.stubEnv('DAYBREAK_DATA', join(dir, 'data'));
    vi.stubEnv('DAYBREAK_CONFIG', join(dir, 'daybreak.config.json'));
    try {
      const fromEnv = await buildEdition({ date: '2026-11-30', out: join(dir, 'out') });
      expect(fromEnv).toMatchObject({ newsletter: 'morning', date: '2026-11-30' });
      await expect(buildEdition({ date: '2026-11-30', out: join(dir, 'out'), data: join(dir, 'missing') })).rejects.toThrow(/missing: data folder not found/);
      const renamed = join(dir, 'renamed.json');
      const config = JSON.parse(readFileSync(join(dir, 'daybreak.config.json'), 'utf8'));
      writeFileSync(renamed, JSON.stringify({ ...config, newsletters: [{ ...config.newsletters[0], name: 'The Flag Briefing' }, config.newsletters[1]] }));
      const fromFlag = await buildEdition({ date: '2026-11-30', out: join(dir, 'out'), config: renamed });
      expect(fromFlag).toMatchObject({ newsletter: 'morning', date: '2026-11-30' });
      expect(readFileSync((fromFlag as { files: { html: string } }).files.html, 'utf8')).toContain('The Flag Briefing');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('exits 1 naming the path, without a stack trace, when the output folder cannot be created', async () => {
    const { status, stdout, stderr } = await build(['--date', '2026-11-30'], { out: '/dev/null/x' });
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^daybreak: Cannot write \/dev\/null\/x\/morning\/2026-11-30: ENOTDIR/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('when one file cannot be written, renames none, removes its temporaries and exits 1 naming that file', async () => {
    const out = join(dir, 'out', 'morning', '2026-11-30');
    // A folder where the text part's temporary file must go: the html temp is written, the text one fails.
    mkdirSync(join(out, `briefing.txt.tmp-${process.pid}`), { recursive: true });
    const { status, stderr } = await build(['--date', '2026-11-30']);
    expect(status).toBe(1);
    expect(stderr).toContain(`Cannot write ${join(out, 'briefing.txt')}: EISDIR`);
    expect(readdirSync(out)).toEqual([`briefing.txt.tmp-${process.pid}`]);
  });

  it('replaces files of an earlier build and leaves no temporary files', async () => {
    await build(['--date', '2026-11-30']);
    const { status } = await build(['--date', '2026-11-30']);
    expect(status).toBe(0);
    expect(filesUnder(join(dir, 'out'))).toEqual(['morning/2026-11-30/briefing.eml', 'morning/2026-11-30/briefing.html', 'morning/2026-11-30/briefing.txt']);
  });

  it('runs as a real process with the default config, data and out folders of the working directory', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'build', '--date', '2026-11-30', '--json'], { cwd: dir, env: { ...process.env, DAYBREAK_CONFIG: '', DAYBREAK_DATA: '' } });
    const result = JSON.parse(stdout);
    expect(result.files.html).toBe(join('out', 'morning', '2026-11-30', 'briefing.html'));
    expect(existsSync(join(dir, result.files.html))).toBe(true);
    const failure = await promisify(execFile)(process.execPath, [BIN, 'build', '--date', 'tomorrow'], { cwd: dir }).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('--date');
  }, 120_000); // two cold CLI starts (tsx compiles every command) on a shared 2-core machine

  it('writes the same From and Reply-To into the .eml as send puts on the mail', async () => {
    const sink = await startSmtpSink();
    try {
      for (const [from, replyTo] of [
        ['The Daybreak Post <briefing@daybreak.example>', 'Letters <letters@daybreak.example>'],
        ['"Post, The Daybreak" <briefing@daybreak.example>', 'letters@daybreak.example'],
        ['Café Daybreak <briefing@daybreak.example>', '"Desk (night)" <desk@daybreak.example>'],
        ['briefing@daybreak.example (The Daybreak Post)', 'letters@daybreak.example'],
      ] as const) {
        const config = JSON.parse(readFileSync(join(dir, 'daybreak.config.json'), 'utf8'));
        config.publisher = { ...config.publisher, from, replyTo };
        const file = join(dir, 'from.config.json');
        writeFileSync(file, JSON.stringify(config));
        const built = await build(['--date', '2026-11-30', '--json'], { config: file });
        expect(built.status, built.stderr).toBe(0);
        const eml = await simpleParser(readFileSync(JSON.parse(built.stdout).files.eml));
        const io = { stdout: { write: () => true }, stderr: { write: () => true } };
        const env = { DAYBREAK_DB: join(dir, 'db', 'daybreak.db'), DAYBREAK_SECRET: 'a-test-secret-0123456789abcdef', SMTP_URL: sink.url, DAYBREAK_ALLOW_INSECURE_LINKS: '1' };
        expect(await send({ config: file, data: join(dir, 'data'), date: '2026-11-30', to: 'editor@example.com' }, io as never, env)).toBe(0);
        const sent = await simpleParser(sink.messages.at(-1)!.raw);
        expect(eml.from!.value, from).toEqual(sent.from!.value);
        expect(eml.replyTo!.value, replyTo).toEqual(sent.replyTo!.value);
        // And the envelope sender is the From address, nothing else.
        expect(sink.messages.at(-1)!.from).toBe(sent.from!.value[0]!.address);
      }
      // A From with a header injected in it is refused by both, before anything is built or sent.
      const config = JSON.parse(readFileSync(join(dir, 'daybreak.config.json'), 'utf8'));
      config.publisher = { ...config.publisher, from: 'Evil <a@b.example>\r\nBcc: victim@example.com' };
      const file = join(dir, 'evil.config.json');
      writeFileSync(file, JSON.stringify(config));
      const built = await build(['--date', '2026-11-30'], { config: file, out: join(dir, 'evil-out') });
      expect(built.status).toBe(1);
      expect(built.stderr).toContain('publisher.from: "Evil <a@b.example>\\r\\nBcc: victim@example.com" contains a line break');
      expect(existsSync(join(dir, 'evil-out'))).toBe(false);
      const before = sink.messages.length;
      const io = { stdout: { write: () => true }, stderr: { write: () => true } };
      const env = { DAYBREAK_DB: join(dir, 'db', 'daybreak.db'), DAYBREAK_SECRET: 'a-test-secret-0123456789abcdef', SMTP_URL: sink.url };
      await expect(send({ config: file, data: join(dir, 'data'), date: '2026-11-30' }, io as never, env)).rejects.toThrow(/publisher\.from: .* contains a line break/);
      expect(sink.messages.length).toBe(before);
    } finally {
      await sink.close();
    }
  });

  it('warns on stderr about what it skipped in the data folder, naming each entry', async () => {
    mkdirSync(join(dir, 'data', 'articles', 'old.json'));
    const { status, stderr } = await build(['--date', '2026-11-30']);
    expect(status).toBe(0);
    expect(stderr).toContain(`warning: ${join(dir, 'data', 'articles', 'old.json')}: is a folder, not a JSON file; skipped`);
  });
});
