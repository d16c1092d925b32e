import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { DaybreakError } from '../errors.ts';
import { startWorkerThread } from '../worker-thread.ts';
import { HEAD_ROOM } from './dkim-head-room.ts';
import type { DkimSignerOptions, DkimSignerStats } from './dkim-signer.ts';

/** A signed copy in the pool's shared memory; release it once the bytes are no longer needed. */
export interface SignedCopy {
  /** The DKIM-Signature field(s) followed by the copy. */
  bytes: Buffer;
  /** Gives the memory back for a later copy; `reuse` false when something may still read it. */
  release(reuse: boolean): void;
}

export interface DkimPool {
  /**
   * The copy signed (`message` itself is left as it is and may be reused at once). `relaxedBody`: the
   * body is already in relaxed canonical form and is hashed as it is (relaxed-bodies.ts).
   */
  sign(message: Buffer, options?: { relaxedBody?: boolean }): Promise<SignedCopy>;
  /** The signers' per-stage times, summed over the threads. */
  stats(): Promise<DkimSignerStats>;
  readonly threads: number;
  close(): Promise<void>;
}

/** Copies sent to a thread in one message at most. */
const MAX_BATCH = 16;

interface Thread {
  worker: Worker;
  port: MessagePort;
  /** Copies sent and not yet answered. */
  load: number;
}

