#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx daybreak` works straight after `npm ci` with no build step.
// The project's tsconfig is named explicitly so JSX and paths resolve the same from any working directory.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/cli/index.ts');
