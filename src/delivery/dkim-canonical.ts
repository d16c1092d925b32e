/**
 * DKIM "relaxed" canonicalization (RFC 6376 §3.4.2 headers, §3.4.4 body), written for speed on the
 * edition's bodies: runs of ordinary text are handed to the hash as slices of the message, and only the
 * rare places that relaxed canonicalization changes (a tab, two spaces in a row, whitespace before a line
 * break, empty lines at the end) are rewritten.
 */

const CR = 13;
const LF = 10;
const SP = 32;
const TAB = 9;
const CRLF = Buffer.from('\r\n');
const ONE_SPACE = Buffer.from(' ');

/** Anything with `update(bytes)`: a crypto Hash, or a collector in tests. */
export interface ByteSink {
  update(data: Buffer): unknown;
}

const isWsp = (b: number | undefined) => b === SP || b === TAB;
const isWspChar = (c: number) => c === SP || c === TAB;

/**
 * The index just past the last byte of `body[start, end)` that is not whitespace or a line break, or
 * `start` when there is none. Everything after it is trailing whitespace and empty lines, which relaxed
 * canonicalization drops at the end of a body (RFC 6376 §3.4.4 b).
 */
export function contentEnd(body: Buffer, start: number, end: number): number {
  let i = end;
  while (i > start) {
    const b = body[i - 1];
    if (b !== SP && b !== TAB && b !== CR && b !== LF) break;
    i -= 1;
  }
  return i;
}

/**
 * The first index in body[from, stop) where relaxed canonicalization may change something: a tab, or a
 * space followed by a space, a tab or a CR. One pass over the bytes: three indexOf scans for those
 * patterns cost twice as much, since a space starts a false match every few bytes.
 */
function nextIrregular(body: Buffer, from: number, stop: number): number {
  for (let i = from; i < stop; i++) {
    const c = body[i];
    if (c === SP) {
      const n = body[i + 1];
      if (n === SP || n === TAB || n === CR) return i;
    } else if (c === TAB) return i;
  }
  return stop;
}

/**
 * Feeds the relaxed canonical form of `body[start, end)` to `sink`.
 *
 * With `final` false the slice must end just after a CRLF and some later part of the body must hold
 * content: a slice cut that way canonicalizes on its own, so an edition's common prefix can be hashed
 * once and the hash state copied for each copy. With `final` true the slice runs to the end of the body:
 * trailing whitespace and empty lines are dropped and one CRLF closes a non-empty body (RFC 6376 §3.4.4;
 * an empty body canonicalizes to nothing).
 *
 * @example
 * const hash = createHash('sha256');
 * relaxedBody(body, 0, body.length, true, hash);
 * const bh = hash.digest('base64');
 */
export function relaxedBody(body: Buffer, start: number, end: number, final: boolean, sink: ByteSink): void {
  const stop = final ? contentEnd(body, start, end) : end;
  let pos = start;
  while (pos < stop) {
    const at = nextIrregular(body, pos, stop);
    if (at >= stop) break;
    // The run of whitespace that starts at `at` (nextIrregular stops at its first byte).
    let runEnd = at;
    while (runEnd < stop && isWsp(body[runEnd])) runEnd += 1;
    if (at > pos) sink.update(body.subarray(pos, at));
    // Whitespace at the end of a line goes (§3.4.4 a, first rule); inside a line a run becomes one space.
    const endsLine = runEnd >= stop ? final || body[runEnd] === CR : body[runEnd] === CR && body[runEnd + 1] === LF;
    if (!endsLine) {
      // A single space that is not at a line end (" \r" without LF) stays as it is.
      sink.update(runEnd - at === 1 && body[at] === SP ? body.subarray(at, runEnd) : ONE_SPACE);
    }
    pos = runEnd;
  }
  if (pos < stop) sink.update(body.subarray(pos, stop));
  if (final && stop > start) sink.update(CRLF);
}

/**
 * One header field in relaxed form, `name:value\r\n` (RFC 6376 §3.4.2): the name lowercased, the value
 * unfolded, runs of whitespace made one space, whitespace around the value removed. `field` is the field
 * as it appears in the message, folding included, without its final CRLF.
 *
 * @example
 * relaxedHeader('Subject:  Hello\r\n  world') // 'subject:Hello world\r\n'
 */
export function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  let nameEnd = colon;
  while (nameEnd > 0 && isWspChar(field.charCodeAt(nameEnd - 1))) nameEnd -= 1;
  let value = field.slice(colon + 1);
  // Most fields have nothing to unfold or compress: only whitespace around the value goes.
  if (/[\t\r]| {2}/.test(value)) value = value.replace(/\r\n(?=[ \t])/g, '').replace(/[ \t]+/g, ' ');
  // Only WSP is trimmed (§3.4.2): String#trim would also take other characters a latin1 byte may be.
  let start = 0;
  let end = value.length;
  while (start < end && isWspChar(value.charCodeAt(start))) start += 1;
  while (end > start && isWspChar(value.charCodeAt(end - 1))) end -= 1;
  return `${field.slice(0, nameEnd).toLowerCase()}:${value.slice(start, end)}\r\n`;
}
