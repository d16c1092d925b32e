import { MessageChannel } from 'node:worker_threads';
import type { DueAt, SendStore } from '../delivery/index.ts';
import { DaybreakError } from '../errors.ts';
import { startWorkerThread } from '../worker-thread.ts';

const METHODS = [
  'expireEarlierEditions', 'queueConfirmed', 'reschedule', 'readerZones', 'waiting', 'waves', 'expireMissed', 'pinEdition',
  'pinned', 'countConfirmed', 'reopenDeferred', 'claim', 'renewLeases', 'release', 'record', 'counts',
  'nextDeferredAttempt', 'expireDeferred', 'checkpoint',
] as const satisfies readonly (keyof SendStore)[];

/**
 * A reader's due time is a function of their timezone, which cannot cross to the thread: it goes as a
 * table of every zone the newsletter's readers have (and the default, under the empty key).
 */
async function dueTable(call: (method: string, args: unknown[]) => Promise<unknown>, newsletter: string, dueAt: DueAt): Promise<[string, string][]> {
  const zones = (await call('readerZones', [newsletter])) as (string | null)[];
  const table = new Map<string, string>([['', dueAt(null).toISOString()]]);
  for (const zone of zones) if (zone) table.set(zone, dueAt(zone).toISOString());
  return [...table];
}

/**
 * The SQLite send ledger on a thread of its own (send-store-worker.ts). Every ledger commit is an fsync;
 * on the thread that drives the SMTP connections it would stall them, while there it overlaps with
 * sending, and outcomes that arrive during one commit are committed together in the next. PostgreSQL
 * needs none of this: its commits wait on the network, not on this process's thread.
 *
 * @example
 * const ledger = await openThreadedSendStore('var/daybreak.db');
 * try { await sendEdition({ store: ledger, ... }); } finally { await ledger.close(); }
 */
export async function openThreadedSendStore(database: string, options: { busyTimeoutMs?: number } = {}): Promise<SendStore & { close(): Promise<void> }> {
  const { port1, port2 } = new MessageChannel();
  const worker = startWorkerThread('send-store-worker', 'src/storage/send-store-worker.ts', {
    workerData: { database, busyTimeoutMs: options.busyTimeoutMs ?? 60_000, port: port2 },
    transferList: [port2],
    // The ledger thread allocates little (ids and short replies): a small young generation is plenty.
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
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
    if (message.error) {
      const { code, message: text } = message.error;
      p.reject(code === 'EBUSY' || code === 'ESTORAGE' ? new DaybreakError(code, text) : Object.assign(new Error(text), { code }));
    } else p.resolve(message.result);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => {
    if (pending.size) failAll(new DaybreakError('ESTORAGE', `The ledger thread stopped (exit ${code})`));
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const call = (method: string, args: unknown[]) => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      port1.postMessage({ id, method, args });
    });
  };
  const store = Object.fromEntries(METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as SendStore;
  store.queueConfirmed = async (key, batchSize, options) =>
    (await call('queueConfirmed', [key, batchSize, options?.dueAt ? { dueTable: await dueTable(call, key.newsletter, options.dueAt) } : options])) as number;
  store.reschedule = async (key, dueAt) => (await call('reschedule', [key, { dueTable: await dueTable(call, key.newsletter, dueAt) }])) as number;
  return Object.assign(store, {
    async close() {
      port1.postMessage('close');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await worker.terminate();
      port1.close();
    },
  });
}
