/**
 * A DKIM signing thread (see dkim-pool.ts). Each copy arrives in a shared buffer, HEAD_ROOM bytes in;
 * this thread signs it with its own createDkimSigner (so its cached edition prefix stays warm) and writes
 * the DKIM-Signature fields just in front of the copy, in the same shared memory: the signed message is
 * then one contiguous range, and nothing is copied back or allocated per copy.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { HEAD_ROOM } from './dkim-head-room.ts';
import { createDkimSigner, type DkimSignerOptions } from './dkim-signer.ts';

interface Batch {
  id: number;
  items: { memory: SharedArrayBuffer; length: number; relaxedBody: boolean }[];
}

const { options, port } = workerData as { options: DkimSignerOptions; port: MessagePort };
const signer = createDkimSigner(options);

port.on('message', (batch: Batch | 'stats') => {
  if (batch === 'stats') {
    port.postMessage({ stats: { ...signer.stats } });
    return;
  }
  try {
    const lengths = batch.items.map(({ memory, length, relaxedBody }) => {
      const fields = signer.signatureFields(Buffer.from(memory, HEAD_ROOM, length), { relaxedBody });
      if (fields.length > HEAD_ROOM) throw new Error(`the DKIM-Signature fields take ${fields.length} bytes, more than the ${HEAD_ROOM} reserved`);
      fields.copy(Buffer.from(memory, HEAD_ROOM - fields.length, fields.length));
      return fields.length;
    });
    port.postMessage({ id: batch.id, lengths });
  } catch (error) {
    port.postMessage({ id: batch.id, error: (error as Error).message });
  }
});
