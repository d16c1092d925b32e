import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../content/index.ts';
import { DaybreakError } from '../errors.ts';
import type { DkimSignerOptions } from './dkim-signer.ts';

function readKey(file: string, key: string, type: 'rsa' | 'ed25519'): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DaybreakError('ECONFIG', `delivery.dkim.${key}: cannot read ${file}${code ? ` (${code})` : ''}`, { cause: error });
  }
  let object: KeyObject;
  try {
    object = createPrivateKey(pem);
  } catch (error) {
    throw new DaybreakError('ECONFIG', `delivery.dkim.${key}: ${file} is not a PEM private key`, { cause: error });
  }
  if (object.asymmetricKeyType !== type) {
    throw new DaybreakError('ECONFIG', `delivery.dkim.${key}: ${file} holds an ${object.asymmetricKeyType ?? 'unknown'} key, expected ${type === 'rsa' ? 'an RSA' : 'an Ed25519'} private key`);
  }
  // RFC 8301 §3.2: signers must use RSA keys of at least 1024 bits (and should use 2048).
  if (type === 'rsa' && (object.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) {
    throw new DaybreakError('ECONFIG', `delivery.dkim.${key}: ${file} is a ${object.asymmetricKeyDetails?.modulusLength}-bit RSA key; DKIM needs at least 1024 bits (2048 recommended)`);
  }
  return object;
}

/**
 * The signer options of `delivery.dkim`: the RSA key (privateKeyFile under keySelector) and, when
 * configured, the Ed25519 key (ed25519KeyFile under ed25519KeySelector, RFC 8463), read and checked now
 * so a bad key is a config error at start rather than a failure per copy.
 *
 * @example
 * const dkim = config.delivery.dkim ? readDkimKeys(config.delivery.dkim) : null;
 */
export function readDkimKeys(dkim: NonNullable<Config['delivery']['dkim']>): DkimSignerOptions {
  const keys: DkimSignerOptions['keys'] = [
    { algorithm: 'rsa-sha256', selector: dkim.keySelector, privateKey: readKey(dkim.privateKeyFile, 'privateKeyFile', 'rsa') },
  ];
  if (dkim.ed25519KeyFile && dkim.ed25519KeySelector) {
    keys.push({ algorithm: 'ed25519-sha256', selector: dkim.ed25519KeySelector, privateKey: readKey(dkim.ed25519KeyFile, 'ed25519KeyFile', 'ed25519') });
  }
  return { domainName: dkim.domainName.toLowerCase(), keys };
}
