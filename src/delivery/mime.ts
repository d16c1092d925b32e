/**
 * Low-level MIME encoders for the edition path: quoted-printable (RFC 2045 §6.7) and header words
 * (RFC 2047, RFC 5322). Hand-written because the edition is encoded ONCE and only the few per-reader values
 * are encoded per copy: building a whole message per reader would cost far more than the copy's SMTP
 * transaction.
 */

const HEX = '0123456789ABCDEF';

function hexByte(b: number): string {
  return '=' + HEX[b >> 4]! + HEX[b & 15]!;
}

/** The QP token for one code point (all of its UTF-8 bytes, kept together on one line). */
function encodeCodePoint(cp: number): string {
  if (cp < 0x80) return hexByte(cp);
  if (cp < 0x800) return hexByte(0xc0 | (cp >> 6)) + hexByte(0x80 | (cp & 63));
  if (cp < 0x10000) return hexByte(0xe0 | (cp >> 12)) + hexByte(0x80 | ((cp >> 6) & 63)) + hexByte(0x80 | (cp & 63));
  return hexByte(0xf0 | (cp >> 18)) + hexByte(0x80 | ((cp >> 12) & 63)) + hexByte(0x80 | ((cp >> 6) & 63)) + hexByte(0x80 | (cp & 63));
}

/**
 * Quoted-printable encoding of UTF-8 text. Line breaks (LF or CRLF) become CRLF hard breaks; every output
 * line is at most 76 characters including a soft break's `=`; whitespace before a line end (or the end of
 * the input) is encoded so no transport can strip it; a multi-byte character is never split across lines;
 * the output never ends with a soft break, so encoded pieces can be joined with `=\r\n` (a soft break,
 * which decodes to nothing) without changing the decoded text; no output line starts with ".", so the
 * message needs no dot-stuffing on the wire.
 */
export function qpEncode(input: string): string {
  let out = '';
  let line = 0;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 10 || (c === 13 && input.charCodeAt(i + 1) === 10)) {
      if (c === 13) i++;
      out += '\r\n';
      line = 0;
      continue;
    }
    let token: string;
    if (c >= 33 && c <= 126 && c !== 61) {
      token = input[i]!;
    } else if (c === 32 || c === 9) {
      const next = input.charCodeAt(i + 1);
      const atEnd = i + 1 >= n || next === 10 || (next === 13 && input.charCodeAt(i + 2) === 10);
      token = atEnd ? hexByte(c) : input[i]!;
    } else if (c < 0x80) {
      token = hexByte(c);
    } else {
      let cp = c;
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = input.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        } else cp = 0xfffd;
      } else if (c >= 0xdc00 && c <= 0xdfff) cp = 0xfffd;
      token = encodeCodePoint(cp);
    }
    if (line + token.length > 75) {
      out += '=\r\n';
      line = 0;
    }
    // A "." opening a line is sent as "=2E" (RFC 2045 §6.7 (1) allows any octet encoded): SMTP would
    // otherwise have to dot-stuff that line (RFC 5321 §4.5.2), and nodemailer's DATA stream copies the
    // whole message for every chunk that needs stuffing. Decoded, the text is the same.
    if (line === 0 && c === 46) token = '=2E';
    out += token;
    line += token.length;
  }
  return out;
}

/** Removes everything that could end a header line or smuggle a control character into one. */
export function sanitizeHeaderText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\x00-\x1f\x7f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** RFC 2047 B-encoded words for UTF-8 text, each at most 75 characters, folded with CRLF SP. */
export function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > 45) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += size;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/**
 * An unstructured header value (Subject): CR/LF removed, plain ASCII folded at spaces, anything else as
 * RFC 2047 encoded words. `nameLength` is the length of "Subject: " so the first line is folded right.
 */
export function encodeUnstructured(value: string, nameLength: number): string {
  const text = sanitizeHeaderText(value);
  // "=?" in plain text would be decoded as an encoded word by readers: encode such values too.
  if (!PRINTABLE_ASCII.test(text) || text.includes('=?') || text.split(' ').some((w) => w.length > 900)) return encodedWords(text);
  let out = '';
  let line = nameLength;
  for (const word of text.split(' ')) {
    if (out === '') {
      out = word;
      line += word.length;
    } else if (line + 1 + word.length > 78) {
      out += '\r\n ' + word;
      line = 1 + word.length;
    } else {
      out += ' ' + word;
      line += 1 + word.length;
    }
  }
  return out;
}

/** A display name as a quoted-string (RFC 5322 §3.2.4) or encoded words when it is not plain ASCII. */
export function encodeDisplayName(name: string): string {
  const text = sanitizeHeaderText(name);
  if (!text) return '';
  if (PRINTABLE_ASCII.test(text) && !text.includes('=?')) return `"${text.replace(/(["\\])/g, '\\$1')}"`;
  return encodedWords(text);
}

// The one address grammar, shared with the config's check of publisher addresses.
export { isSafeAddress } from '../content/index.ts';

/** `"Name" <address>` (or just the address); the caller has checked the address with isSafeAddress. */
export function formatMailbox(address: string, name?: string | null): string {
  const display = name ? encodeDisplayName(name) : '';
  return display ? `${display} <${address}>` : address;
}

/** RFC 5322 date-time in UTC, e.g. "Mon, 30 Nov 2026 04:38:07 +0000". */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}
