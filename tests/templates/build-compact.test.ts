import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuild } from '../../src/cli/commands/build.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { sampleEditions } from './sample-editions.ts';
import { templates } from '../../src/designs/index.ts';
import { brokenEditionTemplate } from './fixtures/broken-mjml.tsx';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'daybreak-compact-'));
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  cpSync(join(ROOT, 'daybreak.config.json'), join(dir, 'daybreak.config.json'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function build(args: string[], data = join(dir, 'data')) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } };
  const argv = ['build', '--config', join(dir, 'daybreak.config.json'), '--data', data, '--out', join(dir, 'out'), ...args];
  const status = await runCli(argv, [(program) => registerBuild(program, io)], { stderr: io.stderr as never });
  return { status, stdout, stderr };
}

describe('daybreak build --template compact', () => {
  const { config, editions } = sampleEditions();
  // The fullest edition of each newsletter in the sample data.
  const latest = config.newsletters.map(
    (n) => editions.filter((e) => e.newsletter.id === n.id).sort((a, b) => b.items.length - a.items.length)[0]!,
  );

  it.each(latest.map((e) => [e.newsletter.id, e.date, e] as const))('works for %s (%s) and prints no lint warnings', async (id, date, edition) => {
    const { status, stdout, stderr } = await build(['--newsletter', id, '--date', date, '--template', 'compact', '--json']);
    // Notes on which edition nearby articles are in may come; a warning may not.
    expect(stderr.split('\n').filter((line) => line !== '' && !line.startsWith('note: '))).toEqual([]);
    expect(status).toBe(0);
    const result = JSON.parse(stdout) as { template: string; subject: string; files: { html: string; text: string; eml: string }; htmlBytes: number };
    expect(result.template).toBe('compact');
    expect(result.subject).toBe(edition.subject);
    expect(result.files.html).toBe(join(dir, 'out', id, date, 'compact.html'));
    for (const file of Object.values(result.files)) expect(existsSync(file), file).toBe(true);
    const html = readFileSync(result.files.html, 'utf8');
    // The compact layout, not the briefing's: items as half-width inline-blocks (class "ic").
    expect(html).toContain('class="ic"');
    const mail = await simpleParser(readFileSync(result.files.eml));
    expect(mail.subject).toBe(edition.subject);
    expect(mail.html).toBe(html);
    expect(mail.text?.trimEnd()).toBe(readFileSync(result.files.text, 'utf8').trimEnd());
  });

  it('prints the lint findings as warnings on stderr, keeping --json output one object', async () => {
    // 160 real articles in one day: more than Gmail shows unclipped, which the lint reports.
    const data = join(dir, 'many');
    mkdirSync(join(data, 'articles'), { recursive: true });
    const articles = Array.from({ length: 160 }, (_, i) => ({
      id: `item-${i}`,
      kicker: 'Speed read',
      headline: `Item ${i}: the harbor ferry plan and what it means for the morning commute`,
      dek: 'Supporters say the route would cut commutes by half; opponents point to a budget gap and ask who pays for the docks.',
      url: `https://news.example.com/2026/11/25/item-${i}`,
      publishedAt: `2026-11-25T0${i % 5}:${String(i % 60).padStart(2, '0')}:00-05:00`,
    }));
    writeFileSync(join(data, 'articles', 'many.json'), JSON.stringify(articles));
    const { status, stdout, stderr } = await build(['--date', '2026-11-25', '--template', 'compact', '--json'], data);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ template: 'compact', date: '2026-11-25' });
    expect(stderr).toMatch(/^warning: size: HTML is \d+\.\d KB; Gmail clips messages of 102 KB and more$/m);
  });

  it('fails on an MJML error with the template name, MJML line and message, and writes nothing', async () => {
    templates.push(brokenEditionTemplate);
    try {
      const out = join(dir, 'out');
      const before = existsSync(join(out, 'morning', '2026-11-30')) ? readdirSync(join(out, 'morning', '2026-11-30')).sort() : [];
      const { status, stdout, stderr } = await build(['--newsletter', 'morning', '--date', '2026-11-30', '--template', 'broken-fixture']);
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /^daybreak: Template "broken-fixture" does not compile: MJML line \d+ \(mj-column\): mj-column cannot be used inside mj-body, only inside: mj-attributes, mj-group, mj-section \(and 1 more\)\n$/,
      );
      const after = existsSync(join(out, 'morning', '2026-11-30')) ? readdirSync(join(out, 'morning', '2026-11-30')).sort() : [];
      expect(after).toEqual(before);
      expect(after.some((f) => f.startsWith('broken-fixture'))).toBe(false);
    } finally {
      templates.splice(templates.indexOf(brokenEditionTemplate), 1);
    }
  });
});
