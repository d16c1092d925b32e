import { realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonErrorOffset, loadContent, parseJson } from '../../src/content/index.ts';
import { DaybreakError, isDaybreakError } from '../../src/errors.ts';
import { articleJson, inDir, tempData } from './fixtures.ts';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function folder(files: Record<string, unknown>): string {
  const data = tempData(files);
  cleanups.push(data.cleanup);
  return data.dir;
}

/** Loads `data/` inside a temp folder holding `files`; returns the thrown error (fails if none). */
function loadError(files: Record<string, unknown>): DaybreakError {
  return inDir(folder(files), () => {
    try {
      loadContent('data');
    } catch (error) {
      if (error instanceof DaybreakError) return error;
      throw error;
    }
    throw new Error('expected loadContent to fail');
  });
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const a = (id: string, more: Record<string, unknown> = {}) =>
  articleJson({ id, url: `https://news.example.com/${id}`, ...more });

describe('loadContent', () => {
  it('reads files holding one article and files holding an array, keyed by id and tagged with their file', () => {
    const dir = folder({
      'data/articles/one.json': a('solo'),
      'data/articles/many.json': [a('first'), a('second')],
      'data/articles/notes.txt': 'not JSON and not read',
      'data/articles/old.json/inside.txt': 'a folder named like a JSON file is not read either',
    });
    const content = inDir(dir, () => loadContent('data'));
    expect(content.articles.map((x) => x.id).sort()).toEqual(['first', 'second', 'solo']);
    expect(content.byId.get('solo')?.file).toBe('data/articles/one.json');
    expect(content.byId.get('second')?.file).toBe('data/articles/many.json');
    expect(content.byId.get('first')?.priority).toBe(0);
    expect(content.skipped).toEqual(['data/articles/old.json: is a folder, not a JSON file; skipped (rename it, or move its files up a level)']);
  });

  it('refuses a link that leaves the data folder, naming the file and never reading the target', () => {
    const dir = folder({ 'data/articles/one.json': a('solo'), 'outside/story.json': a('outsider'), 'secret.txt': 'x-secret-first-character' });
    symlinkSync(join(dir, 'outside/story.json'), join(dir, 'data/articles/linked.json'));
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'data/articles/passwd.json'));
    symlinkSync(join(dir, 'outside'), join(dir, 'data/editions'));
    const error = inDir(dir, () => catchError(() => loadContent('data')));
    expect(isDaybreakError(error, 'EDATA')).toBe(true);
    const outside = realpathSync(join(dir, 'outside'));
    expect((error as DaybreakError).details).toEqual([
      `data/articles/linked.json: is a link to ${join(outside, 'story.json')}, outside the data folder data; refused (copy the file into the folder instead)`,
      `data/articles/passwd.json: is a link to ${realpathSync(join(dir, 'secret.txt'))}, outside the data folder data; refused (copy the file into the folder instead)`,
      `data/editions: is a link to ${outside}, outside the data folder data; refused (copy the file into the folder instead)`,
    ]);
    expect((error as Error).message).not.toContain('x-secret');
    expect((error as Error).message).not.toContain('outsider');
  });

  it('follows links that stay inside the data folder', () => {
    const dir = folder({ 'data/library/story.json': a('kept'), 'data/articles/one.json': a('solo') });
    symlinkSync('../library/story.json', join(dir, 'data/articles/linked.json'));
    const content = inDir(dir, () => loadContent('data'));
    expect(content.articles.map((x) => x.id).sort()).toEqual(['kept', 'solo']);
    expect(content.skipped).toEqual([]);
  });

  it('reads article files one folder down (where daybreak fetch writes each source) and skips dot files', () => {
    const dir = folder({
      'data/articles/top.json': a('top'),
      'data/articles/ledger/ledger-1.json': a('ledger-1'),
      'data/articles/ledger/.daybreak-source.json': { version: 1, items: {} },
      'data/articles/ledger/._ledger-1.json': 'AppleDouble junk, not JSON',
      'data/articles/.hidden/x.json': a('hidden'),
      'data/articles/ledger/deeper/too-deep.json': a('too-deep'),
    });
    const content = inDir(dir, () => loadContent('data'));
    expect(content.articles.map((x) => x.id)).toEqual(['top', 'ledger-1']);
    expect(content.byId.get('ledger-1')?.file).toBe('data/articles/ledger/ledger-1.json');
  });

  it('reads curated edition files keyed by newsletter and date', () => {
    const dir = folder({
      'data/articles/a.json': [a('x'), a('y')],
      'data/editions/morning/2026-11-30.json': { lead: 'y', articles: ['x'], intro: 'Hello.', subject: 'Special' },
    });
    const content = inDir(dir, () => loadContent('data'));
    expect(content.editions.get('morning/2026-11-30')).toEqual({
      lead: 'y',
      articles: ['x'],
      intro: 'Hello.',
      subject: 'Special',
      file: 'data/editions/morning/2026-11-30.json',
    });
  });

  it('loads an empty data folder as no articles, and fails on a folder that does not exist', () => {
    const dir = folder({ 'data/articles/.keep': '' });
    expect(inDir(dir, () => loadContent('data')).articles).toEqual([]);
    const error = loadError({});
    expect(error.code).toBe('EDATA');
    expect(error.message).toMatch(/^data: data folder not found \(looked for \/.+\/data\); run daybreak in the folder with daybreak.config.json, or pass --config or --data$/);
  });

  it('names the file, the line and the column of a JSON syntax error', () => {
    const text = '[\n  {\n    "id": "a",\n    "kicker": "Speed read"\n    "headline": "Missing comma above"\n  }\n]\n';
    const error = loadError({ 'data/articles/broken.json': text });
    expect(error.details).toEqual([
      "data/articles/broken.json: not valid JSON at line 5, column 5: Expected ',' or '}' after property value",
    ]);
  });

  it('gives a position even for the JSON errors where Node reports none', () => {
    const error = loadError({ 'data/articles/tru.json': '{\n  "ok": tru\n}' });
    expect(error.details).toEqual(["data/articles/tru.json: not valid JSON at line 2, column 12: Unexpected token '\\n'"]);
    const cut = loadError({ 'data/articles/cut.json': '[{"id": "a"' });
    expect(cut.details).toEqual(["data/articles/cut.json: not valid JSON at line 1, column 12: Expected ',' or '}' after property value"]);
  });

  it('says so when a file is empty', () => {
    expect(loadError({ 'data/articles/empty.json': '' }).details).toEqual(['data/articles/empty.json: not valid JSON: the file is empty']);
    expect(loadError({ 'data/articles/blank.json': ' \n\n' }).details).toEqual(['data/articles/blank.json: not valid JSON: the file is empty']);
  });

  it('ignores the byte-order mark some editors write at the start of a file', () => {
    const dir = folder({ 'data/articles/bom.json': `\uFEFF${JSON.stringify([a('bom')])}` });
    expect(inDir(dir, () => loadContent('data')).byId.has('bom')).toBe(true);
  });

  it('reports a duplicate id naming both files', () => {
    const error = loadError({
      'data/articles/a.json': [a('same-id')],
      'data/articles/b.json': a('same-id', { headline: 'Another story' }),
    });
    expect(error.details).toEqual(['data/articles/b.json: id: duplicate article id "same-id" (also in data/articles/a.json at [0].id)']);
  });

  it('reports a duplicate id within one file', () => {
    const error = loadError({ 'data/articles/a.json': [a('twice'), a('twice')] });
    expect(error.details).toEqual(['data/articles/a.json: [1].id: duplicate article id "twice" (also in data/articles/a.json at [0].id)']);
  });

  it('reports an edition whose lead or articles name unknown ids, with the JSON path of each', () => {
    const error = loadError({
      'data/articles/a.json': [a('known')],
      'data/editions/morning/2026-11-30.json': { lead: 'missing-lead', articles: ['known', 'gone', 'also-gone'] },
    });
    expect(error.details).toEqual([
      'data/editions/morning/2026-11-30.json: lead: unknown article id "missing-lead"',
      'data/editions/morning/2026-11-30.json: articles[1]: unknown article id "gone"',
      'data/editions/morning/2026-11-30.json: articles[2]: unknown article id "also-gone"',
    ]);
  });

  it('reports an id listed twice in an edition, which would show the story twice', () => {
    const error = loadError({
      'data/articles/a.json': [a('x'), a('y')],
      'data/editions/morning/2026-11-30.json': { articles: ['x', 'y', 'x'] },
    });
    expect(error.details).toEqual(['data/editions/morning/2026-11-30.json: articles[2]: "x" is already listed at articles[0]']);
  });

  it('reports an edition folder naming no newsletter of the config, when given the config ids', () => {
    const dir = folder({
      'data/articles/a.json': [a('x')],
      'data/editions/mornign/2026-11-30.json': { lead: 'x' },
      'data/editions/morning/2026-11-30.json': { lead: 'x' },
    });
    // Without the ids, loading cannot tell a typo from a newsletter it does not know about.
    expect(inDir(dir, () => loadContent('data')).editions.size).toBe(2);
    const error = inDir(dir, () => {
      try {
        loadContent('data', { newsletters: ['morning', 'good-news'] });
      } catch (e) {
        return e as DaybreakError;
      }
      throw new Error('expected a problem');
    });
    expect(error.details).toEqual(['data/editions/mornign: no newsletter "mornign" in the config (it has: morning, good-news)']);
  });

  it('rejects edition files not named after a real date', () => {
    const error = loadError({
      'data/articles/a.json': [a('x')],
      'data/editions/morning/monday.json': {},
      'data/editions/morning/2026-02-30.json': {},
      'data/editions/morning/2026-11-30.json': { lead: 'x' },
    });
    expect(error.details).toEqual([
      'data/editions/morning/2026-02-30.json: edition files must be named YYYY-MM-DD.json with a real date',
      'data/editions/morning/monday.json: edition files must be named YYYY-MM-DD.json with a real date',
    ]);
  });

  it('validates the edition file itself: unknown keys, wrong types, bad JSON', () => {
    const error = loadError({
      'data/articles/a.json': [a('x')],
      'data/editions/morning/2026-11-29.json': { lead: 'x', order: ['x'] },
      'data/editions/morning/2026-11-30.json': { articles: 'x' },
      'data/editions/morning/2026-12-01.json': '{ "lead": "x", }',
    });
    expect(error.details).toEqual([
      'data/editions/morning/2026-11-29.json: Unknown key "order" (allowed: lead, articles, intro, subject, quote, sponsor, numbers, $schema)',
      'data/editions/morning/2026-11-30.json: articles: Expected an array, got the string "x"',
      'data/editions/morning/2026-12-01.json: not valid JSON at line 1, column 16: Expected double-quoted property name',
    ]);
  });

  it('reports every problem of several files in one error, one line each, as file: path: message', () => {
    const error = loadError({
      'data/articles/x.json': [a('ok-0'), a('ok-1'), a('ok-2'), a('bad-url', { url: 'javascript:alert(1)' }), a('no-dek', { dek: undefined })],
      'data/articles/y.json': a('y', { priority: 'high', tags: 'news' }),
      'data/articles/z.json': '{ not json',
      'data/articles/dup.json': [a('ok-1')],
      'data/editions/morning/2026-11-30.json': { lead: 'nope', articles: ['ok-0', 'bad-url'] },
    });
    const expected = [
      'data/articles/x.json: [1].id: duplicate article id "ok-1" (also in data/articles/dup.json at [0].id)',
      'data/articles/x.json: [3].url: Invalid URL: expected an absolute http(s) URL',
      'data/articles/x.json: [4].dek: Required',
      'data/articles/y.json: tags: Expected an array, got the string "news"',
      'data/articles/y.json: priority: Expected a number, got the string "high"',
      "data/articles/z.json: not valid JSON at line 1, column 3: Expected property name or '}'",
      'data/editions/morning/2026-11-30.json: lead: unknown article id "nope"',
    ];
    expect(error.code).toBe('EDATA');
    expect(error.details).toEqual(expected);
    expect(error.message).toBe(`7 problems in data:\n${expected.join('\n')}`);
    for (const line of error.details) expect(line).not.toContain('\n');
  });

  it('keeps the valid articles of a file with one bad article, so editions naming them are not reported as unknown', () => {
    const error = loadError({
      'data/articles/x.json': [a('good'), a('bad', { kicker: 5 })],
      'data/editions/morning/2026-11-30.json': { lead: 'good', articles: ['bad'] },
    });
    expect(error.details).toEqual(['data/articles/x.json: [1].kicker: Expected a string, got the number 5']);
  });

  it('says "1 problem" for a single problem', () => {
    expect(loadError({ 'data/articles/x.json': [a('x', { url: 'ftp://x.example' })] }).message).toBe(
      '1 problem in data:\ndata/articles/x.json: [0].url: Invalid URL: expected an absolute http(s) URL',
    );
  });

  it('names files by their full path when the folder is outside the working directory', () => {
    const dir = folder({ 'articles/x.json': '' });
    try {
      loadContent(dir);
      expect.unreachable('loadContent should throw');
    } catch (error) {
      expect((error as DaybreakError).details).toEqual([`${dir}/articles/x.json: not valid JSON: the file is empty`]);
    }
  });
});

describe('parseJson and jsonErrorOffset', () => {
  it('returns the value of valid JSON', () => {
    expect(parseJson('f.json', '{"a":[1,true,null,"x"]}')).toEqual({ ok: true, value: { a: [1, true, null, 'x'] } });
  });

  it('finds the offset where text stops being JSON, and -1 for valid JSON', () => {
    expect(jsonErrorOffset('{"a": 1}')).toBe(-1);
    expect(jsonErrorOffset('[1, 2, -0.5e3, "\\u00e9\\n"]')).toBe(-1);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset('[1, 2')).toBe(5);
    expect(jsonErrorOffset('{"a": 1} extra')).toBe(9);
    expect(jsonErrorOffset('[01]')).toBe(2);
    expect(jsonErrorOffset('"tab\there"')).toBe(4);
    expect(jsonErrorOffset("{'a': 1}")).toBe(1);
  });

  it('counts lines and columns from 1 across several lines', () => {
    const result = parseJson('f.json', '{\n  "a": 1,\n  "b": 2,\n}');
    expect(result).toEqual({ ok: false, message: 'f.json: not valid JSON at line 4, column 1: Expected double-quoted property name' });
  });
});
