import { describe, expect, it } from 'vitest';
import { rateLimitKey } from '../../src/web/client-ip.ts';

describe('rateLimitKey', () => {
  it('keys IPv6 by its /64, however the address is written', () => {
    const key = rateLimitKey('2001:db8:abcd:12::1');
    expect(key).toBe('2001:db8:abcd:12::/64');
    for (const same of ['2001:db8:abcd:12:ffff:ffff:ffff:ffff', '2001:0DB8:ABCD:0012:0:0:0:2', '2001:db8:abcd:12::192.0.2.1', '2001:db8:abcd:12::9%eth0']) {
      expect(rateLimitKey(same)).toBe(key);
    }
    expect(rateLimitKey('2001:db8:abcd:13::1')).not.toBe(key);
    expect(rateLimitKey('::1')).toBe('0:0:0:0::/64');
  });

  it('keeps IPv4 per address, IPv4-mapped IPv6 included, and leaves anything else as it is', () => {
    expect(rateLimitKey('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitKey('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(rateLimitKey('203.0.113.8')).not.toBe(rateLimitKey('203.0.113.7'));
    expect(rateLimitKey('unknown')).toBe('unknown');
  });
});
