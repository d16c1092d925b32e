import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { COMPILED, projectUrl } from './project-root.ts';

/**
 * Starts a worker thread from one of the project's worker entry points. From the compiled build
 * (bin/build.js puts `<name>.mjs` beside the CLI bundle) it loads plain JavaScript. From the TypeScript
 * sources (tests, tsx) a worker does not inherit the loader, so it registers tsx's CommonJS hook, which
 * transforms in the worker's own thread: the ESM loader API would start one more thread, with one more
 * V8 heap, just to load a few files.
 *
 * @example
 * const worker = startWorkerThread('dkim-worker', 'src/delivery/dkim-worker.ts', { workerData });
 */
export function startWorkerThread(name: string, source: string, options: WorkerOptions): Worker {
  if (COMPILED) return new Worker(new URL(`./${name}.mjs`, import.meta.url), options);
  const require = createRequire(import.meta.url);
  const tsxCjsApi = join(dirname(require.resolve('tsx/package.json')), 'dist/cjs/api/index.cjs');
  const workerFile = fileURLToPath(projectUrl(source));
  const bootstrap = `require(${JSON.stringify(tsxCjsApi)}).register();\nrequire(${JSON.stringify(workerFile)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}
