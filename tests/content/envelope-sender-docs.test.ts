/**
 * docs/storage-and-scale-out.md's DNS section tells a publisher where bounces go and who reads them. It must say
 * what the sender does (src/inbound/inbound-addresses-for.ts): the envelope sender is `publisher.from` without
 * `inbound`, and each copy's own `bounces+…@<inbound domain>` with it, which Daybreak reads and applies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretKeyring } from '../../src/audience/index.ts';
import { inboundAddressesFor } from '../../src/inbound/index.ts';
import { SECRET, testConfig } from '../delivery/fixtures.ts';

const root = join(import.meta.dirname, '../..');
const doc = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

function dnsSection(): string {
  const text = doc('storage-and-scale-out.md');
  const start = text.indexOf('## DNS for sending');
  return text.slice(start, text.indexOf('\n## ', start + 1));
}

describe('the DNS section of storage-and-scale-out.md', () => {
  it('says the envelope sender is publisher.from without inbound and bounces+…@<inbound domain> with it, as the sender does', async () => {
    const keyring = secretKeyring(SECRET);
    expect(await inboundAddressesFor(testConfig(), keyring)).toBeNull();
    const inbound = (await inboundAddressesFor(testConfig({}, { inbound: { domain: 'bounces.news.example' } }), keyring))!;
    expect(inbound.senderOptions.returnPathFor(17, 'morning', '2026-11-30')).toMatch(/^bounces\+[a-z0-9.]+@bounces\.news\.example$/);

    const section = dnsSection();
    expect(section).toContain('without it, it is `publisher.from` too');
    expect(section).toContain('`bounces+<token>@<inbound domain>`');
    expect(section).not.toContain('as its `From:` and as the envelope sender');
  });

  it('says Daybreak does not read bounce mail only for a config without inbound, and that it reads them with it', () => {
    const section = dnsSection();
    const without = section.indexOf('**without `inbound`**');
    const withInbound = section.indexOf('**with `inbound` configured**');
    expect(withInbound).toBeGreaterThan(-1);
    expect(section.slice(withInbound, without)).toContain('Daybreak reads and applies these bounces itself');
    expect(without).toBeGreaterThan(withInbound);
    const notRead = section.indexOf('Daybreak does not read those messages');
    expect(notRead).toBeGreaterThan(without);
  });

  it('links to deliverability.md headings that exist', () => {
    const anchors = new Set([...doc('deliverability.md').matchAll(/^#{2,4} (.+)$/gm)].map((m) => slug(m[1]!)));
    const links = [...dnsSection().matchAll(/\(deliverability\.md#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links).toEqual(expect.arrayContaining(['inbound-mail', 'provider-webhooks']));
    for (const link of links) expect(anchors, link).toContain(link);
  });
});
