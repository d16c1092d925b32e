/**
 * A DKIM signing thread (see dkim-pool.ts): signs each batch of copies it is sent with its own
 * createDkimSigner (so its cached edition prefix stays warm) and hands the signed copies back by
 * transfer, without a copy.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { createDkimSigner, type DkimSignerOptions } from './dkim-signer.ts';

interface Batch {
  id: number;
  copies: Uint8Array[];
}

const { options, port } = workerData as { options: DkimSignerOptions; port: MessagePort };
const signer = createDkimSigner(options);

port.on('message', (batch: Batch | 'stats' | 'close') => {
  if (batch === 'close') {
    port.close();
    return;
  }
  if (batch === 'stats') {
    port.postMessage({ stats: { ...signer.stats } });
    return;
  }
  try {
    const signed = batch.copies.map((copy) => signer.sign(Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength)));
    // Each signed copy is a Buffer of its own (allocUnsafeSlow), so its memory can be handed over.
    port.postMessage({ id: batch.id, signed }, signed.map((b) => b.buffer as ArrayBuffer));
  } catch (error) {
    port.postMessage({ id: batch.id, error: (error as Error).message });
  }
});
