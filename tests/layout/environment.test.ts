import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT } from '../../src/settings/index.ts';

const SRC = resolve(import.meta.dirname, '../../src');

/** Each src file's code lines (TSDoc and line comments left out: examples there may name process.env). */
function codeLines(): { file: string; line: number; text: string }[] {
  const lines: { file: string; line: number; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name)) {
        readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
          if (!/^\s*(\*|\/\/|\/\*)/.test(text)) lines.push({ file: relative(SRC, path), line: i + 1, text: text.replace(/\/\/.*$/, '') });
        });
      }
    }
  };
  walk(SRC);
  return lines;
}

const where = (hits: { file: string; line: number }[]) => hits.map((h) => `${h.file}:${h.line}`);

describe('the environment', () => {
  const lines = codeLines();

  it('finds the code it checks (an empty scan would pass vacuously)', () => {
    expect(lines.some((l) => l.file === 'settings/settings.ts' && /env\.SMTP_URL/.test(l.text))).toBe(true);
  });

  it('is read only in src/settings: no variable is looked up anywhere else', () => {
    const reads = lines.filter((l) => !l.file.startsWith('settings/') && /\benv\??\.[A-Z][A-Z0-9_]*\b|\benv\[['"`]/.test(l.text));
    expect(where(reads)).toEqual([]);
  });

  it('is handed down from the process edge only: process.env appears in src/settings, src/cli and main.ts alone', () => {
    const edge = (file: string) => file.startsWith('settings/') || file.startsWith('cli/') || file === 'main.ts';
    const uses = lines.filter((l) => !edge(l.file) && /process\.env\b/.test(l.text));
    expect(where(uses)).toEqual([]);
  });

  it('lists every variable settings reads in ENVIRONMENT, with what it means', () => {
    const settings = readFileSync(join(SRC, 'settings/settings.ts'), 'utf8');
    const read = new Set([...settings.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect([...read].filter((name) => !(name in ENVIRONMENT))).toEqual([]);
  });

  it('keeps the default database file in one place', () => {
    const literal = lines.filter((l) => !l.file.startsWith('settings/') && /['"`][^'"`]*daybreak\.db['"`]/.test(l.text));
    expect(where(literal)).toEqual([]);
  });
});
