import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

interface Field {
  name: string;
  /** The whole field as it came, name, colon and folded value, without the final CRLF. */
  line: string;
}

function splitMessage(raw: string): { fields: Field[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end + 4);
  const fields: Field[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1]!.line += `\r\n${line}`;
    else if (line.includes(':')) fields.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), line });
  }
  return { fields, body };
}

/** Relaxed header canonicalization (RFC 6376 §3.4.2). */
function relaxedHeader(name: string, line: string): string {
  const value = line.slice(line.indexOf(':') + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim();
  return `${name}:${value}`;
}

/** Relaxed body canonicalization (RFC 6376 §3.4.4). */
function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
}

/** The canonical header block for h=: instances taken from the bottom up, a missing one signs as nothing (RFC 6376 §5.4.2). */
function headerBlock(fields: Field[], names: string[]): string {
  const used = new Map<string, number>();
  let out = '';
  for (const name of names) {
    const instances = fields.filter((f) => f.name === name);
    const n = used.get(name) ?? 0;
    used.set(name, n + 1);
    const field = instances[instances.length - 1 - n];
    if (field) out += `${relaxedHeader(name, field.line)}\r\n`;
  }
  return out;
}

/** The tags of a DKIM-Signature field's value (RFC 6376 §3.2), whitespace removed from each value. */
function signatureTags(field: Field): Map<string, string> {
  const value = field.line.slice(field.line.indexOf(':') + 1).replace(/\r\n/g, '');
  return new Map(value.split(';').map((t) => t.trim()).filter(Boolean).map((t) => [t.slice(0, t.indexOf('=')).trim(), t.slice(t.indexOf('=') + 1).replace(/[ \t]/g, '')]));
}

/** The key type each signing algorithm needs: RSA-SHA256 (RFC 6376) and Ed25519-SHA256 (RFC 8463). */
const KEY_TYPES = new Map([['rsa-sha256', 'rsa'], ['ed25519-sha256', 'ed25519']]);

/** What a DKIM check found. */
export interface DkimVerdict {
  ok: boolean;
  /** Why not, or what was verified. */
  detail: string;
  /** The h= list of the signature. */
  headers: string[];
}

/**
 * Verifies one DKIM-Signature of a CRLF message (relaxed/relaxed, rsa-sha256 or ed25519-sha256) against
 * a public key, without DNS: what `daybreak check` runs on a copy signed by the sender's own signer. The
 * signature checked is the one under `selector` (s=), or the first when none is given.
 *
 * @example
 * verifyDkim(signed, createPublicKey(rsaPem), { selector: 'news' }).ok // true
 */
export function verifyDkim(raw: string, publicKey: KeyObject | string, options: { selector?: string } = {}): DkimVerdict {
  const { fields, body } = splitMessage(raw);
  const signatures = fields.filter((f) => f.name === 'dkim-signature');
  const sig = options.selector === undefined ? signatures[0] : signatures.find((f) => signatureTags(f).get('s') === options.selector);
  if (!sig) return { ok: false, detail: options.selector === undefined ? 'no DKIM-Signature' : `no DKIM-Signature with s=${options.selector}`, headers: [] };
  const tags = signatureTags(sig);
  const h = (tags.get('h') ?? '').toLowerCase().split(':').filter(Boolean);
  const algorithm = tags.get('a') ?? '';
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const keyType = KEY_TYPES.get(algorithm);
  if (!keyType) return { ok: false, detail: `unsupported algorithm ${algorithm || '(none)'}`, headers: h };
  if (key.asymmetricKeyType !== keyType) return { ok: false, detail: `a=${algorithm} needs an ${keyType} key, not ${key.asymmetricKeyType ?? 'this one'}`, headers: h };
  if (tags.get('c') !== 'relaxed/relaxed') return { ok: false, detail: `unsupported canonicalization ${tags.get('c')}`, headers: h };
  const bh = createHash('sha256').update(relaxedBody(body), 'utf8').digest('base64');
  if (bh !== tags.get('bh')) return { ok: false, detail: 'the body hash (bh=) does not match the body', headers: h };
  const others = fields.filter((f) => f !== sig);
  const unsigned = sig.line.replace(/(\bb=)[^;]*$/, '$1').replace(/(;\s*b=)[^;]*/, '$1');
  const data = Buffer.from(headerBlock(others, h) + relaxedHeader('dkim-signature', unsigned), 'utf8');
  const b = Buffer.from(tags.get('b') ?? '', 'base64');
  const good = algorithm === 'rsa-sha256'
    ? cryptoVerify('sha256', data, key, b)
    : cryptoVerify(null, createHash('sha256').update(data).digest(), key, b); // RFC 8463 §3: Ed25519 over the SHA-256 hash
  const named = `${algorithm}, d=${tags.get('d')}, s=${tags.get('s')}`;
  return good ? { ok: true, detail: `verified (${named})`, headers: h } : { ok: false, detail: `the signature (b=) does not verify with the public key (${named})`, headers: h };
}
