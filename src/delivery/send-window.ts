import type { DeliveryConfig } from '../content/index.ts';

/** The most rows one claim takes from the ledger. */
export const MAX_CLAIM_BATCH = 1000;

/** How many copies the send loop keeps at each stage. */
export interface SendWindow {
  /** Copies between their `sending` commit and the commit of their outcome: what a crash can duplicate. */
  window: number;
  /** Copies handed to the SMTP client at once: one on each connection and one queued behind it. */
  handoff: number;
  /** Outcomes committed to the ledger in one transaction. */
  group: number;
  /** Rows one claim takes from the ledger. */
  claimBatch: number;
}

/**
 * Sizes the send loop from delivery.maxConnections and delivery.maxInFlight (or the caller's
 * `maxInFlight`). The window is split between copies on the wire (`handoff`) and answered copies waiting
 * for their group's commit; a group is half of what is left, so the next group can gather while one is
 * being committed and the connections never wait for the disk. A claim takes two windows' worth: small
 * enough that several processes on one edition each get a fair share, and capped at MAX_CLAIM_BATCH so a
 * very large maxInFlight cannot make one process hold a big part of the list at once.
 *
 * @example
 * sendWindow({ maxConnections: 4, maxInFlight: undefined }); // { window: 32, handoff: 8, group: 12, claimBatch: 64 }
 */
export function sendWindow(delivery: Pick<DeliveryConfig, 'maxConnections' | 'maxInFlight'>, maxInFlight?: number): SendWindow {
  const window = maxInFlight ?? delivery.maxInFlight ?? delivery.maxConnections * 8;
  const handoff = Math.min(window, delivery.maxConnections * 2);
  const group = Math.max(1, Math.floor((window - handoff) / 2));
  const claimBatch = Math.min(Math.max(window * 2, 32), MAX_CLAIM_BATCH);
  return { window, handoff, group, claimBatch };
}
