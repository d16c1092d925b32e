import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SPAMASSASSIN = '/usr/bin/spamassassin';
const run = promisify(execFile);

// SpamAssassin is a system package (apt-get install -y spamassassin), not an npm one: where it is not
// installed this file says so and skips, as nothing here could stand in for its rules.
const missing = !existsSync(SPAMASSASSIN);
if (missing) console.warn(`Skipping the SpamAssassin checks: ${SPAMASSASSIN} is not installed (apt-get install -y spamassassin).`);

describe.skipIf(missing)('SpamAssassin on the sample morning edition (local rules, no network tests)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daybreak-sa-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['briefing', 'compact'])('scores the %s design 0.0', async (template) => {
    await run(process.execPath, [join(ROOT, 'bin/daybreak.js'), 'build', '--date', '2026-11-30', '--template', template, '--out', dir, '--config', join(ROOT, 'daybreak.config.json'), '--data', join(ROOT, 'data')]);
    const eml = readFileSync(join(dir, 'morning', '2026-11-30', `${template}.eml`));
    const child = execFile(SPAMASSASSIN, ['-L', '-t'], { maxBuffer: 16 * 1024 * 1024 });
    const output = new Promise<string>((res, rej) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', rej);
      child.on('close', () => res(out));
    });
    child.stdin!.end(eml);
    const status = /^X-Spam-Status: .*$/m.exec(await output)?.[0] ?? '';
    expect(status).toMatch(/score=0\.0 /);
  }, 120_000);
});