function startWorker(workerData: object, transferList: MessagePort[]): Worker {
  // Signing allocates one short-lived buffer per copy; a small young generation keeps each thread's
  // resident memory small without slowing it.
  return startWorkerThread('dkim-worker', 'src/delivery/dkim-worker.ts', { workerData, transferList, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
}

/**
 * DKIM signing on worker threads, one per core but one by default (and at least one), so the
 * private-key operation (most of a
 * signed copy's CPU: RSA-2048 costs far more than building and sending the copy) runs beside the thread
 * that drives the SMTP connections instead of on it.
 *
 * Copies asked for in the same turn of the event loop go to a thread together (up to 16 per message),
 * to the thread with the fewest copies outstanding; each thread keeps its own hash of the edition's
 * common prefix. Memory is bounded by the callers: nothing is queued here beyond what they are waiting
 * for. The threads start with the first copy and stop at close().
 *
 * @example
 * const pool = createDkimPool({ domainName: 'daybreak.example', keys: [{ algorithm: 'rsa-sha256', selector: 's1', privateKey: pem }] });
 * const signed = await pool.sign(raw);
 * await smtp.send(envelope, signed.bytes);
 * signed.release(true); // accepted: its memory can take the next copy
 * await pool.close();
 */
export function createDkimPool(options: DkimSignerOptions & { threads?: number }): DkimPool {
  const { threads: wanted, ...signerOptions } = options;
  // One thread per core but one: the thread that drives the SMTP connections keeps a core of its own,
  // and each thread more is one more heap and more wake-ups per batch (bench/README.md has the figures).
  const count = Math.max(1, wanted ?? availableParallelism() - 1);
  // Keys go to the threads as PEM text inside workerData; each thread parses them once.
  const serializable: DkimSignerOptions = {
    domainName: signerOptions.domainName,
    keys: signerOptions.keys.map((k) => ({
      ...k,
      privateKey: typeof k.privateKey === 'string' ? k.privateKey : (k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
    })),
  };
  let threads: Thread[] | null = null;
  let failure: Error | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve(lengths: number[]): void; reject(error: Error): void }>();
  let pending: { memory: SharedArrayBuffer; length: number; relaxedBody: boolean; resolve(lengths: number): void; reject(e: Error): void }[] = [];
  // Shared buffers of copies that were sent, reused for the next copies: at most one per copy in flight
  // at once, so the memory is bounded by the callers' concurrency, with no per-copy allocation.
  const spare: SharedArrayBuffer[] = [];
  let flushScheduled = false;

  const failAll = (error: Error) => {
    failure ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };

  const start = (): Thread[] =>
    Array.from({ length: count }, () => {
      const { port1, port2 } = new MessageChannel();
      const worker = startWorker({ options: serializable, port: port2 }, [port2]);
      worker.unref();
      port1.unref();
      const thread: Thread = { worker, port: port1, load: 0 };
      port1.on('message', (reply: { id: number; lengths?: number[]; error?: string; stats?: DkimSignerStats }) => {
        if ('stats' in reply) return;
        const w = waiting.get(reply.id);
        if (!w) return;
        waiting.delete(reply.id);
        if (reply.error) w.reject(new DaybreakError('EDELIVERY', `DKIM signing failed: ${reply.error}`));
        else w.resolve(reply.lengths!);
      });
      worker.on('error', (error) => failAll(new DaybreakError('EDELIVERY', `A DKIM signing thread failed: ${error.message}`)));
      worker.on('exit', (code) => {
        if (waiting.size) failAll(new DaybreakError('EDELIVERY', `A DKIM signing thread stopped (exit ${code})`));
      });
      return thread;
    });

  const flush = () => {
    flushScheduled = false;
    const list = threads ??= start();
    while (pending.length) {
      const batch = pending.splice(0, MAX_BATCH);
      let thread = list[0]!;
      for (const t of list) if (t.load < thread.load) thread = t;
      const id = nextId++;
      thread.load += batch.length;
      // The port holds the process open only while copies are out on the thread.
      const settle = () => {
        thread.load -= batch.length;
        if (thread.load === 0) thread.port.unref();
      };
      waiting.set(id, {
        resolve: (lengths) => {
          settle();
          batch.forEach((b, i) => b.resolve(lengths[i]!));
        },
        reject: (error) => {
          settle();
          for (const b of batch) b.reject(error);
        },
      });
      thread.port.ref();
      thread.port.postMessage({ id, items: batch.map((b) => ({ memory: b.memory, length: b.length, relaxedBody: b.relaxedBody })) });
    }
  };

  return {
    threads: count,
    sign(message, hints) {
      if (failure) return Promise.reject(failure);
      // The copy is written once into shared memory (the caller may reuse its own buffer at once), with
      // room in front for the signature fields the thread writes there.
      let memory = spare.pop();
      if (!memory || memory.byteLength < HEAD_ROOM + message.length) memory = new SharedArrayBuffer(HEAD_ROOM + message.length + 8192);
      message.copy(Buffer.from(memory, HEAD_ROOM, message.length));
      const length = message.length;
      const slot = memory;
      return new Promise<SignedCopy>((resolve, reject) => {
        pending.push({
          memory: slot,
          length,
          relaxedBody: hints?.relaxedBody === true,
          resolve: (fieldsLength) => {
            let released = false;
            resolve({
              bytes: Buffer.from(slot, HEAD_ROOM - fieldsLength, fieldsLength + length),
              release(reuse) {
                if (released) return;
                released = true;
                if (reuse && spare.length < 256) spare.push(slot);
              },
            });
          },
          reject,
        });
        if (pending.length >= MAX_BATCH) flush();
        else if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    async stats() {
      const total: DkimSignerStats = { copies: 0, hashNs: 0, signNs: 0, prefixHits: 0 };
      for (const thread of threads ?? []) {
        const stats = await new Promise<DkimSignerStats>((resolve) => {
          const onMessage = (reply: { stats?: DkimSignerStats }) => {
            if (!reply || typeof reply !== 'object' || !('stats' in reply)) return;
            thread.port.off('message', onMessage);
            if (thread.load === 0) thread.port.unref();
            resolve(reply.stats!);
          };
          thread.port.on('message', onMessage);
          thread.port.ref();
          thread.port.postMessage('stats');
        });
        for (const key of Object.keys(total) as (keyof DkimSignerStats)[]) total[key] += stats[key];
      }
      return total;
    },
    async close() {
      const list = threads ?? [];
      threads = [];
      failAll(new DaybreakError('EDELIVERY', 'The DKIM signer is closed'));
      for (const p of pending) p.reject(failure!);
      pending = [];
      spare.length = 0;
      await Promise.all(list.map(async (t) => {
        t.port.close();
        await t.worker.terminate();
      }));
    },
  };
}
