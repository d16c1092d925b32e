/**
 * The ledger writer thread (see threaded-send-store.ts). Runs claim and record on its own SQLite
 * connection, so the fsync of each commit (synchronous=FULL) blocks this thread, never the one talking
 * SMTP, and commits every record request that queued up during the previous fsync in ONE transaction
 * (group commit).
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDatabase } from '../db/index.ts';
import type { CopyOutcome, EditionKey } from './send-store.ts';
import { createSqliteSendStore } from './sqlite-send-store.ts';

interface Request {
  id: number;
  method: 'claim' | 'record';
  key: EditionKey;
  arg: unknown;
}

const { file, port } = workerData as { file: string; port: MessagePort };
const db = openDatabase(file);
// A checkpoint runs inside whichever commit crosses wal_autocheckpoint, and stalls the copies waiting
// for that commit. This connection makes thousands of small commits that rewrite the same few pages of
// `sends`, so a checkpoint every 10,000 WAL pages (40 MB of WAL at most) copies each hot page once
// instead of ten times; durability is unchanged (synchronous=FULL still fsyncs the WAL on each commit).
db.pragma('wal_autocheckpoint = 10000');
const store = createSqliteSendStore(db);

function fail(id: number, error: unknown): void {
  const e = error as { message?: string; code?: string };
  port.postMessage({ id, error: { message: e.message ?? String(error), code: e.code } });
}

port.on('message', (first: Request | 'close') => {
  if (first === 'close') {
    db.close();
    port.close();
    return;
  }
  const batch: Request[] = [first];
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) {
    if (next.message === 'close') continue;
    batch.push(next.message as Request);
  }
  const records = new Map<string, Request[]>();
  for (const request of batch) {
    if (request.method === 'claim') {
      // The store's methods do their work synchronously (better-sqlite3) before returning the promise.
      store.claim(request.key, request.arg as number[]).then(
        (result) => port.postMessage({ id: request.id, result }),
        (error) => fail(request.id, error),
      );
    } else {
      const k = `${request.key.newsletter}\0${request.key.date}`;
      records.set(k, [...(records.get(k) ?? []), request]);
    }
  }
  for (const group of records.values()) {
    const outcomes = group.flatMap((r) => r.arg as CopyOutcome[]);
    store.record(group[0]!.key, outcomes).then(
      () => group.forEach((r) => port.postMessage({ id: r.id, result: null })),
      (error) => group.forEach((r) => fail(r.id, error)),
    );
  }
});

parentPort?.postMessage('ready');
