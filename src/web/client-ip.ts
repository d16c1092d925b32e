import { isIPv6 } from 'node:net';
import type { Context } from 'hono';

/**
 * The client's IP. X-Forwarded-For is believed only when web.trustProxy says a proxy sits in front, and
 * then its LAST entry (the one our proxy appended): earlier entries are whatever the client claimed.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    const last = forwarded?.split(',').map((s) => s.trim()).filter(Boolean).pop();
    if (last) return last;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/**
 * The key the per-IP sign-up limit counts under. An IPv6 client usually holds a whole /64 (RFC 4291
 * §2.5.1 interface ids; RFC 6177 end-site assignments are larger still), so counting full addresses
 * would hand one client 2^64 fresh allowances: IPv6 is keyed by its /64 prefix. IPv4, and IPv4-mapped
 * IPv6 (::ffff:a.b.c.d, what a dual-stack socket reports), stay per address.
 */
export function rateLimitKey(ip: string): string {
  const address = ip.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  if (!isIPv6(address)) return ip;
  const groups = expandIPv6(address);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** Eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 folded in). */
function expandIPv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
