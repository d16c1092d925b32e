import { availableParallelism } from 'node:os';
import { createInlineDkimSigner } from './dkim-inline.ts';
import { createDkimPool, type DkimPool } from './dkim-pool.ts';
import type { DkimSignerOptions } from './dkim-signer.ts';

/**
 * Where the Mailer's DKIM signatures are made (`delivery.dkim.threads`): on that many worker threads
 * (dkim-pool.ts), or, with 0, on the calling thread (dkim-inline.ts). By default one thread per core
 * but one, so the thread that drives the SMTP connections keeps a core of its own; on a machine with
 * one core that is none, and copies are signed in line rather than on a thread that could only take
 * turns with it.
 *
 * @example
 * const signing = createDkimSigning({ ...readDkimKeys(config.delivery.dkim), threads: config.delivery.dkim.threads });
 */
export function createDkimSigning(options: DkimSignerOptions & { threads?: number | undefined }): DkimPool {
  const { threads, ...signer } = options;
  const count = threads ?? availableParallelism() - 1;
  return count <= 0 ? createInlineDkimSigner(signer) : createDkimPool({ ...signer, threads: count });
}
