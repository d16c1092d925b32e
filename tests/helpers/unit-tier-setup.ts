/**
 * Setup of the unit tier (vitest.config.ts): starting a child process throws, naming the tier, so a test
 * that runs the CLI as a program or launches Chromium must be listed in the integration tier instead.
 * The builtin module's ESM bindings are synced after the change (node:module syncBuiltinESMExports), so
 * `import { spawn } from 'node:child_process'` sees it as well as `require`.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const refuse = (name: string) => () => {
  throw new Error(`child_process.${name}: the unit tier starts no child processes; list this test file in INTEGRATION in vitest.config.ts`);
};
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = refuse(name);
}
syncBuiltinESMExports();
