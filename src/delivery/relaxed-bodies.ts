/**
 * Messages whose body is already in DKIM relaxed canonical form (RFC 6376 §3.4.4): no tab, no space
 * followed by a space, a tab or a line break, and one CRLF after the last content. The edition builder
 * marks the copies it can vouch for; the DKIM signer then hashes such a body as it is instead of scanning
 * it for whitespace to rewrite, which costs more than the hash itself. The mark is on the Buffer object
 * the builder returned (a WeakSet: no memory is held), so it travels with the copy through the sender to
 * the Mailer without changing their interfaces, and a copy rebuilt or converted anywhere is unmarked.
 *
 * @example
 * relaxedBodies.mark(copy);
 * relaxedBodies.has(copy); // true
 */
const marked = new WeakSet<Buffer>();

export const relaxedBodies = {
  mark(message: Buffer): void {
    marked.add(message);
  },
  has(message: string | Buffer): boolean {
    return typeof message !== 'string' && marked.has(message);
  },
  /** True when `text` holds nothing relaxed canonicalization would rewrite inside a line. */
  isClean(text: string): boolean {
    return !/\t| [ \r]/.test(text);
  },
};
