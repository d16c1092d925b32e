/**
 * The layout of the shared memory through which the DKIM pool (dkim-pool.ts) and one signing thread
 * (dkim-worker.ts) pass copies: an Int32Array of counters and a ring of copy entries, used by exactly one
 * writer (the pool) and one reader (the thread), and a Float64Array of the thread's signer statistics.
 *
 * Counters only grow: the pool advances `written` after filling an entry, the thread advances `signed`
 * after writing an entry's result; entry k is at `RING + (k % ENTRIES) * FIELDS`. An entry holds the id
 * of the shared buffer, the copy's offset in it and its length, flags, and the result: the length of the
 * DKIM-Signature fields written just in front of the copy, or -1 when signing failed.
 *
 * @example
 * const ring = new Int32Array(new SharedArrayBuffer(DKIM_RING.BYTES));
 * Atomics.load(ring, DKIM_RING.SIGNED);
 */
const RING = 8;
const ENTRIES = 64;
const FIELDS = 5;

export const DKIM_RING = {
  /** Copies written by the pool. */
  WRITTEN: 0,
  /** Copies signed (or failed) by the thread. */
  SIGNED: 1,
  /** 1 while the thread waits for `WRITTEN` to move. */
  SLEEPING: 2,
  /** Set by the pool to end the thread's loop. */
  STOP: 3,
  /** Index of the first entry. */
  RING,
  /** Entries in the ring: copies outstanding on one thread at most. */
  ENTRIES,
  /** Int32 fields per entry: buffer id, offset, length, flags, result. */
  FIELDS,
  /** Flag: the copy's body is already in relaxed canonical form (relaxed-bodies.ts). */
  RELAXED_BODY: 1,
  /** Size in bytes of the Int32 part. */
  BYTES: (RING + ENTRIES * FIELDS) * 4,
  /** Float64 statistics: copies, hash ns, sign ns, prefix hits. */
  STATS: 4,
} as const;
