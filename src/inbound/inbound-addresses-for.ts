import type { Keyring } from '../audience/index.ts';
import type { Config } from '../content/index.ts';
import { createInboundAddresses, type InboundAddresses } from './inbound-address.ts';

/**
 * The per-copy addresses of this config (null without `inbound.domain`), signed with the keyring's
 * current key, and the two callbacks the sender takes.
 *
 * @example
 * const inbound = await inboundAddressesFor(config, keyring);
 * sendEdition({ ...options, ...inbound?.senderOptions });
 */
export async function inboundAddressesFor(
  config: Pick<Config, 'inbound' | 'newsletters'>,
  keyring: Keyring,
): Promise<{
  addresses: InboundAddresses;
  senderOptions: {
    returnPathFor(subscriberId: number, newsletterId: string, date: string): string;
    unsubscribeMailtoFor(subscriberId: number, newsletterId: string): string;
  };
} | null> {
  if (!config.inbound) return null;
  const current = await keyring.current();
  const addresses = createInboundAddresses({
    domain: config.inbound.domain,
    keyring,
    newsletters: config.newsletters.map((n) => n.id),
    current: { id: current.id, secret: current.secret },
  });
  return {
    addresses,
    senderOptions: {
      returnPathFor: (subscriberId, newsletterId, date) => addresses.bounceAddress(subscriberId, newsletterId, date),
      unsubscribeMailtoFor: (subscriberId, newsletterId) => addresses.unsubscribeAddress(subscriberId, newsletterId),
    },
  };
}
