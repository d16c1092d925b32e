import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../audience/index.ts';

/** Which of the two addresses a reader's copy names: the envelope sender, or the List-Unsubscribe mailto. */
export type InboundKind = 'bounces' | 'unsubscribe';

/** What a per-copy address says. `date` is set for `bounces` (the copy), null for `unsubscribe`. */
export interface InboundClaims {
  kind: InboundKind;
  subscriberId: number;
  newsletter: string;
  date: string | null;
}

export interface InboundAddresses {
  readonly domain: string;
  /** `bounces+<token>@<domain>`: the envelope sender (Return-Path) of one reader's copy of one edition. */
  bounceAddress(subscriberId: number, newsletter: string, date: string): string;
  /** `unsubscribe+<token>@<domain>`: the reader's own unsubscribe address for one newsletter. */
  unsubscribeAddress(subscriberId: number, newsletter: string): string;
  /**
   * The claims of an address this domain handed out, or null for anything else (another domain, another
   * local part, a token whose signature does not verify). Case-insensitive: some relays lower-case the
   * local part of the address a bounce comes back to.
   */
  parse(address: string): Promise<InboundClaims | null>;
}

/** Local parts are at most 64 octets (RFC 5321 §4.5.3.1.1); longer newsletter ids travel as a hash. */
const MAX_LOCAL = 64;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= length) break;
  }
  return out;
}

/** The short stand-in for a newsletter id too long to fit a local part: `~` and 8 base32 characters. */
function newsletterHash(id: string): string {
  return `~${base32(createHash('sha256').update(id).digest(), 8)}`;
}

/**
 * Signed per-copy addresses on the inbound domain (VERP, in the spirit of RFC 3464's advice to tell
 * copies apart by envelope sender): `bounces+k1.2s.20261130.morning.<mac>@bounces.news.example` names
 * the key, the subscriber (base 36), the edition date and the newsletter, and carries an 80-bit HMAC of
 * them, so a bounce or unsubscribe mail can only ever act on the reader it was sent for. Everything is
 * lower case and fits the 64-octet local part.
 *
 * @example
 * const addresses = createInboundAddresses({ domain: 'bounces.news.example', keyring, newsletters: ['morning'] });
 * addresses.bounceAddress(42, 'morning', '2026-11-30'); // 'bounces+k0.16.20261130.morning.…@bounces.news.example'
 */
export function createInboundAddresses(options: {
  domain: string;
  keyring: Keyring;
  /** The config's newsletter ids (to find one that travels as a hash). */
  newsletters: readonly string[];
  /** The key new addresses are signed with (read once from the keyring at start). */
  current: { id: string; secret: string };
}): InboundAddresses {
  const domain = options.domain.toLowerCase();
  const { current, keyring } = options;
  const mac = (secret: string, kind: InboundKind, keyId: string, sid: string, date: string, newsletter: string) =>
    base32(createHmac('sha256', secret).update(`inbound\0${kind}\0${keyId}\0${sid}\0${date}\0${newsletter}`).digest(), 16);

  const label = (kind: InboundKind, newsletter: string, fixed: number) =>
    kind.length + 1 + fixed + newsletter.length <= MAX_LOCAL ? newsletter : newsletterHash(newsletter);

  const make = (kind: InboundKind, subscriberId: number, newsletter: string, date: string | null): string => {
    const sid = subscriberId.toString(36);
    const day = date ? date.replaceAll('-', '') : '';
    // key id, sid, date, mac and the dots between them
    const fixed = current.id.length + 1 + sid.length + 1 + (day ? day.length + 1 : 0) + 1 + 16;
    const nl = label(kind, newsletter, fixed);
    const token = [current.id, sid, ...(day ? [day] : []), nl, mac(current.secret, kind, current.id, sid, day, nl)].join('.');
    return `${kind}+${token}@${domain}`;
  };

  return {
    domain,
    bounceAddress: (subscriberId, newsletter, date) => make('bounces', subscriberId, newsletter, date),
    unsubscribeAddress: (subscriberId, newsletter) => make('unsubscribe', subscriberId, newsletter, null),
    async parse(address) {
      const lower = address.trim().replace(/^<|>$/g, '').toLowerCase();
      const at = lower.lastIndexOf('@');
      if (at < 0 || lower.slice(at + 1) !== domain) return null;
      const match = /^(bounces|unsubscribe)\+(.+)$/.exec(lower.slice(0, at));
      if (!match) return null;
      const kind = match[1] as InboundKind;
      const parts = match[2]!.split('.');
      const withDate = kind === 'bounces';
      if (parts.length !== (withDate ? 5 : 4)) return null;
      const [keyId, sid, ...rest] = parts as [string, string, ...string[]];
      const day = withDate ? rest[0]! : '';
      const nl = rest[withDate ? 1 : 0]!;
      const given = rest[withDate ? 2 : 1]!;
      if (!/^k\d{1,9}$/.test(keyId) || !/^[0-9a-z]{1,11}$/.test(sid) || (withDate && !/^\d{8}$/.test(day))) return null;
      const key = await keyring.byId(keyId);
      if (!key) return null;
      const expected = Buffer.from(mac(key.secret, kind, keyId, sid, day, nl));
      const got = Buffer.from(given);
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
      const newsletter = nl.startsWith('~') ? options.newsletters.find((id) => newsletterHash(id) === nl) : nl;
      if (!newsletter) return null;
      const subscriberId = parseInt(sid, 36);
      if (!Number.isSafeInteger(subscriberId) || subscriberId <= 0) return null;
      return {
        kind,
        subscriberId,
        newsletter,
        date: withDate ? `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}` : null,
      };
    },
  };
}
