import { HEAD_ROOM } from './dkim-head-room.ts';

/** Shared memory this module handed out: the head room in front of each copy is free to write into. */
const owned = new WeakSet<SharedArrayBuffer>();

/**
 * Memory for edition copies: each copy lives in a SharedArrayBuffer, HEAD_ROOM bytes in. A DKIM signing
 * thread can then read the copy where it was built and write the DKIM-Signature fields just in front of
 * it, so the signed message is one contiguous range and the copy's bytes are never copied on the way
 * (dkim-pool.ts). Sockets and everything else read such a Buffer like any other.
 *
 * @example
 * const copy = copyMemory.allocate(60_000);
 * copyMemory.hasHeadRoom(copy); // true
 * copyMemory.hasHeadRoom(Buffer.alloc(10)); // false
 */
export const copyMemory = {
  /** A Buffer of `length` bytes with HEAD_ROOM bytes of the same shared memory in front of it. */
  allocate(length: number): Buffer {
    const memory = new SharedArrayBuffer(HEAD_ROOM + length);
    owned.add(memory);
    return Buffer.from(memory, HEAD_ROOM, length);
  },
  /** True when `buffer` is (a view into) memory from allocate() with the head room in front of it. */
  hasHeadRoom(buffer: Buffer): boolean {
    return buffer.byteOffset >= HEAD_ROOM && buffer.buffer instanceof SharedArrayBuffer && owned.has(buffer.buffer);
  },
};
