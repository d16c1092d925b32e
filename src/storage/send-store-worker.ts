/**
 * The ledger thread (see threaded-send-store.ts): the send ledger on its own SQLite connection, so each
 * commit's fsync (synchronous=FULL) blocks this thread, never the one driving the SMTP connections. Outcome
 * records that queue up while a commit runs are committed together in one transaction (group commit).
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { CopyOutcome, EditionKey, SendStore } from '../delivery/index.ts';
import { openStore } from './open-store.ts';

interface Request {
  id: number;
  method: keyof SendStore;
  args: unknown[];
}

const { database, busyTimeoutMs, port } = workerData as { database: string; busyTimeoutMs: number; port: MessagePort };
// No top-level await: from the sources this file is loaded as CommonJS (see worker-thread.ts).
const opened = openStore({ database, busyTimeoutMs, migrate: false });

const reply = (id: number, result: unknown) => port.postMessage({ id, result });
const fail = (id: number, error: unknown) => {
  const e = error as { message?: string; code?: string };
  port.postMessage({ id, error: { message: e.message ?? String(error), code: e.code } });
};

/** Turns the due-time table the main thread sent (threaded-send-store.ts) back into a function. */
function withDueAt(request: Request): unknown[] {
  const fromTable = (table: [string, string][]) => {
    const byZone = new Map(table);
    return (zone: string | null) => new Date(byZone.get(zone ?? '') ?? byZone.get('')!);
  };
  if (request.method === 'queueConfirmed') {
    const [key, batchSize, options] = request.args as [EditionKey, number, { dueTable?: [string, string][] } | undefined];
    return [key, batchSize, options?.dueTable ? { dueAt: fromTable(options.dueTable) } : options];
  }
  if (request.method === 'reschedule') {
    const [key, { dueTable }] = request.args as [EditionKey, { dueTable: [string, string][] }];
    return [key, fromTable(dueTable)];
  }
  return request.args;
}

let busy = false;
const queue: Request[] = [];

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    const sends = (await opened).sends;
    while (queue.length > 0) {
      for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) queue.push(next.message as Request);
      const batch = queue.splice(0, queue.length);
      // Records for the same edition and worker become one transaction; everything else runs in order.
      const records = new Map<string, Request[]>();
      for (const request of batch) {
        if (request.method === 'record') {
          const [key, worker] = request.args as [EditionKey, string, CopyOutcome[]];
          const k = `${key.newsletter}\0${key.date}\0${worker}`;
          records.set(k, [...(records.get(k) ?? []), request]);
          continue;
        }
        try {
          const method = sends[request.method] as (...args: unknown[]) => Promise<unknown>;
          reply(request.id, await method.apply(sends, withDueAt(request)));
        } catch (error) {
          fail(request.id, error);
        }
      }
      for (const group of records.values()) {
        const [key, worker] = group[0]!.args as [EditionKey, string];
        try {
          await sends.record(key, worker, group.flatMap((r) => r.args[2] as CopyOutcome[]));
          for (const r of group) reply(r.id, null);
        } catch (error) {
          for (const r of group) fail(r.id, error);
        }
      }
    }
  } finally {
    busy = false;
  }
}

port.on('message', (message: Request | 'close') => {
  if (message === 'close') {
    void opened.then((store) => store.close()).finally(() => port.close());
    return;
  }
  queue.push(message);
  void drain();
});

opened.then(
  () => parentPort?.postMessage('ready'),
  (error: unknown) => {
    throw error;
  },
);
