import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatTemplateTable, registerTemplates } from '../../src/cli/commands/templates.ts';
import { runCli } from '../../src/cli/run-cli.ts';

const ROOT = resolve(import.meta.dirname, '../..');

async function templates(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) } };
  const err = { write: (s: string) => ((stderr += s), true) };
  const status = await runCli(['templates', ...args], [(program) => registerTemplates(program, io)], { stderr: err as never });
  return { status, stdout, stderr };
}

describe('daybreak templates', () => {
  it('prints [{ name, engine, description, kind }] with --json, for both engines and both kinds', async () => {
    const { status, stdout } = await templates(['--json']);
    expect(status).toBe(0);
    const rows = JSON.parse(stdout) as Array<Record<string, string>>;
    expect(rows.map((r) => Object.keys(r).sort())).toEqual(rows.map(() => ['description', 'engine', 'kind', 'name']));
    expect(rows.map(({ name, engine, kind }) => ({ name, engine, kind }))).toEqual([
      { name: 'briefing', engine: 'react-email', kind: 'edition' },
      { name: 'compact', engine: 'mjml', kind: 'edition' },
      { name: 'confirm-subscription', engine: 'react-email', kind: 'transactional' },
      { name: 'welcome', engine: 'react-email', kind: 'transactional' },
      { name: 'unsubscribed', engine: 'react-email', kind: 'transactional' },
    ]);
    for (const row of rows) expect(row.description!.length).toBeGreaterThan(10);
  });

  it('validates the config named by --config: a missing or invalid one exits 1 naming it, a good one lists', async () => {
    const missing = await templates(['--config', '/nonexistent.json']);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('/nonexistent.json');
    const dir = mkdtempSync(join(tmpdir(), 'daybreak-templates-'));
    try {
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ colour: 'red' }));
      const bad = await templates(['--config', join(dir, 'bad.json')]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('colour');
      const good = await templates(['--json', '--config', join(ROOT, 'daybreak.config.json')]);
      expect(good.status).toBe(0);
      expect(JSON.parse(good.stdout)).toHaveLength(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints an aligned table otherwise', async () => {
    const { status, stdout } = await templates([]);
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ENGINE\s+KIND\s+DESCRIPTION$/);
    expect(lines).toHaveLength(6);
    const engineColumn = lines[0]!.indexOf('ENGINE');
    expect(lines.find((l) => l.startsWith('compact '))!.slice(engineColumn)).toMatch(/^mjml\s+edition\s+Compact/);
  });

  it('pads columns to the longest value', () => {
    expect(formatTemplateTable([{ name: 'a-long-name', engine: 'mjml', kind: 'edition', description: 'D' }])).toBe(
      'NAME         ENGINE  KIND     DESCRIPTION\na-long-name  mjml    edition  D',
    );
  });

  it('rejects an unknown flag as a usage error (exit 2)', async () => {
    const { status } = await templates(['--jsno']);
    expect(status).toBe(2);
  });

  it('works from the installed command line', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/daybreak.js'), 'templates', '--json'], { cwd: ROOT });
    expect((JSON.parse(stdout) as Array<{ name: string }>).map((r) => r.name)).toContain('compact');
  });
});
