import type { EditionKey, SendStore } from './send-store.ts';

/**
 * Renews this process's leases on the edition's claimed copies every third of `leaseSeconds` while the
 * send runs. If the process dies the renewals stop, the leases run out on the database's clock, and the
 * other senders take its copies. Returns the function that stops renewing. A renewal that fails is left
 * to the next one: the lease has two more thirds to run.
 *
 * @example
 * const stopRenewing = keepLeases({ store, key, worker, leaseSeconds: 60 });
 * try { await sendTheCopies(); } finally { stopRenewing(); }
 */
export function keepLeases(options: { store: SendStore; key: EditionKey; worker: string; leaseSeconds: number }): () => void {
  const { store, key, worker, leaseSeconds } = options;
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing) return;
    renewing = true;
    store.renewLeases(key, worker, leaseSeconds).catch(() => {}).finally(() => {
      renewing = false;
    });
  }, Math.max(50, Math.floor((leaseSeconds * 1000) / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
