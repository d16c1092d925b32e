import { DaybreakError } from '../errors.ts';
import type { DkimPool, SignedCopy } from './dkim-pool.ts';
import { createDkimSigner, type DkimSignerOptions } from './dkim-signer.ts';

/** Buffers for signed copies kept for reuse at most (one per copy in flight is enough). */
const MAX_SPARE = 64;

/**
 * DKIM signing on the calling thread, behind the same interface as the signing threads (dkim-pool.ts):
 * for a machine with one core, where a signing thread would only take turns with the thread that
 * drives the SMTP connections, and for `delivery.dkim.threads: 0`. Each copy is signed at once and
 * written, after its DKIM-Signature fields, into a reused buffer (the caller's copy is left as it is);
 * releasing a signed copy hands its buffer to the next one.
 *
 * @example
 * const signer = createInlineDkimSigner({ domainName: 'daybreak.example', keys: [{ algorithm: 'rsa-sha256', selector: 's1', privateKey: pem }] });
 * const signed = await signer.sign(raw);
 * await smtp.send(envelope, signed.bytes);
 * signed.release(true);
 */
export function createInlineDkimSigner(options: DkimSignerOptions): DkimPool {
  const signer = createDkimSigner(options);
  const spare: Buffer[] = [];
  let closed = false;

  return {
    threads: 0,
    sign(message, hints) {
      if (closed) return Promise.reject(new DaybreakError('EDELIVERY', 'The DKIM signer is closed'));
      let fields: string;
      try {
        fields = signer.signatureText(message, hints);
      } catch (error) {
        return Promise.reject(new DaybreakError('EDELIVERY', `DKIM signing failed: ${(error as Error).message}`));
      }
      const length = fields.length + message.length;
      let memory = spare.pop();
      // allocUnsafeSlow: memory of its own (never a slice of Node's shared pool), so it can be reused.
      if (!memory || memory.length < length) memory = Buffer.allocUnsafeSlow(length + 8192);
      memory.write(fields, 0, 'latin1');
      message.copy(memory, fields.length);
      let released = false;
      const copy: SignedCopy = {
        bytes: memory.subarray(0, length),
        release(reuse) {
          if (released) return;
          released = true;
          if (reuse && !closed && spare.length < MAX_SPARE) spare.push(memory);
        },
      };
      return Promise.resolve(copy);
    },
    async stats() {
      return { ...signer.stats };
    },
    async close() {
      closed = true;
      spare.length = 0;
    },
  };
}
