/**
 * docs/configuration.md's "Every key" table is where a publisher looks a key up. These tests walk the config
 * schema (through the JSON Schema generated from the zod one) and hold the table to it: every key listed,
 * no key the schema does not take, and every default as the schema has it. Brand and source keys are in
 * their own pages' tables (templates.md, feeds.md), so they are held to those.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../../src/content/json-schemas.ts';

const root = join(import.meta.dirname, '../..');
const doc = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');

type Node = { $ref?: string; anyOf?: Node[]; properties?: Record<string, Node>; items?: Node; default?: unknown };

/** Every key path of the config (`newsletters[].schedule.cron`), with its node. */
function schemaKeys(): Map<string, Node> {
  const schema = jsonSchemas()['config.schema.json'] as Node & { $defs?: Record<string, Node> };
  const keys = new Map<string, Node>();
  const walk = (raw: Node, path: string) => {
    const node = raw.$ref ? schema.$defs![raw.$ref.replace('#/$defs/', '')]! : raw;
    for (const option of node.anyOf ?? []) walk(option, path);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      keys.set(childPath, child.$ref ? schema.$defs![child.$ref.replace('#/$defs/', '')]! : child);
      walk(child, childPath);
    }
    if (node.items) walk(node.items, `${path}[]`);
  };
  walk(schema, '');
  return keys;
}

/** An object with keys of its own is documented through them, not as a row. */
const isLeaf = (node: Node) => !node.properties && !(node.anyOf ?? []).some((n) => n.properties);

/**
 * The rows of the "Every key" table: each key of the first cell, `.x` read against the first key's parent
 * (`delivery.dkim.domainName`, `.keySelector`), with the row's default cell.
 */
function documentedKeys(): Map<string, string> {
  const text = doc('configuration.md');
  const section = text.slice(text.indexOf('## Every key'), text.indexOf('\n## ', text.indexOf('## Every key') + 1));
  const rows = new Map<string, string>();
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const cells = line.split(' | ');
    const names = [...cells[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const parent = names[0]!.slice(0, names[0]!.lastIndexOf('.') + 1);
    for (const name of names) rows.set(name.startsWith('.') ? `${parent}${name.slice(1)}` : name, cells[2]!);
  }
  return rows;
}

/** A default as the table writes it: `5`, `America/New_York`, `""`, `[]`. */
function written(value: unknown): string {
  if (value === '') return '`""`';
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

describe('docs/configuration.md', () => {
  const keys = schemaKeys();
  const rows = documentedKeys();

  it('reads the schema and the table it compares (an empty walk would pass vacuously)', () => {
    expect(keys.get('newsletters[].schedule.localTime')).toBeDefined();
    expect(rows.get('delivery.dkim.keySelector')).toBe('— (no DKIM signature)');
  });

  it('lists every key the config schema takes', () => {
    const missing = [...keys]
      .filter(([path, node]) => isLeaf(node) && !path.startsWith('publisher.brand.') && !path.startsWith('sources[].'))
      .map(([path]) => path)
      .filter((path) => !rows.has(path));
    expect(missing).toEqual([]);
  });

  it('lists no key the config schema refuses', () => {
    expect([...rows.keys()].filter((path) => !keys.has(path))).toEqual([]);
  });

  it("gives each key's default as the schema has it", () => {
    const wrong = [...rows]
      .filter(([path]) => keys.get(path)?.default !== undefined && typeof keys.get(path)!.default !== 'object')
      .concat([...rows].filter(([path]) => Array.isArray(keys.get(path)?.default)))
      .filter(([path, cell]) => !cell.includes(written(keys.get(path)!.default)))
      .map(([path, cell]) => `${path}: the table says ${cell}, the schema ${written(keys.get(path)!.default)}`);
    expect(wrong).toEqual([]);
  });

  it("sends brand and source keys to their pages' tables, which list each of them", () => {
    const brandKeys = [...keys.keys()].filter((p) => p.startsWith('publisher.brand.')).map((p) => p.slice('publisher.brand.'.length));
    const sourceKeys = [...keys.keys()].filter((p) => p.startsWith('sources[].')).map((p) => p.slice('sources[].'.length));
    expect(brandKeys.length).toBeGreaterThan(0);
    expect(sourceKeys.length).toBeGreaterThan(0);
    expect(rows.has('publisher.brand') && rows.has('sources')).toBe(true);
    const templates = doc('templates.md');
    const feeds = doc('feeds.md');
    expect(brandKeys.filter((k) => !templates.includes(`| \`${k}\` |`))).toEqual([]);
    expect(sourceKeys.filter((k) => !feeds.includes(`| \`${k}\` |`))).toEqual([]);
  });
});
