import { createHash, createPrivateKey, createPublicKey, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { dkimHeaderList, dkimTimestamp } from './dkim-headers.ts';

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

/** The canonical header block for h=: instances taken from the bottom up, a missing one signs as nothing. */
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

/**
 * Signs a complete CRLF message with rsa-sha256, relaxed/relaxed, the oversigned header list and t=,
 * and returns it with the DKIM-Signature field on top.
 *
 * @example
 * const signed = signDkim(raw, { domainName: 'daybreak.example', keySelector: 'news', privateKey: pem });
 */
export function signDkim(raw: string, options: { domainName: string; keySelector: string; privateKey: string | KeyObject; now?: Date }): string {
  const { fields, body } = splitMessage(raw);
  const h = dkimHeaderList(fields.map((f) => f.name));
  const bh = createHash('sha256').update(relaxedBody(body), 'utf8').digest('base64');
  const tags = `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${options.domainName}; s=${options.keySelector}; t=${dkimTimestamp(options.now)};\r\n h=${h.join(':')};\r\n bh=${bh};\r\n b=`;
  const data = headerBlock(fields, h) + relaxedHeader('dkim-signature', `DKIM-Signature: ${tags}`);
  const key = typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
  const b = rsaSign('sha256', Buffer.from(data, 'utf8'), key).toString('base64');
  const folded = b.replace(/(.{72})/g, '$1\r\n ').trimEnd();
  return `DKIM-Signature: ${tags}${folded}\r\n${raw}`;
}

/** What a DKIM check found. */
export interface DkimVerdict {
  ok: boolean;
  /** Why not, or what was verified. */
  detail: string;
  /** The h= list of the signature. */
  headers: string[];
}

/**
 * Verifies the first DKIM-Signature (rsa-sha256, relaxed or simple body and header canonicalization)
 * of a CRLF message against a public key: what `daybreak check` runs, without DNS.
 *
 * @example
 * verifyDkim(signed, createPublicKey(privatePem)).ok // true
 */
export function verifyDkim(raw: string, publicKey: KeyObject | string): DkimVerdict {
  const { fields, body } = splitMessage(raw);
  const sig = fields.find((f) => f.name === 'dkim-signature');
  if (!sig) return { ok: false, detail: 'no DKIM-Signature', headers: [] };
  const value = sig.line.slice(sig.line.indexOf(':') + 1).replace(/\r\n/g, '');
  const tags = new Map(value.split(';').map((t) => t.trim()).filter(Boolean).map((t) => [t.slice(0, t.indexOf('=')).trim(), t.slice(t.indexOf('=') + 1).replace(/[ \t]/g, '')]));
  const h = (tags.get('h') ?? '').toLowerCase().split(':').filter(Boolean);
  if (tags.get('a') !== 'rsa-sha256') return { ok: false, detail: `unsupported algorithm ${tags.get('a')}`, headers: h };
  if (tags.get('c') !== 'relaxed/relaxed') return { ok: false, detail: `unsupported canonicalization ${tags.get('c')}`, headers: h };
  const bh = createHash('sha256').update(relaxedBody(body), 'utf8').digest('base64');
  if (bh !== tags.get('bh')) return { ok: false, detail: 'the body hash (bh=) does not match the body', headers: h };
  const others = fields.filter((f) => f !== sig);
  const unsigned = sig.line.replace(/(\bb=)[^;]*$/, '$1').replace(/(;\s*b=)[^;]*/, '$1');
  const data = headerBlock(others, h) + relaxedHeader('dkim-signature', unsigned);
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const good = rsaVerify('sha256', Buffer.from(data, 'utf8'), key, Buffer.from(tags.get('b') ?? '', 'base64'));
  return good ? { ok: true, detail: `verified (d=${tags.get('d')}, s=${tags.get('s')})`, headers: h } : { ok: false, detail: 'the signature (b=) does not verify with the public key', headers: h };
}
