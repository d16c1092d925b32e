/**
 * The two tiers of vitest.config.ts: the unit tier (npm run test:unit) must stay free of child processes
 * and browsers, and the integration list must name real files.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTEGRATION } from '../vitest.config.ts';

const ROOT = join(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return /\.test\.tsx?$/.test(entry.name) ? [relative(ROOT, path)] : [];
  });
}

describe('the test tiers', () => {
  it('refuses, in the unit tier, to start a child process, and says where such a test belongs', () => {
    expect(() => spawn(process.execPath, ['--version'])).toThrow(/the unit tier starts no child processes; list this test file in INTEGRATION/);
    expect(() => execFile('true')).toThrow(/unit tier/);
  });

  it('lists only integration files that exist', () => {
    expect(INTEGRATION.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });

  it('keeps every test file that launches Chromium or starts a process in the integration tier', () => {
    const slow = testFiles(join(ROOT, 'tests')).filter((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return /from 'node:child_process'|launchChromium\(/.test(text) && file !== 'tests/test-tiers.test.ts';
    });
    expect(slow.length).toBeGreaterThan(10);
    expect(slow.filter((file) => !INTEGRATION.includes(file))).toEqual([]);
  });
});
