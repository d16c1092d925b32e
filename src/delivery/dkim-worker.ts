/**
 * A DKIM signing thread (see dkim-pool.ts). It runs one loop and no event loop: it takes the next copy
 * from its ring in shared memory (dkim-ring.ts), signs it with its own createDkimSigner (so its cached edition prefix
 * stays warm), writes the DKIM-Signature fields just in front of the copy in the same shared memory (the
 * signed message is then one contiguous range: nothing is copied back or allocated per copy), and marks
 * the copy done. With nothing to sign it sleeps in Atomics.wait until the pool writes the next copy.
 * No message is cloned per copy: the shared copy buffers are announced once on the port, and read from
 * it with receiveMessageOnPort when the ring names one this thread has not seen yet.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { HEAD_ROOM } from './dkim-head-room.ts';
import { DKIM_RING } from './dkim-ring.ts';
import { createDkimSigner, type DkimSignerOptions } from './dkim-signer.ts';

const { options, port, control, statistics } = workerData as { options: DkimSignerOptions; port: MessagePort; control: SharedArrayBuffer; statistics: SharedArrayBuffer };
const { WRITTEN, SIGNED, SLEEPING, STOP, RING, ENTRIES, FIELDS, RELAXED_BODY } = DKIM_RING;
const signer = createDkimSigner(options);
const ring = new Int32Array(control);
const stats = new Float64Array(statistics);
/** The pool's shared copy buffers by id, each as one Buffer over the whole memory. */
const buffers = new Map<number, Buffer>();

/** Takes the announcements (new buffers, buffers given up) the pool posted so far. */
function readAnnouncements(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const note = m.message as { add: number; memory: SharedArrayBuffer } | { drop: number };
    if ('add' in note) buffers.set(note.add, Buffer.from(note.memory));
    else buffers.delete(note.drop);
  }
}

let done = 0;
for (;;) {
  if (Atomics.load(ring, STOP) !== 0) break;
  if (Atomics.load(ring, WRITTEN) === done) {
    // Say so before sleeping, then look again: the pool wakes this thread only when it sleeps, and a
    // copy written between the two reads is seen by the second one or by Atomics.wait itself.
    // Buffers the pool gave up are let go of now, not only when the ring names an unknown one.
    readAnnouncements();
    Atomics.store(ring, SLEEPING, 1);
    if (Atomics.load(ring, WRITTEN) === done && Atomics.load(ring, STOP) === 0) Atomics.wait(ring, WRITTEN, done);
    Atomics.store(ring, SLEEPING, 0);
    continue;
  }
  const entry = RING + (done % ENTRIES) * FIELDS;
  const id = ring[entry]!;
  const offset = ring[entry + 1]!;
  try {
    let memory = buffers.get(id);
    if (!memory) {
      readAnnouncements();
      memory = buffers.get(id);
      if (!memory) throw new Error(`no shared buffer ${id}`);
    }
    const fields = signer.signatureText(memory.subarray(offset, offset + ring[entry + 2]!), { relaxedBody: (ring[entry + 3]! & RELAXED_BODY) !== 0 });
    if (fields.length > Math.min(offset, HEAD_ROOM)) throw new Error(`the DKIM-Signature fields take ${fields.length} bytes, more than the ${HEAD_ROOM} reserved`);
    memory.write(fields, offset - fields.length, 'latin1');
    ring[entry + 4] = fields.length;
  } catch (error) {
    // Posted before the copy is marked done, so the pool finds the reason when it sees the mark.
    port.postMessage({ failed: done, reason: (error as Error).message });
    ring[entry + 4] = -1;
  }
  stats[0] = signer.stats.copies;
  stats[1] = signer.stats.hashNs;
  stats[2] = signer.stats.signNs;
  stats[3] = signer.stats.prefixHits;
  done += 1;
  Atomics.store(ring, SIGNED, done);
  Atomics.notify(ring, SIGNED);
}
