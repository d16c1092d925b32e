#!/usr/bin/env node
// The CLI is written in TypeScript. It runs from a compiled copy in dist/cli/ that is rebuilt whenever a
// source file is newer than it (bin/build.js), so `npx daybreak` works straight after `npm ci` with no
// separate build step. If the copy cannot be built (a read-only checkout, say), the sources run through
// tsx instead: slower to start and heavier, the same behaviour.
import { fileURLToPath } from 'node:url';
import { CLI_ENTRY, ensureBuild } from './build.js';

let compiled = true;
try {
  await ensureBuild();
} catch {
  compiled = false;
}
if (compiled) {
  await import(CLI_ENTRY.href);
} else {
  const { register } = await import('tsx/esm/api');
  // The project's tsconfig is named explicitly so JSX and paths resolve the same from any working directory.
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  await import('../src/cli/index.ts');
}
