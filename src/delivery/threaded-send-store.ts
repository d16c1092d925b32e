import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { openDatabase } from '../db/index.ts';
import { DaybreakError } from '../errors.ts';
import { COMPILED, projectUrl } from '../project-root.ts';
import type { ClaimResult, CopyOutcome, EditionKey, SendStore } from './send-store.ts';
import { createSqliteSendStore } from './sqlite-send-store.ts';

/**
 * The SQLite send store with its hot path (claim, record) on a worker thread (send-store-worker.ts).
 *
 * Why: every ledger commit is an fsync (synchronous=FULL), about 0.3 ms on this kind of disk; done on the
 * thread that talks SMTP it would cost more than building and sending the message. On the worker it
 * overlaps with sending, and the worker commits every outcome that arrived meanwhile in one transaction.
 * The rest (lock, queueing, counts) runs on the calling thread's own connection; none of it is on the
 * per-message path. Call close() when done.
 *
 * @example
 * const store = await createThreadedSendStore('var/daybreak.db');
 * try { await sendEdition({ store, ... }); } finally { await store.close(); }
 */
export async function createThreadedSendStore(file: string): Promise<SendStore & { close(): Promise<void> }> {
  const db = openDatabase(file);
  const local = createSqliteSendStore(db);
  const { port1, port2 } = new MessageChannel();
  // The writer allocates little (ids and short replies), so a small young generation is plenty; V8's
  // default lets it grow to tens of MB of RSS for nothing.
  const resourceLimits = { maxYoungGenerationSizeMb: 4 };
  const workerOptions = { workerData: { file, port: port2 }, transferList: [port2], resourceLimits };
  let worker: Worker;
  if (COMPILED) {
    // bin/build.js compiles the worker next to the CLI bundle this code is running from: plain
    // JavaScript, no loader.
    worker = new Worker(new URL('./send-store-worker.mjs', import.meta.url), workerOptions);
  } else {
    // From the TypeScript sources (tests, tsx) a worker does not inherit the loader. It registers tsx's
    // CommonJS hook, which transforms in the worker's own thread: the ESM loader API (module.register)
    // would start one more thread with one more V8 heap (about 20 MB of RSS) just to load three files.
    const require = createRequire(import.meta.url);
    const tsxCjsApi = join(dirname(require.resolve('tsx/package.json')), 'dist/cjs/api/index.cjs');
    const workerFile = fileURLToPath(projectUrl('src/delivery/send-store-worker.ts'));
    const bootstrap = `require(${JSON.stringify(tsxCjsApi)}).register();
    require(${JSON.stringify(workerFile)});`;
    worker = new Worker(bootstrap, { eval: true, ...workerOptions });
  }

  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  let nextId = 1;
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  port1.on('message', (message: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    if (message.error) p.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    else p.resolve(message.result);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => {
    if (pending.size) failAll(new DaybreakError('EDELIVERY', `The ledger writer thread stopped (exit ${code})`));
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });

  const call = <T>(method: 'claim' | 'record', key: EditionKey, arg: unknown): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      port1.postMessage({ id, method, key, arg });
    });
  };

  return {
    ...local,
    claim: (key, ids) => call<ClaimResult[]>('claim', key, ids),
    record: (key, outcomes: CopyOutcome[]) => (outcomes.length ? call<void>('record', key, outcomes) : Promise.resolve()),
    async close() {
      port1.postMessage('close');
      await new Promise((resolve) => setTimeout(resolve, 10));
      await worker.terminate();
      port1.close();
      db.close();
    },
  };
}
