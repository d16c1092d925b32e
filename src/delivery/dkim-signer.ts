import { createHash, createPrivateKey, sign as cryptoSign, type Hash, type KeyObject } from 'node:crypto';
import { contentEnd, relaxedBody, relaxedHeader } from './dkim-canonical.ts';

/** One signature to add: RSA-SHA256 (RFC 6376) or Ed25519-SHA256 (RFC 8463), each under its own selector. */
export interface DkimKeySpec {
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
  selector: string;
  /** PEM (PKCS#8 or PKCS#1) text, or a key object. */
  privateKey: string | KeyObject;
}

export interface DkimSignerOptions {
  /** d= */
  domainName: string;
  keys: DkimKeySpec[];
  /** Seconds since the epoch for t= (default: the clock). */
  now?: () => number;
}

/** Time spent per stage, summed over the copies signed so far (nanoseconds). */
export interface DkimSignerStats {
  copies: number;
  /** Body hash, header canonicalization and header hash. */
  hashNs: number;
  /** The private-key operations. */
  signNs: number;
  /** Copies whose body hash started from the cached hash of the edition's common prefix. */
  prefixHits: number;
}

export interface DkimSigner {
  /** The copy with its DKIM-Signature field(s) in front, as a new Buffer. */
  sign(message: Buffer): Buffer;
  /**
   * Only the DKIM-Signature field(s) for the copy, to be written in front of it. With `relaxedBody`,
   * the caller vouches that the body is already in relaxed canonical form (see relaxed-bodies.ts), and
   * it is hashed as it is.
   */
  signatureFields(message: Buffer, options?: { relaxedBody?: boolean }): Buffer;
  /** The same fields as latin1 text (one character a byte), for a caller that writes them in place. */
  signatureText(message: Buffer, options?: { relaxedBody?: boolean }): string;
  readonly stats: DkimSignerStats;
}

/**
 * Header fields signed when present. Each one present is listed once more than it occurs (oversigning,
 * RFC 6376 §5.4.2 and §8.15): a verifier then finds no field for the extra entry only if none was added,
 * so a second Subject or From added on the way breaks the signature instead of being shown unsigned.
 */
