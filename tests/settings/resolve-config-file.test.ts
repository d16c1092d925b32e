import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaybreakError } from '../../src/errors.ts';
import { resolveConfigFile } from '../../src/settings/index.ts';

const root = mkdtempSync(join(tmpdir(), 'daybreak-config-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function site(): { dir: string; sub: string; config: string } {
  const dir = mkdtempSync(join(root, 'site-'));
  const sub = join(dir, 'data', 'articles');
  mkdirSync(sub, { recursive: true });
  const config = join(dir, 'daybreak.config.json');
  writeFileSync(config, '{}');
  return { dir, sub, config };
}

describe('resolveConfigFile', () => {
  it('takes --config first, then DAYBREAK_CONFIG', () => {
    const { sub } = site();
    expect(resolveConfigFile({ config: 'a.json' }, { DAYBREAK_CONFIG: 'b.json' }, sub)).toBe('a.json');
    expect(resolveConfigFile({}, { DAYBREAK_CONFIG: 'b.json' }, sub)).toBe('b.json');
  });

  it("leaves the working directory's daybreak.config.json to the loader's default", () => {
    const { dir } = site();
    expect(resolveConfigFile({}, {}, dir)).toBeUndefined();
  });

  it('refuses a folder below a publisher folder, naming where to run and the --config to pass', () => {
    const { dir, sub, config } = site();
    let error: unknown;
    try {
      resolveConfigFile({}, {}, sub);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DaybreakError);
    expect((error as DaybreakError).code).toBe('EUSAGE');
    expect((error as DaybreakError).message).toBe(`No daybreak.config.json in ${sub}, but there is one above it (${config}): run daybreak in ${dir}, or pass --config ${config}`);
  });

  it('takes the built-in settings where no folder up to the root has a config', () => {
    const lone = mkdtempSync(join(root, 'lone-'));
    // The temp root itself must hold no config for this to mean anything.
    expect(resolveConfigFile({}, {}, lone)).toBeUndefined();
  });
});
