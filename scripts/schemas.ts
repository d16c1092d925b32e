// Writes schemas/*.schema.json from the zod schemas (npm run schemas). A test fails when the committed
// files differ from what this writes, so run it after changing a schema in src/content.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, schemaFileText } from '../src/content/json-schemas.ts';

const dir = fileURLToPath(new URL('../schemas/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(`${dir}${name}`, schemaFileText(schema));
  process.stdout.write(`wrote schemas/${name}\n`);
}
