import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build } from '../../src/cli/commands/build.ts';
import { init, registerInit } from '../../src/cli/commands/init.ts';
import { resolveDataDir, resolveDatabase } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { loadConfig } from '../../src/content/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'daybreak-init-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

describe('daybreak init', () => {
  it('writes a config with $schema, dataDir and database, two articles, an editions folder and a .gitignore for var/', () => {
    const dir = join(tmp, 'acme-news');
    const result = init(dir, { timezone: 'America/New_York' }, new Date('2026-12-07T14:00:00Z'));
    expect(result.files).toEqual([
      'daybreak.config.json',
      'data/articles/2026-12-08-welcome.json',
      'data/articles/2026-12-08-how-it-works.json',
      'data/editions/morning/README.md',
      '.gitignore',
    ]);
    const config = readJson(join(dir, 'daybreak.config.json'));
    expect(config).toMatchObject({ dataDir: 'data', database: 'var/daybreak.db', publisher: { name: 'Acme News' } });
    expect(resolve(dir, config.$schema as string)).toBe(join(ROOT, 'schemas', 'config.schema.json'));
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^var\/$/m);
    // The config is one Daybreak itself accepts, and its relative keys point into the folder.
    const loaded = loadConfig({ file: join(dir, 'daybreak.config.json') });
    expect(resolveDataDir({}, {}, loaded)).toBe(join(dir, 'data'));
    expect(resolveDatabase({}, {}, loaded)).toBe(join(dir, 'var', 'daybreak.db'));
  });

  it('dates the sample articles inside the next edition\'s window: tomorrow\'s after the morning send, today\'s before it', () => {
    const after = init(join(tmp, 'after'), { timezone: 'America/New_York' }, new Date('2026-12-07T14:00:00Z'));
    expect(after.edition).toEqual({ newsletter: 'morning', date: '2026-12-08', sendAt: '2026-12-08T11:00:00.000Z', timezone: 'America/New_York' });
    const welcome = readJson(join(tmp, 'after', 'data/articles/2026-12-08-welcome.json'));
    expect(welcome.publishedAt).toBe('2026-12-08T04:00:00-05:00');
    expect(readJson(join(tmp, 'after', 'data/articles/2026-12-08-how-it-works.json')).publishedAt).toBe('2026-12-08T05:00:00-05:00');

    const before = init(join(tmp, 'before'), { timezone: 'Europe/Paris' }, new Date('2026-12-07T03:00:00Z'));
    expect(before.edition).toMatchObject({ date: '2026-12-07', sendAt: '2026-12-07T05:00:00.000Z' });
    expect(readJson(join(tmp, 'before', 'data/articles/2026-12-07-welcome.json')).publishedAt).toBe('2026-12-07T04:00:00+01:00');
  });

  it('gives a folder in which build needs no --config, --data or --out beyond the working directory', async () => {
    const dir = join(tmp, 'newsroom');
    const now = new Date('2026-12-07T14:00:00Z');
    init(dir, { timezone: 'America/New_York' }, now);
    // Run from elsewhere with only --config: the data folder comes from the config's dataDir.
    const result = await build({ config: join(dir, 'daybreak.config.json'), date: '2026-12-08', out: join(tmp, 'out') }, now);
    expect(result).toMatchObject({ newsletter: 'morning', date: '2026-12-08' });
    expect('articles' in result && result.articles.map((a) => a.id)).toEqual(['2026-12-08-welcome', '2026-12-08-how-it-works']);
  });

  it('writes files that validate against the JSON Schemas their $schema names', () => {
    const dir = join(tmp, 'valid');
    const result = init(dir, { timezone: 'UTC' }, new Date('2026-12-07T14:00:00Z'));
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    for (const file of result.files.filter((f) => f.endsWith('.json'))) {
      const json = readJson(join(dir, file));
      const schemaFile = resolve(dirname(join(dir, file)), json.$schema as string);
      const validate = ajv.compile(readJson(schemaFile));
      expect(validate(json), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('refuses to write over existing files, names them, exits 2 and leaves them as they were', async () => {
    const dir = join(tmp, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'daybreak.config.json'), '{ "baseUrl": "https://news.example.com" }\n');
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    let stderr = '';
    const status = await runCli(['init', dir], [(program) => registerInit(program, { stdout: { write: () => true } })], {
      stderr: { write: (s: string) => ((stderr += s), true) } as never,
    });
    expect(status).toBe(2);
    expect(stderr).toContain(`daybreak: ${dir} already has daybreak.config.json, .gitignore; init writes nothing over existing files`);
    expect(readFileSync(join(dir, 'daybreak.config.json'), 'utf8')).toBe('{ "baseUrl": "https://news.example.com" }\n');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(() => readFileSync(join(dir, 'data/editions/morning/README.md'))).toThrow();
  });

  it('says when the sample edition goes out as start and send write a send time: local time, zone abbreviation, IANA name', async () => {
    const said = async (dir: string, date: string) => {
      let stdout = '';
      const status = await runCli(['init', join(tmp, dir), '--timezone', 'Europe/Paris', '--date', date], [(program) => registerInit(program, { stdout: { write: (s: string) => ((stdout += s), true) } })]);
      expect(status).toBe(0);
      return stdout;
    };
    expect(await said('later', '2030-01-15')).toContain('The sample articles are in the morning edition of 2030-01-15, which goes out Tue 2030-01-15 06:00 GMT+1 (Europe/Paris).');
    expect(await said('earlier', '2026-11-30')).toContain('The sample articles are in the morning edition of 2026-11-30, which was due Mon 2026-11-30 06:00 GMT+1 (Europe/Paris).');
  });

  it('refuses an unknown timezone and a date the newsletter skips as usage errors (exit 2), writing nothing', async () => {
    const run = async (args: string[]) => {
      let stderr = '';
      const status = await runCli(['init', join(tmp, 'x'), ...args], [(program) => registerInit(program, { stdout: { write: () => true } })], {
        stderr: { write: (s: string) => ((stderr += s), true) } as never,
      });
      return { status, stderr };
    };
    expect(await run(['--timezone', 'Mars/Olympus'])).toEqual({ status: 2, stderr: expect.stringContaining('--timezone: Unknown IANA timezone "Mars/Olympus"') });
    expect(await run(['--date', '2026-02-30'])).toEqual({ status: 2, stderr: 'daybreak: --date: "2026-02-30" is not a real calendar date; write YYYY-MM-DD, e.g. 2026-11-30\n' });
    expect(() => readFileSync(join(tmp, 'x', 'daybreak.config.json'))).toThrow();
  });
});

describe('the config\'s dataDir', () => {
  it('is relative to the config file; --data and DAYBREAK_DATA win over it; without any, data/', () => {
    const config = { dataDir: 'news', file: '/srv/acme/daybreak.config.json' };
    expect(resolveDataDir({}, {}, config)).toBe('/srv/acme/news');
    expect(resolveDataDir({}, {}, { dataDir: '/abs/data', file: '/srv/acme/daybreak.config.json' })).toBe('/abs/data');
    expect(resolveDataDir({}, { DAYBREAK_DATA: 'env-data' }, config)).toBe('env-data');
    expect(resolveDataDir({ data: 'flag-data' }, { DAYBREAK_DATA: 'env-data' }, config)).toBe('flag-data');
    expect(resolveDataDir({}, {}, { file: '/srv/acme/daybreak.config.json' })).toBe('data');
  });
});

describe('the publisher name init derives from the folder', () => {
  it('keeps letters and digits only, so the From header it writes is one the config accepts', () => {
    const dir = join(tmp, 'the "daily" <news>');
    init(dir, { timezone: 'UTC' }, new Date('2026-12-07T14:00:00Z'));
    const config = loadConfig({ file: join(dir, 'daybreak.config.json') });
    expect(config.publisher.name).toBe('The Daily News');
    expect(config.publisher.from).toBe('The Daily News <newsletter@example.com>');
  });
});
