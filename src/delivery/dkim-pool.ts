import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { DaybreakError } from '../errors.ts';
import { startWorkerThread } from '../worker-thread.ts';
import { HEAD_ROOM } from './dkim-head-room.ts';
import { DKIM_RING } from './dkim-ring.ts';
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

const { WRITTEN, SIGNED, SLEEPING, STOP, RING, ENTRIES, FIELDS, RELAXED_BODY, BYTES, STATS } = DKIM_RING;

/** Shared copy buffers kept for reuse at most (one per copy in flight is enough). */
const MAX_SPARE = 256;

/** A shared buffer a copy is written into, HEAD_ROOM bytes in; every thread knows it by its id. */
interface Slot {
  id: number;
  memory: SharedArrayBuffer;
  bytes: Buffer;
}

interface Request {
  slot: Slot;
  offset: number;
  length: number;
  relaxedBody: boolean;
  resolve(copy: SignedCopy): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  port: MessagePort;
  ring: Int32Array;
  stats: Float64Array;
  /** Copies written to the ring, and taken back from it. */
  written: number;
  taken: number;
  /** The copies on the ring, oldest first. */
  onRing: Request[];
  /** True while a wait for the thread's next signed copy is armed. */
  watching: boolean;
}

/** `Atomics.waitAsync` (ES2024; in Node.js since 16), typed here as the project's lib is ES2023. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

function startWorker(workerData: object, transferList: MessagePort[]): Worker {
  // Signing allocates a few short-lived strings per copy; a small young generation keeps each thread's
  // resident memory small without slowing it.
  return startWorkerThread('dkim-worker', 'src/delivery/dkim-worker.ts', { workerData, transferList, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
}

/**
 * DKIM signing on worker threads, one per core but one by default (and at least one), so the
 * private-key operation (most of a signed copy's CPU: RSA-2048 costs far more than building and sending
 * the copy) runs beside the thread that drives the SMTP connections instead of on it.
 *
 * A copy is written once into a shared buffer with room in front for its signature fields, and its
 * entry into the ring of the thread with the fewest copies outstanding (dkim-ring.ts): no message is
 * cloned per copy, and a thread that is already signing takes the next copy without being woken. The
 * thread writes the fields in front of the copy; the pool learns of finished copies through one
 * `Atomics.waitAsync` at a time per thread, and hands each out as one contiguous Buffer. Each thread
 * keeps its own hash of the edition's common prefix. Memory is bounded by the callers: at most one
 * shared buffer per copy they wait for, reused once released. The threads start with the first copy
 * and stop at close().
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
  // and each thread more is one more heap to keep warm.
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
  let nextSlot = 1;
  const spare: Slot[] = [];
  /** Copies waiting for room on a ring (only when more than ENTRIES per thread are asked for at once). */
  const overflow: Request[] = [];

  const failAll = (error: Error) => {
    failure ??= error;
    for (const thread of threads ?? []) {
      for (const r of thread.onRing.splice(0)) r.reject(failure);
      thread.worker.unref();
    }
    for (const r of overflow.splice(0)) r.reject(failure);
  };

  const start = (): Thread[] =>
    Array.from({ length: count }, () => {
      const { port1, port2 } = new MessageChannel();
      const control = new SharedArrayBuffer(BYTES);
      const statistics = new SharedArrayBuffer(STATS * 8);
      const worker = startWorker({ options: serializable, port: port2, control, statistics }, [port2]);
      worker.unref();
      worker.on('error', (error) => failAll(new DaybreakError('EDELIVERY', `A DKIM signing thread failed: ${error.message}`)));
      // A thread ends only at close() (which has failed the pool already, so this changes nothing) or
      // when it dies: then the pool fails, including when no copy was out, so later copies are refused
      // instead of waiting on a ring nobody reads.
      worker.on('exit', (code) => failAll(new DaybreakError('EDELIVERY', `A DKIM signing thread stopped (exit ${code})`)));
      const thread: Thread = { worker, port: port1, ring: new Int32Array(control), stats: new Float64Array(statistics), written: 0, taken: 0, onRing: [], watching: false };
      return thread;
    });

  const newSlot = (size: number): Slot => {
    const memory = new SharedArrayBuffer(HEAD_ROOM + size + 8192);
    const slot = { id: nextSlot++, memory, bytes: Buffer.from(memory) };
    // Announced once to every thread; a thread reads it when the ring first names this id.
    for (const thread of threads!) thread.port.postMessage({ add: slot.id, memory });
    return slot;
  };

  /** Done with the slot's copy: its memory is kept for the next copy when it may be. */
  const free = (slot: Slot, reuse: boolean) => {
    if (reuse && spare.length < MAX_SPARE && !failure) spare.push(slot);
    else giveUp(slot);
  };

  const giveUp = (slot: Slot) => {
    for (const thread of threads ?? []) thread.port.postMessage({ drop: slot.id });
  };

  /** Takes the copies the thread has signed since last time off its ring and settles them. */
  const collect = (thread: Thread) => {
    const signed = Atomics.load(thread.ring, SIGNED);
    while (thread.taken < signed) {
      const entry = RING + (thread.taken % ENTRIES) * FIELDS;
      const fieldsLength = thread.ring[entry + 4]!;
      thread.taken += 1;
      const request = thread.onRing.shift();
      if (!request) continue;
      if (fieldsLength < 0) {
        const note = receiveMessageOnPort(thread.port)?.message as { reason?: string } | undefined;
        free(request.slot, true);
        request.reject(new DaybreakError('EDELIVERY', `DKIM signing failed: ${note?.reason ?? 'unknown reason'}`));
        continue;
      }
      const { slot, offset, length } = request;
      let released = false;
      request.resolve({
        bytes: slot.bytes.subarray(offset - fieldsLength, offset + length),
        release(reuse) {
          if (released) return;
          released = true;
          free(slot, reuse);
        },
      });
    }
    while (overflow.length && thread.written - thread.taken < ENTRIES) put(thread, overflow.shift()!);
    if (thread.onRing.length) watch(thread);
    else thread.worker.unref();
  };

  /** Arms one wait for the thread's next signed copy (V8 resolves it on the thread's Atomics.notify). */
  const watch = (thread: Thread) => {
    if (thread.watching || failure) return;
    thread.watching = true;
    const settled = () => {
      thread.watching = false;
      if (!failure) collect(thread);
    };
    const wait = waitAsync(thread.ring, SIGNED, thread.taken);
    if (wait.async) void wait.value.then(settled);
    else queueMicrotask(settled); // already moved on
  };

  const put = (thread: Thread, request: Request) => {
    const entry = RING + (thread.written % ENTRIES) * FIELDS;
    thread.ring[entry] = request.slot.id;
    thread.ring[entry + 1] = request.offset;
    thread.ring[entry + 2] = request.length;
    thread.ring[entry + 3] = request.relaxedBody ? RELAXED_BODY : 0;
    thread.ring[entry + 4] = 0;
    thread.written += 1;
    if (thread.onRing.length === 0) thread.worker.ref(); // copies out: the process waits for them
    thread.onRing.push(request);
    Atomics.store(thread.ring, WRITTEN, thread.written);
    // A thread that is signing takes this copy when it is done; only a sleeping one needs waking.
    if (Atomics.load(thread.ring, SLEEPING) !== 0) Atomics.notify(thread.ring, WRITTEN);
    watch(thread);
  };

  return {
    threads: count,
    sign(message, hints) {
      if (failure) return Promise.reject(failure);
      const list = (threads ??= start());
      // The copy is written once into shared memory (the caller may reuse its own buffer at once), with
      // room in front for the signature fields the thread writes there. (A copy built straight into
      // shared memory would save this one large copy, but Node writes the many small pieces of a copy
      // into a SharedArrayBuffer-backed Buffer several times slower than into an ordinary one.)
      let slot = spare.pop();
      if (slot && slot.memory.byteLength < HEAD_ROOM + message.length) {
        giveUp(slot);
        slot = undefined;
      }
      slot ??= newSlot(message.length);
      message.copy(slot.bytes, HEAD_ROOM);
      const request: Omit<Request, 'resolve' | 'reject'> = { slot, offset: HEAD_ROOM, length: message.length, relaxedBody: hints?.relaxedBody === true };
      return new Promise<SignedCopy>((resolve, reject) => {
        const full: Request = { ...request, resolve, reject };
        let thread = list[0]!;
        for (const t of list) if (t.written - t.taken < thread.written - thread.taken) thread = t;
        if (thread.written - thread.taken >= ENTRIES || overflow.length) overflow.push(full);
        else put(thread, full);
      });
    },
    async stats() {
      const total: DkimSignerStats = { copies: 0, hashNs: 0, signNs: 0, prefixHits: 0 };
      for (const thread of threads ?? []) {
        total.copies += thread.stats[0]!;
        total.hashNs += thread.stats[1]!;
        total.signNs += thread.stats[2]!;
        total.prefixHits += thread.stats[3]!;
      }
      return total;
    },
    async close() {
      const list = threads ?? [];
      failAll(new DaybreakError('EDELIVERY', 'The DKIM signer is closed'));
      threads = [];
      spare.length = 0;
      await Promise.all(list.map(async (t) => {
        Atomics.store(t.ring, STOP, 1);
        Atomics.notify(t.ring, WRITTEN);
        // Wakes a pending waitAsync, which then finds the pool failed and does nothing.
        Atomics.notify(t.ring, SIGNED);
        t.port.close();
        await t.worker.terminate();
      }));
    },
  };
}
