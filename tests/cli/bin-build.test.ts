import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ENTRY, ensureBuild, isFresh } from '../../bin/build.js';

const META = join(process.cwd(), 'dist/cli/build.json');

describe('bin/build.js (the compiled CLI)', () => {
  it('builds dist/cli from the sources and then reports it current', async () => {
    await ensureBuild();
    expect(isFresh()).toBe(true);
    expect(statSync(CLI_ENTRY).size).toBeGreaterThan(0);
    const meta = JSON.parse(readFileSync(META, 'utf8')) as { inputs: string[] };
    // The record lists what went into the bundle, so an edit to any of these files is noticed.
    expect(meta.inputs).toEqual(expect.arrayContaining(['src/cli/index.ts', 'src/delivery/send-edition.ts', 'templates/briefing.tsx']));
  }, 60_000);

  it('calls a build stale when a source file is newer than it, and rebuilds it on the next run', async () => {
    await ensureBuild();
    const file = join(process.cwd(), 'src/errors.ts');
    const original = statSync(file);
    const { builtAt } = JSON.parse(readFileSync(META, 'utf8')) as { builtAt: number };
    try {
      // As if the file had been saved just after the build.
      utimesSync(file, original.atime, new Date(builtAt + 1));
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(isFresh()).toBe(false);
      await ensureBuild();
      expect(isFresh()).toBe(true);
      expect((JSON.parse(readFileSync(META, 'utf8')) as { builtAt: number }).builtAt).toBeGreaterThan(builtAt);
    } finally {
      utimesSync(file, original.atime, original.mtime);
    }
  }, 60_000);

  it('runs the compiled CLI with the version from package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const result = spawnSync(process.execPath, ['bin/daybreak.js', '--version'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  }, 60_000);
});
