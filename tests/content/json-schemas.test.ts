/**
 * The JSON Schemas in schemas/ are what editors validate and complete Daybreak's files with. They are
 * generated from the zod schemas (npm run schemas); these tests keep the committed files in step with the
 * zod schemas and check every shipped sample against them with an independent validator (ajv).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { jsonSchemas, schemaFileText } from '../../src/content/json-schemas.ts';

const root = join(import.meta.dirname, '../..');
const generated = jsonSchemas();
type SchemaName = keyof typeof generated;

// ajv-formats is CommonJS: its function is the default export under Node's ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

function validator(name: SchemaName) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const committed = JSON.parse(readFileSync(join(root, 'schemas', name), 'utf8')) as object;
  return ajv.compile(committed);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

const samples: Array<{ file: string; schema: SchemaName }> = [
  { file: join(root, 'daybreak.config.json'), schema: 'config.schema.json' },
  ...filesUnder(join(root, 'data', 'articles')).map((file) => ({ file, schema: 'article.schema.json' as const })),
  ...filesUnder(join(root, 'data', 'editions')).map((file) => ({ file, schema: 'edition.schema.json' as const })),
];

describe('the JSON Schemas in schemas/', () => {
  it.each(Object.keys(generated) as SchemaName[])('%s is exactly what npm run schemas generates from the zod schemas now', (name) => {
    const committed = readFileSync(join(root, 'schemas', name), 'utf8');
    expect(committed, `schemas/${name} is out of date: run npm run schemas`).toBe(schemaFileText(generated[name]));
  });

  it('covers the shipped config, article files and edition files', () => {
    expect(samples.filter((s) => s.schema === 'config.schema.json')).toHaveLength(1);
    expect(samples.filter((s) => s.schema === 'article.schema.json').length).toBeGreaterThanOrEqual(8);
    expect(samples.filter((s) => s.schema === 'edition.schema.json').length).toBeGreaterThanOrEqual(1);
  });

  it.each(samples.map((s) => [relative(root, s.file), s.schema] as const))('the shipped %s validates against %s', (file, schema) => {
    const validate = validator(schema);
    const ok = validate(JSON.parse(readFileSync(join(root, file), 'utf8')));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each(samples.map((s) => [relative(root, s.file), s.schema] as const))("the shipped %s names %s in its $schema, when it has one, by a path that exists", (file, schema) => {
    const json = JSON.parse(readFileSync(join(root, file), 'utf8')) as { $schema?: string } | unknown[];
    if (Array.isArray(json)) return; // an array file cannot carry $schema: .vscode/settings.json maps it
    expect(json.$schema, `${file} should carry "$schema"`).toBeDefined();
    expect(resolve(dirname(join(root, file)), json.$schema!)).toBe(join(root, 'schemas', schema));
  });

  it('refuses what Daybreak refuses: a misspelt config key, a date-time without an offset, an unknown edition key', () => {
    const config = validator('config.schema.json');
    expect(config({ baseURL: 'http://localhost:3000' })).toBe(false);
    expect(config.errors![0]!.keyword).toBe('additionalProperties');
    expect(config({ newsletters: [{ id: 'Morning News', name: 'x' }] })).toBe(false);
    expect(config({ dataDir: 'data', database: 'var/daybreak.db' })).toBe(true);

    const article = validator('article.schema.json');
    const good = { id: 'a', kicker: 'K', headline: 'H', dek: 'D', url: 'https://example.com/a', publishedAt: '2026-12-07T09:00:00-05:00' };
    expect(article(good)).toBe(true);
    expect(article([good, good])).toBe(true);
    expect(article({ ...good, publishedAt: '2026-12-07T09:00:00' })).toBe(false);
    expect(article({ ...good, url: 'javascript:alert(1)' })).toBe(false);
    const { dek: _dek, ...noDek } = good;
    expect(article(noDek)).toBe(false);

    const edition = validator('edition.schema.json');
    expect(edition({ lead: 'a', articles: ['b'] })).toBe(true);
    expect(edition({ leed: 'a' })).toBe(false);
  });

  it('describes the keys an editor shows on hover, from the config down to a newsletter\'s schedule', () => {
    const config = generated['config.schema.json'] as { properties: Record<string, { description?: string; items?: { properties: Record<string, { description?: string }> } }> };
    expect(config.properties.dataDir!.description).toMatch(/relative to this file/);
    expect(config.properties.newsletters!.items!.properties.description!.description).toMatch(/Forwarded this\?/);
  });
});