const SIGNED = [
  'from', 'sender', 'reply-to', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'references',
  'list-id', 'list-unsubscribe', 'list-unsubscribe-post', 'list-help', 'list-subscribe', 'list-post', 'list-owner',
  'list-archive', 'feedback-id', 'auto-submitted', 'mime-version', 'content-type', 'content-transfer-encoding',
];
/** Also listed when absent, so that none can be added later (Reply-To on a copy that has none, say). */
const ALWAYS = new Set(['from', 'reply-to', 'to', 'cc', 'subject', 'date', 'message-id', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post']);

/** A common body prefix shorter than this is not worth caching. */
const MIN_PREFIX = 1024;
/** Cached body prefixes at most (a few greetings' worth), and recent bodies compared to find new ones. */
const MAX_PREFIXES = 32;
const RECENT_BODIES = 8;
/** Bytes kept of each recent body: a shared prefix longer than this is cached only this long. */
const MAX_KEPT = 256 * 1024;

/**
 * Splits a header block (latin1, so bytes round-trip) into fields, folding kept, final CRLFs removed.
 * Each field is a slice of the block: no line is copied or joined again.
 */
function headerFields(block: string): string[] {
  const fields: string[] = [];
  let start = 0;
  for (let i = block.indexOf('\r\n'); i >= 0; i = block.indexOf('\r\n', i + 2)) {
    const next = block.charCodeAt(i + 2);
    if (next === 32 || next === 9) continue; // a folded line belongs to the field above
    if (i > start) fields.push(block.slice(start, i));
    start = i + 2;
  }
  if (start < block.length) fields.push(block.slice(start));
  return fields;
}

function fold(list: string[], separator: string, width: number): string {
  let out = '';
  let line = 0;
  for (let i = 0; i < list.length; i++) {
    const piece = list[i]! + (i < list.length - 1 ? separator : '');
    if (line + piece.length > width && line > 0) {
      out += '\r\n ';
      line = 1;
    }
    out += piece;
    line += piece.length;
  }
  return out;
}

const BLANK_LINE = Buffer.from('\r\n\r\n');

/** A field's name, lowercased, without whitespace before the colon. */
function fieldName(field: string): string {
  let end = field.indexOf(':');
  while (end > 0 && (field[end - 1] === ' ' || field[end - 1] === '\t')) end -= 1;
  return field.slice(0, end).toLowerCase();
}

/** The base64 signature in lines of 72, the later ones indented one space (a folded b= value). */
function foldBase64(b64: string): string {
  let out = b64.slice(0, 72);
  for (let i = 72; i < b64.length; i += 72) out += `\r\n ${b64.slice(i, i + 72)}`;
  return out;
}

/** The length of the common prefix of two buffers. */
function commonPrefix(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  // Native comparisons of shrinking blocks, then the last few bytes one by one.
  for (const block of [4096, 256, 16]) {
    while (i + block <= n && a.compare(b, i, i + block, i, i + block) === 0) i += block;
  }
  while (i < n && a[i] === b[i]) i += 1;
  return i;
}

/**
 * Signs prebuilt messages with DKIM, relaxed/relaxed, without parsing or re-encoding them: the body hash
 * over the copy's bytes as they are (RFC 6376 §3.7), the header hash over the signed fields, then one
 * private-key operation per key. Each key gives one DKIM-Signature field with `t=` and an oversigned
 * `h=` list.
 *
 * The copies of one edition share everything up to their first personalized byte, and copies for readers
 * with the same greeting share more, so the signer keeps the hash state after such common parts (cut at
 * a line break, where relaxed canonicalization can be resumed) and copies it for each later copy that
 * starts the same way, hashing only the rest (SHA-256 can only resume after a prefix: the part after the
 * last personalized byte is the same in every copy but has to be hashed each time). Common parts are
 * found by comparing a copy that has no cached prefix with the last few such copies.
 *
 * @example
 * const signer = createDkimSigner({ domainName: 'daybreak.example',
 *   keys: [{ algorithm: 'rsa-sha256', selector: 'mail2026', privateKey: pem }] });
 * const signed = signer.sign(Buffer.from(raw));
 */
export function createDkimSigner(options: DkimSignerOptions): DkimSigner {
  if (options.keys.length === 0) throw new TypeError('Expected at least one DKIM key');
  const keys = options.keys.map((k) => ({
    ...k,
    key: typeof k.privateKey === 'string' ? createPrivateKey(k.privateKey) : k.privateKey,
  }));
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const stats: DkimSignerStats = { copies: 0, hashNs: 0, signNs: 0, prefixHits: 0 };
  // Copy after copy of one edition has the same fields in the same order, most of them byte for byte
  // (From, Subject, List-Id, Content-Type…): each field is compared with the one at its place in the copy
  // before, and only a field that differs (To, Message-ID…) is canonicalized again. While the names are
  // the same, so is which fields are signed in which order (the plan), and the h= list.
  let previousFields: string[] = [];
  let previousNames: string[] = [];
  let previousCanonical: string[] = [];
  let plan: { order: number[]; folded: string; unfolded: string } | null = null;
  const makePlan = (names: string[]) => {
    // Fields are selected from the bottom up when a name occurs more than once (RFC 6376 §5.4.2).
    const byName = new Map<string, number[]>();
    names.forEach((name, i) => {
      const list = byName.get(name);
      if (list) list.push(i);
      else byName.set(name, [i]);
    });
    const order: number[] = [];
    const h: string[] = [];
    for (const name of SIGNED) {
      const present = byName.get(name);
      if (!present && !ALWAYS.has(name)) continue;
      for (let i = (present?.length ?? 0) - 1; i >= 0; i--) {
        h.push(name);
        order.push(present![i]!);
      }
      h.push(name); // the oversigned entry: no field left for it, so it hashes as nothing
    }
    const folded = fold(h, ':', 70);
    return { order, folded, unfolded: folded.replaceAll('\r\n', '') };
  };
  /** The canonical signed header fields, in signing order, and the h= list (folded and unfolded). */
  const signedHeaders = (block: string) => {
    const fields = headerFields(block);
    const names: string[] = new Array(fields.length);
    const canonical: string[] = new Array(fields.length);
    let sameNames = plan !== null && fields.length === previousFields.length;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (field === previousFields[i]) {
        names[i] = previousNames[i]!;
        canonical[i] = previousCanonical[i]!;
        continue;
      }
      names[i] = fieldName(field);
      canonical[i] = relaxedHeader(field);
      if (names[i] !== previousNames[i]) sameNames = false;
    }
    if (!sameNames || !plan) plan = makePlan(names);
    previousFields = fields;
    previousNames = names;
    previousCanonical = canonical;
    let text = '';
    for (const i of plan.order) text += canonical[i]!;
    return { canonical: text, folded: plan.folded, unfolded: plan.unfolded };
  };
  // Hash states after body prefixes that several copies share, each the part before the first byte in
  // which they differ: all copies of an edition up to their first personalized byte, and, further on,
  // the copies of readers with the same greeting (every reader without a first name, say) up to the next
  // one. The longest that a body starts with is used; the least recently used goes when there are more.
  const prefixes: { prefix: Buffer; state: Hash; used: number }[] = [];
  // The beginnings of the last bodies that had no cached prefix, in reused buffers (the caller may
  // reuse a copy's own memory): a new body is compared with them to find a prefix worth caching.
  const recent: { bytes: Buffer; length: number }[] = [];
  let recentNext = 0;
  let uses = 0;
  /**
   * The body hash. `clean`: the body is already in relaxed form (relaxed-bodies.ts), so its bytes are
   * hashed as they are; a prefix cached from either kind is the same hash state, as a clean prefix is its
   * own canonical form.
   */
  const bodyHash = (body: Buffer, clean: boolean): string => {
    const feed = (hash: Hash, start: number, end: number, final: boolean) =>
      clean ? hash.update(body.subarray(start, end)) : relaxedBody(body, start, end, final, hash);
    uses += 1;
    let best: (typeof prefixes)[number] | null = null;
    for (const entry of prefixes) {
      const n = entry.prefix.length;
      if (body.length > n && (!best || n > best.prefix.length) && body.compare(entry.prefix, 0, n, 0, n) === 0) best = entry;
    }
    if (best) {
      stats.prefixHits += 1;
      best.used = uses;
      const hash = best.state.copy();
      feed(hash, best.prefix.length, body.length, true);
      return hash.digest('base64');
    }
    let common = 0;
    for (const r of recent) common = Math.max(common, commonPrefix(r.bytes.subarray(0, r.length), body));
    // Cut at the last line break inside the common part, before the body's last content byte (so the
    // rest still ends the body with content and the prefix is never trimmed as its end).
    const limit = Math.min(common, contentEnd(body, 0, body.length) - 1);
    const lineBreak = recent.length && limit >= 2 ? body.lastIndexOf('\r\n', limit - 2) : -1;
    const cut = lineBreak + 2;
    let hash: Hash;
    if (lineBreak >= 0 && cut >= MIN_PREFIX) {
      // The prefix is hashed once: its state is kept, and a copy of it goes on with the rest of this body.
      const state = createHash('sha256');
      feed(state, 0, cut, false);
      if (prefixes.length >= MAX_PREFIXES) {
        let oldest = 0;
        for (let i = 1; i < prefixes.length; i++) if (prefixes[i]!.used < prefixes[oldest]!.used) oldest = i;
        prefixes.splice(oldest, 1);
      }
      prefixes.push({ prefix: Buffer.from(body.subarray(0, cut)), state, used: uses });
      hash = state.copy();
      feed(hash, cut, body.length, true);
    } else {
      hash = createHash('sha256');
      feed(hash, 0, body.length, true);
    }
    const length = Math.min(body.length, MAX_KEPT);
    let slot = recent[recentNext];
    if (!slot || slot.bytes.length < length) slot = recent[recentNext] = { bytes: Buffer.allocUnsafeSlow(length + 4096), length: 0 };
    body.copy(slot.bytes, 0, 0, length);
    slot.length = length;
    recentNext = (recentNext + 1) % RECENT_BODIES;
    return hash.digest('base64');
  };

  /** The DKIM-Signature field(s) for the copy as latin1 text, each ending in CRLF. */
  const signatureText = (message: Buffer, hints?: { relaxedBody?: boolean }): string => {
    const started = performance.now();
    const blank = message.indexOf(BLANK_LINE);
    const headerEnd = blank < 0 ? message.length : blank + 2;
    const body = message.subarray(blank < 0 ? message.length : blank + 4);
    const bh = bodyHash(body, hints?.relaxedBody === true);
    const signed = signedHeaders(message.toString('latin1', 0, headerEnd));
    const t = now();
    let text = '';
    let signMs = 0;
    for (const k of keys) {
      const start = `v=1; a=${k.algorithm}; c=relaxed/relaxed; d=${options.domainName};`;
      const middle = `s=${k.selector}; t=${t};`;
      const end = `bh=${bh};`;
      // The signature field itself is hashed last, with an empty b= and without its CRLF (§3.7). Its
      // relaxed form is written here directly: the name lowercased, each fold (CRLF and one space)
      // unfolded to that space; the tags hold no other whitespace to compress.
      const data = Buffer.from(`${signed.canonical}dkim-signature:${start} ${middle} h=${signed.unfolded}; ${end} b=`, 'latin1');
      const signStarted = performance.now();
      const b = k.algorithm === 'rsa-sha256'
        ? cryptoSign('sha256', data, k.key)
        : cryptoSign(null, createHash('sha256').update(data).digest(), k.key); // RFC 8463 §3: Ed25519 over the SHA-256 hash
      signMs += performance.now() - signStarted;
      text += `DKIM-Signature: ${start}\r\n ${middle}\r\n h=${signed.folded};\r\n ${end}\r\n b=${foldBase64(b.toString('base64'))}\r\n`;
    }
    stats.copies += 1;
    stats.signNs += Math.round(signMs * 1e6);
    stats.hashNs += Math.round((performance.now() - started - signMs) * 1e6);
    return text;
  };

  return {
    stats,
    signatureText,
    signatureFields: (message, hints) => Buffer.from(signatureText(message, hints), 'latin1'),
    sign(message) {
      const head = signatureText(message);
      const out = Buffer.allocUnsafeSlow(head.length + message.length);
      out.write(head, 0, 'latin1');
      message.copy(out, head.length);
      return out;
    },
  };
}
