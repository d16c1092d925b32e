/**
 * Entries of the data folder that are not files: a FIFO needs mkfifo(1), a child process, so this test is
 * in the integration tier (vitest.config.ts) while the rest of loadContent's tests are unit tests.
 */
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/index.ts';
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

const a = (id: string, more: Record<string, unknown> = {}) =>
  articleJson({ id, url: `https://news.example.com/${id}`, ...more });

describe('loadContent', () => {
  it('names what it skips: a FIFO, a broken link, a linked folder named like a file, a file among the edition folders', () => {
    const dir = folder({ 'data/articles/one.json': a('solo'), 'data/library/inner.json': a('inner'), 'data/editions/README.txt': 'notes' });
    execFileSync('mkfifo', [join(dir, 'data/articles/pipe.json')]);
    symlinkSync('nowhere.json', join(dir, 'data/articles/broken.json'));
    symlinkSync('../library', join(dir, 'data/articles/folder.json'));
    const content = inDir(dir, () => loadContent('data'));
    expect(content.articles.map((x) => x.id)).toEqual(['solo']);
    expect(content.skipped).toEqual([
      'data/articles/broken.json: is a link to nowhere.json, which does not exist; skipped',
      'data/articles/folder.json: is a folder, not a JSON file; skipped (rename it, or move its files up a level)',
      'data/articles/pipe.json: is a FIFO (named pipe), not a file; skipped',
      'data/editions/README.txt: is a file, not a folder; skipped (edition files go in editions/<newsletter>/YYYY-MM-DD.json)',
    ]);
  });
});
