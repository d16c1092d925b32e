import { existsSync } from 'node:fs';

/**
 * The folder that holds Daybreak's package.json, found by walking up from this module: the same folder
 * whether the code runs from its TypeScript sources (tsx, tests) or from the compiled `dist/cli/` build
 * (bin/daybreak.js), which sit at different depths. Files the app reads at run time (templates/, preview/,
 * package.json, worker entry points) are located from here, never relative to the importing module.
 */
export const PROJECT_ROOT: URL = findRoot(new URL('.', import.meta.url));

function findRoot(start: URL): URL {
  for (let dir = start; ; dir = new URL('../', dir)) {
    if (existsSync(new URL('package.json', dir))) return dir;
    if (dir.pathname === '/') throw new Error(`No package.json above ${start.pathname}`);
  }
}

/**
 * A file or folder of the project by its path from the project root.
 *
 * @example
 * readFileSync(projectUrl('package.json'), 'utf8');
 */
export function projectUrl(path: string): URL {
  return new URL(path, PROJECT_ROOT);
}

/** True when this code runs from the compiled build (dist/), false from the TypeScript sources. */
export const COMPILED: boolean = !import.meta.url.endsWith('.ts');
